/**
 * SonioxClient: resolves the options, owns the transport (created on first use, so
 * construction opens nothing and compiles nothing) and exposes the resources.
 */
import { Readable } from 'node:stream';
import { resolveConfig, type ResolvedConfig, type SonioxClientOptions } from './config';
import { SonioxValidationError, type SonioxError } from './errors';
import { Transport, type PoolStats } from './http/transport';
import type { UploadInput } from './http/upload-source';
import { Auth } from './resources/auth';
import { Files, type UploadProgress } from './resources/files';
import { Models } from './resources/models';
import { Transcriptions, checkWaitOptions, type WaitOptions } from './resources/transcriptions';
import { rejectIssues } from './resources/params';
import { Webhooks } from './resources/webhooks';
import { RealtimeStream, type RealtimeStreamConfig } from './realtime/stream';
import {
  transcribeMany,
  type BatchResult,
  type BatchSource,
  type TranscribeManyOptions,
} from './batch';
import type { CreateTranscriptionParams, Transcript, Transcription } from './types';

/** What `transcribe` can start from: local audio, a public URL, or an uploaded file. */
export type TranscribeSource = UploadInput | { audio_url: string } | { file_id: string };

/** What `transcribe` deletes when it is done (or has failed). */
export type CleanupTarget = 'transcription' | 'file';

/** Options of `client.transcribe`: the create parameters plus the flow's own. */
export interface TranscribeOptions
  extends Omit<CreateTranscriptionParams, 'audio_url' | 'file_id'>, Omit<WaitOptions, 'signal'> {
  /**
   * What to delete afterwards, whether the flow succeeded or not. `true` (default): the
   * transcription and the file when this call uploaded it (or used `audio_url`); nothing for a
   * `file_id` you passed, since deleting its transcription would delete your file. `false`:
   * nothing. A list: exactly those (`'file'` then also deletes a `file_id` you passed).
   */
  cleanup?: boolean | CleanupTarget[] | undefined;
  /** Aborts every step; cleanup still runs. */
  signal?: AbortSignal | undefined;
  /** Upload progress (local sources only). */
  onProgress?: ((progress: UploadProgress) => void) | undefined;
  /** Name of the uploaded file. */
  filename?: string | undefined;
  /** Size of a stream source, when known. */
  size?: number | undefined;
  /** Told about a cleanup step that failed (the flow's own result or error still wins). */
  onCleanupError?: ((error: SonioxError, target: CleanupTarget) => void) | undefined;
}

/** Stands in for the file id of an upload not made yet, so the create parameters can be checked first. */
const FILE_ID_TO_COME = '00000000-0000-4000-8000-000000000000';
/** Each cleanup DELETE gets this long (and one retry) once the flow is over: cleanup is bounded. */
const CLEANUP_TIMEOUT_MS = 10_000;

function checkFlowOptions(cleanup: unknown, onCleanupError: unknown): void {
  const issues = [];
  const targets = ['transcription', 'file'];
  if (
    typeof cleanup !== 'boolean' &&
    !(Array.isArray(cleanup) && cleanup.every((t) => targets.includes(t as string)))
  ) {
    issues.push({
      field: 'cleanup',
      message: "must be true, false or a list of 'transcription' and 'file'",
    });
  }
  if (onCleanupError !== undefined && typeof onCleanupError !== 'function')
    issues.push({ field: 'onCleanupError', message: 'must be a function' });
  rejectIssues('transcribe', issues);
}

function isLocalSource(source: unknown): source is UploadInput {
  return (
    typeof source === 'string' ||
    Buffer.isBuffer(source) ||
    source instanceof Uint8Array ||
    source instanceof Readable
  );
}

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

  /** Throws SonioxConfigError for a missing key or a malformed option. */
  constructor(options: SonioxClientOptions = {}) {
    this.#config = resolveConfig(options);
    this.#transport = new Transport(this.#config);
    this.files = new Files(this.#transport);
    this.transcriptions = new Transcriptions(this.#transport, this.#config.asyncModel);
    this.models = new Models(this.#transport);
    this.auth = new Auth(this.#transport);
    this.webhooks = new Webhooks();
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
   * transcript, then clean up (see `cleanup`), even when a step failed.
   */
  async transcribe(source: TranscribeSource, options: TranscribeOptions = {}): Promise<Transcript> {
    const {
      cleanup = true,
      signal,
      onProgress,
      filename,
      size,
      onCleanupError,
      timeoutMs,
      pollIntervalMs,
      maxPollIntervalMs,
      onStatus,
      ...createParams
    } = options;
    // Everything that can be checked is checked before a byte is uploaded.
    checkFlowOptions(cleanup, onCleanupError);
    checkWaitOptions({ timeoutMs, pollIntervalMs, maxPollIntervalMs, onStatus, signal });
    const sourceField =
      source !== null && typeof source === 'object' && 'audio_url' in source
        ? { audio_url: source.audio_url }
        : { file_id: FILE_ID_TO_COME };
    this.transcriptions.checkedCreate({ ...createParams, ...sourceField });
    // Deleting a transcription also deletes its file (API behaviour), so the default never
    // deletes the transcription of a file_id the caller owns: that would delete their file.
    const ownsFile =
      isLocalSource(source) ||
      (source !== null && typeof source === 'object' && 'audio_url' in source);
    const targets = new Set<CleanupTarget>(
      cleanup === true
        ? ownsFile
          ? ['transcription', 'file']
          : []
        : cleanup === false
          ? []
          : cleanup,
    );
    let fileId: string | undefined;
    let transcription: Transcription | undefined;
    let outcome: 'ok' | 'failed' = 'failed';
    try {
      const params: CreateTranscriptionParams = { ...createParams };
      if (isLocalSource(source)) {
        const file = await this.files.upload(source, { filename, size, onProgress, signal });
        fileId = file.id;
        params.file_id = file.id;
      } else if (source !== null && typeof source === 'object' && 'audio_url' in source) {
        params.audio_url = source.audio_url;
      } else if (source !== null && typeof source === 'object' && 'file_id' in source) {
        fileId = source.file_id;
        params.file_id = source.file_id;
      } else {
        throw new SonioxValidationError(
          'transcribe: source must be a path, a Readable, a Buffer, { audio_url } or { file_id }',
          [{ field: 'source', message: 'unsupported source' }],
        );
      }
      transcription = await this.transcriptions.create(params, { signal });
      await this.transcriptions.wait(transcription.id, {
        timeoutMs,
        pollIntervalMs,
        maxPollIntervalMs,
        onStatus,
        signal,
      });
      const transcript = await this.transcriptions.getTranscript(transcription.id, { signal });
      outcome = 'ok';
      return transcript;
    } finally {
      const cleaning = this.cleanUp(targets, transcription?.id, fileId, onCleanupError);
      // An aborted flow rejects at once; its (bounded) cleanup goes on in the background and
      // reports through onCleanupError. Otherwise the flow's result waits for its cleanup.
      if (outcome === 'ok' || !signal?.aborted) await cleaning;
    }
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
    return transcribeMany(this, sources, options);
  }

  /**
   * A realtime session as a Duplex: audio bytes in, token objects out. Returns at once; it
   * connects on the first write or on `connect()`.
   */
  realtime(config: RealtimeStreamConfig = {}): RealtimeStream {
    return new RealtimeStream(config, {
      apiKey: this.#config.apiKey,
      realtimeURL: this.#config.realtimeURL,
      defaultModel: this.#config.realtimeModel,
    });
  }

  /** Connection pool figures: sockets created, requests, reuse ratio, queued requests. */
  poolStats(): PoolStats {
    return this.#transport.poolStats();
  }

  /** Destroys the connection pool; idempotent. Later calls reject with a connection error. */
  close(): void {
    this.#transport.close();
  }

  private async cleanUp(
    targets: Set<CleanupTarget>,
    transcriptionId: string | undefined,
    fileId: string | undefined,
    onError: TranscribeOptions['onCleanupError'],
  ): Promise<void> {
    // Cleanup runs without the caller's signal: an aborted flow must still not leave paid-for
    // storage behind. Deleting a transcription also deletes its file; the file delete below
    // covers uploads whose transcription was never created.
    const bounded = { timeoutMs: CLEANUP_TIMEOUT_MS, maxRetries: 1 };
    if (transcriptionId && targets.has('transcription')) {
      await this.transcriptions
        .delete(transcriptionId, bounded)
        .catch((e: SonioxError) => onError?.(e, 'transcription'));
    }
    if (fileId && targets.has('file')) {
      await this.files.delete(fileId, bounded).catch((e: SonioxError) => {
        if ((e as { status?: number }).status !== 404) onError?.(e, 'file');
      });
    }
  }
}
