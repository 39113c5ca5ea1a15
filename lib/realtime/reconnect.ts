/**
 * Reconnection and admission. The arithmetic of a lossless reconnect, pure: whether a failed
 * connection is worth another attempt and after how long, the bounded buffer of audio not yet
 * finalized (replayed to the next session), where the next session's clock starts and how much
 * audio the replay lost, and the shift of the next session's timestamps. And the Reconnector,
 * which applies it to one stream: it decides, waits, and reports to the stream, which alone
 * moves the phase.
 */
import { msToBytes } from '../audio';
import { SonioxWebSocketError } from '../errors';
import { backoffDelay } from '../internal/backoff';
import type { RealtimeToken } from '../types';
import type { ReconnectEvent } from './events';
import { isLive, type RealtimePhase } from './phase';
import { DEFAULT_REPLAY_BYTES } from './protocol';

/** Byte geometry of a raw audio stream. */
export interface AudioGeometry {
  /** Bytes per ms of audio (0 for containers: no fixed rate). */
  bytesPerMs: number;
  /** Bytes per frame (all channels of one sample). */
  frameBytes: number;
}

/** The reconnection policy, its delays filled in. */
export interface ReconnectPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** What decides whether a failed connection is tried again. */
export interface FailedConnection {
  /** Where the stream was when the connection failed. */
  phase: RealtimePhase;
  /** Whether a new session could succeed (SonioxWebSocketError.retryable). */
  retryable: boolean;
  /** Reconnections made so far. */
  attempts: number;
  /** Only raw audio can be resumed mid-stream (a container's header went to the first session). */
  rawFormat: boolean;
}

/**
 * Whether to reconnect: a policy is set, the failure is transient, attempts are left, the audio
 * can be resumed, and the stream was live (the first connection counts: a busy server at the
 * handshake is as transient as a drop).
 */
export function mayReconnect(
  failed: FailedConnection,
  policy: ReconnectPolicy | undefined,
): boolean {
  return (
    policy !== undefined &&
    isLive(failed.phase) &&
    failed.retryable &&
    failed.rawFormat &&
    failed.attempts < policy.maxAttempts
  );
}

/** The wait before reconnection `attempt` (1 for the first): full-jitter exponential backoff. */
export function reconnectDelay(
  attempt: number,
  policy: Pick<ReconnectPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  return backoffDelay(attempt, policy, random);
}

/**
 * How long a session start the account's limits refused (429: concurrent sessions, sessions
 * per minute) keeps being tried again, from its first refusal: two of the API's per-minute
 * windows; a concurrent slot usually frees sooner.
 */
export const RATE_LIMITED_START_MAX_WAIT_MS = 120_000;

/** What decides whether a refused session start is tried again. */
export interface RefusedStart {
  /** The server's code: the upgrade's HTTP status or the error frame's `error_code`. */
  serverCode: number | undefined;
  /** Where the stream was. */
  phase: RealtimePhase;
  /** The server had already answered this session with a result (so the 429 is no refused start). */
  admitted: boolean;
  /** Time since this stream's first refused start, in ms. */
  waitedMs: number;
  /** The audio sent so far is all held for a replay. */
  replayable: boolean;
}

/**
 * Whether to start again a session the account's limits refused: a 429 before the session
 * was admitted, on a live stream, within RATE_LIMITED_START_MAX_WAIT_MS, its audio replayable.
 */
export function mayRetryRefusedStart(start: RefusedStart): boolean {
  return (
    start.serverCode === 429 &&
    isLive(start.phase) &&
    !start.admitted &&
    start.replayable &&
    start.waitedMs < RATE_LIMITED_START_MAX_WAIT_MS
  );
}

/**
 * Backoff of a start refused with a 429: slower than a reconnect (a session slot frees in
 * seconds, the per-minute window in up to a minute), capped at 15 s a wait.
 */
export const RATE_LIMITED_START_BACKOFF = { baseDelayMs: 1_000, maxDelayMs: 15_000 } as const;

/**
 * The wait before retrying, for the `attempt`th time, a start refused with a 429 (the limiter's
 * own wait comes on top, as the retry queues for its token).
 */
export function rateLimitedStartDelay(attempt: number, random: () => number = Math.random): number {
  return backoffDelay(attempt, RATE_LIMITED_START_BACKOFF, random);
}

/**
 * The stream position (bytes, whole frames) the server has finalized up to, never past what
 * was sent: the replay buffer may forget everything before it.
 */
export function finalizedPosition(
  finalizedMs: number,
  bytesSent: number,
  geometry: AudioGeometry,
): number {
  return Math.min(bytesSent, msToBytes(finalizedMs, geometry.bytesPerMs, geometry.frameBytes));
}

/** Where a new session resumes a raw stream whose replay starts at byte `replayStart`. */
export interface ResumePoint {
  /** The new session's 0 on the stream's clock: the first byte replayed. */
  offsetMs: number;
  /** Audio sent, never finalized, that the bounded buffer no longer held: lost. */
  unreplayedAudioMs: number;
}

/** The resume point of a replay starting at `replayStart`, the server having finalized `finalizedMs`. */
export function resumePoint(
  replayStart: number,
  finalizedMs: number,
  geometry: AudioGeometry,
): ResumePoint {
  const { bytesPerMs: perMs, frameBytes } = geometry;
  const finalized = msToBytes(finalizedMs, perMs, frameBytes);
  return {
    offsetMs: replayStart / perMs,
    unreplayedAudioMs: Math.max(0, Math.floor((replayStart - finalized) / perMs)),
  };
}

/**
 * The audio a new session must be given again: what is not yet finalized (with `reconnect`),
 * or, when a limiter may refuse the start (a 429 is retried), all of it until the first session
 * is admitted; none otherwise.
 */
export function replayBuffer(
  reconnect: { maxBufferBytes: number } | undefined,
  limited: boolean,
  geometry: AudioGeometry,
): ResumeBuffer | undefined {
  if (reconnect) return new ResumeBuffer(reconnect.maxBufferBytes, geometry.frameBytes);
  // Until the server admits the session, all the audio: a refused start is replayed whole.
  if (limited) return new ResumeBuffer(DEFAULT_REPLAY_BYTES, Math.max(1, geometry.frameBytes));
  return undefined;
}

/** What a dropped chunk's slot holds until the front is cut off (the chunk itself is let go). */
const EMPTY = Buffer.alloc(0);

/** Audio sent since the last finalized point, bounded. Positions are in bytes from the stream start. */
export class ResumeBuffer {
  /** The chunks kept are `chunks[head..]`: dropping from the front moves `head`, not the array. */
  private chunks: Buffer[] = [];
  private head = 0;
  private bytes = 0;
  /** Stream position of the first byte kept. */
  start = 0;
  /** Bytes dropped because the buffer was full (replay would be incomplete). */
  overflowed = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly frameBytes: number,
  ) {}

  /** Bytes kept. */
  get size(): number {
    return this.bytes;
  }

  /**
   * Keeps a copy of a chunk just sent; drops the oldest bytes beyond the bound. A copy: the
   * caller may refill its buffer once the write's callback came, long before a replay. Only
   * the part kept is copied (a chunk over the bound loses its front first). Returns the copy
   * (never written to: others may keep it too), if any was made.
   */
  push(chunk: Buffer): Buffer | undefined {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      const excess = this.bytes - this.maxBytes;
      this.overflowed += excess;
      this.dropTo(this.start + excess);
    }
    // The chunk is the last one kept, cut by the drop if it overflowed.
    const last = this.chunks.length - 1;
    const kept = this.chunks[last] as Buffer;
    if (kept.length === 0) return undefined;
    const copy = Buffer.from(kept);
    this.chunks[last] = copy;
    return copy;
  }

  /** Forgets everything before stream position `position` (rounded down to a whole frame). */
  dropTo(position: number): void {
    const target = position - (position % this.frameBytes);
    let drop = Math.min(target - this.start, this.bytes);
    if (drop <= 0) return;
    this.start += drop;
    this.bytes -= drop;
    while (drop > 0) {
      const first = this.chunks[this.head];
      // Never true: `drop` is at most `bytes`, the sum of the chunks' lengths.
      if (first === undefined) break;
      if (first.length <= drop) {
        drop -= first.length;
        this.chunks[this.head++] = EMPTY;
      } else {
        this.chunks[this.head] = first.subarray(drop);
        drop = 0;
      }
    }
    // shift() per chunk is linear in the chunks kept once they are many (thousands of 20 ms
    // frames): the dropped front is cut off once it is half the array, amortized constant.
    if (this.head > 64 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** The kept audio, in order (for replay). */
  contents(): Buffer[] {
    return this.chunks.slice(this.head);
  }
}

/** Adds `offsetMs` to a token's timestamps (tokens of a resumed session start at its own 0). */
export function shiftToken(token: RealtimeToken, offsetMs: number): RealtimeToken {
  if (offsetMs === 0) return token;
  const out = { ...token };
  if (out.start_ms !== undefined) out.start_ms += offsetMs;
  if (out.end_ms !== undefined) out.end_ms += offsetMs;
  return out;
}

/** The stream position (bytes, whole frames) of audio time `ms` (lives with the rest of the audio arithmetic). */
export { msToBytes };

/** A stream's session starts under the client's limiter, as the Reconnector uses them (SessionStarts). */
export interface StartGate {
  /** Refused starts tried again so far. */
  readonly retries: number;
  acquire(signal: AbortSignal): Promise<void>;
  admit(): boolean;
  refused(error: SonioxWebSocketError): boolean;
  retryDelay(phase: RealtimePhase, replayable: boolean): number | undefined;
  /** The stream is done: its session slot, if it holds one, goes back. */
  release(): void;
}

/** What the Reconnector reports to its stream (the only one to move the phase). */
export interface ReconnectHost {
  /** A new attempt comes after a wait: the stream moves to `reconnecting` (from `from`). */
  retrying(from: RealtimePhase): void;
  /** The wait is over: the stream reports `event`, shifts its clock by `offsetMs`, and opens a connection. */
  resuming(event: ReconnectEvent, offsetMs: number): void;
  /** No attempt is left: the session failed with `error`. */
  gaveUp(error: SonioxWebSocketError): void;
  /** Audio the server has finalized, in ms on the stream's clock. */
  finalizedAudioMs(): number;
}

/** The audio of one stream as the Reconnector sees it. */
export interface ReconnectAudio {
  geometry: AudioGeometry;
  /** Only raw audio can be resumed mid-stream. */
  rawFormat: boolean;
  /** The audio a new session must be given again (see RealtimeStream), if any is kept. */
  replay: ResumeBuffer | undefined;
}

/**
 * One stream's reconnection and admission: the key and the limiter's token before each
 * connection, the audio kept for a replay, and on a failed connection the choice between a
 * reconnect (`reconnect` policy), a refused start tried again (429 under the limiter) and
 * giving up, with the wait in between.
 */
export class Reconnector {
  /** Reconnections made (the `reconnect` policy's budget). */
  private attempts = 0;
  private backoff: NodeJS.Timeout | undefined;
  private replay: ResumeBuffer | undefined;
  private readonly geometry: AudioGeometry;
  private readonly rawFormat: boolean;

  constructor(
    private readonly policy: ReconnectPolicy | undefined,
    private readonly starts: StartGate,
    audio: ReconnectAudio,
    private readonly host: ReconnectHost,
  ) {
    this.geometry = audio.geometry;
    this.rawFormat = audio.rawFormat;
    this.replay = audio.replay;
  }

  /**
   * The key for the next connection (`getKey`'s, else `apiKey`), once the limiter gives it a token; the error that stops
   * it otherwise. The wait ends early when `signal` aborts (the stream's end) or the limiter
   * fails (the client closed).
   */
  async admission(
    apiKey: string,
    getKey: (() => string | Promise<string>) | undefined,
    signal: AbortSignal,
  ): Promise<string | SonioxWebSocketError> {
    let key: string;
    try {
      key = getKey ? await getKey() : apiKey;
    } catch (error) {
      return new SonioxWebSocketError(
        `cannot get an API key for the realtime session: ${(error as Error).message}`,
        { cause: error },
      );
    }
    // Session starts queue for the rate the account's 429s revealed, as REST calls do.
    const refused = await this.starts.acquire(signal).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    if (!refused) return key;
    return new SonioxWebSocketError(`cannot start the realtime session: ${refused.message}`, {
      cause: refused,
      retryable: false,
    });
  }

  /** Audio just sent: a copy kept for a replay, if any is kept (returned, see ResumeBuffer.push). */
  sent(chunk: Buffer): Buffer | undefined {
    return this.replay?.push(chunk);
  }

  /** What a new session is given again before the new audio. */
  replayed(): Buffer[] {
    return this.replay?.contents() ?? [];
  }

  /** A result came: the session is admitted. */
  admitted(): void {
    // Kept only to replay a refused start: once admitted, only `reconnect` needs the audio.
    if (this.starts.admit() && !this.policy) this.replay = undefined;
  }

  /** The server finalized more: the audio before it need not be replayed. */
  finalized(bytesSent: number): void {
    this.replay?.dropTo(finalizedPosition(this.host.finalizedAudioMs(), bytesSent, this.geometry));
  }

  /**
   * A connection failed or dropped in `phase`: reconnect when the policy allows, start again
   * when the account's limits refused the start (429, with the session limiter), else give up.
   */
  failed(error: SonioxWebSocketError, phase: RealtimePhase): void {
    const refused = this.starts.refused(error);
    const failed = {
      phase,
      retryable: error.retryable,
      attempts: this.attempts,
      rawFormat: this.rawFormat,
    };
    if (this.policy && mayReconnect(failed, this.policy)) {
      this.attempts += 1;
      this.retryAfter(reconnectDelay(this.attempts, this.policy), phase, error);
      return;
    }
    const wait = refused ? this.starts.retryDelay(phase, this.replayable()) : undefined;
    if (wait !== undefined) this.retryAfter(wait, phase, error);
    else this.host.gaveUp(error);
  }

  /** The stream ended: no attempt is waited for any more, its session slot goes back. */
  cancel(): void {
    clearTimeout(this.backoff);
    this.backoff = undefined;
    this.starts.release();
  }

  /**
   * Whether the audio sent so far is held for a replay: raw audio resumes wherever its replay
   * starts, a container only from its first byte (nothing overflowed). Nothing is held without
   * a replay (no limiter and no `reconnect`, or once a session was admitted).
   */
  private replayable(): boolean {
    const replay = this.replay;
    return replay !== undefined && (this.geometry.bytesPerMs > 0 || replay.overflowed === 0);
  }

  /** Waits `delay` in `reconnecting`, then starts a new connection attempt. */
  private retryAfter(delay: number, from: RealtimePhase, error: SonioxWebSocketError): void {
    this.host.retrying(from);
    this.backoff = setTimeout(() => this.reconnect(error), delay);
  }

  /** The backoff is over: a new attempt starts now. */
  private reconnect(error: SonioxWebSocketError): void {
    this.backoff = undefined;
    // Only a stream with a replay reconnects (`reconnect`, or a refused start under the limiter).
    const replay = this.replay as ResumeBuffer;
    // Raw audio resumes where its replay starts; a container (only ever a refused start, never
    // admitted) is replayed whole from its first byte: nothing to shift, nothing lost.
    const point =
      this.geometry.bytesPerMs > 0
        ? resumePoint(replay.start, this.host.finalizedAudioMs(), this.geometry)
        : { offsetMs: 0, unreplayedAudioMs: 0 };
    const event: ReconnectEvent = {
      attempt: this.attempts + this.starts.retries,
      error,
      unreplayedAudioMs: point.unreplayedAudioMs,
    };
    // The new session's 0 is the first byte replayed (a container's first byte: 0).
    this.host.resuming(event, point.offsetMs);
  }
}
