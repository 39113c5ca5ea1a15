/**
 * SonioxClient: resolves the options, creates the transport and exposes the resources. The
 * transport is made with the client (it loads the HTTP libraries, once per process); its axios
 * instance and socket pool wait for the first call, so construction opens no socket.
 */
import type { Agent } from 'node:http';
import { resolveConfig, type ResolvedConfig, type SonioxClientOptions } from './config';
import { SonioxConnectionError } from './errors';
import { AdaptiveLimiter } from './internal/adaptive-rate';
import { proxyAgent } from './internal/proxy';
import { Transport, type PoolStats } from './http/transport';
import { Auth } from './resources/auth';
import { ConcurrencyLimits } from './resources/concurrency-limits';
import { Files } from './resources/files';
import { Models } from './resources/models';
import { Transcriptions } from './resources/transcriptions';
import { UsageLogs } from './resources/usage-logs';
import { isObject, rejectIssues } from './internal/issues';
import { Webhooks } from './resources/webhooks';
import { ModelCatalogue, registerCatalogue } from './model-catalogue';
import { RealtimeStream, type RealtimeMarker, type RealtimeStreamConfig } from './realtime/stream';
import { WarmPool, preconnectIssues, type PreconnectOptions } from './realtime/warm-pool';
import { defaultWebSocketFactory } from './realtime/connection';
import { MAX_TIMER_MS } from './internal/sleep';
import { ChannelSplitStream, type ChannelSplitConfig } from './realtime/channel-split';
import { MediaStreamTranscriber, type MediaStreamConfig } from './realtime/media-stream';
import {
  transcribe,
  type TranscribeOptions,
  type TranscribeResult,
  type TranscribeSource,
} from './transcribe';
import { translate, type TranslateOptions } from './translate';
import {
  transcribeMany,
  type BatchResult,
  type BatchSource,
  type TranscribeManyOptions,
} from './batch';
import type { RealtimeToken } from './types';
import { CassetteWriter } from './cassette';
import { recordingFactory } from './realtime/record';
import { LIMIT_READ_TIMEOUT_MS, SessionSlots, sameDeployment } from './realtime/session-slots';

export type {
  TranscribeOptions,
  TranscribeResult,
  TranscribeSource,
  CleanupTarget,
  CleanupEvent,
} from './transcribe';

/** The Soniox API client. */
export class SonioxClient {
  /** Stored files: upload, get, delete, list, iterate. */
  readonly files: Files;
  /** Async transcriptions: create, get, delete, list, iterate, getTranscript, wait. */
  readonly transcriptions: Transcriptions;
  /** The model catalogue. */
  readonly models: Models;
  /** Temporary keys. */
  readonly auth: Auth;
  /** Webhook verification and handlers (no network). */
  readonly webhooks: Webhooks;
  /** Per-request usage records (cost, audio duration, client_reference_id) and a daily summary. */
  readonly usageLogs: UsageLogs;
  /** Live counts of realtime sessions against the configured limits, and their history. */
  readonly concurrencyLimits: ConcurrencyLimits;
  // The resolved config holds the API key and the transport owns it too: `#private` keeps both
  // out of util.inspect, JSON and property enumeration.
  readonly #config: ResolvedConfig;
  readonly #transport: Transport;
  /** The tunnel of realtime sessions through the proxy, made with the first one. */
  /** Realtime session starts queue here once the account's limits answered 429 (adaptiveRate). */
  readonly #sessionLimiter: AdaptiveLimiter | undefined;
  /** Realtime starts over the account's concurrent-session limit wait here (readConcurrencyLimit). */
  readonly #sessionSlots: SessionSlots | undefined;
  /** The warm realtime sockets of preconnect(), once asked for. */
  #warm: WarmPool | undefined;
  /** Session caps of the temporary keys minted by `auth` (a realtime rollover reads them). */
  readonly #keySessionCaps = new Map<string, number>();
  /** The model list transcribe() and transcribeMany() check a request against before uploading. */
  readonly #catalogue: ModelCatalogue;
  /** The cassette this client records to (`record` option), if any. */
  readonly #cassette: CassetteWriter | undefined;

  /** Throws SonioxConfigError for a missing key or a malformed option. */
  constructor(options: SonioxClientOptions = {}) {
    this.#config = resolveConfig(options);
    const { record, apiKey, baseURL, realtimeURL } = this.#config;
    this.#cassette = record
      ? new CassetteWriter(record, [apiKey], { baseURL, realtimeURL })
      : undefined;
    this.#transport = new Transport(this.#config, { cassette: this.#cassette });
    this.#sessionLimiter = this.#config.adaptiveRate ? new AdaptiveLimiter() : undefined;
    const readLimit = this.#config.readConcurrencyLimit ?? sameDeployment(baseURL, realtimeURL);
    this.#sessionSlots =
      this.#sessionLimiter && readLimit
        ? new SessionSlots((signal) => this.readSessionLimit(signal))
        : undefined;
    this.files = new Files(this.#transport);
    this.transcriptions = new Transcriptions(this.#transport, this.#config.asyncModel);
    this.models = new Models(this.#transport);
    this.auth = new Auth(this.#transport, this.#keySessionCaps);
    this.webhooks = new Webhooks(this.transcriptions);
    this.usageLogs = new UsageLogs(this.#transport);
    this.concurrencyLimits = new ConcurrencyLimits(this.#transport);
    this.#catalogue = new ModelCatalogue(
      this.models,
      this.#config.asyncModel,
      this.#config.realtimeModel,
    );
    registerCatalogue(this, this.#catalogue);
  }

  /** The REST origin this client talks to. */
  get baseURL(): string {
    return this.#config.baseURL;
  }

  /** The realtime WebSocket URL this client connects to. */
  get realtimeURL(): string {
    return this.#config.realtimeURL;
  }

  /**
   * The whole async flow: upload (or use `audio_url` / `file_id`), create, wait, fetch the
   * transcript, then clean up (see `cleanup`), even when a step failed or the flow was aborted,
   * and even while the job is still processing (cleanup waits for it, bounded). Resolves to the
   * transcription as it ended, its transcript attached (`text`, `tokens`, `transcript`).
   */
  transcribe(source: TranscribeSource, options: TranscribeOptions = {}): Promise<TranscribeResult> {
    const { files, transcriptions } = this;
    return transcribe({ files, transcriptions, catalogue: this.#catalogue }, source, options);
  }

  /**
   * `transcribe()` with translation: `to` (one-way, every spoken language into `to`; `from`
   * hints the source language) or `between: [a, b]` (two-way, both hinted), mapped onto the
   * documented `translation` and `language_hints`. Same sources, cleanup, signal and result;
   * contradictory input or a language code the model list lacks is refused before the upload,
   * every problem in one SonioxValidationError.
   */
  translate(source: TranscribeSource, options: TranslateOptions): Promise<TranscribeResult> {
    const { files, transcriptions } = this;
    return translate({ files, transcriptions, catalogue: this.#catalogue }, source, options);
  }

  /**
   * Transcribes many inputs (paths, Buffers, `{ audio_url }`), pulled lazily from an iterable or
   * async iterable, `concurrency` at a time, waiting on the account's quotas, cleaning up as it
   * goes; with a `journal`, a stopped batch resumes where it was and creates nothing twice.
   * Yields one result per input in completion order; throws SonioxValidationError for bad options.
   */
  transcribeMany<S extends BatchSource>(
    sources: Iterable<S> | AsyncIterable<S>,
    options: TranscribeManyOptions = {},
  ): AsyncGenerator<BatchResult<S>, void, undefined> {
    // The options' own checks throw here, at the call; the model check (a request, the first
    // time) runs before the first input is pulled.
    const batch = transcribeMany(this, sources, options);
    const catalogue = this.#catalogue;
    return (async function* checked() {
      try {
        await catalogue.check(options, { what: 'transcribeMany', signal: options.signal });
      } catch (e) {
        await batch.return(undefined);
        throw e;
      }
      yield* batch;
    })();
  }

  /**
   * A realtime session as a Duplex: audio bytes in, token objects out. Returns at once; it
   * connects on the first write or on `connect()`. With `markers: 'inband'` the readable side
   * yields `{ marker }` objects among the tokens.
   */
  realtime(config: ChannelSplitConfig): ChannelSplitStream;
  realtime(
    config: RealtimeStreamConfig & { markers: 'inband' },
  ): RealtimeStream<RealtimeToken | RealtimeMarker>;
  realtime(config?: RealtimeStreamConfig): RealtimeStream;
  realtime(
    config: RealtimeStreamConfig | ChannelSplitConfig = {},
  ): RealtimeStream<RealtimeToken | RealtimeMarker> | ChannelSplitStream {
    // A string or a number (`realtime('pcm')`) would be spread into nonsense fields: refused here.
    if (!isObject(config))
      rejectIssues('realtime', [
        {
          field: 'config',
          message: "must be an object such as { audio_format: 'pcm_s16le', ... }",
        },
      ]);
    const { channels } = config as { channels?: unknown };
    if (channels === 'split')
      return new ChannelSplitStream(
        config as ChannelSplitConfig,
        (c) => this.session(c) as RealtimeStream,
      );
    if (channels !== undefined)
      rejectIssues('realtime', [
        { field: 'channels', message: "must be 'split' (two mono sessions), or left out" },
      ]);
    return this.session(config as RealtimeStreamConfig);
  }

  /** One realtime session on this client's key, URL, proxy and limiter. */
  private session(config: RealtimeStreamConfig): RealtimeStream<RealtimeToken | RealtimeMarker> {
    const cassette = this.#cassette;
    if (cassette)
      config = {
        ...config,
        webSocketFactory: recordingFactory(
          config.webSocketFactory ?? defaultWebSocketFactory,
          cassette,
        ),
      };
    return new RealtimeStream(config, {
      apiKey: this.#config.apiKey,
      realtimeURL: this.#config.realtimeURL,
      defaultModel: this.#config.realtimeModel,
      proxyAgent:
        this.#config.realtimeProxy === undefined
          ? undefined
          : (signal: AbortSignal) => this.realtimeAgent(signal),
      sessionLimiter: this.#sessionLimiter,
      sessionSlots: this.#sessionSlots,
      keySessionMs: (key) => this.#keySessionCaps.get(key),
      warmSocket: (key) => this.#warm?.take(key),
      log: this.#config.log,
      headers: this.#config.headers,
    });
  }

  /**
   * Opens realtime sockets before the audio exists (`size`, default 1), each replaced at
   * `maxAgeMs` (15 000) before the server would close it idle, so that a stream of
   * `realtime()` starts its session on one at its first write, without the handshake; its
   * reconnections and rollovers take one too. Returns the pool (`warm`, `ready()`, `close()`);
   * a second call changes its options. `close()` of the client closes it.
   */
  preconnect(options: PreconnectOptions = {}): WarmPool {
    rejectIssues('preconnect', preconnectIssues(options, MAX_TIMER_MS));
    if (this.#warm) {
      this.#warm.configure(options);
      return this.#warm;
    }
    const proxy = this.#config.realtimeProxy;
    this.#warm = new WarmPool(
      {
        url: this.#config.realtimeURL,
        key: this.#config.apiKey,
        handshakeTimeoutMs: 10_000,
        agent: proxy === undefined ? undefined : (signal) => this.realtimeAgent(signal),
        factory: defaultWebSocketFactory,
        headers: this.#config.headers,
      },
      options,
    );
    return this.#warm;
  }

  /**
   * A phone call's media-stream WebSocket (Twilio Media Streams, or a look-alike) transcribed:
   * its messages in, one realtime session per track, tokens labelled with their `track` out.
   * `config` is every session's (the audio format comes from the call's `start`).
   */
  mediaStream(config: MediaStreamConfig = {}): MediaStreamTranscriber {
    return new MediaStreamTranscriber(config, (session) => this.realtime(session));
  }

  /**
   * The agent that tunnels one realtime connection's upgrade through the proxy. One per
   * connection, so that `signal` (aborted as the connection is retired) closes a CONNECT the proxy
   * never answered: an agent pools no upgraded socket anyway (a WebSocket leaves the pool once
   * upgraded), so a shared one saved nothing.
   */
  private realtimeAgent(signal: AbortSignal): Agent {
    return proxyAgent(this.#config.realtimeProxy as string, {
      maxSockets: Infinity,
      maxFreeSockets: 0,
      timeout: this.#config.timeoutMs,
      keepAliveMsecs: 1000,
      signal,
    });
  }

  /**
   * The account's limit of concurrent realtime sessions: the lower of the project's and the
   * organization's, null when neither is set. One attempt, no retry: SessionSlots reads again
   * only after its refresh interval.
   */
  private async readSessionLimit(signal: AbortSignal): Promise<number | null> {
    const { project, organization } = await this.concurrencyLimits.get({
      signal,
      maxRetries: 0,
      timeoutMs: LIMIT_READ_TIMEOUT_MS,
    });
    const limits = [project, organization]
      .map((scope) => scope.limits.transcribe_concurrent)
      .filter((n): n is number => typeof n === 'number');
    return limits.length > 0 ? Math.min(...limits) : null;
  }

  /** Connection pool figures: sockets created, requests, reuse ratio, queued requests. */
  poolStats(): PoolStats {
    return this.#transport.poolStats();
  }

  /** Destroys the connection pool; idempotent. Later calls reject with a connection error. */
  close(): void {
    this.#transport.close();
    this.#warm?.close();
    // Sessions still waiting to start fail; sessions already open are the caller's to end.
    this.#sessionLimiter?.close(new SonioxConnectionError('the client is closed'));
    this.#sessionSlots?.close(new SonioxConnectionError('the client is closed'));
  }
}
