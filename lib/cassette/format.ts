/**
 * The cassette format: what `SONIOX_RECORD` writes and the mock's replay reads. Plain JSON a
 * reviewer can read: one file per client, its REST exchanges and realtime sessions in the order
 * they happened, secrets replaced by `[redacted]`, audio kept as a digest and a size. Shared by
 * the client (which writes) and the mock (which reads), so it imports nothing of either.
 */

/** The `format` field of every cassette: bumped when the shape changes incompatibly. */
export const CASSETTE_FORMAT = 'soniox-cassette/1';

/** What a secret is replaced by, wherever it was. */
export const REDACTED = '[redacted]';

/** A JSON value as recorded. */
export type CassetteJson =
  null | boolean | number | string | CassetteJson[] | { [key: string]: CassetteJson };

/** Bytes that are recorded as a digest and a size, never as themselves (audio). */
export interface RecordedBytes {
  /** Number of bytes. */
  bytes: number;
  /** Hex SHA-256 of those bytes. */
  sha256: string;
}

/** A streamed request body (an upload): its form fields and its file as a digest. */
export interface RecordedUpload {
  /** The text fields of the multipart body, by name. */
  fields: Record<string, string>;
  /** The file part: name and type as sent, content as a digest (of the file alone). */
  file: RecordedBytes & { filename: string; contentType: string };
}

/** One HTTP attempt: what the client sent and what the server answered. */
export interface RecordedExchange {
  /** Milliseconds since the cassette started. */
  atMs: number;
  request: {
    method: string;
    /** Path under the origin, e.g. `/v1/files/abc`. */
    path: string;
    /** Query parameters as sent (strings). */
    query?: Record<string, string>;
    /** Request headers worth reading (Authorization is always `[redacted]`). */
    headers?: Record<string, string>;
    /** A JSON body. */
    json?: CassetteJson;
    /** A streamed body (uploads): never the audio. */
    upload?: RecordedUpload;
  };
  /** The answer, or the failure when there was none (a reset, a timeout). */
  response:
    { status: number; headers?: Record<string, string>; body?: CassetteJson } | { error: string };
}

/** One frame from the realtime server, with when it arrived and what the client had sent by then. */
export interface RecordedFrame {
  /** Milliseconds since the session's socket opened. */
  atMs: number;
  /** Audio bytes the client had sent when it arrived. */
  afterAudioBytes: number;
  /** `finalize` messages the client had sent when it arrived. */
  afterFinalizes: number;
  /** Whether the client had ended its audio (the empty frame) when it arrived. */
  afterEndOfAudio: boolean;
  /** The frame as parsed JSON (or `text` when it was not JSON). */
  json?: CassetteJson;
  text?: string;
}

/** A control message the client sent (keepalive, finalize, ...). */
export interface RecordedControl {
  atMs: number;
  message: CassetteJson;
}

/** One realtime WebSocket session. */
export interface RecordedSession {
  /** Milliseconds since the cassette started, when the socket opened. */
  atMs: number;
  /** The realtime URL's path, e.g. `/transcribe-websocket`. */
  path: string;
  /** The start message (its `api_key`, if any, `[redacted]`). */
  start: Record<string, CassetteJson>;
  /** All the audio the client sent: a digest, its size, chunk count and when it flowed. */
  audio: RecordedBytes & { chunks: number; firstAtMs?: number; lastAtMs?: number };
  controls: RecordedControl[];
  /** When the client sent the empty frame that ends the audio, if it did. */
  endOfAudioAtMs?: number;
  /** Every frame from the server, in order. */
  frames: RecordedFrame[];
  /** How the socket closed, if it had by the time the cassette was written. */
  close?: { atMs: number; code: number };
}

/** A cassette file. */
export interface Cassette {
  format: typeof CASSETTE_FORMAT;
  /** ISO time the recording started. */
  recordedAt: string;
  /** The REST origin and realtime URL recorded against (no credentials). */
  baseURL: string;
  realtimeURL: string;
  exchanges: RecordedExchange[];
  sessions: RecordedSession[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The first thing wrong with `value` as a cassette (a path and what is wrong), or undefined.
 * Checks what replay relies on; extra fields are allowed (a newer writer may add some).
 */
export function cassetteProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'not a JSON object';
  if (value.format !== CASSETTE_FORMAT)
    return `format is ${JSON.stringify(value.format)}, expected "${CASSETTE_FORMAT}"`;
  if (!Array.isArray(value.exchanges)) return 'exchanges is not an array';
  if (!Array.isArray(value.sessions)) return 'sessions is not an array';
  for (const [i, e] of value.exchanges.entries()) {
    const where = `exchanges[${i}]`;
    if (!isRecord(e) || !isRecord(e.request) || !isRecord(e.response))
      return `${where} needs a request and a response`;
    if (typeof e.request.method !== 'string' || typeof e.request.path !== 'string')
      return `${where}.request needs a method and a path`;
    if (typeof e.response.status !== 'number' && typeof e.response.error !== 'string')
      return `${where}.response needs a status or an error`;
  }
  for (const [i, s] of value.sessions.entries()) {
    const where = `sessions[${i}]`;
    if (!isRecord(s) || !isRecord(s.start)) return `${where} needs a start message`;
    if (!Array.isArray(s.frames)) return `${where}.frames is not an array`;
    for (const [j, f] of s.frames.entries()) {
      if (!isRecord(f) || typeof f.atMs !== 'number' || typeof f.afterAudioBytes !== 'number')
        return `${where}.frames[${j}] needs atMs and afterAudioBytes`;
      if (f.json === undefined && typeof f.text !== 'string')
        return `${where}.frames[${j}] needs json or text`;
    }
  }
  return undefined;
}

/**
 * The key a request is looked up by on replay: method, path and sorted query. Bodies are not
 * part of it (the SDK's own `client_reference_id` differs per run): requests with the same key
 * are answered in the order they were recorded.
 */
export function exchangeKey(method: string, path: string, query?: Record<string, string>): string {
  const params = new URLSearchParams(
    Object.entries(query ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  const search = params.toString();
  return `${method.toUpperCase()} ${path}${search ? `?${search}` : ''}`;
}

/**
 * The key a realtime session is looked up by on replay: its start message without `api_key`,
 * as canonical JSON (keys sorted at every level).
 */
export function sessionKey(start: Record<string, unknown>): string {
  const { api_key: _key, ...config } = start;
  return canonical(config);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value))
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
