/**
 * Where a realtime stream is in its life: its phases and the edges between them. The stream
 * moves only along EDGES (its `transition()` asserts each move); the diagram and the table
 * below are drawn from EDGES, and a spec holds them to it.
 *
 *     idle ----> connecting ----> open ----> finishing ----> finished
 *                     |           ^  |           |
 *                     |           |  v           |
 *                     +-----> reconnecting <-----+
 *
 *   Besides the arrows drawn: connecting and reconnecting go straight to finishing when the
 *   socket opens after end(); open goes to finished when the server ends the session first;
 *   reconnecting goes to reconnecting when an attempt fails with attempts left. From every
 *   phase but the terminal ones, destroy(error) (or any final failure) leads to failed and
 *   destroy() to destroyed; from finished only destroy(error) leads on (to failed). A final
 *   failure of the session (an error frame, a close, a retry given up, the finish deadline) moves to
 *   failed at once, but its `error` waits for the reader to take the tokens buffered before it.
 *   The server's acceptance of a session is no phase (audio flows while open, before it): it
 *   settles connect(), on the first result or once the acceptance window passed.
 *
 * | phase        | event                                              | next          | emitted                     |
 * | ------------ | -------------------------------------------------- | ------------- | --------------------------- |
 * | idle         | connect(), the first write() or end()              | connecting    |                             |
 * | connecting   | upgrade open, end() not called                     | open          | `open`                      |
 * | connecting   | upgrade open, end() already called                 | finishing     | `open`                      |
 * | connecting   | transient failure, `reconnect` set or a 429 start  | reconnecting  | `reconnect` after backoff   |
 * | open         | end()                                              | finishing     |                             |
 * | open         | transient failure (drop, 503, dead peer)           | reconnecting  | `reconnect` after backoff   |
 * | open         | `finished` from the server                         | finished      | `finished` in stream order  |
 * | reconnecting | upgrade open, end() not called                     | open          | `open`                      |
 * | reconnecting | upgrade open, end() already called                 | finishing     | `open`                      |
 * | reconnecting | transient failure, attempts left                   | reconnecting  | `reconnect` after backoff   |
 * | finishing    | `finished` from the server                         | finished      | `finished` in stream order  |
 * | finishing    | transient failure                                  | reconnecting  | `reconnect` after backoff   |
 * | idle..finishing | final failure, deadline, abort, destroy(error)  | failed        | `error` (or connect() rejects), `close` |
 * | idle..finishing | destroy()                                       | destroyed     | `close`                     |
 * | finished     | destroy(error)                                     | failed        | `error`, `close`            |
 *
 * `failed` and `destroyed` are terminal: a late event after them moves nothing.
 */

/** Where a stream is in its life (see the file comment). */
export type RealtimePhase =
  | 'idle'
  | 'connecting'
  | 'open'
  | 'reconnecting'
  | 'finishing'
  | 'finished'
  | 'failed'
  | 'destroyed';

/** Every phase a stream may move to from each phase: the stream's edges. */
export const EDGES: Readonly<Record<RealtimePhase, readonly RealtimePhase[]>> = {
  idle: ['connecting', 'failed', 'destroyed'],
  connecting: ['open', 'finishing', 'reconnecting', 'failed', 'destroyed'],
  open: ['finishing', 'reconnecting', 'finished', 'failed', 'destroyed'],
  reconnecting: ['open', 'finishing', 'reconnecting', 'failed', 'destroyed'],
  finishing: ['finished', 'reconnecting', 'failed', 'destroyed'],
  finished: ['failed'],
  failed: [],
  destroyed: [],
};

/** Phases with a session under way or on its way: a failure there may be tried again. */
export function isLive(phase: RealtimePhase): boolean {
  return (
    phase === 'connecting' || phase === 'open' || phase === 'finishing' || phase === 'reconnecting'
  );
}

/** Phases nothing leaves. */
export function isTerminal(phase: RealtimePhase): boolean {
  return phase === 'failed' || phase === 'destroyed';
}

/** Throws when `from -> to` is no edge of the stream (a bug in the stream, never the caller's). */
export function assertEdge(from: RealtimePhase, to: RealtimePhase): void {
  if (!EDGES[from].includes(to)) throw new Error(`realtime stream: no edge from ${from} to ${to}`);
}
