/**
 * The realtime wire protocol (docs/api.md §8): the start message built from the user's config
 * (SDK options stripped, defaults filled, unknown fields passed through), config checks, and
 * parsing of server messages into results or typed errors.
 */
import type { Agent } from 'node:http';
import { SonioxValidationError, SonioxWebSocketError, redact, type FieldIssue } from '../errors';
import { contextIssue, validate } from '../schemas';
import { frameBytes as audioFrameBytes, isRawAudioFormat } from '../audio';
import {
  type RealtimeConfig,
  type RealtimeMessage,
  type RealtimeStartMessage,
  type RealtimeToken,
} from '../types';
import { MAX_TIMER_MS } from '../internal/sleep';
import type { WebSocketFactory } from './connection';
import type { MarkerDelivery } from './markers';
import { unpaceableMessage } from './pacer';
import { rolloverIssues, type RolloverOptions } from './rollover';
import { saveAudioIssues, type SaveAudioTarget } from './save-audio';
import { nodeHttp } from '../internal/node-builtins';
import { finalizeIntervalIssues } from './control';
import { headerIssues } from '../internal/headers';
import { translateFields, translateModeIssues } from '../internal/translate-mode';
import type { TranslateMode } from '../internal/translate-mode';

/** Options of the SDK itself, mixed into the config object and never sent to the server. */
export interface RealtimeOptions {
  /** `'all'` (default): final and non-final tokens; `'final'`: final tokens only. */
  tokens?: 'all' | 'final';
  /**
   * How endpoints and finalizes reach the application: `'events'` (default) as `endpoint` and
   * `finalized` events in stream order, or `'inband'`: as `{ marker }` objects among the tokens too.
   */
  markers?: MarkerDelivery;
  /** How the key is sent: `'header'` (default, Authorization on the upgrade) or `'message'` (the start message's api_key). */
  auth?: 'header' | 'message';
  /**
   * Shortest time between two finalize messages (default 2000 ms; the docs: "don't send more
   * often than every few seconds"): closer calls are coalesced into one. 0: each sent at once.
   */
  finalizeMinIntervalMs?: number;
  /** Keepalive interval while no audio flows, >= 1000 ms (default 5000). */
  keepaliveIntervalMs?: number;
  /** Ping interval; a pong missing for this long means a dead connection (default 10 000 ms). */
  heartbeatIntervalMs?: number;
  /** Time to an open socket, a proxy's CONNECT included, or the attempt fails as transient (default 10 000 ms). */
  handshakeTimeoutMs?: number;
  /**
   * How long `connect()` waits after the start message for a refusal before it resolves: the API
   * sends no "accepted" message, only an error frame when it refuses the session (401 key, 400
   * model, 429 limits). The first result frame ends the wait at once; 0 resolves on open
   * (default 500 ms). Audio is never held back by it.
   */
  acceptanceWindowMs?: number;
  /** How long `end()` waits for the server's `finished` (default 30 000 ms). */
  finishTimeoutMs?: number;
  /** Writable side buffer in bytes; writes wait while the socket holds more (default 64 KiB). */
  highWaterMark?: number;
  /**
   * Real-time pacing of the audio sent (the API expects audio at about real-time pace). By
   * default a file piped in (an `fs.ReadStream`) is paced, any other source is sent as read.
   * `true` paces every source (Buffers, generated streams): raw formats and WAV from their
   * byte rate; audio without a fixed one (mp3, ogg, ...) fails the stream unless its average
   * rate is given as `{ bytesPerSecond }`. `false` sends everything as read.
   */
  pacing?: boolean | { bytesPerSecond: number };
  /** Reconnect after a drop or a retryable error (raw PCM formats only). */
  reconnect?: ReconnectOptions;
  /** Continue past the session caps (300 min, a temporary key's) in a new session (raw formats only). */
  rollover?: RolloverOptions;
  /**
   * Keeps the audio sent as a WAV (raw formats; containers as sent): a path (complete, sizes
   * patched, by the stream's 'close') or a Writable (ended then). Each byte once, replays included.
   */
  saveAudio?: SaveAudioTarget;
  /** Destroys the stream when it fires. */
  signal?: AbortSignal;
  /** Makes each WebSocket (default `new WebSocket(url, options)` of the ws package): a seam for tests. */
  webSocketFactory?: WebSocketFactory;
  /**
   * The agent of the WebSocket's upgrade request (an `https.Agent` for wss:, an `http.Agent`
   * for ws:): your own tunnel or pool. Default: the client's proxy (`proxy` option, else
   * `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`) when one applies, else a direct connection.
   */
  agent?: Agent;
  /** `client.translate()`'s shorthand (`{ to, from? }` or `{ between }`), sent as translation and hints. */
  translate?: TranslateMode;
  /** Headers of the upgrade request, over the client's `headers`; never Authorization. */
  headers?: Readonly<Record<string, string>>;
  /**
   * Start-message fields this SDK does not type yet (a new API field on day one): sent as they
   * are, after the typed ones. The escape hatch that keeps the typed fields strict.
   */
  extra?: Record<string, unknown>;
}

/** Reconnection settings. */
export interface ReconnectOptions {
  /** Reconnections allowed over the stream's life. */
  maxAttempts: number;
  /** Backoff base (default 250 ms) and ceiling (default 5 000 ms), with full jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Audio kept for replay, in bytes (default 16 MiB, about 8 min of 16 kHz s16le mono). */
  maxBufferBytes?: number;
  /** Mints the key for each new connection (e.g. a fresh temporary key). */
  getApiKey?: () => Promise<string> | string;
}

/** What `client.realtime()` takes: the start message's fields plus the SDK options. */
export type RealtimeStreamConfig = RealtimeConfig & RealtimeOptions;

const SDK_OPTIONS = new Set([
  'tokens',
  'markers',
  'pacing',
  'auth',
  'keepaliveIntervalMs',
  'finalizeMinIntervalMs',
  'heartbeatIntervalMs',
  'handshakeTimeoutMs',
  'acceptanceWindowMs',
  'finishTimeoutMs',
  'highWaterMark',
  'reconnect',
  'rollover',
  'saveAudio',
  'signal',
  'webSocketFactory',
  'agent',
  'headers',
  'translate',
  'extra',
]);

export { MAX_TIMER_MS };

/** Splits the user's object into the start message (defaults filled) and the SDK options. */
export function splitConfig(
  config: RealtimeStreamConfig,
  defaultModel: string,
): { start: RealtimeStartMessage; options: RealtimeOptions } {
  const start: RealtimeStartMessage = {};
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config ?? {})) {
    if (SDK_OPTIONS.has(key)) options[key] = value;
    else if (value !== undefined) start[key] = value;
  }
  // Untyped fields (JavaScript callers) pass as well; `extra` is the typed way to send them.
  const extra = (options as RealtimeOptions).extra;
  if (extra !== null && typeof extra === 'object')
    for (const [key, value] of Object.entries(extra)) if (value !== undefined) start[key] = value;
  // The shorthand as the fields it stands for; one with problems is left to the config check.
  const mode = (options as RealtimeOptions).translate;
  if (mode !== undefined && translateModeIssues(mode, start).length === 0)
    Object.assign(start, translateFields(mode, start));
  start.model ??= defaultModel;
  start.audio_format ??= 'auto';
  return { start, options };
}

/** Audio kept for replay by default, in bytes (about 8 min of 16 kHz s16le mono). */
export const DEFAULT_REPLAY_BYTES = 16 * 1024 * 1024;

const DEFAULTS = {
  keepaliveIntervalMs: 5_000,
  heartbeatIntervalMs: 10_000,
  handshakeTimeoutMs: 10_000,
  acceptanceWindowMs: 500,
  finishTimeoutMs: 30_000,
  highWaterMark: 64 * 1024,
  reconnectBaseDelayMs: 250,
  reconnectMaxDelayMs: 5_000,
  maxBufferBytes: DEFAULT_REPLAY_BYTES,
};

/** The SDK options with every default filled in, resolved once per stream. */
export interface ResolvedRealtimeOptions {
  auth: 'header' | 'message';
  keepaliveIntervalMs: number;
  heartbeatIntervalMs: number;
  handshakeTimeoutMs: number;
  acceptanceWindowMs: number;
  finishTimeoutMs: number;
  highWaterMark: number;
  /** The reconnection policy with its delays and buffer bound filled, or undefined for none. */
  reconnect:
    | (ReconnectOptions & { baseDelayMs: number; maxDelayMs: number; maxBufferBytes: number })
    | undefined;
}

/** Fills the defaults of the options (checked or not: a refused highWaterMark falls back too). */
export function resolveOptions(options: RealtimeOptions): ResolvedRealtimeOptions {
  const hwm = options.highWaterMark;
  const reconnect = options.reconnect;
  return {
    auth: options.auth ?? 'header',
    keepaliveIntervalMs: options.keepaliveIntervalMs ?? DEFAULTS.keepaliveIntervalMs,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULTS.handshakeTimeoutMs,
    acceptanceWindowMs: options.acceptanceWindowMs ?? DEFAULTS.acceptanceWindowMs,
    finishTimeoutMs: options.finishTimeoutMs ?? DEFAULTS.finishTimeoutMs,
    highWaterMark: typeof hwm === 'number' && hwm > 0 ? hwm : DEFAULTS.highWaterMark,
    reconnect: reconnect
      ? {
          ...reconnect,
          baseDelayMs: reconnect.baseDelayMs ?? DEFAULTS.reconnectBaseDelayMs,
          maxDelayMs: reconnect.maxDelayMs ?? DEFAULTS.reconnectMaxDelayMs,
          maxBufferBytes: reconnect.maxBufferBytes ?? DEFAULTS.maxBufferBytes,
        }
      : undefined,
  };
}

/** Whether audio of this format can be resumed mid-stream (raw samples, no container header). */
export function isRawFormat(format: string | undefined): boolean {
  return isRawAudioFormat(format);
}

/** The error of a config with problems (every one of realtimeConfigIssues's), or undefined. */
export function configError(
  start: RealtimeStartMessage,
  options: RealtimeOptions,
): SonioxValidationError | undefined {
  const issues = realtimeConfigIssues(start, options);
  if (issues.length === 0) return undefined;
  const list = issues.map((i) => `${i.field} ${i.message}`).join('; ');
  return new SonioxValidationError(`invalid realtime config: ${list}`, issues);
}

/** Checks the start message and the SDK options; returns every problem found. */
export function realtimeConfigIssues(
  start: RealtimeStartMessage,
  options: RealtimeOptions,
): FieldIssue[] {
  // What `extra` carries goes out unchecked: a range Soniox widens must not wait for a release
  // of this SDK (docs/design.md). The typed fields keep their checks; api_key is refused anyway.
  const passed = isPlainObject(options.extra) ? options.extra : {};
  const typed = (field: string) => !Object.hasOwn(passed, field.split('.')[0] ?? field);
  const issues: FieldIssue[] = validate('realtimeConfig', start)
    .filter(({ field }) => typed(field))
    .map(({ field, message }) => ({ field, message }));
  if (typed('context')) issues.push(...contextIssue(start.context));
  if ('api_key' in start)
    issues.push({
      field: 'api_key',
      message: 'is set by the client; pass apiKey to SonioxClient (or reconnect.getApiKey)',
    });
  if (isRawFormat(start.audio_format)) {
    if (start.sample_rate === undefined)
      issues.push({
        field: 'sample_rate',
        message: `is required for audio_format ${start.audio_format}`,
      });
    if (start.num_channels === undefined)
      issues.push({
        field: 'num_channels',
        message: `is required for audio_format ${start.audio_format}`,
      });
  }
  const within = (field: string, v: unknown, min: number, max: number) => {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)) {
      issues.push({ field, message: `must be a number from ${min} to ${max}` });
    }
  };
  // Durations: a timer longer than 2^31-1 ms would fire after 1 ms.
  within('keepaliveIntervalMs', options.keepaliveIntervalMs, 1000, MAX_TIMER_MS);
  within('heartbeatIntervalMs', options.heartbeatIntervalMs, 1, MAX_TIMER_MS);
  within('handshakeTimeoutMs', options.handshakeTimeoutMs, 1, MAX_TIMER_MS);
  within('acceptanceWindowMs', options.acceptanceWindowMs, 0, MAX_TIMER_MS);
  within('finishTimeoutMs', options.finishTimeoutMs, 1, MAX_TIMER_MS);
  within('highWaterMark', options.highWaterMark, 1, Number.MAX_SAFE_INTEGER);
  if (options.tokens !== undefined && options.tokens !== 'all' && options.tokens !== 'final')
    issues.push({ field: 'tokens', message: "must be 'all' or 'final'" });
  if (options.markers !== undefined && options.markers !== 'events' && options.markers !== 'inband')
    issues.push({ field: 'markers', message: "must be 'events' or 'inband'" });
  issues.push(...pacingIssues(options.pacing, start));
  if (options.auth !== undefined && options.auth !== 'header' && options.auth !== 'message')
    issues.push({ field: 'auth', message: "must be 'header' or 'message'" });
  if (options.webSocketFactory !== undefined && typeof options.webSocketFactory !== 'function')
    issues.push({ field: 'webSocketFactory', message: 'must be a function' });
  if (options.agent !== undefined && !(options.agent instanceof nodeHttp().Agent))
    issues.push({ field: 'agent', message: 'must be an http.Agent (or https.Agent)' });
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    issues.push({ field: 'signal', message: 'must be an AbortSignal' });
  if (options.extra !== undefined && !isPlainObject(options.extra)) {
    issues.push({ field: 'extra', message: 'must be an object of start-message fields' });
  }
  if ('reconnect' in options) issues.push(...reconnectIssues(options.reconnect, start));
  const raw = isRawFormat(start.audio_format);
  issues.push(...rolloverIssues(options.rollover, start.audio_format, raw));
  issues.push(...saveAudioIssues(options.saveAudio));
  issues.push(...finalizeIntervalIssues(options.finalizeMinIntervalMs));
  issues.push(...headerIssues('headers', options.headers));
  if (options.translate !== undefined)
    issues.push(...translateModeIssues(options.translate, start, 'translate.'));
  return issues;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function pacingIssues(pacing: unknown, start: RealtimeStartMessage): FieldIssue[] {
  if (pacing === undefined || pacing === false) return [];
  if (pacing === true) {
    const format = start.audio_format ?? 'auto';
    if (isRawFormat(format) || format === 'wav' || format === 'auto') return [];
    return [{ field: 'pacing', message: unpaceableMessage(`${format} audio`) }];
  }
  const rate: unknown =
    typeof pacing === 'object' && pacing !== null
      ? (pacing as Record<string, unknown>).bytesPerSecond
      : undefined;
  if (typeof rate === 'number' && Number.isFinite(rate) && rate > 0) return [];
  return [
    {
      field: 'pacing',
      message:
        'must be true, false or { bytesPerSecond } with a positive number of bytes per second',
    },
  ];
}

function reconnectIssues(r: unknown, start: RealtimeStartMessage): FieldIssue[] {
  if (r === undefined) return [];
  if (typeof r !== 'object' || r === null)
    return [
      {
        field: 'reconnect',
        message: 'must be an object such as { maxAttempts: 3 } (leave it out for no reconnection)',
      },
    ];
  const policy = r as Record<string, unknown>;
  const issues: FieldIssue[] = [];
  if (
    !Number.isInteger(policy.maxAttempts) ||
    (policy.maxAttempts as number) < 1 ||
    (policy.maxAttempts as number) > 1000
  ) {
    issues.push({
      field: 'reconnect.maxAttempts',
      message: 'must be an integer from 1 to 1000 (leave reconnect out for none)',
    });
  }
  for (const field of ['baseDelayMs', 'maxDelayMs']) {
    const v = policy[field];
    if (
      v !== undefined &&
      (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_TIMER_MS)
    ) {
      issues.push({
        field: `reconnect.${field}`,
        message: `must be a number from 0 to ${MAX_TIMER_MS}`,
      });
    }
  }
  const bytes = policy.maxBufferBytes;
  if (bytes !== undefined && (!Number.isInteger(bytes) || (bytes as number) < 1))
    issues.push({ field: 'reconnect.maxBufferBytes', message: 'must be an integer >= 1' });
  if (policy.getApiKey !== undefined && typeof policy.getApiKey !== 'function')
    issues.push({ field: 'reconnect.getApiKey', message: 'must be a function' });
  if (!isRawFormat(start.audio_format)) {
    issues.push({
      field: 'reconnect',
      message: `needs a raw PCM audio_format such as pcm_s16le, not "${String(start.audio_format)}": a stream with a header cannot be resumed mid-way (its header went to the first session)`,
    });
  }
  return issues;
}

/** Bytes of one audio frame (all channels of one sample) of a raw format. */
export function frameBytes(
  start: Pick<RealtimeStartMessage, 'audio_format' | 'num_channels'>,
): number {
  return audioFrameBytes(start.audio_format ?? '', start.num_channels ?? 1);
}

/** Audio bytes per ms of a raw format (0 for containers). */
export function bytesPerMs(
  start: Pick<RealtimeStartMessage, 'audio_format' | 'num_channels' | 'sample_rate'>,
): number {
  return (frameBytes(start) * (start.sample_rate ?? 0)) / 1000;
}

/** Special tokens: `<end>` (endpoint) and `<fin>` (finalize done). */
export function specialToken(token: RealtimeToken): 'endpoint' | 'finalized' | undefined {
  if (token.text === '<end>') return 'endpoint';
  if (token.text === '<fin>') return 'finalized';
  return undefined;
}

const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
/** Absent, null or a finite number. */
const numberOrNone = (v: unknown): boolean => v === undefined || v === null || isNumber(v);

// Both checks below run on every token of every frame: named fields, no field-name lists.

/** Why a token is unusable, or undefined when it is a token. */
function tokenProblem(token: unknown): string | undefined {
  if (token === null || typeof token !== 'object' || Array.isArray(token))
    return 'a token is not an object';
  const t = token as Partial<Record<keyof RealtimeToken, unknown>>;
  if (typeof t.text !== 'string') return 'a token has no text';
  if (t.is_final !== undefined && typeof t.is_final !== 'boolean')
    return 'a token has a non-boolean is_final';
  if (!numberOrNone(t.start_ms)) return 'a token has a non-numeric start_ms';
  if (!numberOrNone(t.end_ms)) return 'a token has a non-numeric end_ms';
  return undefined;
}

/** Why a result message is unusable, or undefined when it can be used. */
function messageProblem(message: Record<string, unknown>): string | undefined {
  const tokens = message.tokens;
  if (tokens !== undefined && !Array.isArray(tokens)) return 'tokens is not a list';
  if (!numberOrNone(message.final_audio_proc_ms)) return 'final_audio_proc_ms is not a number';
  if (!numberOrNone(message.total_audio_proc_ms)) return 'total_audio_proc_ms is not a number';
  if (message.finished !== undefined && typeof message.finished !== 'boolean')
    return 'finished is not a boolean';
  if (tokens === undefined) return undefined;
  for (const token of tokens as unknown[]) {
    const problem = tokenProblem(token);
    if (problem) return problem;
  }
  return undefined;
}

/**
 * Parses and checks a server frame: a result message (every token an object with a text), or a
 * SonioxWebSocketError for an error message or an unusable frame. `secrets` (or what a function of
 * them returns, called only for an error) never reach a message.
 */
export function parseServerMessage(
  data: string,
  secrets: ReadonlyArray<string | undefined> | (() => ReadonlyArray<string | undefined>) = [],
): RealtimeMessage | SonioxWebSocketError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return new SonioxWebSocketError(
      `malformed message from the server (not JSON, ${data.length} characters)`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return new SonioxWebSocketError('malformed message from the server (not an object)');
  }
  const message = parsed as RealtimeMessage & Record<string, unknown>;
  if (message.error_code !== undefined || message.error_message !== undefined) {
    const code = typeof message.error_code === 'number' ? message.error_code : undefined;
    // A function: the list is made only for an error (not once a result, 50 a second).
    const keys = typeof secrets === 'function' ? secrets() : secrets;
    const text = (v: unknown) => (typeof v === 'string' ? redact(v, keys) : undefined);
    const errorType = text(message.error_type);
    const requestId = text(message.request_id);
    const serverMessage = text(message.error_message);
    return new SonioxWebSocketError(
      `realtime session failed with ${code ?? 'an error'}${errorType ? ` ${errorType}` : ''}: ${serverMessage ?? 'no message'}` +
        (requestId ? ` (request id ${requestId})` : ''),
      { serverCode: code, serverMessage, errorType, requestId },
    );
  }
  const problem = messageProblem(message);
  if (problem) return new SonioxWebSocketError(`malformed message from the server (${problem})`);
  if (message.tokens === undefined) message.tokens = [];
  return message;
}
