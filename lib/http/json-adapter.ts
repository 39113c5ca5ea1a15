/**
 * The transport's axios adapter for JSON calls. A call with no body or a JSON body (every call
 * but an upload) goes straight to `http.request` on the client's agent; any other (a streamed
 * upload) goes to axios' own http adapter. axios stays the mechanism (config merge,
 * interceptors, axios-retry, request and response transforms, its error type); only the last
 * hop is lean. Why: axios' http adapter serves every feature of axios (proxies from the
 * environment, redirects, progress events, rate limits, data: URLs, HTTP/2), about 60 µs of a
 * 0.4 ms call to the mock on loopback, and the transport uses none of them (`proxy: false`,
 * `maxRedirects: 0`, agents for proxies). The answers and failures are the ones axios' adapter
 * gives, so error mapping and retry decisions read them alike:
 * - a status outside `validateStatus`: "Request failed with status code N", ERR_BAD_REQUEST for
 *   4xx, ERR_BAD_RESPONSE otherwise, with the response;
 * - a socket error: axios' error from it (its `code`, e.g. ECONNRESET), with the request;
 * - no answer within `timeout` ms (wall clock until the headers, then socket inactivity):
 *   "timeout of N ms exceeded", ECONNABORTED (ETIMEDOUT with `clarifyTimeoutError`);
 * - a body cut mid-way: "stream has been aborted", ERR_BAD_RESPONSE, with the response;
 * - a body over `maxContentLength`: "maxContentLength size of N exceeded", ERR_BAD_RESPONSE;
 * - the call's signal aborted: axios' CanceledError.
 * Each failure is also marked with its kind and code where it is made (failure-kind.ts): error
 * mapping reads the mark, not the message, which stays axios' for the caller's eyes.
 * gzip, deflate and br answers are decoded, as axios does. Not carried over, as the transport
 * never meets them: redirects, a byte-order mark before JSON, `x-gzip`, raw (headerless) deflate.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import type {
  AxiosAdapter,
  AxiosError,
  AxiosResponse,
  InternalAxiosRequestConfig,
  RawAxiosHeaders,
} from 'axios';
import { answerKind, typed } from './failure-kind';

/** What the adapter takes from axios (loaded lazily by the transport). */
export interface AxiosParts {
  AxiosError: typeof import('axios').AxiosError;
  AxiosHeaders: typeof import('axios').AxiosHeaders;
  CanceledError: typeof import('axios').CanceledError;
}

/** The encodings asked for and decoded (axios' own list, less `compress`, which no server sends). */
const ACCEPT_ENCODING = 'gzip, deflate, br';

/** axios' query encoding: encodeURIComponent, with `:$,` kept and spaces as `+`. */
function encodeParam(value: string): string {
  return encodeURIComponent(value)
    .replace(/%3A/gi, ':')
    .replace(/%24/g, '$')
    .replace(/%2C/gi, ',')
    .replace(/%20/g, '+');
}

/**
 * The URL of a request as axios builds it: `url` joined to `baseURL`, the `params` that are
 * neither null nor undefined appended as a query (the transport's params are strings and numbers).
 */
export function requestUrl(config: InternalAxiosRequestConfig): string {
  const url = config.url ?? '';
  let full =
    config.baseURL && !URL.canParse(url)
      ? url
        ? `${config.baseURL.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}`
        : config.baseURL
      : url;
  const params = config.params as Record<string, unknown> | undefined;
  if (params) {
    const query: string[] = [];
    for (const [name, value] of Object.entries(params)) {
      if (value === undefined || value === null) continue;
      query.push(
        `${encodeParam(name)}=${encodeParam(typeof value === 'string' ? value : JSON.stringify(value))}`,
      );
    }
    if (query.length > 0) {
      // A fragment goes, as axios drops it, before the query is appended.
      const [path = full] = full.split('#', 1);
      full = path + (path.includes('?') ? '&' : '?') + query.join('&');
    }
  }
  return full;
}

/** Whether the lean path sends this request: no body, or one axios made a string (JSON). */
function isJsonCall(config: InternalAxiosRequestConfig): boolean {
  return config.data === undefined || typeof config.data === 'string';
}

/**
 * The decoder for a `Content-Encoding` axios decodes, or undefined (identity, or one it leaves
 * as is). `deflate` is the zlib format (RFC 9110), which the unzip stream reads like gzip.
 */
function decoderFor(encoding: string): Transform | undefined {
  switch (encoding.toLowerCase()) {
    case 'gzip':
    case 'deflate':
      return zlib.createUnzip();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      return undefined;
  }
}

/**
 * An adapter that sends JSON calls itself and hands every other request to `fallback` (axios'
 * http adapter). `parts` are axios' classes, so the errors are the ones axios' adapter makes.
 */
export function jsonAdapter(parts: AxiosParts, fallback: AxiosAdapter): AxiosAdapter {
  return (config) => (isJsonCall(config) ? send(parts, config) : fallback(config));
}

/** How a call ends: with an answer, or with a failure (which tears the request down). */
interface Settle {
  answer(response: AxiosResponse): void;
  fail(error: AxiosError): void;
}

function send(parts: AxiosParts, config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
  const { AxiosError, CanceledError } = parts;
  return new Promise((resolve, reject) => {
    const url = new URL(requestUrl(config));
    const secure = url.protocol === 'https:';
    // axios' headers leave out those set to null or false (removed by the caller).
    const headers = config.headers.toJSON(true);
    const data = config.data === undefined ? undefined : Buffer.from(config.data as string);
    if (data) headers['Content-Length'] = String(data.length);
    if (!config.headers.has('Accept-Encoding')) headers['Accept-Encoding'] = ACCEPT_ENCODING;
    const request = (secure ? https : http).request(url, {
      method: (config.method ?? 'get').toUpperCase(),
      headers,
      agent: (secure ? config.httpsAgent : config.httpAgent) as http.Agent | undefined,
    });
    const signal = config.signal as AbortSignal | undefined;
    let timer: NodeJS.Timeout | undefined;
    const settle: Settle = {
      answer(response) {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(response);
      },
      fail(error) {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        request.destroy();
        reject(error);
      },
    };
    const onAbort = () =>
      settle.fail(typed(new CanceledError(undefined, config, request), 'canceled'));
    // axios throws for a signal aborted before the call, in the same tick as it calls the adapter.
    signal?.addEventListener('abort', onAbort);
    const timeoutMs = config.timeout ?? 0;
    if (timeoutMs > 0) {
      const onTimeout = () =>
        settle.fail(
          typed(
            new AxiosError(
              config.timeoutErrorMessage ?? `timeout of ${timeoutMs}ms exceeded`,
              config.transitional?.clarifyTimeoutError ? 'ETIMEDOUT' : 'ECONNABORTED',
              config,
              request,
            ),
            'timeout',
          ),
        );
      // Until the headers a wall-clock bound (a connect can stall before the socket's timer
      // starts), then socket inactivity: what axios' adapter does without redirects.
      timer = setTimeout(onTimeout, timeoutMs);
      request.setTimeout(timeoutMs, onTimeout);
    }
    request.on('error', (error) =>
      settle.fail(typed(AxiosError.from(error, undefined, config, request), 'network')),
    );
    request.on('response', (res: IncomingMessage) => {
      clearTimeout(timer);
      readBody(parts, config, request, res, settle);
    });
    request.end(data);
  });
}

/** Reads an answer's body (decoded, bounded by `maxContentLength`) and settles the call. */
function readBody(
  { AxiosError, AxiosHeaders }: AxiosParts,
  config: InternalAxiosRequestConfig,
  request: http.ClientRequest,
  res: IncomingMessage,
  settle: Settle,
): void {
  const headers = new AxiosHeaders(res.headers as RawAxiosHeaders);
  const encoding = res.headers['content-encoding'];
  let body: Readable = res;
  const decoder = encoding && res.statusCode !== 204 ? decoderFor(encoding) : undefined;
  if (decoder) {
    body = res.pipe(decoder);
    res.on('error', (error) => decoder.destroy(error));
    // The body handed on is decoded: its headers say so, as axios' do.
    headers.delete('content-encoding');
  }
  const response: AxiosResponse = {
    data: undefined,
    status: res.statusCode as number,
    statusText: res.statusMessage as string,
    headers,
    config,
    request,
  };
  // axios' -1 (its default) is no limit.
  const limit = config.maxContentLength === -1 ? Infinity : (config.maxContentLength ?? Infinity);
  const chunks: Buffer[] = [];
  let size = 0;
  body.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size > limit)
      settle.fail(
        typed(
          new AxiosError(
            `maxContentLength size of ${limit} exceeded`,
            'ERR_BAD_RESPONSE',
            config,
            request,
          ),
          'too-large',
        ),
      );
  });
  // A body broken off: a network failure on a 2xx answer, the answer itself on any other.
  const broken = answerKind(response.status);
  res.on('aborted', () =>
    settle.fail(
      typed(
        new AxiosError('stream has been aborted', 'ERR_BAD_RESPONSE', config, request, response),
        broken,
      ),
    ),
  );
  body.on('error', (error) =>
    settle.fail(typed(AxiosError.from(error, undefined, config, request, response), broken)),
  );
  body.on('end', () => {
    response.data = Buffer.concat(chunks).toString();
    if (config.validateStatus?.(response.status) !== false) return settle.answer(response);
    settle.fail(
      typed(
        new AxiosError(
          `Request failed with status code ${response.status}`,
          response.status >= 400 && response.status < 500 ? 'ERR_BAD_REQUEST' : 'ERR_BAD_RESPONSE',
          config,
          request,
          response,
        ),
        'answered',
      ),
    );
  });
}
