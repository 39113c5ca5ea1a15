/**
 * Markers: the points in the token stream that the server signals (`<end>` for an endpoint,
 * `<fin>` for a finalize, the `finished` message). They travel through the readable buffer
 * beside the tokens, so they reach the application where they sit in the stream: after every
 * token before them has been taken, before any token after them. Either as events (the
 * default) or, with `markers: 'inband'`, also as objects on the readable side.
 */
import type { RealtimeMessage, RealtimeToken } from '../types';

/** A marker on the readable side (`markers: 'inband'`): where an endpoint or a finalize falls among the tokens. */
export interface RealtimeMarker {
  readonly marker: 'endpoint' | 'finalized';
}

/** How markers reach the application: `'events'` only (default), or `'inband'` as objects among the tokens too. */
export type MarkerDelivery = 'events' | 'inband';

/** What a stream's readable side yields: tokens, plus marker objects when the markers are in-band. */
export type RealtimeItem = RealtimeToken | RealtimeMarker;

/** Whether an item read from a stream with `markers: 'inband'` is a marker (else a token). */
export function isRealtimeMarker(item: RealtimeItem): item is RealtimeMarker {
  return 'marker' in item && !('text' in item);
}

/** The kinds of point a marker can mark: `failed` is the end of a session the server failed. */
export type MarkerKind = RealtimeMarker['marker'] | 'finished' | 'failed';

/**
 * A marker in the readable buffer. Never reaches the application itself: its event is emitted
 * when the reader gets to it, and `shown` (the in-band object) is what the reader is given.
 */
export class QueuedMarker {
  /** Its event was emitted (on arrival, when nobody was reading yet). */
  emitted = false;
  /** Taken from the buffer, but held until piped destinations have written what came before. */
  waiting = false;

  constructor(
    readonly kind: MarkerKind,
    readonly message: RealtimeMessage | undefined,
    readonly shown: RealtimeMarker | undefined,
  ) {}
}

/** A destination fed by `pipe()`, as far as draining goes. */
interface Destination {
  readonly writableLength?: number;
  readonly _writableState?: { needDrain: boolean };
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/**
 * Calls `then` once every destination has written all it holds (at once when none holds
 * anything). Returns false when nothing had to wait.
 *
 * A Writable says 'drain' only after a write() returned false; a few tokens under its
 * highWaterMark never make it say so. Setting its needDrain asks Node's own bookkeeping for
 * the 'drain' it emits when the buffer reaches 0 (an extra 'drain' only invites more writes).
 */
export function afterDrained(destinations: Iterable<unknown>, then: () => void): boolean {
  const busy = [...destinations].filter(
    (d): d is Destination =>
      typeof (d as Destination).writableLength === 'number' &&
      ((d as Destination).writableLength as number) > 0 &&
      typeof (d as Destination)._writableState === 'object',
  );
  if (busy.length === 0) return false;
  let left = busy.length;
  for (const dest of busy) {
    const done = () => {
      dest.off('drain', done);
      dest.off('close', done);
      if (--left === 0) then();
    };
    (dest._writableState as { needDrain: boolean }).needDrain = true;
    dest.once('drain', done);
    dest.once('close', done);
  }
  return true;
}
