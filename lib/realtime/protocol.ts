/**
 * The realtime wire protocol (soniox-api.md §8): the start message built from the user's config
 * (SDK options stripped, defaults filled, unknown fields passed through), config checks, and
 * parsing of server messages into results or typed errors.
 */
import { SonioxWebSocketError, type FieldIssue } from '../errors';
import { validate } from '../schemas';
import { RAW_AUDIO_FORMATS, bytesPerSample, type RealtimeConfig, type RealtimeMessage, type RealtimeToken } from '../types';

/** Options of the SDK itself, mixed into the config object and never sent to the server. */
export interface RealtimeOptions {
  /** `'all'` (default): final and non-final tokens; `'final'`: final tokens only. */
  tokens?: 'all' | 'final';
  /** How the key is sent: `'header'` (default, Authorization on the upgrade) or `'message'` (the start message's api_key). */
  auth?: 'header' | 'message';
  /** Keepalive interval while no audio flows, >= 1000 ms (default 5000). */
  keepaliveIntervalMs?: number;
  /** Ping interval; a pong missing for this long means a dead connection (default 10 000 ms). */
  heartbeatIntervalMs?: number;
  /** WebSocket handshake timeout (default 10 000 ms). */
  handshakeTimeoutMs?: number;
  /** How long `end()` waits for the server's `finished` (default 30 000 ms). */
  finishTimeoutMs?: number;
  /** Writable side buffer in bytes; writes wait while the socket holds more (default 64 KiB). */
  highWaterMark?: number;
  /** Reconnect after a drop or a retryable error (raw PCM formats only). */
  reconnect?: ReconnectOptions;
  /** Destroys the stream when it fires. */
  signal?: AbortSignal;
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
  'tokens', 'auth', 'keepaliveIntervalMs', 'heartbeatIntervalMs', 'handshakeTimeoutMs', 'finishTimeoutMs',
  'highWaterMark', 'reconnect', 'signal',
]);

/** Splits the user's object into the start message (defaults filled) and the SDK options. */
export function splitConfig(config: RealtimeStreamConfig, defaultModel: string): { start: RealtimeConfig; options: RealtimeOptions } {
  const start: RealtimeConfig = {};
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config ?? {})) {
    if (SDK_OPTIONS.has(key)) options[key] = value;
    else if (value !== undefined) start[key] = value;
  }
  start.model ??= defaultModel;
  start.audio_format ??= 'auto';
  return { start, options: options as RealtimeOptions };
}

/** Whether audio of this format can be resumed mid-stream (raw samples, no container header). */
export function isRawFormat(format: string | undefined): boolean {
  return format !== undefined && RAW_AUDIO_FORMATS.includes(format);
}

/** Checks the start message and the SDK options; returns every problem found. */
export function checkConfig(start: RealtimeConfig, options: RealtimeOptions): FieldIssue[] {
  const issues: FieldIssue[] = validate('realtimeConfig', start).map(({ field, message }) => ({ field, message }));
  if ('api_key' in start) issues.push({ field: 'api_key', message: 'is set by the client; pass apiKey to SonioxClient (or reconnect.getApiKey)' });
  if (isRawFormat(start.audio_format)) {
    if (start.sample_rate === undefined) issues.push({ field: 'sample_rate', message: `is required for audio_format ${start.audio_format}` });
    if (start.num_channels === undefined) issues.push({ field: 'num_channels', message: `is required for audio_format ${start.audio_format}` });
  }
  const positive = (field: keyof RealtimeOptions, min: number) => {
    const v = options[field];
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < min)) issues.push({ field, message: `must be a number >= ${min}` });
  };
  positive('keepaliveIntervalMs', 1000);
  positive('heartbeatIntervalMs', 1);
  positive('handshakeTimeoutMs', 1);
  positive('finishTimeoutMs', 1);
  positive('highWaterMark', 1);
  if (options.tokens !== undefined && options.tokens !== 'all' && options.tokens !== 'final') issues.push({ field: 'tokens', message: "must be 'all' or 'final'" });
  if (options.auth !== undefined && options.auth !== 'header' && options.auth !== 'message') issues.push({ field: 'auth', message: "must be 'header' or 'message'" });
  const r = options.reconnect;
  if (r !== undefined) {
    if (typeof r !== 'object' || r === null || !Number.isInteger(r.maxAttempts) || r.maxAttempts < 0) {
      issues.push({ field: 'reconnect.maxAttempts', message: 'must be an integer >= 0' });
    } else if (!isRawFormat(start.audio_format)) {
      issues.push({
        field: 'reconnect',
        message: `needs a raw PCM audio_format: a ${String(start.audio_format)} stream cannot be resumed mid-way (its header went to the first session)`,
      });
    }
  }
  return issues;
}

/** Bytes of one audio frame (all channels of one sample) of a raw format. */
export function frameBytes(start: RealtimeConfig): number {
  return bytesPerSample(start.audio_format ?? '') * (start.num_channels ?? 1);
}

/** Audio bytes per ms of a raw format (0 for containers). */
export function bytesPerMs(start: RealtimeConfig): number {
  return (frameBytes(start) * (start.sample_rate ?? 0)) / 1000;
}

/** Special tokens: `<end>` (endpoint) and `<fin>` (finalize done). */
export function specialToken(token: RealtimeToken): 'endpoint' | 'finalized' | undefined {
  if (token.text === '<end>') return 'endpoint';
  if (token.text === '<fin>') return 'finalized';
  return undefined;
}

/** Parses a server frame: a message, or a SonioxWebSocketError for an error message or a bad frame. */
export function parseServerMessage(data: string): RealtimeMessage | SonioxWebSocketError {
  let message: RealtimeMessage;
  try {
    message = JSON.parse(data) as RealtimeMessage;
  } catch {
    return new SonioxWebSocketError(`malformed message from the server (not JSON, ${data.length} characters)`);
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    return new SonioxWebSocketError('malformed message from the server (not an object)');
  }
  if (message.error_code !== undefined || message.error_message !== undefined) {
    const code = typeof message.error_code === 'number' ? message.error_code : undefined;
    return new SonioxWebSocketError(
      `realtime session failed with ${code ?? 'an error'}${message.error_type ? ` ${message.error_type}` : ''}: ${message.error_message ?? 'no message'}` +
        (message.request_id ? ` (request id ${message.request_id})` : ''),
      { serverCode: code, errorType: message.error_type, requestId: message.request_id },
    );
  }
  if (!Array.isArray(message.tokens)) message.tokens = [];
  return message;
}
