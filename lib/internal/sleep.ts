/**
 * An abortable sleep on the global `setTimeout`, so sinon fake timers drive it in specs.
 * (`timers/promises` and `AbortSignal.timeout` use Node's internal timers, which fakes miss.)
 */
import { abortError } from './abort-error';

/** Node timers wrap any delay above this to 1 ms: every duration option must stay within it. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Resolves after `ms`; rejects with the SDK's abort/timeout error as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal, what = 'wait'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal, what));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal, what));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
