/**
 * The events of a RealtimeStream, typed: their names and arguments (a misspelt event name or a
 * listener of the wrong shape fails to compile), and the payloads of `reconnect` and `finished`.
 */
import type { Readable } from 'node:stream';
import {
  SonioxError,
  type SonioxAbortError,
  type SonioxTimeoutError,
  type SonioxValidationError,
  type SonioxWebSocketError,
} from '../errors';
import type { RealtimeMessage, RealtimeToken } from '../types';
import type { RealtimeItem } from './markers';
import type { RolloverEvent } from './rollover';

/** Payload of the `reconnect` event, emitted as a new connection attempt starts. */
export interface ReconnectEvent {
  /** 1 for the first reconnection of the stream. */
  attempt: number;
  /** Why the previous connection ended. */
  error: SonioxWebSocketError;
  /** Audio sent but never finalized that the bounded replay buffer no longer held: it is lost (0 normally). */
  unreplayedAudioMs: number;
}

/**
 * Audio the server has processed, in ms on the stream's clock (from final_audio_proc_ms and
 * total_audio_proc_ms; after a reconnection, counted from the stream's start).
 */
export interface RealtimeUsage {
  /** Audio finalized: its final tokens are out. */
  finalMs: number;
  /** Audio processed, finalized or not. */
  totalMs: number;
}

/**
 * What a realtime stream fails with (its `'error'` event, a rejected `connect()`, a write's
 * callback): always one of the SDK's errors, so `error.code` can be switched on.
 * - SonioxValidationError: the config (before connecting), or audio that pacing cannot time;
 * - SonioxWebSocketError: the server's error message, a failed handshake, a drop, a dead peer;
 * - SonioxTimeoutError: no `finished` within `finishTimeoutMs` of the server's silence;
 * - SonioxAbortError: the stream's `signal` fired;
 * - SonioxError: anything else (the stream destroyed with another error: that error is `cause`).
 */
export type RealtimeStreamError =
  | SonioxValidationError
  | SonioxWebSocketError
  | SonioxTimeoutError
  | SonioxAbortError
  | SonioxError;

/**
 * `error` as a SonioxError: an SDK error as it is, anything else wrapped (its message kept, the
 * original as the non-enumerable `cause`), so no foreign error reaches the 'error' event.
 */
export function asRealtimeError(error: unknown): RealtimeStreamError {
  if (error instanceof SonioxError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SonioxError(`the realtime stream failed: ${message}`, { cause: error });
}

/**
 * The events of a RealtimeStream and their arguments (a misspelt event name fails to compile).
 * `endpoint`, `finalized` and `finished` come in stream order: after the reader has taken every
 * token before them (while nobody reads the tokens yet, as they arrive).
 */
export interface RealtimeStreamEvents<T extends RealtimeItem = RealtimeToken> {
  open: [];
  result: [message: RealtimeMessage];
  endpoint: [];
  finalized: [];
  reconnect: [event: ReconnectEvent];
  rollover: [event: RolloverEvent];
  finished: [message: RealtimeMessage, usage: RealtimeUsage];
  error: [error: RealtimeStreamError];
  close: [];
  data: [item: T];
  end: [];
  drain: [];
  finish: [];
  pause: [];
  resume: [];
  readable: [];
  pipe: [source: Readable];
  unpipe: [source: Readable];
}

/** A listener of event `E`, its arguments typed. */
export type RealtimeListener<T extends RealtimeItem, E extends keyof RealtimeStreamEvents<T>> = (
  ...args: RealtimeStreamEvents<T>[E]
) => void;
