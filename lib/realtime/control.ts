/**
 * The session's control messages (docs/api.md §8.3): the keepalive frame, sent by
 * `stream.keepAlive()` and the connection's automatic keepalive alike, and the finalize guard.
 * The docs say of `finalize`: "don't send more often than every few seconds (too frequent may
 * disconnect)". So calls closer together than a minimum interval are coalesced, not sent: one
 * finalize goes out when the interval has passed, with the largest `trailing_silence_ms` asked,
 * so that nothing the user asked to finalize is left unfinalized.
 */
import type { FieldIssue } from '../errors';
import { MAX_TIMER_MS } from '../internal/sleep';

/** The keepalive frame: no answer from the server; keeps a session without audio open. */
export const KEEPALIVE_MESSAGE = '{"type":"keepalive"}';

/**
 * Default of `finalizeMinIntervalMs`: the shortest reading of the docs' "every few seconds".
 */
export const DEFAULT_FINALIZE_MIN_INTERVAL_MS = 2_000;

/** Options of one `finalize()` call. */
export interface FinalizeOptions {
  /** Audio at the end taken as silence, in ms (the API's own field). */
  trailing_silence_ms?: number;
}

/** The issues of a `finalizeMinIntervalMs` option (none when left out). */
export function finalizeIntervalIssues(value: unknown): FieldIssue[] {
  if (
    value === undefined ||
    (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= MAX_TIMER_MS)
  )
    return [];
  return [
    { field: 'finalizeMinIntervalMs', message: `must be a number from 0 to ${MAX_TIMER_MS}` },
  ];
}

/**
 * Where a stream's finalize frames go. A frame waits for a socket when none takes writes yet
 * (connecting, reconnecting, a rollover's next session on its way), and goes as one opens, after
 * the audio queued before it; the interval counts from when it went.
 */
export interface FinalizeHost {
  /** Whether a frame can go now: a session is open and takes writes. */
  ready(): boolean;
  /** Starts connecting, if nothing has yet. */
  start(): void;
  /** Sends a frame on the open connection. */
  send(frame: string): void;
}

/** The finalize guard of one stream (see the file comment). */
export class FinalizeCoalescer {
  /** A finalize went out (or is on its way) less than the interval ago. */
  private cooling = false;
  private cooldown: NodeJS.Timeout | undefined;
  /** The merged calls waiting for the interval to end, if any. */
  private held: FinalizeOptions | undefined;
  /** Frames waiting for a socket to open, as their senders. */
  private waiting: Array<() => void> = [];

  constructor(
    private readonly minIntervalMs: number,
    private readonly host: FinalizeHost,
  ) {}

  /** A socket opened: the frames waiting for one go, a microtask later (after the queued audio). */
  opened(): void {
    if (this.waiting.length === 0) return;
    const ready = this.waiting.splice(0);
    queueMicrotask(() => ready.forEach((deliver) => deliver()));
  }

  /** Whether a finalize is held for the end of the interval. */
  get holding(): boolean {
    return this.held !== undefined;
  }

  /** One `finalize()` call: sent now, or merged into the one held. */
  request(options: FinalizeOptions): void {
    if (!this.cooling) {
      this.send(options);
      return;
    }
    const a = this.held?.trailing_silence_ms;
    const b = options.trailing_silence_ms;
    const trailing = a === undefined ? b : b === undefined ? a : Math.max(a, b);
    this.held = trailing === undefined ? {} : { trailing_silence_ms: trailing };
  }

  /** Drops what is held (end-of-audio finalizes everything); the interval goes on. */
  dropHeld(): void {
    this.held = undefined;
  }

  /** Drops what is held, the frames waiting for a socket and the interval: a finished or failed session has nothing to send on. */
  cancel(): void {
    clearTimeout(this.cooldown);
    this.cooldown = undefined;
    this.held = undefined;
    this.cooling = false;
    this.waiting = [];
  }

  private send(options: FinalizeOptions): void {
    if (this.minIntervalMs > 0) this.cooling = true;
    // JSON.stringify leaves trailing_silence_ms out when it is not given.
    const message = { type: 'finalize', trailing_silence_ms: options.trailing_silence_ms };
    const frame = JSON.stringify(message);
    const deliver = () => {
      this.host.send(frame);
      this.sent();
    };
    if (this.host.ready()) deliver();
    else {
      this.waiting.push(deliver);
      this.host.start();
    }
  }

  private sent(): void {
    if (!this.cooling || this.cooldown !== undefined) return;
    this.cooldown = setTimeout(() => {
      this.cooldown = undefined;
      this.cooling = false;
      const held = this.held;
      this.held = undefined;
      if (held) this.send(held);
    }, this.minIntervalMs);
  }
}
