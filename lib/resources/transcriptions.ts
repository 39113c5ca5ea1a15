/**
 * Transcriptions: create (exactly once: a create that got no answer is looked up by its
 * client_reference_id before it is resent, so it never bills twice), get, delete, list, iterate, the transcript, and `wait` for a job to end.
 */
import type { Transport, CallOptions } from '../http/transport';
import { flowAge, inFlow } from '../http/call-options';
import { paginate } from '../http/pagination';
import {
  assertBulkOptions,
  bulkDelete,
  statusIssues,
  type BulkDeleteOptions,
  type BulkDeleteResult,
} from './bulk';
import { NO_REFERENCE, createLookup } from '../http/exactly-once';
import { follow } from '../internal/follow-signal';
import { contextIssue } from '../schemas';
import { sleep } from '../internal/sleep';
import type { WebhookArrivalSource } from './webhook-arrivals';
import { SonioxTimeoutError, SonioxTranscriptionError, type FieldIssue } from '../errors';
import type {
  CreateTranscriptionParams,
  ListParams,
  ResourceCount,
  Transcript,
  Transcription,
  TranscriptionList,
  TranscriptionStatus,
} from '../types';
import {
  durationIssues,
  isObject,
  objectIssues,
  rejectGroups,
  rejectIssues,
  signalIssues,
  functionIssues,
} from '../internal/issues';
import {
  assertCall,
  callIssueGroup,
  callPart,
  idIssues,
  idSegment,
  listParamIssues,
  listQuery,
  paramIssues,
} from './params';

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
  /**
   * Where the job's webhook delivery arrives (`client.webhooks`): the wait ends on the first of
   * that delivery or the polled status, and polls only every `webhookPollIntervalMs` meanwhile.
   */
  webhook?: WebhookArrivalSource | undefined;
  /** Poll interval while a webhook is expected (default 30 000 ms): the fallback if it never comes. */
  webhookPollIntervalMs?: number | undefined;
  /** @internal The flow the polls belong to (lib/http/admission.ts). */
  [flowAge]?: number | undefined;
}

/** Options of `transcriptions.deleteAll`: the bulk options plus a status filter. */
export interface TranscriptionBulkDeleteOptions extends BulkDeleteOptions {
  /** Only transcriptions with this status (or one of these), e.g. `['completed', 'error']`. */
  status?: TranscriptionStatus | TranscriptionStatus[];
}

/** Defaults of {@link WaitOptions}. */
export const DEFAULT_WAIT = {
  timeoutMs: 3_600_000,
  pollIntervalMs: 1_000,
  maxPollIntervalMs: 10_000,
  webhookPollIntervalMs: 30_000,
} as const;

/**
 * Statuses a job ends in without a transcript: `error` (the API's enum) and `failed` (the
 * wording of the API's newer errors page). Both end `wait` with SonioxTranscriptionError.
 */
export const FAILED_STATUSES: ReadonlySet<string> = new Set(['error', 'failed']);

/** The poll interval after `interval`: grows by half, capped. A pure function, for specs. */
export function nextPollInterval(interval: number, max: number): number {
  return Math.min(max, Math.ceil(interval * 1.5));
}

/**
 * Key of the create check that runs before an upload (`createParamIssues` in lib/job.ts). A
 * symbol, not a method name: the check is no part of the public surface.
 * @internal
 */
export const createIssues: unique symbol = Symbol('soniox.transcriptions.createIssues');

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
    const what = 'transcriptions.create';
    // Worded as before: the call options were checked first.
    rejectGroups(callIssueGroup(what, options), { what, issues: this[createIssues](params) });
    const body: CreateTranscriptionParams = { ...params, model: params.model ?? this.defaultModel };
    // Untagged, and the SDK may not tag it (autoClientReferenceId: false): at most once.
    const untagged = body.client_reference_id == null && !this.transport.autoClientReferenceId;
    const lookup = untagged
      ? undefined
      : createLookup('transcriptions', body.client_reference_id, {
          model: body.model ?? null,
          audio_url: body.audio_url ?? null,
          file_id: body.file_id ?? null,
        });
    return this.transport.request<Transcription>({
      ...options,
      method: 'POST',
      path: '/v1/transcriptions',
      json: lookup ? { ...body, client_reference_id: lookup.reference } : body,
      schema: 'transcription',
      ...(lookup ? { exactlyOnce: lookup } : { atMostOnce: NO_REFERENCE }),
    });
  }

  /**
   * The issues of a create body, the default model filled in: field by field. The job steps
   * (lib/job.ts) check it before uploading, so a bad parameter costs no upload. Keyed by a
   * symbol the package does not export: internal.
   * @internal
   */
  [createIssues](params: unknown): FieldIssue[] {
    if (!isObject(params)) return objectIssues('params', params ?? null);
    const body: Record<string, unknown> = { ...params, model: params.model ?? this.defaultModel };
    const hasUrl = body.audio_url !== undefined && body.audio_url !== null;
    const hasFile = body.file_id !== undefined && body.file_id !== null;
    const one =
      hasUrl === hasFile
        ? [
            {
              field: hasUrl ? 'audio_url' : 'file_id',
              message: 'exactly one of audio_url and file_id must be given',
            },
          ]
        : [];
    return [...paramIssues('createTranscription', body), ...one, ...contextIssue(body.context)];
  }

  /** One transcription. */
  async get(id: string, options: CallOptions = {}): Promise<Transcription> {
    assertCall('transcriptions.get', options, { params: idIssues(id) });
    const path = `/v1/transcriptions/${idSegment(id)}`;
    return this.transport.request<Transcription>({
      ...options,
      method: 'GET',
      path,
      schema: 'transcription',
    });
  }

  /** Deletes a transcription (and, per the API, its file). 409 while it is processing. */
  async delete(id: string, options: CallOptions = {}): Promise<void> {
    assertCall('transcriptions.delete', options, { params: idIssues(id) });
    const path = `/v1/transcriptions/${idSegment(id)}`;
    await this.transport.request<void>({ ...options, method: 'DELETE', path });
  }

  /** One page of transcriptions. */
  async list(params: ListParams = {}, options: CallOptions = {}): Promise<TranscriptionList> {
    assertCall('transcriptions.list', options, { params: listParamIssues(params) });
    const query = listQuery(params);
    return this.transport.request<TranscriptionList>({
      ...options,
      method: 'GET',
      path: '/v1/transcriptions',
      query,
      schema: 'transcriptionList',
    });
  }

  /** How many transcriptions the account holds (`total` is what the 2,000 quota counts). */
  async count(options: CallOptions = {}): Promise<ResourceCount> {
    assertCall('transcriptions.count', options);
    return this.transport.request<ResourceCount>({
      ...options,
      method: 'GET',
      path: '/v1/transcriptions/count',
      schema: 'count',
    });
  }

  /**
   * Deletes every transcription (and so its file) that passes the filters (`status`,
   * `olderThanMs`, `clientReferenceId`), a few at a time, telling `onProgress`; `dryRun` only
   * lists them. A job still processing cannot be deleted (409): it is reported in `failed`.
   */
  async deleteAll(options: TranscriptionBulkDeleteOptions = {}): Promise<BulkDeleteResult> {
    assertBulkOptions('transcriptions.deleteAll', options, statusIssues(options?.status));
    const { status } = options;
    const call = callPart(options);
    const wanted = status === undefined ? undefined : new Set<string>([status].flat());
    return bulkDelete(
      this.iterate({}, call),
      (t) => wanted === undefined || wanted.has(t.status),
      (id) => this.delete(id, call),
      options,
    );
  }

  /** Every transcription, page after page. */
  iterate(params: ListParams = {}, options: CallOptions = {}): AsyncIterable<Transcription> {
    // Checked now, not on the first page: a bad argument throws where it was written.
    assertCall('transcriptions.iterate', options, { params: listParamIssues(params) });
    const { cursor, ...rest } = params;
    return paginate(
      (c) => this.list({ ...rest, cursor: c }, options),
      (page) => page.transcriptions,
      cursor,
    );
  }

  /** The transcript of a completed transcription (409 before that). */
  async getTranscript(id: string, options: CallOptions = {}): Promise<Transcript> {
    assertCall('transcriptions.getTranscript', options, { params: idIssues(id) });
    const path = `/v1/transcriptions/${idSegment(id)}/transcript`;
    return this.transport.request<Transcript>({
      ...options,
      method: 'GET',
      path,
      schema: 'transcript',
    });
  }

  /**
   * Polls until the transcription is `completed` (resolves with it) or `error` / `failed`
   * (rejects with SonioxTranscriptionError carrying the API's `error_type` and `error_message`).
   * Any other status, including one this SDK does not know, goes to `onStatus` and polling
   * goes on. Intervals grow from `pollIntervalMs` to `maxPollIntervalMs`.
   * `timeoutMs` is one deadline over the whole wait, polls in flight and their retries
   * included: when it passes, the wait rejects with SonioxTimeoutError at once.
   */
  async wait(id: string, options: WaitOptions = {}): Promise<Transcription> {
    rejectIssues('transcriptions.wait', [...waitOptionIssues(options), ...idIssues(id)]);
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
    // While a webhook is expected, its delivery wakes the wait and polls are the slow fallback.
    const expecting = new AbortController();
    const unfollow = follow(signal, expecting);
    let webhook = options.webhook?.arrival(id, expecting.signal).then(
      () => true as const,
      () => false as const,
    );
    const slowMs = options.webhookPollIntervalMs ?? DEFAULT_WAIT.webhookPollIntervalMs;
    try {
      while (true) {
        const transcription = await this.polled(id, options, signal, state);
        if (transcription) return transcription;
        if (webhook && (await this.sleepOrDelivery(slowMs, signal, webhook, id)))
          webhook = undefined;
        else if (!webhook) {
          await sleep(interval, signal, `transcriptions.wait ${id}`);
          interval = nextPollInterval(interval, maxInterval);
        }
      }
    } finally {
      expecting.abort();
      unfollow();
    }
  }

  /** Sleeps `ms` unless the webhook comes first; resolves whether it came (a fetch is due). */
  private async sleepOrDelivery(
    ms: number,
    signal: AbortSignal,
    webhook: Promise<boolean>,
    id: string,
  ): Promise<boolean> {
    const wake = new AbortController();
    const unfollow = follow(signal, wake);
    let came = false;
    void webhook.then((arrived) => {
      came = arrived;
      if (arrived) wake.abort();
    });
    try {
      await sleep(ms, wake.signal, `transcriptions.wait ${id}`);
    } catch (error) {
      if (signal.aborted || !came) throw error;
    } finally {
      unfollow();
    }
    return came;
  }

  /** One poll: the transcription when it completed, undefined while it runs; throws when it failed. */
  private async polled(
    id: string,
    options: WaitOptions,
    signal: AbortSignal,
    state: { lastStatus: string | undefined },
  ): Promise<Transcription | undefined> {
    const transcription = await this.get(id, { signal, ...inFlow(options[flowAge]) });
    if (transcription.status !== state.lastStatus) {
      state.lastStatus = transcription.status;
      options.onStatus?.(transcription);
    }
    if (transcription.status === 'completed') return transcription;
    if (FAILED_STATUSES.has(transcription.status)) {
      const errorType = transcription.error_type ?? undefined;
      const errorMessage = transcription.error_message ?? undefined;
      throw new SonioxTranscriptionError(
        id,
        errorType,
        `transcription ${id} failed (${transcription.status}): ${errorMessage ?? errorType ?? 'no reason given'}`,
        { errorMessage, status: transcription.status },
      );
    }
    // Any other status (queued, processing, or one this SDK does not know yet) is not an end:
    // onStatus has been told, and the wait goes on until the deadline.
    return undefined;
  }
}

/** The issues of `wait`'s options, found before the first request (a 0 interval would poll hundreds of times a second). */
export function waitOptionIssues(options: WaitOptions | null): FieldIssue[] {
  if (!isObject(options)) return [{ field: 'options', message: 'must be an object' }];
  return [
    ...durationIssues('timeoutMs', options.timeoutMs),
    ...durationIssues('pollIntervalMs', options.pollIntervalMs),
    ...durationIssues('maxPollIntervalMs', options.maxPollIntervalMs),
    ...durationIssues('webhookPollIntervalMs', options.webhookPollIntervalMs),
    ...(options.webhook !== undefined &&
    !(isObject(options.webhook) && typeof options.webhook.arrival === 'function')
      ? [
          {
            field: 'webhook',
            message: 'must be client.webhooks (or have an arrival(id, signal) method)',
          },
        ]
      : []),
    ...signalIssues('signal', options.signal),
    ...functionIssues('onStatus', options.onStatus),
  ];
}
