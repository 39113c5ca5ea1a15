/**
 * What the mock server's parts agree on: fault descriptions (REST and WebSocket), options, and
 * the small view of shared state the WebSocket half needs from the REST half (keys, counters).
 * The mock imports nothing of the client except lib/types, lib/schemas, lib/audio and
 * lib/cassette (the record/replay format).
 */
import type { UsageInput } from './usage';

import type { ReplayOptions } from './replay';

/** A fault on a REST route. `route` is `METHOD /path` with `:id` for ids, or `*` for every route. */
export interface HttpFault {
  route: string;
  /** Answer with this status and the API's error body (`error_type` derived from the status). */
  status?: number;
  /** `Retry-After` header value (seconds as a number, or any string such as an HTTP date). */
  retryAfter?: number | string;
  /** `retry-after-ms` header value. */
  retryAfterMs?: number;
  /** Wait this long before answering (or before reading the body for uploads). */
  delayMs?: number;
  /** Send the response body in small chunks, this many ms apart. */
  slowBodyMs?: number;
  /**
   * Destroy the socket: before reading the request, mid-request body, after the route acted
   * but before any answer (`after-handler`: the file is stored, the job created), or
   * mid-response body.
   */
  reset?: 'before' | 'mid-request' | 'after-handler' | 'mid-response';
  /**
   * Answer 200/201 with a JSON body cut in half, or with text that is not JSON; with `status`,
   * `html-page` answers that status with an HTML error page (as a proxy or load balancer would).
   */
  body?: 'truncated' | 'invalid-json' | 'html-page';
  /** Answer with this JSON body instead of the real one (status `status` or 200): schema drift. */
  json?: unknown;
  /**
   * Send the JSON answer compressed with this `Content-Encoding` (as a front end before the API
   * may), whatever the request's `Accept-Encoding` says.
   */
  encoding?: 'gzip' | 'deflate' | 'br';
  /** Apply to this many matching requests, then stop (default: every matching request). */
  times?: number;
  /** Apply to a matching request with this probability (0..1, deterministic per server seed). */
  probability?: number;
}

/** A fault on realtime sessions. Applies to the next `times` sessions (default: all). */
export interface WsFault {
  /** Send the API's error message with this `error_code` after `afterAudioMs`, then close. */
  errorCode?: number;
  /** Close abruptly (TCP destroy, no close frame) after `afterAudioMs`. */
  abruptClose?: boolean;
  /** Send a frame that is not JSON after `afterAudioMs`. */
  garbageFrame?: boolean;
  /** Stop reading from the socket (exercises client backpressure). */
  stopReading?: boolean;
  /** Close with this WebSocket close code after `afterAudioMs`. */
  closeCode?: number;
  /** Audio time (ms, computed from bytes) after which the fault fires; default 0. */
  afterAudioMs?: number;
  times?: number;
}

/** Every fault the mock knows, as set by `setFaults` or `--fault` on the CLI. */
export interface MockFaults {
  http?: HttpFault[];
  ws?: WsFault[];
}

/** Timing of the simulated async lifecycle. */
export interface MockTiming {
  /** Time spent `queued` before `processing` (default 50 ms). */
  queuedMs?: number | undefined;
  /** Time spent `processing` before `completed` (default 100 ms). */
  processingMs?: number | undefined;
}

/**
 * Rate limits (docs/api.md §3, §8.6). REST: a token bucket answered with 429 `limit_exceeded`
 * and `Retry-After`. Realtime: concurrent sessions (`max_concurrent_connections_reached`) and new
 * sessions per minute (`limit_exceeded`), both as the API's error message with `error_code` 429.
 */
export interface MockRateLimit {
  /** REST requests per second (token refill rate); unset: no REST limit. */
  requestsPerSecond?: number;
  /** Bucket size: requests allowed at once after a quiet spell (default `requestsPerSecond`). */
  burst?: number;
  /** One bucket per API key (true, default) or one for everybody. Applies to the realtime limits too. */
  perKey?: boolean;
  /** Also send `retry-after-ms` (exact) next to `Retry-After` (whole seconds, at least 1). */
  retryAfterMsHeader?: boolean;
  /** Realtime sessions open at once; unset: no limit. */
  realtimeConcurrentSessions?: number;
  /** New realtime sessions per rolling minute; unset: no limit. */
  realtimeSessionsPerMinute?: number;
}

/** A message the realtime half sent, for the `onRealtimeSend` hook (benchmarks time delivery with it). */
export interface RealtimeSendEvent {
  /** The session's request id (not on the wire for results; a key to group by). */
  sessionId: string;
  /** The message as sent. */
  message: unknown;
  /** `performance.now()` just before `ws.send`. */
  sentAt: number;
}

/** The cadence rule: how far audio may run ahead of real time before the session is dropped. */
export interface MockCadence {
  /**
   * Audio (ms) a session may have received beyond the wall-clock time since its first audio
   * byte (default 60 000: a minute of burst, so tests that send short files at disk speed pass,
   * while a long recording sent at disk speed is refused as the live service may).
   */
  maxAheadMs?: number;
}

/** Session limits (`MockServerOptions.limits`). */
export interface MockSessionLimits {
  /** Longest realtime session, wall-clock (default 300 minutes, the API's fixed limit). */
  streamDurationMs?: number;
  /** Longest realtime context, in characters over all its strings (default 10 000). */
  realtimeContextChars?: number;
  /** Longest async context, in characters over all its strings (default 10 000). */
  asyncContextChars?: number;
}

/** Options of `startMockServer`. */
export interface MockServerOptions {
  /** Port to listen on (default 0: any free port). */
  port?: number | undefined;
  /** Host to bind (default 127.0.0.1; loopback only). */
  host?: string | undefined;
  /** The key the mock accepts (default `mock-api-key`). */
  apiKey?: string | undefined;
  timing?: MockTiming | undefined;
  faults?: MockFaults | undefined;
  /** Close a realtime session after this long with no audio or keepalive (default 20 000 ms). */
  realtimeIdleTimeoutMs?: number | undefined;
  /** Pace realtime results by audio time (true, default) or answer as fast as audio arrives. */
  realtimePacing?: boolean | undefined;
  /**
   * The real-time cadence rule, or `false` for none. Default: on (`maxAheadMs` 60 000) when
   * results are paced; an unpaced mock (`realtimePacing: false`, a benchmark's throughput mode)
   * enforces no cadence unless this is set.
   */
  cadence?: MockCadence | false | undefined;
  /** Keep the audio of every realtime session in `received.sessions` (scripted ones always). */
  /**
   * How many records `received.sessions` and `received.transcriptions` each keep, the most
   * recent (default 1 000): a mock left running for days must not grow with every request.
   */
  receivedLimit?: number | undefined;
  recordAudio?: boolean | undefined;
  /** Stream duration and context size limits (defaults: the API's). */
  limits?: MockSessionLimits | undefined;
  /**
   * Realtime error frames: `minimal` (default) sends only `error_code` and `error_message`, as
   * the API reference says the WebSocket APIs currently do; `rich` adds `tokens: []`,
   * `error_type`, `more_info` and `request_id`, as other documentation pages show.
   */
  realtimeErrorShape?: 'minimal' | 'rich' | undefined;
  /** Rate limits (default: none). */
  rateLimit?: MockRateLimit | undefined;
  /** Called with each realtime message just before it is sent (a measuring hook; keep it cheap). */
  onRealtimeSend?: ((event: RealtimeSendEvent) => void) | undefined;
  /** Seed for probabilistic faults and ids (deterministic runs). */
  seed?: number | undefined;
  /** Path of the fixtures directory with `audio/manifest.json` (default: the package's own). */
  fixturesDir?: string | undefined;
  /**
   * Answer from recorded cassettes instead of simulating (docs/testing.md): a directory, or
   * `{ dir, pace }` (`pace: 'instant'` sends realtime frames without their recorded delays).
   * Faults, rate limits and scripts do not apply; a request with no recording is refused with
   * a message naming it, and listed in `mock.replay.misses`.
   */
  replay?: string | ReplayOptions | undefined;
}

/** What a key may do. Temporary keys only open WebSockets. */
export type KeyPurpose = 'rest' | 'websocket';

/** The part of the mock's state the WebSocket half uses. */
export interface MockStateView {
  /** Whether `key` is accepted for `purpose` (temporary keys: websocket only, unexpired). */
  acceptsKey(key: string | undefined, purpose: KeyPurpose): boolean;
  /** Called when a temporary key opens a session (single-use keys are spent). */
  useKey(key: string): void;
  /** Counts a hit on a route name (`GET /v1/files`, `WS /transcribe-websocket`, ...). */
  hit(route: string): void;
  /** Real-time model ids the mock knows (aliases included). */
  realtimeModels(): string[];
  /** A temporary key's `max_session_duration_seconds` in ms (undefined: no limit or not one). */
  keySessionMs(key: string): number | undefined;
  /** The reference a session on `key` is attributed to: a temporary key's own, else `sent`. */
  sessionReference(key: string | undefined, sent: string | null | undefined): string | null;
  /** Usage records and concurrency samples (the usage and concurrency routes answer from them). */
  readonly usage: UsageRecorder;
}

/** Where realtime sessions leave their usage: a record when one ends, a count when one opens or ends. */
export interface UsageRecorder {
  /** Records a finished request (a job that completed, a session that ended). */
  record(input: UsageInput): void;
  /** Notes how many realtime sessions are open now. */
  sample(open: number): void;
}
