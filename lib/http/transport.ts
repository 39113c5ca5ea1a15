/**
 * The transport: one axios instance on agentkeepalive agents, axios-retry with our policy, our
 * hooks, and errors mapped to the SDK's. Resources call `request()`; nothing else touches axios.
 *
 * One attempt loop: axios-retry runs every retry of a call, and `decide` (its retryCondition)
 * alone says whether one follows: the retry policy, the call's one budget of retries, and for an
 * exactly-once create that may have taken effect, the lookup (found: the call ends with the item;
 * not found: the create is resent as a retry like any other, after the policy's delay). onRetry
 * is told in one place, `beforeRetry`, with the delay axios-retry then waits.
 */
import type { AxiosAdapter, AxiosError, AxiosInstance, AxiosResponse } from 'axios';
import { setMaxListeners } from 'node:events';
import type { Agent } from 'node:http';
import type { ResolvedConfig } from '../config';
import {
  SonioxAbortError,
  SonioxConnectionError,
  SonioxError,
  SonioxOutcomeUnknownError,
} from '../errors';
import { retryDelay } from './retry';
import { MAX_RESPONSE_MB, toSonioxError } from './error-mapping';
import { abortError } from '../internal/abort-error';
import { userAgent } from '../internal/package-info';
import {
  PAGE_SIZE,
  findCreated,
  mayHaveActed,
  type CreateLookup,
  type ListedItem,
  type ListedPage,
  type LookupResult,
} from './exactly-once';
import { follow } from '../internal/follow-signal';
import { AdaptiveLimiter } from '../internal/adaptive-rate';
import { httpLibraries, poolAgent } from './pool';
import { CallContext } from './call-context';
import { assertCallOptions, flowAge, type TransportRequest } from './call-options';
import { Admission } from './admission';
import { admittedAdapter } from './admitted-adapter';
import { callHook, installHooks } from './hooks';
import { leanDefaults } from './axios-defaults';
import { failureOf, isStopped, shouldRetry } from './retry-decision';
import { checkedBody } from './response-body';
import { poolStatsOf, type PoolStats } from './pool-stats';
import type { CassetteWriter } from '../cassette';
import { recordingAdapter } from './record';

export { callOptionIssues } from './call-options';
export type { CallOptions, StreamBody, TransportRequest } from './call-options';
export type { PoolStats } from './pool-stats';

/** Seams for specs: what the transport is built on besides the client's config. */
export interface TransportSeams {
  /**
   * The axios adapter every attempt goes through (by default the lean JSON adapter, which hands
   * uploads to axios' own http adapter): retry specs answer from a function where a socket adds
   * nothing.
   */
  adapter?: AxiosAdapter;
  /** Where each attempt is recorded (the `record` option), around whichever adapter is used. */
  cassette?: CassetteWriter | undefined;
}

/** Largest JSON response accepted (a long transcript is a few MB). */
const MAX_JSON_BYTES = MAX_RESPONSE_MB * 1024 * 1024;

/** Owns the axios instance and the agents of one client; both are built on the first request. */
export class Transport {
  // The config and the axios defaults hold the API key: `#private` keeps them out of
  // util.inspect, JSON and property enumeration.
  readonly #config: ResolvedConfig;
  #agent: Agent | undefined;
  #axiosInstance: AxiosInstance | undefined;
  /** The fair queue in front of the agent (none when its maxSockets is unbounded). */
  #admission: Admission | undefined;
  private closed = false;
  /**
   * The signal of every call made without one of the caller's: close() aborts them (and their
   * waits between retries) at once. Shared, so such a call allocates no controller of its own.
   */
  private readonly closing = new AbortController();
  /** The controller of every call in flight with a caller's signal, aborted by close() too. */
  private readonly inFlight = new Set<AbortController>();
  /** Paces every attempt of this client's calls once the server has answered 429 (adaptiveRate). */
  private readonly limiter: AdaptiveLimiter | undefined;
  readonly #seams: TransportSeams;

  constructor(config: ResolvedConfig, seams: TransportSeams = {}) {
    httpLibraries();
    // Each attempt in flight listens to it: as many listeners as calls at once, and no leak.
    setMaxListeners(0, this.closing.signal);
    this.#config = config;
    this.#seams = seams;
    this.limiter = config.adaptiveRate ? new AdaptiveLimiter() : undefined;
  }

  private get http(): AxiosInstance {
    if (this.#axiosInstance) return this.#axiosInstance;
    const config = this.#config;
    const { axios, axiosRetry, agents, jsonAdapter } = httpLibraries();
    const https = config.baseURL.startsWith('https:');
    const adapter = this.#seams.adapter ?? jsonAdapter(axios, axios.getAdapter('http'));
    const agent = poolAgent(config, agents, https);
    // Requests wait for a socket here, oldest flow first, not in the agent's FIFO (admission.ts).
    const limit = agent.maxSockets;
    const admission = Number.isFinite(limit) && limit > 0 ? new Admission(limit) : undefined;
    const recorded = this.#seams.cassette
      ? recordingAdapter(adapter, this.#seams.cassette)
      : adapter;
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
      // The caller's headers between the SDK's defaults and its key: a User-Agent of theirs wins,
      // an Authorization of theirs cannot exist (refused by the config check).
      headers: {
        'User-Agent': userAgent(),
        ...config.headers,
        Authorization: `Bearer ${config.apiKey}`,
      },
      // JSON calls skip the parts of axios' http adapter the transport never uses (json-adapter.ts).
      adapter: admission
        ? admittedAdapter(recorded, admission, axios, this.closing.signal)
        : recorded,
    });
    // Per call, axios copies its instance defaults: trimmed to what a call reads (issue 31).
    leanDefaults(http);
    installHooks(http, {
      limiter: this.limiter,
      onRequest: config.onRequest,
      onResponse: config.onResponse,
      log: config.log,
    });
    axiosRetry(http, {
      // The budget is the call's, counted by `decide` (a lookup may run after the last retry).
      retries: Number.MAX_SAFE_INTEGER,
      // axios `timeout` is per attempt (socket inactivity); do not shrink it across retries.
      shouldResetTimeout: true,
      retryCondition: (error) => this.decide(error),
      retryDelay: (retry, error) => this.delayFor(retry, error),
      // axios-retry re-dispatches error.config itself (it is the config it hands onRetry).
      onRetry: (retry, error) => this.beforeRetry(retry, error),
    });
    this.#agent = agent;
    this.#admission = admission;
    this.#axiosInstance = http;
    return http;
  }

  /** Sends a request; resolves with the parsed body (undefined for 204). */
  async request<T>(req: TransportRequest): Promise<T> {
    const log = this.#config.log;
    // Without a log, no wrapper: the call's own promise is the one returned.
    if (!log) return this.call<T>(req);
    try {
      return await this.call<T>(req);
    } catch (error) {
      const aborted = error instanceof SonioxAbortError;
      log(
        aborted ? 'debug' : 'error',
        `${req.method} ${req.path} failed: ${(error as Error).message}`,
      );
      throw error;
    }
  }

  /** The call behind `request` (see there). */
  private async call<T>(req: TransportRequest): Promise<T> {
    const what = `${req.method} ${req.path}`;
    assertCallOptions(what, req);
    if (this.closed) throw new SonioxConnectionError(`${what}: the client is closed`);
    if (req.signal?.aborted) throw abortError(req.signal, what);
    // A call without a signal of its own listens to close() alone (a shared signal). A call
    // with one gets a controller following it (one listener per signal however many calls
    // share it) and aborted by close(): axios and axios-retry listen to that one alone.
    if (!req.signal) return this.send<T>(req, what, this.closing.signal);
    const call = new AbortController();
    const unfollow = follow(req.signal, call);
    this.inFlight.add(call);
    try {
      return await this.send<T>(req, what, call.signal);
    } finally {
      this.inFlight.delete(call);
      unfollow();
    }
  }

  private async send<T>(req: TransportRequest, what: string, signal: AbortSignal): Promise<T> {
    const state = new CallContext(req, signal);
    state.timeoutMs =
      req.timeoutMs ?? (req.body ? this.#config.uploadTimeoutMs : this.#config.timeoutMs);
    state.maxRetries = req.maxRetries ?? this.#config.retry.maxRetries;
    const body = req.body?.();
    if (body) state.use(body.stream);
    let response: AxiosResponse;
    try {
      response = await this.http.request({
        method: req.method,
        url: req.path,
        ...(req.query && { params: req.query }),
        ...(body ? { data: body.stream } : { data: req.json }),
        ...((body || req.headers) && { headers: { ...req.headers, ...body?.headers } }),
        timeout: state.timeoutMs,
        signal,
        sonioxCall: state,
      });
    } catch (err) {
      state.current?.destroy();
      const settled = state.settled;
      if (settled) {
        if ('item' in settled) return settled.item as T;
        throw settled.error;
      }
      if (this.closed)
        throw new SonioxConnectionError(
          `${what}: the client was closed while the call was in flight`,
        );
      if (state.localError) throw state.localError;
      throw this.errorOf(err, state);
    }
    return checkedBody<T>(
      {
        method: req.method,
        path: req.path,
        schema: req.schema,
        validateResponses: this.#config.validateResponses,
      },
      response.status,
      response.data,
    );
  }

  /** The SDK error a failed attempt of the call `state` ends with. */
  private errorOf(err: unknown, state: CallContext): SonioxError {
    return toSonioxError(err, {
      method: state.req.method,
      path: state.req.path,
      apiKey: this.#config.apiKey,
      timeoutMs: state.timeoutMs,
      signal: state.req.signal,
      notReplayable: state.notReplayable,
      retryAfterMs: state.cappedRetryAfterMs,
      serverRetryAfterMs: state.serverRetryAfterMs,
    });
  }

  /**
   * axios-retry's retryCondition, the one place a failed attempt's fate is decided: a create that
   * may have taken effect is looked up (whatever the budget: the item may be there); any other
   * failure is retried by the policy while the call has a retry left.
   */
  private decide(error: AxiosError): boolean | Promise<boolean> {
    const call = error.config?.sonioxCall;
    if (!call) return false;
    const lookup = call.req.exactlyOnce;
    if (
      lookup &&
      !isStopped(error, call, this.closed) &&
      mayHaveActed(failureOf(error, call.req.method))
    )
      return this.settleByLookup(call, lookup, error);
    const why = call.req.atMostOnce;
    if (
      why &&
      !isStopped(error, call, this.closed) &&
      mayHaveActed(failureOf(error, call.req.method))
    ) {
      // No lookup possible: at most once, and the error says why (never a silent resend).
      const failure = this.errorOf(error, call);
      call.settled = {
        error: new SonioxConnectionError(
          `${call.req.method} ${call.req.path} got no answer (${failure.message}) and may have taken effect; it is not resent: ${why}`,
          {
            cause: failure,
            errno: failure instanceof SonioxConnectionError ? failure.errno : undefined,
          },
        ),
      };
      return false;
    }
    if (call.attempt > call.maxRetries) return false;
    return shouldRetry(error, this.#config.retry, this.closed);
  }

  /**
   * Looks up a create that got no answer: found, the call ends with the item; the lookup failed
   * or was cut, the call ends with its error; not found, the create is resent if its body can be
   * and the call has a retry left.
   */
  private async settleByLookup(
    call: CallContext,
    lookup: CreateLookup,
    error: AxiosError,
  ): Promise<boolean> {
    const retryLeft = call.attempt <= call.maxRetries;
    // A one-shot stream is consumed: the error says it cannot be resent when a retry was due.
    if (retryLeft && call.req.body && !call.req.replayable) call.notReplayable = true;
    // No answer, so no Retry-After: the resend waits the policy's backoff.
    call.serverRetryAfterMs = undefined;
    const what = `${call.req.method} ${call.req.path}`;
    // As the call's failure does: the body is not sent again as it is (a retry makes a new one).
    call.current?.destroy();
    try {
      const item = await this.lookUp(
        lookup,
        what,
        call.age,
        call.sentAt,
        call.signal,
        this.errorOf(error, call),
      );
      if (item === undefined) return retryLeft && !call.notReplayable;
      call.settled = { item };
    } catch (failure) {
      call.settled = { error: failure };
    }
    return false;
  }

  /**
   * Asks the server whether a create that got no answer took effect: the item it made, or
   * undefined when it made none. A lookup that fails or cannot decide is a
   * SonioxOutcomeUnknownError carrying the reference (an abort or a close stays what it is).
   */
  private async lookUp(
    lookup: CreateLookup,
    what: string,
    age: number,
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
          // The lookup is the create's: it waits for a socket at the create's flow's age.
          [flowAge]: age,
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

  /** Whether untagged creates and uploads get a `client_reference_id` of the SDK's (`sdk-<uuid>`). */
  get autoClientReferenceId(): boolean {
    return this.#config.autoClientReferenceId;
  }

  /** Inactivity timeout of uploads, in ms (also bounds the wait for a stream source's first chunk). */
  get uploadTimeoutMs(): number {
    return this.#config.uploadTimeoutMs;
  }

  /** Pool figures (see {@link PoolStats}). */
  poolStats(): PoolStats {
    const stats = poolStatsOf(this.#agent);
    // Requests waiting for a socket wait at the admission, in front of the agent.
    if (this.#admission) stats.queued += this.#admission.queued;
    return stats;
  }

  /**
   * Ends the client: every call in flight rejects at once (no retry goes out), later calls
   * reject without a request, and the agents' sockets are destroyed. Idempotent.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const closed = new SonioxConnectionError('the client is closed');
    this.closing.abort(closed);
    for (const call of this.inFlight) call.abort(closed);
    this.inFlight.clear();
    this.limiter?.close(closed);
    this.#admission?.close(closed);
    // Your own agent is yours to end.
    if (this.#agent !== this.#config.httpAgent) this.#agent?.destroy();
  }

  private delayFor(retry: number, error: AxiosError): number {
    const state = error.config?.sonioxCall;
    const delay = retryDelay(retry, state?.serverRetryAfterMs, this.#config.retry);
    if (state) state.delayMs = delay;
    return delay;
  }

  private beforeRetry(retry: number, error: AxiosError): void {
    const cfg = error.config;
    const state = cfg?.sonioxCall;
    if (!cfg || !state) return;
    if (state.req.body) {
      state.current?.destroy();
      const next = state.req.body();
      cfg.data = state.use(next.stream);
      for (const [name, value] of Object.entries(next.headers)) cfg.headers.set(name, value);
    }
    const failure = toSonioxError(error, {
      method: state.req.method,
      path: state.req.path,
      apiKey: this.#config.apiKey,
      timeoutMs: cfg.timeout ?? 0,
    });
    this.#config.log?.(
      'warn',
      `retry ${retry} of ${state.req.method} ${state.req.path} in ${state.delayMs} ms: ${failure.message}`,
    );
    callHook('onRetry', this.#config.onRetry, {
      method: state.req.method,
      url: state.req.path,
      attempt: retry + 1,
      delayMs: state.delayMs,
      error: failure,
    });
  }
}
