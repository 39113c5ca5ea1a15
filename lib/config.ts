/**
 * Client options and their resolution against the environment. Every check runs in the
 * constructor, so a bad option fails at once with a `SonioxConfigError` naming it, not on the
 * first request. Nothing here opens a socket or compiles a schema.
 */
import { Agent } from 'node:http';
import { MAX_TIMER_MS } from './internal/sleep';
import { proxyFor } from './internal/proxy';
import { SonioxConfigError } from './errors';
import type { SonioxError } from './errors';
import { DEFAULT_ASYNC_MODEL, DEFAULT_REALTIME_MODEL } from './types';
import { DEFAULT_RETRY_POLICY, type RetryPolicyOptions } from './internal/backoff';
import { unknownOption } from './suggest';

/** An `http.Agent` (an `https.Agent` is one too). */
export type HttpAgentLike = Agent;

/** Regions with their own hosts; a project's keys only work in its region. */
export type SonioxRegion = 'us' | 'eu' | 'jp';

/** Passed to `onRequest` before each attempt. */
export interface RequestEvent {
  method: string;
  url: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
}

/** Passed to `onResponse` after each attempt that got an HTTP answer. */
export interface ResponseEvent extends RequestEvent {
  status: number;
  durationMs: number;
}

/** Passed to `onRetry` before waiting for a retry. */
export interface RetryEvent extends RequestEvent {
  /** The wait before the retry. */
  delayMs: number;
  /** What went wrong with the attempt that is being retried (secret-free). */
  error: SonioxError;
}

/** Options of `new SonioxClient(options)`. */
export interface SonioxClientOptions {
  /** Default: env SONIOX_API_KEY. Missing -> SonioxConfigError. */
  apiKey?: string | undefined;
  /** Picks the regional hosts (default env SONIOX_REGION, else 'us'). */
  region?: SonioxRegion | undefined;
  /** REST origin without /v1 (default env SONIOX_API_BASE_URL, else the region's). */
  baseURL?: string | undefined;
  /** Full WebSocket URL (default env SONIOX_REALTIME_URL, else the region's). */
  realtimeURL?: string | undefined;
  /** Per-attempt inactivity timeout of JSON calls in ms (default 60 000). */
  timeoutMs?: number | undefined;
  /** Inactivity timeout of uploads in ms (default 120 000); uploads have no overall deadline. */
  uploadTimeoutMs?: number | undefined;
  /** Retries after the first attempt (default 3). */
  maxRetries?: number | undefined;
  /** Backoff tuning (base and ceiling of the jittered delay, longest Retry-After honoured). */
  retry?: Partial<Omit<RetryPolicyOptions, 'maxRetries'>> | undefined;
  /** Sockets per origin (default 100). */
  maxSockets?: number | undefined;
  /** Idle sockets kept per origin (default 20). */
  maxFreeSockets?: number | undefined;
  /** Idle socket lifetime in ms; keep it below the server's keep-alive timeout (default 4 000). */
  freeSocketTimeoutMs?: number | undefined;
  /**
   * Pace the client's calls to the rate the server allows (default true): after a 429, calls
   * queue for a rate learned from the 429s instead of failing (AWS's "adaptive" retry mode).
   */
  adaptiveRate?: boolean | undefined;
  /**
   * Proxy of REST calls and realtime sessions, e.g. `http://proxy.corp:3128` (tunnelled with
   * CONNECT); `false`: none,
   * whatever the environment says. Default: `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` from `env`.
   */
  proxy?: string | false | undefined;
  /** Agent of REST calls, used as given (no proxy, no pool options): your own pool or tunnel. */
  httpAgent?: HttpAgentLike | undefined;
  /** Check responses against the API schemas (default true); false = lenient: drifted fields pass, a body that is not a JSON object never does. */
  validateResponses?: boolean | undefined;
  /** Default model of async transcriptions (default stt-async-v5). */
  asyncModel?: string | undefined;
  /** Default model of realtime sessions (default stt-rt-v5). */
  realtimeModel?: string | undefined;
  /** Called before each HTTP attempt. */
  onRequest?: ((event: RequestEvent) => void) | undefined;
  /** Called after each HTTP attempt that got an answer. */
  onResponse?: ((event: ResponseEvent) => void) | undefined;
  /** Called before each retry wait. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /** Environment to read instead of process.env (tests, multi-tenant servers). */
  env?: Record<string, string | undefined> | undefined;
  /**
   * A directory to record this client's REST exchanges and realtime sessions to, as a cassette
   * the mock replays (`startMockServer({ replay })`; docs/testing.md). Default env
   * SONIOX_RECORD, else none. Secrets are redacted, audio kept as a digest.
   */
  record?: string | undefined;
}

/**
 * Every option name, for the unknown-option check. A Record over the interface's keys, so a new
 * option added to SonioxClientOptions fails to compile until it is listed here too.
 */
const OPTION_NAMES: Record<keyof SonioxClientOptions, true> = {
  apiKey: true,
  region: true,
  baseURL: true,
  realtimeURL: true,
  timeoutMs: true,
  uploadTimeoutMs: true,
  maxRetries: true,
  retry: true,
  maxSockets: true,
  maxFreeSockets: true,
  freeSocketTimeoutMs: true,
  adaptiveRate: true,
  proxy: true,
  httpAgent: true,
  validateResponses: true,
  asyncModel: true,
  realtimeModel: true,
  onRequest: true,
  onResponse: true,
  onRetry: true,
  env: true,
  record: true,
};
const RETRY_NAMES: Record<keyof NonNullable<SonioxClientOptions['retry']>, true> = {
  baseDelayMs: true,
  maxDelayMs: true,
  maxRetryAfterMs: true,
};

/** Refuses a name that is not an option (a typo would otherwise be ignored silently), suggesting the closest. */
function checkNames(options: object, known: object, prefix: string): void {
  const names = Object.keys(known);
  for (const name of Object.keys(options)) {
    if (!Object.hasOwn(known, name))
      throw new SonioxConfigError(prefix + name, unknownOption(name, names, prefix));
  }
}

/** Options after defaults, environment and checks. */
export interface ResolvedConfig {
  apiKey: string;
  region: SonioxRegion;
  baseURL: string;
  realtimeURL: string;
  timeoutMs: number;
  uploadTimeoutMs: number;
  retry: RetryPolicyOptions;
  maxSockets: number;
  maxFreeSockets: number;
  freeSocketTimeoutMs: number;
  validateResponses: boolean;
  adaptiveRate: boolean;
  /** The proxy REST calls go through, if any. */
  proxy: string | undefined;
  /** The proxy realtime sessions go through, if any (the environment is read for the realtime host). */
  realtimeProxy: string | undefined;
  httpAgent: HttpAgentLike | undefined;
  asyncModel: string;
  realtimeModel: string;
  onRequest: ((event: RequestEvent) => void) | undefined;
  onResponse: ((event: ResponseEvent) => void) | undefined;
  onRetry: ((event: RetryEvent) => void) | undefined;
  /** The directory cassettes are recorded to, if any. */
  record: string | undefined;
}

const REGION_DOMAINS: Record<SonioxRegion, string> = {
  us: 'soniox.com',
  eu: 'eu.soniox.com',
  jp: 'jp.soniox.com',
};

/** The REST origin and WebSocket URL of a region. */
export function regionHosts(region: SonioxRegion): { baseURL: string; realtimeURL: string } {
  const domain = REGION_DOMAINS[region];
  return {
    baseURL: `https://api.${domain}`,
    realtimeURL: `wss://stt-rt.${domain}/transcribe-websocket`,
  };
}

function checkURL(option: string, value: string, protocols: string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SonioxConfigError(option, `${option} is not a valid URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new SonioxConfigError(
      option,
      `${option} must use ${protocols.map((p) => p.replace(':', '')).join(' or ')}, got ${url.protocol.replace(':', '')}`,
    );
  }
  if (url.username || url.password)
    throw new SonioxConfigError(option, `${option} must not carry credentials`);
  return value.replace(/\/+$/, '');
}

function checkNumber(
  option: string,
  value: number | undefined,
  fallback: number,
  min: number,
  integer: boolean,
): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    (integer && !Number.isInteger(value))
  ) {
    throw new SonioxConfigError(
      option,
      `${option} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${String(value)}`,
    );
  }
  return value;
}

/** A duration in ms: as checkNumber, and no longer than a Node timer holds (2^31-1 ms; longer ones fire after 1 ms). */
function checkDuration(
  option: string,
  value: number | undefined,
  fallback: number,
  min: number,
): number {
  const ms = checkNumber(option, value, fallback, min, false);
  if (ms > MAX_TIMER_MS)
    throw new SonioxConfigError(
      option,
      `${option} must be at most ${MAX_TIMER_MS} ms (Node timers cannot wait longer), got ${ms}`,
    );
  return ms;
}

function checkModel(option: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '')
    throw new SonioxConfigError(option, `${option} must be a non-empty string`);
  return value;
}

function checkHook<T>(option: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function')
    throw new SonioxConfigError(option, `${option} must be a function`);
  return value;
}

/** The proxy of `baseURL`: the option, checked, else the environment's. */
function checkProxy(
  option: string | false | undefined,
  baseURL: string,
  env: Record<string, string | undefined>,
): string | undefined {
  if (option !== undefined && option !== false && typeof option !== 'string')
    throw new SonioxConfigError('proxy', 'proxy must be a URL string or false');
  const proxy = proxyFor(baseURL, option, env);
  if (proxy === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(proxy);
  } catch {
    url = undefined;
  }
  // Never echo the value: a proxy URL may carry credentials.
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new SonioxConfigError(
      'proxy',
      `proxy${option === undefined ? ' (from HTTPS_PROXY / HTTP_PROXY)' : ''} must be an http: or https: URL`,
    );
  return proxy;
}

/** Applies defaults and the environment, and checks every option. */
export function resolveConfig(options: SonioxClientOptions = {}): ResolvedConfig {
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new SonioxConfigError('options', 'options must be an object');
  checkNames(options, OPTION_NAMES, '');
  if (options.env !== undefined && (options.env === null || typeof options.env !== 'object'))
    throw new SonioxConfigError(
      'env',
      'env must be an object of environment variables (such as process.env)',
    );
  const env = options.env ?? process.env;
  const apiKey = options.apiKey ?? env.SONIOX_API_KEY;
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    throw new SonioxConfigError(
      'apiKey',
      'No API key: pass the apiKey option or set SONIOX_API_KEY',
    );
  }
  // A header carries visible ASCII only: anything else would be stripped or refused on the way, silently.
  if (!/^[\x21-\x7e]+$/.test(apiKey.trim()) || /[^\x20-\x7e]/.test(apiKey)) {
    throw new SonioxConfigError(
      'apiKey',
      'apiKey must be printable ASCII (no spaces inside, no control or non-ASCII characters)',
    );
  }

  const region = (options.region ?? env.SONIOX_REGION ?? 'us') as SonioxRegion;
  // Own properties only: `'constructor' in {...}` is true.
  if (typeof region !== 'string' || !Object.hasOwn(REGION_DOMAINS, region)) {
    throw new SonioxConfigError(
      'region',
      `region must be one of us, eu, jp, got ${String(region)}`,
    );
  }
  const hosts = regionHosts(region);
  const baseURL = checkURL('baseURL', options.baseURL ?? env.SONIOX_API_BASE_URL ?? hosts.baseURL, [
    'http:',
    'https:',
  ]);
  const realtimeURL = checkURL(
    'realtimeURL',
    options.realtimeURL ?? env.SONIOX_REALTIME_URL ?? hosts.realtimeURL,
    ['ws:', 'wss:'],
  );

  if (options.retry !== undefined && (options.retry === null || typeof options.retry !== 'object'))
    throw new SonioxConfigError('retry', 'retry must be an object such as { baseDelayMs: 500 }');
  if (options.retry !== undefined) checkNames(options.retry, RETRY_NAMES, 'retry.');
  if (options.validateResponses !== undefined && typeof options.validateResponses !== 'boolean') {
    throw new SonioxConfigError('validateResponses', 'validateResponses must be true or false');
  }
  if (options.adaptiveRate !== undefined && typeof options.adaptiveRate !== 'boolean')
    throw new SonioxConfigError('adaptiveRate', 'adaptiveRate must be true or false');
  const proxy = checkProxy(options.proxy, baseURL, env);
  // The WebSocket's upgrade is an HTTP(S) request: its proxy is the one of the http(s) origin.
  const realtimeProxy = checkProxy(options.proxy, realtimeURL.replace(/^ws/, 'http'), env);
  if (options.httpAgent !== undefined && !(options.httpAgent instanceof Agent))
    throw new SonioxConfigError('httpAgent', 'httpAgent must be an http.Agent (or https.Agent)');
  const retry = options.retry ?? {};
  const maxSockets = checkNumber('maxSockets', options.maxSockets, 100, 1, true);
  return {
    apiKey,
    region,
    baseURL,
    realtimeURL,
    timeoutMs: checkDuration('timeoutMs', options.timeoutMs, 60_000, 1),
    uploadTimeoutMs: checkDuration('uploadTimeoutMs', options.uploadTimeoutMs, 120_000, 1),
    retry: {
      maxRetries: checkNumber(
        'maxRetries',
        options.maxRetries,
        DEFAULT_RETRY_POLICY.maxRetries,
        0,
        true,
      ),
      baseDelayMs: checkDuration(
        'retry.baseDelayMs',
        retry.baseDelayMs,
        DEFAULT_RETRY_POLICY.baseDelayMs,
        0,
      ),
      maxDelayMs: checkDuration(
        'retry.maxDelayMs',
        retry.maxDelayMs,
        DEFAULT_RETRY_POLICY.maxDelayMs,
        0,
      ),
      maxRetryAfterMs: checkDuration(
        'retry.maxRetryAfterMs',
        retry.maxRetryAfterMs,
        DEFAULT_RETRY_POLICY.maxRetryAfterMs,
        0,
      ),
    },
    maxSockets,
    maxFreeSockets: checkNumber(
      'maxFreeSockets',
      options.maxFreeSockets,
      Math.min(20, maxSockets),
      0,
      true,
    ),
    freeSocketTimeoutMs: checkDuration(
      'freeSocketTimeoutMs',
      options.freeSocketTimeoutMs,
      4_000,
      1,
    ),
    validateResponses: options.validateResponses ?? true,
    adaptiveRate: options.adaptiveRate ?? true,
    proxy,
    realtimeProxy,
    httpAgent: options.httpAgent,
    asyncModel: checkModel('asyncModel', options.asyncModel, DEFAULT_ASYNC_MODEL),
    realtimeModel: checkModel('realtimeModel', options.realtimeModel, DEFAULT_REALTIME_MODEL),
    onRequest: checkHook('onRequest', options.onRequest),
    onResponse: checkHook('onResponse', options.onResponse),
    onRetry: checkHook('onRetry', options.onRetry),
    record: checkRecord(options.record ?? env.SONIOX_RECORD),
  };
}

/** The record directory: a non-empty string (an empty SONIOX_RECORD records nothing). */
function checkRecord(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string')
    throw new SonioxConfigError('record', 'record must be a directory path (a string)');
  return value;
}
