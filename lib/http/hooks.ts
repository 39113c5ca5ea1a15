/**
 * The transport's axios interceptors: every attempt waits its turn at the adaptive limiter (once
 * the server has throttled the client), tells the caller's onRequest, and on an answer feeds the
 * limiter and tells onResponse. Attempts of a call carry its CallContext (call-context.ts).
 */
import type { AxiosError, AxiosInstance, AxiosRequestConfig } from 'axios';
import type { RequestEvent, ResponseEvent } from '../config';
import { SonioxHookError } from '../errors';
import type { AdaptiveLimiter } from '../internal/adaptive-rate';
import type { Log } from '../internal/log';
import type { CallContext } from './call-context';
import { parseRetryAfter } from './retry';

/** Runs one of the caller's hooks; what it throws comes back as itself, in a SonioxHookError. */
export function callHook<A>(name: string, hook: ((arg: A) => void) | undefined, arg: A): void {
  try {
    hook?.(arg);
  } catch (error) {
    throw new SonioxHookError(name, error);
  }
}

/** What the interceptors report to. */
export interface Hooks {
  limiter: AdaptiveLimiter | undefined;
  onRequest: ((event: RequestEvent) => void) | undefined;
  onResponse: ((event: ResponseEvent) => void) | undefined;
  /** The library's log (undefined: silent). */
  log?: Log | undefined;
}

/** A response's headers as a plain object of strings, names in lower case (lists joined). */
function plainHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const source =
    headers && typeof (headers as { toJSON?: unknown }).toJSON === 'function'
      ? (headers as { toJSON(): unknown }).toJSON()
      : headers;
  if (source && typeof source === 'object')
    for (const [name, value] of Object.entries(source as Record<string, unknown>))
      if (typeof value === 'string' || typeof value === 'number')
        out[name.toLowerCase()] = String(value);
      else if (Array.isArray(value)) out[name.toLowerCase()] = value.map(String).join(', ');
  return out;
}

/** Installs the request and response interceptors on `http`. */
export function installHooks(
  http: AxiosInstance,
  { limiter, onRequest, onResponse, log }: Hooks,
): void {
  const start = (call: CallContext) => {
    call.attempt += 1;
    call.startedAt = performance.now();
    log?.('debug', `${call.req.method} ${call.req.path} attempt ${call.attempt}`);
    callHook('onRequest', onRequest, {
      method: call.req.method,
      url: call.req.path,
      attempt: call.attempt,
    });
  };
  http.interceptors.request.use(async (cfg) => {
    const call = cfg.sonioxCall;
    if (!call) return cfg;
    // Every attempt, retries included, waits its turn once the server has throttled the client.
    if (limiter) call.tokenAt = await limiter.acquire(call.signal);
    start(call);
    return cfg;
  });
  const report = (
    cfg: AxiosRequestConfig | undefined,
    status: number | undefined,
    rateLimited: boolean,
    headers: unknown,
  ) => {
    const call = cfg?.sonioxCall;
    if (!call || status === undefined) return;
    // Only a 429 with a Retry-After is a rate limit; one without (a quota such as pending
    // transcriptions) says nothing about the rate.
    if (rateLimited) limiter?.onThrottle(call.tokenAt);
    else if (status !== 429) limiter?.onSuccess();
    // Nobody to tell: no event, nor the copy of the headers it carries (~1.8 KB a call; issue 31).
    if (!onResponse && !call.req.onResponse && !log) return;
    const plain = plainHeaders(headers);
    const event: ResponseEvent = {
      method: call.req.method,
      url: call.req.path,
      attempt: call.attempt,
      status,
      durationMs: performance.now() - call.startedAt,
      headers: plain,
      ...(plain['x-request-id'] !== undefined && { requestId: plain['x-request-id'] }),
    };
    log?.(
      'debug',
      `${event.method} ${event.url} answered ${status} in ${Math.round(event.durationMs)} ms${event.requestId ? ` (request id ${event.requestId})` : ''}`,
    );
    callHook('onResponse', onResponse, event);
    callHook('onResponse', call.req.onResponse, event);
  };
  http.interceptors.response.use(
    (res) => {
      report(res.config, res.status, false, res.headers);
      return res;
    },
    (error: AxiosError) => {
      const response = error.response;
      report(
        error.config,
        response?.status,
        response?.status === 429 && parseRetryAfter(response.headers) !== undefined,
        response?.headers,
      );
      return Promise.reject(error);
    },
  );
}
