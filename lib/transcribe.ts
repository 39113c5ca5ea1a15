/**
 * The whole async flow behind `client.transcribe` (and `soniox transcribe`): upload, create,
 * wait, fetch the transcript, then delete what the flow created, even after a failure or an
 * abort, and even while the job is still processing (the API refuses that DELETE with 409 until
 * the job ends: cleanup waits for it, bounded, and reports what it had to leave).
 */
import { Readable } from 'node:stream';
import {
  SonioxAbortError,
  SonioxConflictError,
  SonioxNotFoundError,
  SonioxValidationError,
  type SonioxError,
} from './errors';
import { sleep } from './http/sleep';
import type { UploadInput } from './http/upload-source';
import type { ModelCatalogue } from './model-catalogue';
import type { Files, UploadProgress } from './resources/files';
import { durationIssue, functionIssue, isObject, rejectIssues } from './resources/params';
import {
  checkWaitOptions,
  type Transcriptions,
  type WaitOptions,
} from './resources/transcriptions';
import type { CreateTranscriptionParams, SonioxFile, Transcript, Transcription } from './types';

/** What `transcribe` can start from: local audio, a public URL, or an uploaded file. */
export type TranscribeSource = UploadInput | { audio_url: string } | { file_id: string };

/** What `transcribe` deletes when it is done (or has failed). */
export type CleanupTarget = 'transcription' | 'file';

/** A step of the cleanup: waiting for a processing job to end, or a deletion done. */
export interface CleanupEvent {
  type: 'waiting' | 'deleted';
  target: CleanupTarget;
  id: string;
}

/** Options of `client.transcribe`: the create parameters plus the flow's own. */
export interface TranscribeOptions
  extends Omit<CreateTranscriptionParams, 'audio_url' | 'file_id'>, Omit<WaitOptions, 'signal'> {
  /**
   * What to delete afterwards, whether the flow succeeded or not. `true` (default): the
   * transcription and the file when this call uploaded it (or used `audio_url`); nothing for a
   * `file_id` you passed, since deleting its transcription would delete your file. `false`:
   * nothing. A list: exactly those (`'file'` then also deletes a `file_id` you passed).
   */
  cleanup?: boolean | CleanupTarget[];
  /**
   * Aborts the flow; cleanup still runs. An upload whose bytes are all sent is not cut off (the
   * server may store the file and only its answer names it, to delete it), nor is the create
   * request once sent: the flow rejects with SonioxAbortError right after either answers.
   */
  signal?: AbortSignal;
  /** Stops the cleanup (its wait for a processing job, its requests): what is left is reported. */
  cleanupSignal?: AbortSignal;
  /**
   * Whether an aborted flow rejects only once its cleanup is over (default false: it rejects at
   * once and the cleanup goes on in the background, reporting through the callbacks).
   */
  awaitCleanup?: boolean;
  /** How long cleanup waits for a processing job to end before leaving it (default 120 000 ms). */
  cleanupWaitMs?: number;
  /** Upload progress (local sources only). */
  onProgress?: (progress: UploadProgress) => void;
  /** Told of the file this call uploaded, as soon as the API answered. */
  onUploaded?: (file: SonioxFile) => void;
  /** Told of the transcription this call created, as soon as the API answered. */
  onCreated?: (transcription: Transcription) => void;
  /** Told of each cleanup step (a wait for a processing job, a deletion). */
  onCleanup?: (event: CleanupEvent) => void;
  /** Name of the uploaded file. */
  filename?: string;
  /** Size of a stream source, when known. */
  size?: number;
  /** Told about each thing cleanup could not delete (the flow's own result or error still wins). */
  onCleanupError?: (error: SonioxError, target: CleanupTarget, id: string) => void;
}

/** The resources the flow drives. */
export interface TranscribeAPI {
  files: Files;
  transcriptions: Transcriptions;
  /** Checks the model and languages before the upload (the client's; none: no such check). */
  catalogue?: ModelCatalogue;
}

/** Stands in for the file id of an upload not made yet, so the create parameters can be checked first. */
const FILE_ID_TO_COME = '00000000-0000-4000-8000-000000000000';
/** Each cleanup DELETE gets this long and one retry: cleanup is bounded. */
export const CLEANUP_CALL = { timeoutMs: 10_000, maxRetries: 1 };
/** Default of `cleanupWaitMs`. */
export const DEFAULT_CLEANUP_WAIT_MS = 120_000;
/** Longest pause between two DELETEs of a processing job. */
const MAX_CLEANUP_PAUSE_MS = 5_000;

function checkFlowOptions(options: Record<string, unknown>): void {
  const { cleanup } = options;
  const targets = ['transcription', 'file'];
  rejectIssues('transcribe', [
    ...(typeof cleanup !== 'boolean' &&
    cleanup !== undefined &&
    !(Array.isArray(cleanup) && cleanup.every((t) => targets.includes(t as string)))
      ? [
          {
            field: 'cleanup',
            message: "must be true, false or a list of 'transcription' and 'file'",
          },
        ]
      : []),
    ...['onCleanupError', 'onProgress', 'onUploaded', 'onCreated', 'onCleanup'].flatMap((name) =>
      functionIssue(name, options[name]),
    ),
    ...(options.cleanupSignal !== undefined && !(options.cleanupSignal instanceof AbortSignal)
      ? [{ field: 'cleanupSignal', message: 'must be an AbortSignal' }]
      : []),
    ...(options.awaitCleanup !== undefined && typeof options.awaitCleanup !== 'boolean'
      ? [{ field: 'awaitCleanup', message: 'must be true or false' }]
      : []),
    ...durationIssue('cleanupWaitMs', options.cleanupWaitMs, 0),
  ]);
}

function isLocalSource(source: unknown): source is UploadInput {
  return (
    typeof source === 'string' ||
    Buffer.isBuffer(source) ||
    source instanceof Uint8Array ||
    source instanceof Readable
  );
}

/** Calls a caller's callback; one that throws must not break the flow or its cleanup. */
function tell<A extends unknown[]>(fn: ((...args: A) => void) | undefined, ...args: A): void {
  try {
    fn?.(...args);
  } catch {
    // The callback's own problem: the flow goes on.
  }
}

/**
 * An upload signal that follows `signal` only while bytes remain to be sent: once the whole
 * file is out, the server may store it, and only its answer names it (so it can be deleted).
 * `stop` (the cleanup signal) aborts it at any time.
 */
function uploadGuard(signal: AbortSignal | undefined, stop: AbortSignal | undefined) {
  const controller = new AbortController();
  let sent = false;
  const abort = () => controller.abort();
  const onSignal = () => sent || abort();
  if (signal?.aborted || stop?.aborted) abort();
  signal?.addEventListener('abort', onSignal, { once: true });
  stop?.addEventListener('abort', abort, { once: true });
  return {
    signal: controller.signal,
    progress(p: UploadProgress) {
      sent ||= p.total !== undefined && p.loaded >= p.total;
    },
    release() {
      signal?.removeEventListener('abort', onSignal);
      stop?.removeEventListener('abort', abort);
    },
  };
}

const aborted = () => new SonioxAbortError('transcribe: aborted');

/** Runs the flow (see the file comment). */
export async function transcribe(
  api: TranscribeAPI,
  source: TranscribeSource,
  options: TranscribeOptions = {},
): Promise<Transcript> {
  if (!isObject(options))
    rejectIssues('transcribe', [{ field: 'options', message: 'must be an object' }]);
  const {
    cleanup = true,
    signal,
    cleanupSignal,
    awaitCleanup = false,
    cleanupWaitMs = DEFAULT_CLEANUP_WAIT_MS,
    onProgress,
    onUploaded,
    onCreated,
    onCleanup,
    onCleanupError,
    filename,
    size,
    timeoutMs,
    pollIntervalMs,
    maxPollIntervalMs,
    onStatus,
    ...createParams
  } = options;
  // Everything that can be checked is checked before a byte is uploaded.
  checkFlowOptions(options as Record<string, unknown>);
  checkWaitOptions({ timeoutMs, pollIntervalMs, maxPollIntervalMs, onStatus, signal });
  const byUrl = isObject(source) && 'audio_url' in source;
  const byFileId = isObject(source) && !byUrl && 'file_id' in source;
  if (!isLocalSource(source) && !byUrl && !byFileId) {
    throw new SonioxValidationError(
      'transcribe: source must be a path, a Readable, a Buffer, { audio_url } or { file_id }',
      [{ field: 'source', message: 'unsupported source' }],
    );
  }
  const sourceField = byUrl
    ? { audio_url: source.audio_url }
    : { file_id: byFileId ? source.file_id : FILE_ID_TO_COME };
  api.transcriptions.checkedCreate({ ...createParams, ...sourceField });
  // The model and languages against the model list (fetched once per client): a typo must not
  // cost the upload of the whole file before the API refuses it.
  await api.catalogue?.check(createParams, { what: 'transcribe', signal });
  // Deleting a transcription also deletes its file (API behaviour), so the default never
  // deletes the transcription of a file_id the caller owns: that would delete their file.
  const ownsFile = !byFileId;
  const targets = new Set<CleanupTarget>(
    cleanup === true
      ? ownsFile
        ? ['transcription', 'file']
        : []
      : cleanup === false
        ? []
        : cleanup,
  );

  let fileId: string | undefined = byFileId ? sourceField.file_id : undefined;
  let transcriptionId: string | undefined;
  let outcome: 'ok' | 'failed' = 'failed';
  try {
    const params: CreateTranscriptionParams = { ...createParams, ...sourceField };
    if (isLocalSource(source)) {
      const guard = uploadGuard(signal, cleanupSignal);
      try {
        const file = await api.files.upload(source, {
          filename,
          size,
          signal: guard.signal,
          onProgress: (p) => {
            guard.progress(p);
            onProgress?.(p);
          },
        });
        fileId = file.id;
        params.file_id = file.id;
        tell(onUploaded, file);
      } finally {
        guard.release();
      }
    }
    if (signal?.aborted) throw aborted();
    // Not aborted by `signal`: once sent, the server may create the job, and only the answer
    // tells its id. The abort takes effect right after it.
    const transcription = await api.transcriptions.create(params);
    transcriptionId = transcription.id;
    tell(onCreated, transcription);
    if (signal?.aborted) throw aborted();
    await api.transcriptions.wait(transcription.id, {
      timeoutMs,
      pollIntervalMs,
      maxPollIntervalMs,
      onStatus,
      signal,
    });
    const transcript = await api.transcriptions.getTranscript(transcription.id, { signal });
    outcome = 'ok';
    return transcript;
  } finally {
    const cleaning = cleanUp(api, {
      transcription: targets.has('transcription') ? transcriptionId : undefined,
      file: targets.has('file') ? fileId : undefined,
      signal: cleanupSignal,
      waitMs: cleanupWaitMs,
      pauseMs: Math.min(pollIntervalMs ?? 1_000, 1_000),
      onCleanup,
      onCleanupError,
    });
    // An aborted flow rejects at once unless told otherwise; its (bounded) cleanup goes on in
    // the background and reports through the callbacks. Otherwise the result waits for it.
    if (outcome === 'ok' || !signal?.aborted || awaitCleanup) await cleaning;
  }
}

/** What `cleanUp` deletes, how long it waits on a processing job, and whom it tells. */
export interface CleanupPlan {
  transcription: string | undefined;
  file: string | undefined;
  signal: AbortSignal | undefined;
  waitMs: number;
  pauseMs: number;
  onCleanup: TranscribeOptions['onCleanup'];
  onCleanupError: TranscribeOptions['onCleanupError'];
}

/**
 * Deletes the transcription (which deletes its file too), then the file (an upload whose job
 * was never created). Runs without the flow's signal: an aborted flow must still not leave
 * paid-for storage behind. Never rejects: failures go to onCleanupError.
 */
export async function cleanUp(api: TranscribeAPI, plan: CleanupPlan): Promise<void> {
  const call = { ...CLEANUP_CALL, signal: plan.signal };
  if (plan.transcription !== undefined) {
    const id = plan.transcription;
    try {
      await deleteWhenDeletable(api, id, plan);
      tell(plan.onCleanup, { type: 'deleted', target: 'transcription', id });
    } catch (e) {
      tell(plan.onCleanupError, e as SonioxError, 'transcription', id);
    }
  }
  if (plan.file !== undefined) {
    const id = plan.file;
    try {
      await api.files.delete(id, call);
      tell(plan.onCleanup, { type: 'deleted', target: 'file', id });
    } catch (e) {
      // Already gone with its transcription.
      if (!(e instanceof SonioxNotFoundError))
        tell(plan.onCleanupError, e as SonioxError, 'file', id);
    }
  }
}

/** DELETE, and while the API answers 409 (still processing) pause and try again, up to `waitMs`. */
async function deleteWhenDeletable(api: TranscribeAPI, id: string, plan: CleanupPlan) {
  let waited = 0;
  let pause = plan.pauseMs;
  for (;;) {
    try {
      await api.transcriptions.delete(id, { ...CLEANUP_CALL, signal: plan.signal });
      return;
    } catch (e) {
      if (e instanceof SonioxNotFoundError) return;
      if (!(e instanceof SonioxConflictError) || waited >= plan.waitMs || plan.signal?.aborted)
        throw e;
      if (waited === 0) tell(plan.onCleanup, { type: 'waiting', target: 'transcription', id });
      const step = Math.min(pause, plan.waitMs - waited);
      // Elapsed time is counted in pauses, not read from the clock: the wait stays bounded by
      // waitMs plus the DELETEs' own bounded time.
      try {
        await sleep(step, plan.signal, `transcribe cleanup of ${id}`);
      } catch {
        throw e;
      }
      waited += step;
      pause = Math.min(Math.ceil(pause * 1.5), MAX_CLEANUP_PAUSE_MS);
    }
  }
}
