/**
 * The transport: one axios instance on agentkeepalive agents, axios-retry with our policy, our
 * hooks, and errors mapped to the SDK's. Resources call `request()`; nothing else touches axios.
 */
import type { Readable } from 'node:stream';
import type {
  AxiosError,
  AxiosInstance,
  AxiosRequestConfig,
  AxiosResponse,
  InternalAxiosRequestConfig,
} from 'axios';
import type { Agent } from 'node:http';
import type { HttpAgent } from 'agentkeepalive';
import type { ResolvedConfig } from '../config';
import {
  SonioxConnectionError,
  SonioxError,
  SonioxHookError,
  SonioxOutcomeUnknownError,
  SonioxResponseError,
  SonioxValidationError,
} from '../errors';
import { describeIssues, validate, type ResponseSchemaName } from '../schemas';
import {
  exceedsRetryAfterCap,
  isRetryableFailure,
  parseRetryAfter,
  retryDelay,
  type AttemptFailure,
} from './retry';
import {
  MAX_RESPONSE_MB,
  abortError,
  isAxiosError,
  isCutResponse,
  toSonioxError,
} from './error-mapping';
import {
  PAGE_SIZE,
  findCreated,
  mayHaveActed,
  type CreateLookup,
  type ListedItem,
  type ListedPage,
  type LookupResult,
} from './exactly-once';
import { follow } from './follow-signal';
import { AdaptiveLimiter } from './adaptive-rate';
import { proxyAgent } from './proxy';
import { MAX_TIMER_MS } from './sleep';

/** Options every network method accepts. */
export interface CallOptions {
  /** Aborts the call (and any wait between retries) at once. */
  signal?: AbortSignal | undefined;
  /** Per-attempt inactivity timeout for this call, in ms. */
  timeoutMs?: number | undefined;
  /** Retries for this call (overrides the client's maxRetries). */
  maxRetries?: number | undefined;
}

/** A streamed request body, made fresh for each attempt. */
export interface StreamBody {
  stream: Readable;
  headers: Record<string, string>;
}

/** One call of the transport. */
export interface TransportRequest extends CallOptions {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under the origin, e.g. `/v1/files`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON body. */
  json?: unknown;
  /** Streamed body factory: called once per attempt (a retry gets a fresh stream). */
  body?: () => StreamBody;
  /** Whether `body` can be called again after a failed attempt. */
  replayable?: boolean;
  /** Response schema to check 2xx bodies against (when validateResponses). */
  schema?: ResponseSchemaName;
  /**
   * Makes a create exactly-once: a failure with no answer after the server may have read the
   * request is settled by a lookup (see exactly-once.ts), then the item returned or the call resent.
   */
  exactlyOnce?: CreateLookup;
}

/** Connection pool figures, from agentkeepalive. */
export interface PoolStats {
  /** Sockets opened since the client was made. */
  socketsCreated: number;
  /** Requests sent (every attempt counts). */
  requests: number;
  /** Share of requests that went out on an already open socket (0..1). */
  reuseRatio: number;
  /** Requests waiting for a socket right now. */
  queued: number;
  /** Sockets busy right now. */
  activeSockets: number;
  /** Idle sockets kept open right now. */
  freeSockets: number;
}

/**
 * Checks the options every network method takes; a SonioxValidationError names each bad one,
 * before any request (a wrong signal would otherwise be a TypeError from inside axios, a timeout
 * over 2^31-1 ms a timer that fires after 1 ms).
 */
export function checkCallOptions(what: string, options: CallOptions): void {
  const issues: Array<{ field: string; message: string }> = [];
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    issues.push({ field: 'signal', message: 'must be an AbortSignal' });
  const t = options.timeoutMs;
  if (t !== undefined && (!Number.isFinite(t) || t < 1 || t > MAX_TIMER_MS)) {
    issues.push({
      field: 'timeoutMs',
      message: `must be a number of ms from 1 to ${MAX_TIMER_MS}`,
    });
  }
  const r = options.maxRetries;
  if (r !== undefined && (!Number.isInteger(r) || r < 0))
    issues.push({ field: 'maxRetries', message: 'must be an integer >= 0' });
  if (issues.length) {
    throw new SonioxValidationError(
      `${what}: invalid options: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`,
      issues,
    );
  }
}

/** Per-call state carried through axios-retry's re-dispatches (a class, so axios keeps the reference). */
class CallState {
  attempt = 0;
  /** When this attempt took its token from the adaptive limiter. */
  tokenAt = 0;
  startedAt = 0;
  delayMs = 0;
  notReplayable = false;
  cappedRetryAfterMs: number | undefined;
  serverRetryAfterMs: number | undefined;
  current: Readable | undefined;
  /** An SDK error the body stream failed with (wrong size, onProgress threw): reported as is, never retried. */
  localError: SonioxError | undefined;
  constructor(readonly req: TransportRequest) {}

  /** Takes this attempt's body stream, watching it for a local failure. */
  use(stream: Readable): Readable {
    this.current = stream;
    stream.once('error', (error) => {
      if (error instanceof SonioxError) this.localError ??= error;
    });
    return stream;
  }
}

/** Runs one of the caller's hooks; what it throws comes back as itself, in a SonioxHookError. */
function callHook<A>(name: string, hook: ((arg: A) => void) | undefined, arg: A): void {
  try {
    hook?.(arg);
  } catch (error) {
    throw new SonioxHookError(name, error);
  }
}

type StatefulConfig = InternalAxiosRequestConfig & { sonioxState?: CallState };

const sum = (counts: Record<string, number>): number =>
  Object.values(counts).reduce((a, b) => a + b, 0);

/** Entries across the per-origin lists of a node:http agent. */
const count = (lists: NodeJS.ReadOnlyDict<readonly unknown[]>): number =>
  Object.values(lists).reduce((a: number, list) => a + (list?.length ?? 0), 0);

/** Whether the agent is agentkeepalive's (it reports its own pool figures). */
function isKeepAliveAgent(agent: Agent): agent is HttpAgent {
  return typeof (agent as Partial<HttpAgent>).getCurrentStatus === 'function';
}

/** Largest JSON response accepted (a long transcript is a few MB). */
const MAX_JSON_BYTES = MAX_RESPONSE_MB * 1024 * 1024;

/** The HTTP libraries, loaded once per process by the first client rather than at `require` time. */
interface HttpLibraries {
  axios: typeof import('axios').default;
  axiosRetry: typeof import('axios-retry').default;
  agents: typeof import('agentkeepalive');
}
let libraries: HttpLibraries | undefined;

/**
 * Loads axios, axios-retry and agentkeepalive (about four fifths of the package's load time):
 * a program that only imports the SDK, or only its types, error classes or webhook helpers,
 * never pays for them. The first client pays once, so first calls stay fast.
 */
function httpLibraries(): HttpLibraries {
  /* eslint-disable @typescript-eslint/no-require-imports */
  libraries ??= {
    axios: (require('axios') as typeof import('axios')).default,
    axiosRetry: (require('axios-retry') as typeof import('axios-retry')).default,
    agents: require('agentkeepalive') as typeof import('agentkeepalive'),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return libraries;
}

/** Owns the axios instance and the agents of one client; both are built on the first request. */
export class Transport {
  // The config and the axios defaults hold the API key: `#private` keeps them out of
  // util.inspect, JSON and property enumeration.
  readonly #config: ResolvedConfig;
  #agent: Agent | undefined;
  #axiosInstance: AxiosInstance | undefined;
  private closed = false;
  /** The controller of every call in flight: close() aborts them (and their waits between retries) at once. */
  private readonly inFlight = new Set<AbortController>();
  /** Paces every attempt of this client's calls once the server has answered 429 (adaptiveRate). */
  private readonly limiter: AdaptiveLimiter | undefined;

  constructor(config: ResolvedConfig) {
    httpLibraries();
    this.#config = config;
    this.limiter = config.adaptiveRate ? new AdaptiveLimiter() : undefined;
  }

  private get http(): AxiosInstance {
    if (this.#axiosInstance) return this.#axiosInstance;
    const config = this.#config;
    const { axios, axiosRetry, agents } = httpLibraries();
    const https = config.baseURL.startsWith('https:');
    const agentOptions = {
      maxSockets: config.maxSockets,
      maxFreeSockets: config.maxFreeSockets,
      freeSocketTimeout: config.freeSocketTimeoutMs,
      // agentkeepalive's own socket timeout also fires on busy sockets: keep it above every
      // request's inactivity timeout so only ours decides.
      timeout: Math.max(config.timeoutMs, config.uploadTimeoutMs) + 5_000,
    };
    const agent =
      config.httpAgent ??
      (config.proxy !== undefined
        ? proxyAgent(config.proxy, agentOptions)
        : https
          ? new agents.HttpsAgent(agentOptions)
          : new agents.HttpAgent(agentOptions));
    const http = axios.create({
      baseURL: config.baseURL,
      httpAgent: https ? undefined : agent,
      httpsAgent: https ? agent : undefined,
      // follow-redirects would keep a copy of every body chunk to replay redirects.
      maxRedirects: 0,
      maxBodyLength: Infinity,
      maxContentLength: MAX_JSON_BYTES,
      responseType: 'json',
      proxy: false,
      headers: { Authorization: `Bearer ${config.apiKey}`, 'User-Agent': 'soniox-pro-sdk' },
    });
    this.installHooks(http);
    axiosRetry(http, {
      retries: config.retry.maxRetries,
      // axios `timeout` is per attempt (socket inactivity); do not shrink it across retries.
      shouldResetTimeout: true,
      retryCondition: (error) => this.shouldRetry(error),
      retryDelay: (retry, error) => this.delayFor(retry, error),
      onRetry: (retry, error, requestConfig) =>
        this.beforeRetry(retry, error, requestConfig as StatefulConfig),
    });
    this.#agent = agent;
    this.#axiosInstance = http;
    return http;
  }

  /** Sends a request; resolves with the parsed body (undefined for 204). */
  async request<T>(req: TransportRequest): Promise<T> {
    const what = `${req.method} ${req.path}`;
    checkCallOptions(what, req);
    if (this.closed) throw new SonioxConnectionError(`${what}: the client is closed`);
    if (req.signal?.aborted) throw abortError(req.signal, what);
    // One controller per call, following the caller's signal (one listener per signal however
    // many calls share it) and aborted by close(): axios and axios-retry listen to it alone.
    const call = new AbortController();
    const unfollow = req.signal ? follow(req.signal, call) : () => undefined;
    this.inFlight.add(call);
    try {
      return await this.send<T>(req, what, call.signal);
    } finally {
      this.inFlight.delete(call);
      unfollow();
    }
  }

  private async send<T>(req: TransportRequest, what: string, signal: AbortSignal): Promise<T> {
    const state = new CallState(req);
    const timeoutMs =
      req.timeoutMs ?? (req.body ? this.#config.uploadTimeoutMs : this.#config.timeoutMs);
    const maxRetries = req.maxRetries ?? this.#config.retry.maxRetries;
    const sentAt = Date.now();
    let body = req.body?.();
    let response: AxiosResponse;
    for (;;) {
      if (body) state.use(body.stream);
      const config: AxiosRequestConfig & { sonioxState: CallState } = {
        method: req.method,
        url: req.path,
        ...(req.query && { params: req.query }),
        ...(body ? { data: body.stream, headers: body.headers } : { data: req.json }),
        timeout: timeoutMs,
        signal,
        sonioxState: state,
        // A resend after a lookup spends one of the call's retries: axios-retry gets what is left.
        'axios-retry': { retries: Math.max(0, maxRetries - state.attempt) },
      };
      try {
        response = await this.http.request(config);
        break;
      } catch (err) {
        state.current?.destroy();
        if (this.closed)
          throw new SonioxConnectionError(
            `${what}: the client was closed while the call was in flight`,
          );
        if (state.localError) throw state.localError;
        const error = toSonioxError(err, {
          method: req.method,
          path: req.path,
          apiKey: this.#config.apiKey,
          timeoutMs,
          signal: req.signal,
          notReplayable: state.notReplayable,
          retryAfterMs: state.cappedRetryAfterMs,
          serverRetryAfterMs: state.serverRetryAfterMs,
        });
        const failure = isAxiosError(err) ? this.failureOf(err, state) : undefined;
        if (!req.exactlyOnce || !failure || !mayHaveActed(failure)) throw error;
        const found = await this.lookUp(req.exactlyOnce, what, sentAt, signal, error);
        if (found !== undefined) return found as T;
        // Not created: resend, if the body can be sent again and the call has a retry left.
        if ((req.body && !req.replayable) || state.attempt > maxRetries) throw error;
        callHook('onRetry', this.#config.onRetry, {
          method: req.method,
          url: req.path,
          attempt: state.attempt + 1,
          delayMs: 0,
          error,
        });
        state.notReplayable = false;
        body = req.body?.();
      }
    }
    if (response.status === 204 || response.data === '' || response.data === undefined) {
      // A call that expects a body (it has a response schema) never resolves with nothing.
      if (req.schema)
        throw new SonioxResponseError(
          `${what}: the server answered ${response.status} with no body where one was expected`,
          [{ field: '(body)', message: 'missing' }],
        );
      return undefined as T;
    }
    return this.checked<T>(req, response.data);
  }

  /**
   * Asks the server whether a create that got no answer took effect: the item it made, or
   * undefined when it made none. A lookup that fails or cannot decide is a
   * SonioxOutcomeUnknownError carrying the reference (an abort or a close stays what it is).
   */
  private async lookUp(
    lookup: CreateLookup,
    what: string,
    sentAt: number,
    signal: AbortSignal,
    failure: SonioxError,
  ): Promise<unknown> {
    const schema = lookup.listKey === 'transcriptions' ? 'transcriptionList' : 'fileList';
    const listPage = async (cursor: string | undefined): Promise<ListedPage> => {
      const page = await this.send<Record<string, unknown>>(
        {
          method: 'GET',
          path: lookup.listPath,
          query: { limit: PAGE_SIZE, cursor },
          schema,
        },
        `GET ${lookup.listPath}`,
        signal,
      );
      const items = page[lookup.listKey];
      const next = page.next_page_cursor;
      return {
        items: Array.isArray(items) ? (items as ListedItem[]) : [],
        next: typeof next === 'string' ? next : null,
      };
    };
    let result: LookupResult;
    try {
      result = await findCreated(listPage, lookup, sentAt);
    } catch (error) {
      if (this.closed || signal.aborted) throw error;
      result = {
        kind: 'undecided',
        reason: `the lookup failed: ${error instanceof Error ? error.message : String(error)}`,
        cause: error,
      };
    }
    if (result.kind === 'found') return result.item;
    if (result.kind === 'absent') return undefined;
    throw new SonioxOutcomeUnknownError(
      `${what} got no answer (${failure.message}) and whether it took effect is unknown: ` +
        `${result.reason}; look for client_reference_id "${lookup.reference}" before creating it again`,
      lookup.reference,
      failure instanceof SonioxConnectionError && failure.errno !== undefined
        ? { cause: result.cause ?? failure, errno: failure.errno }
        : { cause: result.cause ?? failure },
    );
  }

  /** Inactivity timeout of uploads, in ms (also bounds the wait for a stream source's first chunk). */
  get uploadTimeoutMs(): number {
    return this.#config.uploadTimeoutMs;
  }

  /** Pool figures (see {@link PoolStats}). */
  poolStats(): PoolStats {
    if (!this.#agent)
      return {
        socketsCreated: 0,
        requests: 0,
        reuseRatio: 0,
        queued: 0,
        activeSockets: 0,
        freeSockets: 0,
      };
    if (!isKeepAliveAgent(this.#agent)) {
      // A proxy tunnel or your own agent: what node:http shows (it counts no sockets made).
      const { requests: waiting, sockets, freeSockets } = this.#agent;
      return {
        socketsCreated: 0,
        requests: 0,
        reuseRatio: 0,
        queued: count(waiting),
        activeSockets: count(sockets),
        freeSockets: count(freeSockets),
      };
    }
    const s = this.#agent.getCurrentStatus();
    const requests = s.requestCount;
    return {
      socketsCreated: s.createSocketCount,
      requests,
      reuseRatio: requests === 0 ? 0 : Math.max(0, requests - s.createSocketCount) / requests,
      queued: sum(s.requests),
      activeSockets: sum(s.sockets),
      freeSockets: sum(s.freeSockets),
    };
  }

  /**
   * Ends the client: every call in flight rejects at once (no retry goes out), later calls
   * reject without a request, and the agents' sockets are destroyed. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const closed = new SonioxConnectionError('the client is closed');
    for (const call of this.inFlight) call.abort(closed);
    this.inFlight.clear();
    this.limiter?.close(closed);
    // Your own agent is yours to end.
    if (this.#agent !== this.#config.httpAgent) this.#agent?.destroy();
  }

  private checked<T>(req: TransportRequest, data: unknown): T {
    if (!req.schema) return data as T;
    // Whatever validateResponses says, text (or any non-object) is never handed out typed as a model.
    if (typeof data === 'string') {
      throw new SonioxResponseError(
        `${req.method} ${req.path}: the response body is not valid JSON`,
        [{ field: '(body)', message: 'not JSON' }],
      );
    }
    // Every model is a JSON object: null, a number or a list is not drift that lenient mode may let through.
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new SonioxResponseError(
        `${req.method} ${req.path}: the response body is not a JSON object`,
        [{ field: '(body)', message: 'not an object' }],
      );
    }
    if (!this.#config.validateResponses) return data as T;
    const issues = validate(req.schema, data);
    if (issues.length) {
      throw new SonioxResponseError(
        `${req.method} ${req.path}: the response does not match the API schema (${describeIssues(issues)}); ` +
          'pass validateResponses: false to accept it',
        issues.map(({ field, message }) => ({ field, message })),
      );
    }
    return data as T;
  }

  private installHooks(http: AxiosInstance): void {
    const { onRequest, onResponse } = this.#config;
    const limiter = this.limiter;
    const start = (state: CallState) => {
      state.attempt += 1;
      state.startedAt = performance.now();
      callHook('onRequest', onRequest, {
        method: state.req.method,
        url: state.req.path,
        attempt: state.attempt,
      });
    };
    http.interceptors.request.use(async (cfg: StatefulConfig) => {
      const state = cfg.sonioxState;
      if (!state) return cfg;
      // Every attempt, retries included, waits its turn once the server has throttled the client.
      if (limiter) state.tokenAt = await limiter.acquire(cfg.signal as AbortSignal | undefined);
      start(state);
      return cfg;
    });
    const report = (
      cfg: StatefulConfig | undefined,
      status: number | undefined,
      rateLimited = false,
    ) => {
      const state = cfg?.sonioxState;
      if (state && status !== undefined) {
        // Only a 429 with a Retry-After is a rate limit; one without (a quota such as pending
        // transcriptions) says nothing about the rate.
        if (rateLimited) limiter?.onThrottle(state.tokenAt);
        else if (status !== 429) limiter?.onSuccess();
        callHook('onResponse', onResponse, {
          method: state.req.method,
          url: state.req.path,
          attempt: state.attempt,
          status,
          durationMs: performance.now() - state.startedAt,
        });
      }
    };
    http.interceptors.response.use(
      (res) => {
        report(res.config as StatefulConfig, res.status);
        return res;
      },
      (error: AxiosError) => {
        const response = error.response;
        report(
          error.config as StatefulConfig | undefined,
          response?.status,
          response?.status === 429 && parseRetryAfter(response.headers) !== undefined,
        );
        return Promise.reject(error);
      },
    );
  }

  private failureOf(error: AxiosError, state: CallState): AttemptFailure {
    const request = error.request as { writableFinished?: boolean } | undefined;
    const cut = isCutResponse(error);
    return {
      method: state.req.method,
      status: cut ? undefined : error.response?.status,
      errorCode: cut ? 'ECONNRESET' : error.response ? undefined : error.code,
      // A response had begun, or Node flushed the whole request to the socket: the server may have it all.
      requestFullySent:
        cut || error.response !== undefined
          ? true
          : request === undefined
            ? undefined
            : request.writableFinished === true,
      bodyReplayable: true,
    };
  }

  private shouldRetry(error: AxiosError): boolean {
    const state = (error.config as StatefulConfig | undefined)?.sonioxState;
    if (
      this.closed ||
      !state ||
      state.localError ||
      state.req.signal?.aborted ||
      error.code === 'ERR_CANCELED'
    )
      return false;
    if (state.req.body && !state.req.replayable) {
      // A one-shot stream is (partly) consumed: nothing can be re-sent. Say so when the
      // connection failed mid-way; an HTTP answer keeps its own, more precise, error.
      if (!error.response || isCutResponse(error)) state.notReplayable = true;
      return false;
    }
    const failure = this.failureOf(error, state);
    if (!isRetryableFailure(failure)) return false;
    const retryAfterMs = error.response ? parseRetryAfter(error.response.headers) : undefined;
    state.serverRetryAfterMs = retryAfterMs;
    if (exceedsRetryAfterCap(retryAfterMs, this.#config.retry)) {
      state.cappedRetryAfterMs = retryAfterMs;
      return false;
    }
    return true;
  }

  private delayFor(retry: number, error: AxiosError): number {
    const state = (error.config as StatefulConfig | undefined)?.sonioxState;
    const delay = retryDelay(retry, state?.serverRetryAfterMs, this.#config.retry);
    if (state) state.delayMs = delay;
    return delay;
  }

  private beforeRetry(retry: number, error: AxiosError, cfg: StatefulConfig): void {
    const state = cfg.sonioxState;
    if (!state) return;
    if (state.req.body) {
      state.current?.destroy();
      const next = state.req.body();
      cfg.data = state.use(next.stream);
      for (const [name, value] of Object.entries(next.headers)) cfg.headers.set(name, value);
    }
    callHook('onRetry', this.#config.onRetry, {
      method: state.req.method,
      url: state.req.path,
      attempt: retry + 1,
      delayMs: state.delayMs,
      error: toSonioxError(error, {
        method: state.req.method,
        path: state.req.path,
        apiKey: this.#config.apiKey,
        timeoutMs: cfg.timeout ?? 0,
      }),
    });
  }
}
