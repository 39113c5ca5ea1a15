/**
 * The arithmetic of a lossless reconnect, pure: whether a failed connection is worth another
 * attempt and after how long, the bounded buffer of audio not yet finalized (replayed to the
 * next session), where the next session's clock starts and how much audio the replay lost, and
 * the shift of the next session's timestamps.
 */
import { msToBytes } from '../audio';
import { backoffDelay } from '../internal/backoff';
import type { RealtimeToken } from '../types';
import { isLive, type RealtimePhase } from './phase';

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

/** Audio sent since the last finalized point, bounded. Positions are in bytes from the stream start. */
export class ResumeBuffer {
  private chunks: Buffer[] = [];
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

  /** Keeps a chunk just sent; drops the oldest bytes beyond the bound. */
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      const excess = this.bytes - this.maxBytes;
      this.overflowed += excess;
      this.dropTo(this.start + excess);
    }
  }

  /** Forgets everything before stream position `position` (rounded down to a whole frame). */
  dropTo(position: number): void {
    const target = position - (position % this.frameBytes);
    let drop = Math.min(target - this.start, this.bytes);
    if (drop <= 0) return;
    this.start += drop;
    this.bytes -= drop;
    while (drop > 0) {
      const first = this.chunks[0];
      // Never true: `drop` is at most `bytes`, the sum of the chunks' lengths.
      if (first === undefined) break;
      if (first.length <= drop) {
        drop -= first.length;
        this.chunks.shift();
      } else {
        this.chunks[0] = first.subarray(drop);
        drop = 0;
      }
    }
  }

  /** The kept audio, in order (for replay). */
  contents(): Buffer[] {
    return [...this.chunks];
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
