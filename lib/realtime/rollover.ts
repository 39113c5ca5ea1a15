/**
 * Rollover past the session caps. A realtime session ends at a hard cap: 300 minutes of stream,
 * or a temporary key's `max_session_duration_seconds` when it is shorter (docs/api.md §8.6);
 * the server then ends it with an error. With `rollover`, `beforeCapMs` before the cap the
 * stream ends the audio of the current session (end-of-audio finalizes everything sent so far:
 * the finalize point), opens the next session at once and sends it the audio from that point,
 * while the old one drains. The next session's results are held until the old one's `finished`;
 * then its clock is shifted to the finalize point (the reconnect arithmetic's resumePoint and
 * TokenAssembler.resume) and its results flow: one timeline, nothing lost or repeated, markers
 * in order. This file holds the pure parts (options, checks, when to roll over) and the
 * Rollover, which keeps the state of one stream's hand-over; the stream moves the phase.
 */
import { SonioxTimeoutError, SonioxWebSocketError, type FieldIssue } from '../errors';
import type { RealtimeMessage } from '../types';
import type { Connection } from './connection';
import type { DrainEvents } from './session-link';

/** The `rollover` option: continue past the session caps in a new session. */
export interface RolloverOptions {
  /** How long before the cap the stream rolls over (default 30 000 ms; at the latest halfway through a session). */
  beforeCapMs?: number;
  /**
   * The session cap, in ms (default 300 minutes, the API's). A temporary key minted by this
   * client with `max_session_duration_seconds` caps its sessions sooner, and is known without it.
   */
  capMs?: number;
  /** Mints the key of each session (default: `reconnect.getApiKey`, else the client's key). */
  getApiKey?: () => Promise<string> | string;
}

/** Payload of the `rollover` event, emitted as the next session takes over. */
export interface RolloverEvent {
  /** 1 for the stream's first rollover. */
  count: number;
  /** The finalize point on the stream's clock, in ms: where the new session's 0 lies. */
  atMs: number;
  /** The request id of the session that ended, when the server named it. */
  previousRequestId: string | undefined;
}

/** The API's fixed stream duration: 300 minutes. */
export const SESSION_CAP_MS = 300 * 60_000;
/** Default `beforeCapMs`: as long as the default wait for `finished` (finishTimeoutMs). */
export const DEFAULT_BEFORE_CAP_MS = 30_000;

/**
 * How long after a session's start to roll over: `beforeCapMs` before the cap (the option's or
 * the API's, or the key's when shorter), never sooner than halfway (a short cap still gets work
 * done), never past what a timer holds.
 */
export function rolloverDelay(
  options: Pick<RolloverOptions, 'beforeCapMs' | 'capMs'>,
  keySessionMs: number | undefined,
  maxTimerMs: number,
): number {
  const cap = Math.min(options.capMs ?? SESSION_CAP_MS, keySessionMs ?? Infinity);
  const at = Math.max(cap - (options.beforeCapMs ?? DEFAULT_BEFORE_CAP_MS), cap / 2);
  return Math.min(Math.floor(at), maxTimerMs);
}

/** Problems of a `rollover` option (raw audio only: the next session gets no header). */
export function rolloverIssues(
  value: unknown,
  audioFormat: string | undefined,
  rawFormat: boolean,
): FieldIssue[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null)
    return [{ field: 'rollover', message: 'must be an object such as { beforeCapMs: 30000 }' }];
  const r = value as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  for (const [field, min] of [
    ['beforeCapMs', 0],
    ['capMs', 1],
  ] as const) {
    const v = r[field];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > 2 ** 53))
      issues.push({ field: `rollover.${field}`, message: `must be a number of ms >= ${min}` });
  }
  if (r.getApiKey !== undefined && typeof r.getApiKey !== 'function')
    issues.push({ field: 'rollover.getApiKey', message: 'must be a function' });
  if (!rawFormat)
    issues.push({
      field: 'rollover',
      message: `needs a raw audio_format such as pcm_s16le, not "${String(audioFormat)}": the next session would get audio without its header`,
    });
  return issues;
}

/** What the next session takes over with (RolloverHost.handOver). */
export interface TakeOver {
  /** The finalize point, in bytes from the stream's start. */
  pointBytes: number;
  /** The next session's frames that came while the old one drained, in order. */
  held: Array<string | undefined>;
  /** The next session's failure meanwhile, if it failed. */
  failure: SonioxWebSocketError | undefined;
  /** The `rollover` event's count (1 for the first). */
  count: number;
}

/** What the Rollover asks of its stream, which alone moves the phase. */
export interface RolloverHost {
  /** Whether the session may roll over now: open, end() not called. */
  mayRollOver(): boolean;
  /** Takes the current connection out of the stream's link, its frames now the drain's. */
  detach(events: DrainEvents): Connection | undefined;
  /** Audio bytes sent so far: the finalize point. */
  bytesSent(): number;
  /** Opens the next session (writes wait for it meanwhile: holdsWrites). */
  openNext(): void;
  /** A result of the draining session (its `finished` flag taken off). */
  drained(message: RealtimeMessage): void;
  /** The draining session finished: the next one takes over. */
  handOver(takeOver: TakeOver): void;
  /** The draining session failed before its `finished`: the stream fails with `error`. */
  drainFailed(error: SonioxWebSocketError | SonioxTimeoutError): void;
  /** Parses a server frame (the keys redacted). */
  parse(text: string | undefined): RealtimeMessage | SonioxWebSocketError;
}

/** One stream's rollovers: the timer, the draining session, the next one's held results. */
export class Rollover {
  private timer: NodeJS.Timeout | undefined;
  private drain: Connection | undefined;
  /** The next session's frames, held until the draining one finished. */
  private held: Array<string | undefined> = [];
  /** The next session's failure while the old one drained. */
  private failure: SonioxWebSocketError | undefined;
  /** The finalize point (bytes from the stream start) of the rollover under way. */
  private point = 0;
  /** The next session has no open socket yet (or lost it): writes wait. */
  private waiting = false;
  /** Rollovers so far. */
  count = 0;

  constructor(
    private readonly options: RolloverOptions,
    private readonly timing: { maxTimerMs: number; finishTimeoutMs: number },
    private readonly host: RolloverHost,
  ) {}

  /** A session started: the timer counts to its cap (`keySessionMs`: its key's own cap). */
  arm(keySessionMs: number | undefined): void {
    clearTimeout(this.timer);
    const delay = rolloverDelay(this.options, keySessionMs, this.timing.maxTimerMs);
    this.timer = setTimeout(() => this.roll(), delay);
  }

  /**
   * The cap is near: ends the current session's audio (end-of-audio finalizes everything sent:
   * the finalize point) and opens the next session at once, which gets the audio from there.
   */
  private roll(): void {
    this.timer = undefined;
    if (!this.host.mayRollOver()) return;
    const drain = this.host.detach({
      message: (text) => this.fromDrain(text),
      failure: (error) => this.host.drainFailed(error),
    });
    // Never undefined: an open stream has a connection.
    if (!drain) return;
    this.start(drain, this.host.bytesSent());
    // Its last results are few and needed for the hand-over: read them, slow reader or not.
    drain.resume();
    drain.send('');
    const ms = this.timing.finishTimeoutMs;
    drain.armFinishDeadline(ms, () =>
      this.host.drainFailed(
        new SonioxTimeoutError(`no 'finished' within ${ms} ms of a rollover's end of audio`, ms),
      ),
    );
    this.host.openNext();
  }

  /** Writes must wait: the next session is not open (or failed) during a hand-over. */
  get holdsWrites(): boolean {
    return this.waiting;
  }

  /**
   * Starts a hand-over: `drain` (the current session, its end-of-audio sent) finishes while the
   * next one opens; `pointBytes` is the finalize point.
   */
  private start(drain: Connection, pointBytes: number): void {
    clearTimeout(this.timer);
    this.drain = drain;
    this.point = pointBytes;
    this.waiting = true;
    this.held = [];
    this.failure = undefined;
  }

  /** The next session opened: writes go to it. */
  opened(): void {
    this.waiting = false;
  }

  /** A frame of the draining session: its results, then at its `finished` the hand-over. */
  private fromDrain(text: string | undefined): void {
    const parsed = this.host.parse(text);
    if (parsed instanceof SonioxWebSocketError) return this.host.drainFailed(parsed);
    if (!parsed.finished) return this.host.drained(parsed);
    // The stream goes on: this session's `finished` is no end of it.
    const { finished: _finished, ...rest } = parsed;
    this.host.drained(rest);
    this.host.handOver(this.handOver());
  }

  /** Keeps a frame of the next session while the old one drains; false when there is no hand-over. */
  hold(text: string | undefined): boolean {
    if (!this.drain) return false;
    this.held.push(text);
    return true;
  }

  /** Keeps the next session's failure while the old one drains; false when there is no hand-over. */
  holdFailure(error: SonioxWebSocketError): boolean {
    if (!this.drain) return false;
    this.failure ??= error;
    this.waiting = true;
    return true;
  }

  /** Ends the hand-over: the drained session is closed; what the next one said meanwhile is returned. */
  private handOver(): TakeOver {
    this.drain?.retire(true);
    this.drain = undefined;
    this.count += 1;
    const out = {
      pointBytes: this.point,
      held: this.held,
      failure: this.failure,
      count: this.count,
    };
    this.held = [];
    this.failure = undefined;
    return out;
  }

  /** The stream ended: no timer, no draining session. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.drain?.retire(false);
    this.drain = undefined;
    this.held = [];
    this.waiting = false;
  }
}
