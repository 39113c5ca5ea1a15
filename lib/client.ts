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
import { Files } from './resources/files';
import { Models } from './resources/models';
import { Transcriptions } from './resources/transcriptions';
import { isObject, rejectIssues } from './resources/params';
import { Webhooks } from './resources/webhooks';
import { ModelCatalogue, registerCatalogue } from './model-catalogue';
import { RealtimeStream, type RealtimeMarker, type RealtimeStreamConfig } from './realtime/stream';
import { transcribe, type TranscribeOptions, type TranscribeSource } from './transcribe';
import {
  transcribeMany,
  type BatchResult,
  type BatchSource,
  type TranscribeManyOptions,
} from './batch';
import type { RealtimeToken, Transcript } from './types';
import { CassetteWriter } from './cassette';
import { defaultWebSocketFactory } from './realtime/connection';
import { recordingFactory } from './realtime/record';

export type {
  TranscribeOptions,
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
  // The resolved config holds the API key and the transport owns it too: `#private` keeps both
  // out of util.inspect, JSON and property enumeration.
  readonly #config: ResolvedConfig;
  readonly #transport: Transport;
  /** The tunnel of realtime sessions through the proxy, made with the first one. */
  /** Realtime session starts queue here once the account's limits answered 429 (adaptiveRate). */
  readonly #sessionLimiter: AdaptiveLimiter | undefined;
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
    this.files = new Files(this.#transport);
    this.transcriptions = new Transcriptions(this.#transport, this.#config.asyncModel);
    this.models = new Models(this.#transport);
    this.auth = new Auth(this.#transport);
    this.webhooks = new Webhooks(this.transcriptions);
    this.#catalogue = new ModelCatalogue(this.models, this.#config.asyncModel);
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
   * and even while the job is still processing (cleanup waits for it, bounded).
   */
  transcribe(source: TranscribeSource, options: TranscribeOptions = {}): Promise<Transcript> {
    const { files, transcriptions } = this;
    return transcribe({ files, transcriptions, catalogue: this.#catalogue }, source, options);
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
  realtime(
    config: RealtimeStreamConfig & { markers: 'inband' },
  ): RealtimeStream<RealtimeToken | RealtimeMarker>;
  realtime(config?: RealtimeStreamConfig): RealtimeStream;
  realtime(config: RealtimeStreamConfig = {}): RealtimeStream<RealtimeToken | RealtimeMarker> {
    // A string or a number (`realtime('pcm')`) would be spread into nonsense fields: refused here.
    if (!isObject(config))
      rejectIssues('realtime', [
        {
          field: 'config',
          message: "must be an object such as { audio_format: 'pcm_s16le', ... }",
        },
      ]);
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
    });
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

  /** Connection pool figures: sockets created, requests, reuse ratio, queued requests. */
  poolStats(): PoolStats {
    return this.#transport.poolStats();
  }

  /** Destroys the connection pool; idempotent. Later calls reject with a connection error. */
  close(): void {
    this.#transport.close();
    // Sessions still waiting to start fail; sessions already open are the caller's to end.
    this.#sessionLimiter?.close(new SonioxConnectionError('the client is closed'));
  }
}
