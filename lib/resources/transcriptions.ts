/**
 * Transcriptions: create (never retried where the server may have acted: that could bill
 * twice), get, delete, list, iterate, the transcript, and `wait` for a job to end.
 */
import type { Transport, CallOptions } from '../http/transport';
import { paginate } from '../http/pagination';
import { follow } from '../http/follow-signal';
import { sleep } from '../http/sleep';
import { SonioxTimeoutError, SonioxTranscriptionError, type FieldIssue } from '../errors';
import type {
  CreateTranscriptionParams,
  ListParams,
  Transcript,
  Transcription,
  TranscriptionList,
} from '../types';
import { checkParams, durationIssue, idSegment, listQuery, rejectIssues } from './params';

/** Options of `transcriptions.wait`. */
export interface WaitOptions {
  /** Overall deadline in ms (default 3 600 000: one hour). */
  timeoutMs?: number | undefined;
  /** First poll interval in ms (default 1 000); intervals grow by half each poll. */
  pollIntervalMs?: number | undefined;
  /** Longest poll interval in ms (default 10 000). */
  maxPollIntervalMs?: number | undefined;
  /** Aborts the wait (and the poll in flight). */
  signal?: AbortSignal | undefined;
  /** Called with the transcription whenever its status changes (and on the first poll). */
  onStatus?: ((transcription: Transcription) => void) | undefined;
}

/** Defaults of {@link WaitOptions}. */
export const DEFAULT_WAIT = {
  timeoutMs: 3_600_000,
  pollIntervalMs: 1_000,
  maxPollIntervalMs: 10_000,
} as const;

/** The poll interval after `interval`: grows by half, capped. A pure function, for specs. */
export function nextPollInterval(interval: number, max: number): number {
  return Math.min(max, Math.ceil(interval * 1.5));
}

/** `client.transcriptions`. */
export class Transcriptions {
  constructor(
    private readonly transport: Transport,
    private readonly defaultModel: string,
  ) {}

  /** Starts a transcription of `audio_url` or `file_id` (exactly one). `model` defaults to the client's. */
  async create(
    params: CreateTranscriptionParams,
    options: CallOptions = {},
  ): Promise<Transcription> {
    const body = this.checkedCreate(params);
    return this.transport.request<Transcription>({
      ...options,
      method: 'POST',
      path: '/v1/transcriptions',
      json: body,
      schema: 'transcription',
    });
  }

  /**
   * The create body with the default model filled in, checked field by field (throws
   * SonioxValidationError). `transcribe` runs it before uploading, so a bad parameter costs no upload.
   */
  checkedCreate(params: CreateTranscriptionParams): CreateTranscriptionParams {
    const body: CreateTranscriptionParams = {
      ...params,
      model: params?.model ?? this.defaultModel,
    };
    const extra: FieldIssue[] = [];
    const hasUrl = body.audio_url !== undefined && body.audio_url !== null;
    const hasFile = body.file_id !== undefined && body.file_id !== null;
    if (hasUrl === hasFile) {
      extra.push({
        field: hasUrl ? 'audio_url' : 'file_id',
        message: 'exactly one of audio_url and file_id must be given',
      });
    }
    checkParams('transcriptions.create', 'createTranscription', body, extra);
    return body;
  }

  /** One transcription. */
  async get(id: string, options: CallOptions = {}): Promise<Transcription> {
    const path = `/v1/transcriptions/${idSegment('transcriptions.get', id)}`;
    return this.transport.request<Transcription>({
      ...options,
      method: 'GET',
      path,
      schema: 'transcription',
    });
  }

  /** Deletes a transcription (and, per the API, its file). 409 while it is processing. */
  async delete(id: string, options: CallOptions = {}): Promise<void> {
    const path = `/v1/transcriptions/${idSegment('transcriptions.delete', id)}`;
    await this.transport.request<void>({ ...options, method: 'DELETE', path });
  }

  /** One page of transcriptions. */
  async list(params: ListParams = {}, options: CallOptions = {}): Promise<TranscriptionList> {
    const query = listQuery('transcriptions.list', params);
    return this.transport.request<TranscriptionList>({
      ...options,
      method: 'GET',
      path: '/v1/transcriptions',
      query,
      schema: 'transcriptionList',
    });
  }

  /** Every transcription, page after page. */
  iterate(params: ListParams = {}, options: CallOptions = {}): AsyncIterable<Transcription> {
    const { cursor, ...rest } = params;
    return paginate(
      (c) => this.list({ ...rest, cursor: c }, options),
      (page) => page.transcriptions,
      cursor,
    );
  }

  /** The transcript of a completed transcription (409 before that). */
  async getTranscript(id: string, options: CallOptions = {}): Promise<Transcript> {
    const path = `/v1/transcriptions/${idSegment('transcriptions.getTranscript', id)}/transcript`;
    return this.transport.request<Transcript>({
      ...options,
      method: 'GET',
      path,
      schema: 'transcript',
    });
  }

  /**
   * Polls until the transcription is `completed` (resolves with it) or `error` (rejects with
   * SonioxTranscriptionError). Intervals grow from `pollIntervalMs` to `maxPollIntervalMs`.
   * `timeoutMs` is one deadline over the whole wait, polls in flight and their retries
   * included: when it passes, the wait rejects with SonioxTimeoutError at once.
   */
  async wait(id: string, options: WaitOptions = {}): Promise<Transcription> {
    checkWaitOptions(options);
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT.timeoutMs;
    // One signal for the whole wait: the caller's abort or the deadline, whichever comes first.
    const wait = new AbortController();
    const unfollow = options.signal ? follow(options.signal, wait) : () => undefined;
    let late = false;
    // The global setTimeout, so fake timers drive the deadline in specs (AbortSignal.timeout uses internal timers).
    const timer = setTimeout(() => {
      late = true;
      wait.abort(new DOMException('deadline', 'TimeoutError'));
    }, timeoutMs);
    const state = { lastStatus: undefined as string | undefined };
    try {
      return await this.poll(id, options, wait.signal, state);
    } catch (error) {
      if (late && !options.signal?.aborted) {
        throw new SonioxTimeoutError(
          `transcription ${id} is still ${state.lastStatus ?? 'unknown'} after ${timeoutMs} ms`,
          timeoutMs,
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
      unfollow();
    }
  }

  private async poll(
    id: string,
    options: WaitOptions,
    signal: AbortSignal,
    state: { lastStatus: string | undefined },
  ): Promise<Transcription> {
    const maxInterval = options.maxPollIntervalMs ?? DEFAULT_WAIT.maxPollIntervalMs;
    let interval = Math.min(options.pollIntervalMs ?? DEFAULT_WAIT.pollIntervalMs, maxInterval);
    while (true) {
      const transcription = await this.get(id, { signal });
      if (transcription.status !== state.lastStatus) {
        state.lastStatus = transcription.status;
        options.onStatus?.(transcription);
      }
      if (transcription.status === 'completed') return transcription;
      if (transcription.status === 'error') {
        throw new SonioxTranscriptionError(
          id,
          transcription.error_type ?? undefined,
          `transcription ${id} failed: ${transcription.error_message ?? transcription.error_type ?? 'no reason given'}`,
        );
      }
      await sleep(interval, signal, `transcriptions.wait ${id}`);
      interval = nextPollInterval(interval, maxInterval);
    }
  }
}

/** Every option of `wait`, checked before the first request (a 0 interval would poll hundreds of times a second). */
export function checkWaitOptions(options: WaitOptions | null): void {
  if (options === null || typeof options !== 'object') {
    rejectIssues('transcriptions.wait', [{ field: 'options', message: 'must be an object' }]);
    return;
  }
  rejectIssues('transcriptions.wait', [
    ...durationIssue('timeoutMs', options.timeoutMs),
    ...durationIssue('pollIntervalMs', options.pollIntervalMs),
    ...durationIssue('maxPollIntervalMs', options.maxPollIntervalMs),
    ...(options.signal !== undefined && !(options.signal instanceof AbortSignal)
      ? [{ field: 'signal', message: 'must be an AbortSignal' }]
      : []),
    ...(options.onStatus !== undefined && typeof options.onStatus !== 'function'
      ? [{ field: 'onStatus', message: 'must be a function' }]
      : []),
  ]);
}
