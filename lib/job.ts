/**
 * The steps of an async job, written once for its two drivers: `transcribe()` (lib/transcribe.ts,
 * one job, cleaned up at the end) and `transcribeMany` (lib/batch/input.ts, which adds its
 * journal and quota gates around the same steps). The CLI's own uploads (`soniox files upload`)
 * go through the same upload step.
 *
 * - Check: the create parameters are checked before a byte is uploaded, with one placeholder for
 *   the file id to come.
 * - Upload: the flow's signal aborts it only while bytes remain to be sent. Once the whole file is
 *   out the server may store it, and only its answer names it (to delete or reuse it): the answer
 *   is awaited. The stop signal (the cleanup's: a second Ctrl-C) aborts it at any time.
 * - Create, the one rule for a create cut off by an abort: it is not. A create once sent is sent
 *   without the flow's signals, so it ends only by the transport's rules: an answer (the job is
 *   known, and deleted or kept like any other), or no answer within its own timeout and retries,
 *   which the transport's exactly-once lookup settles by the create's `client_reference_id`
 *   (found: that job; absent: resent, the first made nothing; undecided:
 *   SonioxOutcomeUnknownError carrying the reference to look for). So it never bills twice, and
 *   never leaves a job nobody knows of. The abort takes effect as soon as it answers. The price:
 *   a stop waits for a create on the wire (creates answer in milliseconds; at worst, its
 *   timeout). A grace period would instead cut off a create the server may still act on after
 *   a lookup by reference had found nothing.
 * - Wait and transcript, under the flow's signal.
 * - Cleanup: the transcription (which takes its file with it), waiting out a job still
 *   processing, then the file; bounded, never rejects, without the flow's signal (an aborted flow
 *   must not leave paid-for storage behind), stopped by the stop signal.
 */
import {
  SonioxConflictError,
  SonioxNotFoundError,
  type FieldIssue,
  type SonioxError,
} from './errors';
import { rejectIssues } from './internal/issues';
import { sleep } from './internal/sleep';
import type { UploadInput } from './http/upload-source';
import { flowAge, inFlow } from './http/call-options';
import type { Files, UploadOptions, UploadProgress } from './resources/files';
import { createIssues, type Transcriptions, type WaitOptions } from './resources/transcriptions';
import type { CreateTranscriptionParams, SonioxFile, Transcript, Transcription } from './types';

/** The resources a job drives. */
export interface JobAPI {
  files: Files;
  transcriptions: Transcriptions;
}

/** What cleanup deletes. */
export type CleanupTarget = 'transcription' | 'file';

/** A step of the cleanup: waiting for a processing job to end, or a deletion done. */
export interface CleanupEvent {
  type: 'waiting' | 'deleted';
  target: CleanupTarget;
  id: string;
}

/** Stands in for the file id of an upload not made yet, so the create parameters can be checked first. */
const FILE_ID_TO_COME = '00000000-0000-4000-8000-000000000000';
/** Each cleanup DELETE gets this long and one retry: cleanup is bounded. */
export const CLEANUP_CALL = { timeoutMs: 10_000, maxRetries: 1 };
/** How long cleanup waits for a processing job to end, by default. */
export const DEFAULT_CLEANUP_WAIT_MS = 120_000;
/** Longest pause between two DELETEs of a processing job. */
const MAX_CLEANUP_PAUSE_MS = 5_000;

/** Calls a caller's callback; one that throws must not break the flow or its cleanup. */
export function tell<A extends unknown[]>(
  fn: ((...args: A) => void) | undefined,
  ...args: A
): void {
  try {
    fn?.(...args);
  } catch {
    // The callback's own problem: the flow goes on.
  }
}

/**
 * The issues of the create parameters (the client's default model filled in) for a job on
 * `source`: none, an upload still to be made.
 */
export function createParamIssues(
  transcriptions: Transcriptions,
  params: CreateTranscriptionParams,
  source?: { audio_url: string } | { file_id: string },
): FieldIssue[] {
  return transcriptions[createIssues]({ ...params, ...(source ?? { file_id: FILE_ID_TO_COME }) });
}

/** Throws one SonioxValidationError naming every issue of the create parameters (see `createParamIssues`). */
export function assertCreateParams(
  transcriptions: Transcriptions,
  params: CreateTranscriptionParams,
  source?: { audio_url: string } | { file_id: string },
): void {
  rejectIssues('transcriptions.create', createParamIssues(transcriptions, params, source));
}

/** An upload's signal (see `uploadGuard`). */
export interface UploadGuard {
  signal: AbortSignal;
  /** Feed it the upload's progress: once `loaded` reaches a known `total`, the bytes are out. */
  progress(loaded: number, total: number | undefined): void;
  /** Drops its listeners on `signal` and `stop` (they may outlive many uploads: the CLI's). */
  release(): void;
}

/**
 * A signal for an upload that follows `signal` only while bytes remain to be sent (a stream of
 * unknown size stays abortable throughout), and `stop` at any time.
 */
export function uploadGuard(
  signal: AbortSignal | undefined,
  stop: AbortSignal | undefined,
): UploadGuard {
  const controller = new AbortController();
  let sent = false;
  const abort = () => controller.abort();
  const onSignal = () => sent || abort();
  if (signal?.aborted || stop?.aborted) abort();
  signal?.addEventListener('abort', onSignal, { once: true });
  stop?.addEventListener('abort', abort, { once: true });
  return {
    signal: controller.signal,
    progress(loaded, total) {
      sent ||= total !== undefined && loaded >= total;
    },
    release() {
      signal?.removeEventListener('abort', onSignal);
      stop?.removeEventListener('abort', abort);
    },
  };
}

/** Options of the upload step: an upload's, with `signal` guarded and the stop signal. */
export interface UploadStepOptions extends UploadOptions {
  /** Aborts the upload at any time (the cleanup's signal). */
  stop?: AbortSignal | undefined;
}

/** Uploads `input` under the guard (see the file comment). */
export async function uploadStep(
  files: Files,
  input: UploadInput,
  options: UploadStepOptions,
): Promise<SonioxFile> {
  const { stop, signal, onProgress, ...rest } = options;
  const guard = uploadGuard(signal, stop);
  try {
    return await files.upload(input, {
      ...rest,
      signal: guard.signal,
      onProgress: (p: UploadProgress) => {
        guard.progress(p.loaded, p.total);
        onProgress?.(p);
      },
    });
  } finally {
    guard.release();
  }
}

/**
 * Creates the job under the one rule (see the file comment): refused at once when `signal` has
 * fired, else sent without it; `created` hears of the job as soon as the API answered, and then
 * an abort that came meanwhile takes effect (`aborted()` is thrown).
 */
export async function createStep(
  transcriptions: Transcriptions,
  params: CreateTranscriptionParams,
  options: {
    signal: AbortSignal | undefined;
    aborted: () => Error;
    created: (transcription: Transcription) => void;
    /** The flow's ticket (lib/http/admission.ts: the pool serves a flow by when it started). */
    flow?: number | undefined;
  },
): Promise<Transcription> {
  if (options.signal?.aborted) throw options.aborted();
  const transcription = await (options.flow === undefined
    ? transcriptions.create(params)
    : transcriptions.create(params, inFlow(options.flow)));
  options.created(transcription);
  if (options.signal?.aborted) throw options.aborted();
  return transcription;
}

/**
 * Waits for the job to end, then fetches its transcript; `ended` hears of the job in between
 * (the batch frees a quota slot there).
 */
export async function finishStep(
  transcriptions: Transcriptions,
  id: string,
  wait: WaitOptions,
  ended?: (transcription: Transcription) => void,
): Promise<{ transcription: Transcription; transcript: Transcript }> {
  const transcription = await transcriptions.wait(id, wait);
  ended?.(transcription);
  const transcript = await transcriptions.getTranscript(id, {
    signal: wait.signal,
    ...inFlow(wait[flowAge]),
  });
  return { transcription, transcript };
}

/** What `cleanUp` deletes, how long it waits on a processing job, and whom it tells. */
export interface CleanupPlan {
  transcription: string | undefined;
  file: string | undefined;
  signal: AbortSignal | undefined;
  waitMs: number;
  pauseMs: number;
  onCleanup: ((event: CleanupEvent) => void) | undefined;
  onCleanupError: ((error: SonioxError, target: CleanupTarget, id: string) => void) | undefined;
  /** The flow's ticket (lib/http/admission.ts: the pool serves a flow by when it started). */
  flow?: number | undefined;
}

/**
 * Deletes the transcription (which deletes its file too), then the file (an upload whose job
 * was never created). Runs without the flow's signal: an aborted flow must still not leave
 * paid-for storage behind. Never rejects: failures go to onCleanupError.
 */
export async function cleanUp(api: JobAPI, plan: CleanupPlan): Promise<void> {
  const call = { ...CLEANUP_CALL, signal: plan.signal, ...inFlow(plan.flow) };
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
async function deleteWhenDeletable(api: JobAPI, id: string, plan: CleanupPlan) {
  let waited = 0;
  let pause = plan.pauseMs;
  for (;;) {
    try {
      await api.transcriptions.delete(id, {
        ...CLEANUP_CALL,
        signal: plan.signal,
        ...inFlow(plan.flow),
      });
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
