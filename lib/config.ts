/**
 * Client options and their resolution against the environment. Every check runs in the
 * constructor, so a bad option fails at once with a `SonioxConfigError` naming it, not on the
 * first request. Nothing here opens a socket or compiles a schema.
 */
import type { Agent } from 'node:http';
import { MAX_TIMER_MS } from './internal/sleep';
import { proxyFor } from './internal/proxy';
import { SonioxConfigError, type FieldIssue } from './errors';
import type { SonioxError } from './errors';
import { isObject, rejectConfigIssues, unknownNameIssues } from './internal/issues';
import { DEFAULT_ASYNC_MODEL, DEFAULT_REALTIME_MODEL } from './types';
import { DEFAULT_RETRY_POLICY, type RetryPolicyOptions } from './internal/backoff';
import {
  REGION_DOMAINS,
  domainHosts,
  hostsOrIssue,
  type ResolvedHosts,
  type SonioxRegion,
} from './internal/hosts';
import { headerIssues } from './internal/headers';
import { logIssues, makeLog, type Log, type LogLevel, type Logger } from './internal/log';
import { nodeHttp } from './internal/node-builtins';

/** An `http.Agent` (an `https.Agent` is one too). */
export type HttpAgentLike = Agent;

export type { SonioxRegion };

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
  /** The response's headers, names in lower case. */
  headers: Readonly<Record<string, string>>;
  /** The server's id of the request (`x-request-id`), when it sent one. */
  requestId?: string | undefined;
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
  /** Picks the regional hosts (default env SONIOX_BASE_DOMAIN's region, else SONIOX_REGION, else 'us'). */
  region?: SonioxRegion | undefined;
  /** REST origin without /v1 (default env SONIOX_API_BASE_URL, else the region's). */
  baseURL?: string | undefined;
  /** Full WebSocket URL (default env SONIOX_REALTIME_URL or SONIOX_WS_URL, else the region's). */
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
  /** Hold realtime starts under the account's concurrent-session limit, read from the API (docs/errors.md). */
  readConcurrencyLimit?: boolean | undefined;
  /**
   * Proxy of REST calls and realtime sessions, e.g. `http://proxy.corp:3128` (tunnelled with
   * CONNECT); `false`: none,
   * whatever the environment says. Default: `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` from `env`.
   */
  proxy?: string | false | undefined;
  /** Agent of REST calls, used as given (no proxy, no pool options): your own pool or tunnel. */
  httpAgent?: HttpAgentLike | undefined;
  /**
   * Write a `client_reference_id` of the SDK's own (`sdk-<uuid>`) on creates and uploads you
   * left untagged (default true): it is what lets a create that got no answer be looked up
   * rather than resent (exactly once). `false` sends them untagged, as the raw API would (the
   * field is yours: usage logs attribute by it); exactly-once then needs your own reference,
   * and an untagged create that may have taken effect fails instead of being resent.
   */
  autoClientReferenceId?: boolean | undefined;
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
  /**
   * Headers sent with every REST request (a corporate gateway's tenant or token; a call's own
   * `headers` go over them). Never Authorization (set from apiKey) nor the framing headers.
   */
  headers?: Readonly<Record<string, string>> | undefined;
  /**
   * Where the library logs (any object with debug/info/warn/error): one line per attempt and
   * answer (debug), retry and reconnect (warn), give-up (error); the key never in it. Silent
   * by default.
   */
  logger?: Logger | undefined;
  /** The least severe level logged (default `info` with a logger; alone: logs to the console). */
  logLevel?: LogLevel | undefined;
}

/**
 * Every option name, for the unknown-option check. A Record over the interface's keys, so a new
 * option added to SonioxClientOptions fails to compile until it is listed here too.
 */
// Stryker disable BooleanLiteral: only the names are read (Object.hasOwn, the suggestions), never the `true`s.
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
  readConcurrencyLimit: true,
  proxy: true,
  httpAgent: true,
  validateResponses: true,
  autoClientReferenceId: true,
  asyncModel: true,
  realtimeModel: true,
  onRequest: true,
  onResponse: true,
  onRetry: true,
  env: true,
  record: true,
  headers: true,
  logger: true,
  logLevel: true,
};
const RETRY_NAMES: Record<keyof NonNullable<SonioxClientOptions['retry']>, true> = {
  baseDelayMs: true,
  maxDelayMs: true,
  maxRetryAfterMs: true,
};
// Stryker restore BooleanLiteral

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
  autoClientReferenceId: boolean;
  adaptiveRate: boolean;
  /** As given; undefined: by the hosts (sameDeployment). */
  readConcurrencyLimit: boolean | undefined;
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
  /** The caller's headers for every REST request (checked). */
  headers: Readonly<Record<string, string>>;
  /** The library's log (undefined: silent). */
  log: Log | undefined;
}

/** The REST origin and WebSocket URL of a region. */
export function regionHosts(region: SonioxRegion): { baseURL: string; realtimeURL: string } {
  return domainHosts(REGION_DOMAINS[region]);
}

/** The issues of one option (`…Issues`: collected, never thrown); every message names its option. */
function urlIssues(option: string, value: string, protocols: string[]): FieldIssue[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [{ field: option, message: `${option} is not a valid URL` }];
  }
  if (!protocols.includes(url.protocol)) {
    const want = protocols.map((p) => p.replace(':', '')).join(' or ');
    const got = url.protocol.replace(':', '');
    return [{ field: option, message: `${option} must use ${want}, got ${got}` }];
  }
  if (url.username || url.password)
    return [{ field: option, message: `${option} must not carry credentials` }];
  return [];
}

function numberIssues(
  option: string,
  value: number | undefined,
  min: number,
  integer: boolean,
): FieldIssue[] {
  if (value === undefined) return [];
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    (integer && !Number.isInteger(value))
  ) {
    const kind = integer ? 'an integer' : 'a number';
    return [
      { field: option, message: `${option} must be ${kind} >= ${min}, got ${String(value)}` },
    ];
  }
  return [];
}

/** A duration in ms: as numberIssues, and no longer than a Node timer holds (2^31-1 ms; longer ones fire after 1 ms). */
function timerIssues(option: string, value: number | undefined, min: number): FieldIssue[] {
  const issues = numberIssues(option, value, min, false);
  if (issues.length > 0 || value === undefined || value <= MAX_TIMER_MS) return issues;
  const message = `${option} must be at most ${MAX_TIMER_MS} ms (Node timers cannot wait longer), got ${String(value)}`;
  return [{ field: option, message }];
}

function modelIssues(option: string, value: unknown): FieldIssue[] {
  return value !== undefined && (typeof value !== 'string' || value.trim() === '')
    ? [{ field: option, message: `${option} must be a non-empty string` }]
    : [];
}

function booleanIssues(option: string, value: unknown): FieldIssue[] {
  return value !== undefined && typeof value !== 'boolean'
    ? [{ field: option, message: `${option} must be true or false` }]
    : [];
}

function hookIssues(option: string, value: unknown): FieldIssue[] {
  return value !== undefined && typeof value !== 'function'
    ? [{ field: option, message: `${option} must be a function` }]
    : [];
}

/** The issue of the proxy of `origin` (`proxyOf`: the option's, else the environment's). */
function proxyIssues(
  option: unknown,
  origin: string,
  proxyOf: (origin: string) => string | undefined,
): FieldIssue[] {
  if (option !== undefined && option !== false && typeof option !== 'string')
    return [{ field: 'proxy', message: 'proxy must be a URL string or false' }];
  const proxy = proxyOf(origin);
  if (proxy === undefined) return [];
  let url: URL | undefined;
  try {
    url = new URL(proxy);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'http:' || url.protocol === 'https:')) return [];
  // Never echo the value: a proxy URL may carry credentials.
  const from = option === undefined ? ' (from HTTPS_PROXY / HTTP_PROXY)' : '';
  return [{ field: 'proxy', message: `proxy${from} must be an http: or https: URL` }];
}

/** A URL without its trailing slashes, as the client keeps it. */
const strip = (url: string) => url.replace(/\/+$/, '');

/** Whether `env` is usable as the environment (left out: process.env). */
function isEnv(env: unknown): env is Record<string, string | undefined> | undefined {
  return env === undefined || (env !== null && typeof env === 'object');
}

/** Every problem of the options (after the environment), each naming its option; none: []. */
function configIssues(
  options: SonioxClientOptions,
  env: Record<string, string | undefined>,
  proxyOf: (origin: string) => string | undefined,
): FieldIssue[] {
  const issues: FieldIssue[] = unknownNameIssues(options, OPTION_NAMES);
  const add = (more: FieldIssue[]) => issues.push(...more);
  if (!isEnv(options.env)) {
    const message = 'env must be an object of environment variables (such as process.env)';
    add([{ field: 'env', message }]);
  }
  const apiKey = options.apiKey ?? env.SONIOX_API_KEY;
  // A header carries visible ASCII only: anything else would be stripped or refused on the way, silently.
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    add([{ field: 'apiKey', message: 'No API key: pass the apiKey option or set SONIOX_API_KEY' }]);
  } else if (!/^[\x21-\x7e]+$/.test(apiKey.trim()) || /[^\x20-\x7e]/.test(apiKey)) {
    const message =
      'apiKey must be printable ASCII (no spaces inside, no control or non-ASCII characters)';
    add([{ field: 'apiKey', message }]);
  }
  // SONIOX_BASE_DOMAIN and SONIOX_WS_URL (the official SDK's) count too (internal/hosts.ts);
  // variables that contradict each other are a problem of their own.
  const { region: r, baseURL: b, realtimeURL: w } = options;
  const hosts = hostsOrIssue({ region: r, baseURL: b, realtimeURL: w, env });
  if (!('baseURL' in hosts)) add([hosts]);
  const region: unknown = 'baseURL' in hosts ? hosts.region : undefined;
  // Own properties only: `'constructor' in {...}` is true.
  const regionOk = typeof region === 'string' && Object.hasOwn(REGION_DOMAINS, region);
  if ('baseURL' in hosts && !regionOk)
    add([{ field: 'region', message: `region must be one of us, eu, jp, got ${String(region)}` }]);
  // A bad region has no hosts: only URLs given explicitly are checked then.
  const baseURL = regionOk && 'baseURL' in hosts ? hosts.baseURL : options.baseURL;
  const realtimeURL = regionOk && 'baseURL' in hosts ? hosts.realtimeURL : options.realtimeURL;
  const baseIssues = baseURL === undefined ? [] : urlIssues('baseURL', baseURL, HTTP);
  const realtimeIssues =
    realtimeURL === undefined ? [] : urlIssues('realtimeURL', realtimeURL, ['ws:', 'wss:']);
  add([...baseIssues, ...realtimeIssues]);
  const { retry } = options;
  if (retry !== undefined && !isObject(retry)) {
    add([{ field: 'retry', message: 'retry must be an object such as { baseDelayMs: 500 }' }]);
  } else if (retry !== undefined) {
    add(unknownNameIssues(retry, RETRY_NAMES, 'retry.'));
  }
  add(booleanIssues('validateResponses', options.validateResponses));
  add(booleanIssues('adaptiveRate', options.adaptiveRate));
  add(booleanIssues('readConcurrencyLimit', options.readConcurrencyLimit));
  add(booleanIssues('autoClientReferenceId', options.autoClientReferenceId));
  add(recordIssues(options.record));
  add(headerIssues('headers', options.headers));
  add(logIssues(options.logger, options.logLevel));
  // One proxy issue at most: the REST and realtime origins share the option.
  const proxy = [
    ...(baseURL !== undefined && baseIssues.length === 0
      ? proxyIssues(options.proxy, strip(baseURL), proxyOf)
      : []),
    // The WebSocket's upgrade is an HTTP(S) request: its proxy is the one of the http(s) origin.
    ...(realtimeURL !== undefined && realtimeIssues.length === 0
      ? proxyIssues(options.proxy, strip(realtimeURL).replace(/^ws/, 'http'), proxyOf)
      : []),
  ];
  add(proxy.slice(0, 1));
  if (options.httpAgent !== undefined && !(options.httpAgent instanceof nodeHttp().Agent)) {
    const message = 'httpAgent must be an http.Agent (or https.Agent)';
    add([{ field: 'httpAgent', message }]);
  }
  add(numberIssues('maxSockets', options.maxSockets, 1, true));
  add(timerIssues('timeoutMs', options.timeoutMs, 1));
  add(timerIssues('uploadTimeoutMs', options.uploadTimeoutMs, 1));
  add(numberIssues('maxRetries', options.maxRetries, 0, true));
  if (isObject(retry)) {
    const { baseDelayMs, maxDelayMs, maxRetryAfterMs } = options.retry ?? {};
    add(timerIssues('retry.baseDelayMs', baseDelayMs, 0));
    add(timerIssues('retry.maxDelayMs', maxDelayMs, 0));
    add(timerIssues('retry.maxRetryAfterMs', maxRetryAfterMs, 0));
  }
  add(numberIssues('maxFreeSockets', options.maxFreeSockets, 0, true));
  add(timerIssues('freeSocketTimeoutMs', options.freeSocketTimeoutMs, 1));
  add(modelIssues('asyncModel', options.asyncModel));
  add(modelIssues('realtimeModel', options.realtimeModel));
  add(hookIssues('onRequest', options.onRequest));
  add(hookIssues('onResponse', options.onResponse));
  add(hookIssues('onRetry', options.onRetry));
  return issues;
}

const HTTP = ['http:', 'https:'];

/**
 * Applies defaults and the environment, after checking every option: one SonioxConfigError names
 * every problem found (its `option` the first one's).
 */
export function resolveConfig(options: SonioxClientOptions = {}): ResolvedConfig {
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new SonioxConfigError('options', 'options must be an object');
  const env = (isEnv(options.env) && options.env) || process.env;
  // Each origin's proxy is looked up once (the environment's costs a swap of process.env): the
  // checks and the resolution share it.
  const proxies = new Map<string, string | undefined>();
  const proxyOf = (origin: string) => {
    if (!proxies.has(origin)) proxies.set(origin, proxyFor(origin, options.proxy, env));
    return proxies.get(origin);
  };
  rejectConfigIssues(configIssues(options, env, proxyOf));
  // Past the checks: every value below is of its type and within its bounds.
  const { region: r, baseURL: b, realtimeURL: w } = options;
  const hosts = hostsOrIssue({ region: r, baseURL: b, realtimeURL: w, env }) as ResolvedHosts;
  const region = hosts.region as SonioxRegion;
  const baseURL = strip(hosts.baseURL);
  const realtimeURL = strip(hosts.realtimeURL);
  const retry = options.retry ?? {};
  const maxSockets = options.maxSockets ?? 100;
  return {
    apiKey: (options.apiKey ?? env.SONIOX_API_KEY) as string,
    region,
    baseURL,
    realtimeURL,
    timeoutMs: options.timeoutMs ?? 60_000,
    uploadTimeoutMs: options.uploadTimeoutMs ?? 120_000,
    retry: {
      maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
      baseDelayMs: retry.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
      maxDelayMs: retry.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
      maxRetryAfterMs: retry.maxRetryAfterMs ?? DEFAULT_RETRY_POLICY.maxRetryAfterMs,
    },
    maxSockets,
    maxFreeSockets: options.maxFreeSockets ?? Math.min(20, maxSockets),
    freeSocketTimeoutMs: options.freeSocketTimeoutMs ?? 4_000,
    validateResponses: options.validateResponses ?? true,
    adaptiveRate: options.adaptiveRate ?? true,
    readConcurrencyLimit: options.readConcurrencyLimit,
    autoClientReferenceId: options.autoClientReferenceId ?? true,
    proxy: proxyOf(baseURL),
    realtimeProxy: proxyOf(realtimeURL.replace(/^ws/, 'http')),
    httpAgent: options.httpAgent,
    asyncModel: options.asyncModel ?? DEFAULT_ASYNC_MODEL,
    realtimeModel: options.realtimeModel ?? DEFAULT_REALTIME_MODEL,
    onRequest: options.onRequest,
    onResponse: options.onResponse,
    onRetry: options.onRetry,
    record: options.record ?? (env.SONIOX_RECORD || undefined),
    headers: { ...options.headers },
    log: makeLog(
      options.logger,
      options.logLevel,
      (options.apiKey ?? env.SONIOX_API_KEY) as string,
    ),
  };
}

/** The issue of `record`: a directory path (an empty SONIOX_RECORD records nothing). */
function recordIssues(value: unknown): FieldIssue[] {
  if (value === undefined || value === '' || typeof value === 'string') return [];
  return [{ field: 'record', message: 'record must be a directory path (a string)' }];
}
