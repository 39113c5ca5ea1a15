/**
 * Recording of REST exchanges (`record` option / SONIOX_RECORD): an axios adapter around the
 * transport's own that writes each attempt, request and answer, to the client's cassette. It
 * sits below axios-retry, so every attempt is one exchange (a 503 then a 200 replay as such).
 * Uploads pass through an UploadDigest: the cassette gets the file's digest, never the audio.
 */
import { pipeline, type Readable } from 'node:stream';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig } from 'axios';
import type { CassetteJson, CassetteWriter, RecordedExchange } from '../cassette';
import { UploadDigest } from './upload-digest';

/** Response headers a reader of the cassette (or the replay) may want; the rest is noise. */
const KEPT_HEADERS = ['content-type', 'retry-after', 'retry-after-ms', 'x-request-id'];

function isStream(value: unknown): value is Readable {
  return typeof (value as Readable | undefined)?.pipe === 'function';
}

/** A body as JSON when it is JSON text, else as the text itself. */
function asJson(data: unknown): CassetteJson | undefined {
  if (data === undefined || data === '') return undefined;
  if (typeof data !== 'string') return data as CassetteJson;
  try {
    return JSON.parse(data) as CassetteJson;
  } catch {
    return data;
  }
}

/** A header or query value as text (arrays joined as HTTP joins them). */
function text(value: unknown): string {
  if (Array.isArray(value)) return value.map(text).join(', ');
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function keptHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const all = (headers ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(all)) {
    if (KEPT_HEADERS.includes(name.toLowerCase()) && value !== undefined)
      out[name.toLowerCase()] = text(value);
  }
  return out;
}

function stringQuery(params: unknown): Record<string, string> | undefined {
  if (params === null || typeof params !== 'object') return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params as Record<string, unknown>))
    if (v !== undefined && v !== null) out[k] = text(v);
  return Object.keys(out).length ? out : undefined;
}

/** `inner`, with each attempt written to `writer`. */
export function recordingAdapter(inner: AxiosAdapter, writer: CassetteWriter): AxiosAdapter {
  return async (config: InternalAxiosRequestConfig) => {
    const atMs = writer.elapsedMs();
    const request: RecordedExchange['request'] = {
      method: (config.method ?? 'get').toUpperCase(),
      path: config.url ?? '',
      headers: { authorization: '[redacted]' },
    };
    const query = stringQuery(config.params);
    if (query) request.query = query;
    let digest: UploadDigest | undefined;
    if (isStream(config.data)) {
      const boundary = /boundary=([^;\s]+)/.exec(String(config.headers.getContentType()))?.[1];
      digest = new UploadDigest(boundary ?? '');
      // The transport keeps destroying its own stream on failure: pipeline carries that here.
      pipeline(config.data, digest, () => undefined);
      config = { ...config, data: digest };
    } else {
      const json = asJson(config.data);
      if (json !== undefined) request.json = json;
    }
    const answer = (answered: AxiosResponse): RecordedExchange['response'] => {
      const body = asJson(answered.data);
      return {
        status: answered.status,
        headers: keptHeaders(answered.headers),
        ...(body !== undefined && { body }),
      };
    };
    const record = (response: RecordedExchange['response']): void => {
      if (digest) request.upload = digest.result();
      writer.addExchange({ atMs, request, response });
    };
    let response: AxiosResponse;
    try {
      response = await inner(config);
    } catch (error) {
      const answered = (error as { response?: AxiosResponse }).response;
      record(answered ? answer(answered) : { error: (error as Error).message });
      throw error;
    }
    record(answer(response));
    return response;
  };
}
