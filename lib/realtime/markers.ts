/**
 * Markers: the points in the token stream that the server signals (`<end>` for an endpoint,
 * `<fin>` for a finalize, the `finished` message). They travel through the readable buffer
 * beside the tokens, so they reach the application where they sit in the stream: after every
 * token before them has been taken, before any token after them. Either as events (the
 * default) or, with `markers: 'inband'`, also as objects on the readable side.
 */
import type { Readable } from 'node:stream';
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
  readonly writableLength: number;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/**
 * The one touch of Node's stream internals: asks a Writable for the 'drain' it emits when its
 * buffer reaches 0. A Writable says 'drain' only after a write() returned false; a few tokens
 * under its highWaterMark never make it say so. Setting `_writableState.needDrain` asks Node's
 * own bookkeeping for it (an extra 'drain' only invites more writes). Returns false for what
 * has no such state (not a Node Writable). Checked on Node 20, 22 and 24 (markers.spec.ts).
 */
export function askForDrain(destination: unknown): boolean {
  const state = (destination as { _writableState?: unknown } | null)?._writableState;
  if (typeof state !== 'object' || state === null) return false;
  (state as { needDrain: boolean }).needDrain = true;
  return true;
}

/**
 * Calls `then` once every destination has written all it holds (at once when none holds
 * anything). Returns false when nothing had to wait.
 */
export function afterDrained(destinations: Iterable<unknown>, then: () => void): boolean {
  const busy = [...destinations].filter(
    (d): d is Destination =>
      typeof (d as Destination).writableLength === 'number' &&
      (d as Destination).writableLength > 0 &&
      typeof (d as { _writableState?: unknown })._writableState === 'object',
  );
  if (busy.length === 0) return false;
  let left = busy.length;
  for (const dest of busy) {
    const done = () => {
      dest.off('drain', done);
      dest.off('close', done);
      if (--left === 0) then();
    };
    askForDrain(dest);
    dest.once('drain', done);
    dest.once('close', done);
  }
  return true;
}

/** What marker delivery needs of its stream (the Duplex whose readable buffer carries them). */
export interface MarkerHost {
  /**
   * The stream whose readable buffer holds the markers; its readableFlowing is null while no
   * reader has ever attached (read(), 'data', pipe, iteration).
   */
  stream: Pick<Readable, 'destroyed' | 'readableFlowing' | 'push' | 'pause' | 'resume'>;
  /** Emits a marker's event ('endpoint', 'finalized', or 'finished' with its message). */
  markerEvent(kind: Exclude<MarkerKind, 'failed'>, message: RealtimeMessage | undefined): void;
  /** Hands an in-band marker object to the reader (a 'data' event, past the stream's own emit()). */
  showMarker(shown: RealtimeMarker): void;
  /** The reader got to the `failed` marker: every token before the failure was taken. */
  failureReached(): void;
}

/**
 * Marker delivery: markers go into the readable buffer behind the tokens before them, and
 * their events are emitted as the reader gets to them, once piped destinations have written
 * what came before. The stream's read(), pipe(), unpipe() and emit() hand over to it.
 */
export class Markers {
  /** Where pipe() sends the tokens: a marker waits for them to write what came before it. */
  private readonly destinations = new Set<unknown>();

  constructor(
    private readonly host: MarkerHost,
    private readonly inband: boolean,
  ) {}

  piped(destination: unknown): void {
    this.destinations.add(destination);
  }

  /** A destination unpiped (every destination when none is named). */
  unpiped(destination?: unknown): void {
    if (destination) this.destinations.delete(destination);
    else this.destinations.clear();
  }

  /**
   * What read() gives for an item the buffer gave out: the item itself (a token, or null),
   * `undefined` to read on past a marker, or null for a marker still waiting on destinations.
   */
  shown(item: unknown): unknown {
    if (!(item instanceof QueuedMarker)) return item;
    // Its event was emitted as the buffer gave it out as 'data' (see the stream's emit()).
    if (item.waiting) return null;
    return item.shown;
  }

  /**
   * Puts a marker in the readable buffer, behind the tokens before it. While nobody reads the
   * tokens at all (no reader has ever attached), its event is emitted at once: it would
   * otherwise wait for a reader that may never come. Returns push()'s answer.
   */
  queue(kind: Exclude<MarkerKind, 'failed'>, message: RealtimeMessage | undefined): boolean {
    const inband = this.inband && kind !== 'finished';
    const shown: RealtimeMarker | undefined = inband ? Object.freeze({ marker: kind }) : undefined;
    const queued = new QueuedMarker(kind, message, shown);
    if (this.host.stream.readableFlowing === null) {
      this.emitOnce(queued);
      if (kind === 'finished') return this.host.stream.push(null);
      if (!inband) return true;
    }
    return this.host.stream.push(queued);
  }

  /** Puts the end of a failed session behind the tokens the server sent before it. */
  queueFailure(): void {
    this.host.stream.push(new QueuedMarker('failed', undefined, undefined));
  }

  /**
   * A 'data' event is about to carry `item`: a queued marker is caught there, where it reaches
   * the reader, and becomes its event. Returns whether it was one (nothing else to emit).
   */
  caught(item: unknown): boolean {
    if (!(item instanceof QueuedMarker)) return false;
    // read() looks at `waiting` only as it takes the marker: no need to clear it afterwards.
    const waits = afterDrained(this.destinations, () => {
      if (this.host.stream.destroyed) return;
      this.reached(item);
      this.host.stream.resume();
    });
    if (waits) {
      item.waiting = true;
      this.host.stream.pause();
    } else this.reached(item);
    return true;
  }

  /** The reader got to `queued`: its event, its in-band object, and after `finished` the end of the tokens. */
  private reached(queued: QueuedMarker): void {
    if (queued.kind === 'failed') {
      this.host.failureReached();
      return;
    }
    this.emitOnce(queued);
    if (queued.shown) this.host.showMarker(queued.shown);
    if (queued.kind === 'finished') this.host.stream.push(null);
  }

  private emitOnce(queued: QueuedMarker): void {
    if (queued.emitted || queued.kind === 'failed') return;
    queued.emitted = true;
    this.host.markerEvent(queued.kind, queued.message);
  }
}
