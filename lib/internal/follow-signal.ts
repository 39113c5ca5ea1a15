/**
 * Per-call AbortControllers that follow a longer-lived signal (the caller's, shared by many
 * calls) with one listener per signal, however many calls follow it. Neither alternative holds:
 * a listener per call trips MaxListenersExceededWarning past ten calls, and AbortSignal.any keeps
 * an entry per call on a long-lived source (Node 20: ~70 bytes a call, for ever).
 */

const followers = new WeakMap<AbortSignal, Set<AbortController>>();

/**
 * Aborts `controller` (with the signal's reason) when `signal` aborts. Returns the function
 * that stops following: call it when the work is over, or the entry stays until the signal goes.
 */
export function follow(signal: AbortSignal, controller: AbortController): () => void {
  if (signal.aborted) {
    controller.abort(signal.reason);
    return () => undefined;
  }
  let set = followers.get(signal);
  if (!set) {
    const created = new Set<AbortController>();
    set = created;
    followers.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        for (const c of created) c.abort(signal.reason);
        created.clear();
        followers.delete(signal);
      },
      { once: true },
    );
  }
  set.add(controller);
  const registered = set;
  return () => {
    registered.delete(controller);
  };
}

/**
 * Runs `listener` once as `signal` aborts (on the next tick when it already has), through
 * `follow`'s one listener per signal. Returns the function that stops following.
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  if (signal.aborted) {
    process.nextTick(listener);
    return () => undefined;
  }
  const aborted = new AbortController();
  // A signal aborts once: its listener runs once without `{ once: true }`.
  aborted.signal.addEventListener('abort', listener);
  return follow(signal, aborted);
}

/** Controllers following `signal` right now (for specs). */
export function followerCount(signal: AbortSignal): number {
  return followers.get(signal)?.size ?? 0;
}
