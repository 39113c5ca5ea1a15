/**
 * One input of a batch, start to end: identify it, skip it if the journal or this run already
 * has it, otherwise pick it up where the journal left it (or from the start), upload, create,
 * wait and fetch the transcript, under the quota gates. The steps, and their rules for an abort
 * (an upload whose bytes are out and a create once sent are let answer), are lib/job.ts's,
 * shared with `transcribe()`; this driver adds the journal and the gates around them. The
 * result is handed back with a `settle` step that the scheduler runs once the caller has taken
 * the result: only then is the input journaled done and its server objects deleted, so a crash
 * before the caller had it loses nothing (the next run fetches it again) and creates nothing
 * twice.
 */
import {
  SonioxAPIError,
  SonioxError,
  SonioxJournalError,
  SonioxNotFoundError,
  SonioxRateLimitError,
  SonioxTimeoutError,
} from '../errors';
import { abortError } from '../internal/abort-error';
import { flowTicket } from '../http/admission';
import { inFlow } from '../http/call-options';
import type { Files } from '../resources/files';
import type { Transcriptions } from '../resources/transcriptions';
import {
  CLEANUP_CALL,
  DEFAULT_CLEANUP_WAIT_MS,
  cleanUp as cleanUpFlow,
  createStep,
  finishStep,
  uploadStep,
} from '../job';
import type { CreateTranscriptionParams } from '../types';
import type { HashTable } from './hash-table';
import { identify, type InputIdentity } from './identity';
import type { Journal, JournalEntry } from './journal';
import { findFileByReference, findTranscriptionByReference } from './lookup';
import type { ProgressTracker } from './progress';
import { isQuotaAnswer, type QuotaGate, type QuotaKind, type QuotaTimings } from './quota';
import type { BatchDone, BatchResult, BatchSource } from './types';

/** Everything the inputs of one batch share. */
export interface BatchContext {
  files: Files;
  transcriptions: Transcriptions;
  /** The create parameters, without a source or a client reference. */
  createParams: CreateTranscriptionParams;
  wait: {
    timeoutMs: number | undefined;
    pollIntervalMs: number | undefined;
    maxPollIntervalMs: number | undefined;
  };
  journal: Journal | undefined;
  gates: Record<QuotaKind, QuotaGate>;
  quota: QuotaTimings;
  progress: ProgressTracker;
  cleanup: boolean;
  /**
   * Hashes taken by an input of this run: a later input with the same content is a duplicate.
   * Compact: it holds every input of the run.
   */
  claimed: HashTable;
}

/** An input's result and what to do once the caller has taken it. */
export interface InputOutcome<S> {
  result: BatchResult<S>;
  /** The caller took the result: journals the end and cleans up; never rejects. */
  settle(): Promise<void>;
  /**
   * The batch stopped before the caller took the result. With a journal, what the input holds
   * stays on the server, journaled, for the next run to pick up without paying again; without
   * one, it is deleted as `transcribe()` does. Never rejects.
   */
  discard(): Promise<void>;
}

/** Server objects an input holds, to delete at the end. */
interface Held {
  fileId: string | undefined;
  transcriptionId: string | undefined;
  /**
   * Set while what a create did is unknown (its reference, when it was sent): one in flight, cut
   * off or not, or one a previous run journaled as `creating`, until a lookup by reference
   * answers. The server may have the job all the same.
   */
  creating: { reference: string; sentAt: number | undefined } | undefined;
  /**
   * The input's flow ticket (lib/http/admission.ts): its requests wait for a socket by when the
   * input started, so one further along is not queued behind inputs started after it.
   */
  flow?: number | undefined;
}

function asSonioxError(error: unknown): SonioxError {
  if (error instanceof SonioxError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SonioxError(`transcribeMany: ${message}`, { cause: error });
}

/** Runs one input; never rejects (a failure is a failed result). */
export async function runInput<S extends BatchSource>(
  ctx: BatchContext,
  input: S,
  index: number,
  signal: AbortSignal,
): Promise<InputOutcome<S>> {
  const held: Held = {
    fileId: undefined,
    transcriptionId: undefined,
    creating: undefined,
    flow: flowTicket(),
  };
  let hash: string | undefined;
  try {
    const identity = await identify(input);
    hash = identity.hash;
    let prior = ctx.journal?.get(hash);
    if (prior?.event === 'failed' && prior.cleanupOwed) {
      // The failed attempt's objects go first. Its ids are never resumed from: the input starts
      // afresh whether or not the deletes went through.
      await cleanUpOwed(ctx, hash, prior);
      prior = undefined;
    }
    if (prior?.event === 'done' || ctx.claimed.has(hash)) {
      const reason = prior?.event === 'done' ? 'journaled' : 'duplicate';
      const owed = prior?.event === 'done' && prior.cleanupOwed ? prior : undefined;
      const finish = () => (owed ? cleanUpOwed(ctx, identity.hash, owed) : Promise.resolve());
      return {
        result: {
          status: 'skipped',
          ok: true,
          input,
          index,
          hash,
          reason,
          transcriptionId: reason === 'journaled' ? prior?.transcriptionId : undefined,
        },
        // A previous run journaled it done and was stopped before deleting its job.
        settle: finish,
        discard: finish,
      };
    }
    ctx.claimed.set(hash);
    const id = await reachCreated(ctx, input, identity, prior, held, signal);
    const { transcription: finished, transcript } = await finishStep(
      ctx.transcriptions,
      id,
      { ...ctx.wait, signal, ...inFlow(held.flow) },
      (ended) => {
        // A job that ended frees a pending slot: slots waiting on that quota may go.
        ctx.gates.transcriptions.open();
        ctx.progress.transcribed(ended.audio_duration_ms ?? undefined);
      },
    );
    const doneHash = hash;
    let kept = false;
    const result: BatchDone<S> = {
      status: 'done',
      ok: true,
      input,
      index,
      hash,
      transcriptionId: id,
      transcript,
      audioDurationMs: finished.audio_duration_ms ?? undefined,
      keepForNextRun: () => undefined,
    };
    // Not enumerable: a result stays plain data to print, compare or serialise. A call after
    // the next result was asked for changes nothing: settle() read `kept` when it was asked.
    Object.defineProperty(result, 'keepForNextRun', {
      enumerable: false,
      value: () => {
        kept = true;
      },
    });
    return {
      result,
      settle: async () => {
        if (kept) {
          // The caller could not save it: paid for, so kept for the next run to fetch again (its
          // file id is journaled already, with `uploaded`).
          ctx.journal?.write({ event: 'kept', hash: doneHash, transcription_id: id });
          return;
        }
        ctx.journal?.write({
          event: 'done',
          hash: doneHash,
          transcription_id: id,
          ...(ctx.cleanup && { cleanup: true }),
        });
        if (await cleanUp(ctx, held)) ctx.journal?.write({ event: 'cleaned', hash: doneHash });
      },
      discard: () => keepOrCleanUp(ctx, held),
    };
  } catch (caught) {
    const error = asSonioxError(caught);
    const failedHash = hash;
    const result: BatchResult<S> = { status: 'failed', ok: false, input, index, hash, error };
    // A journal that cannot be written stops the batch (run.ts): the input is kept as it is
    // journaled, for the next run, as when the batch is aborted. Such a result is never
    // delivered (run.ts checks for both before each one), so it is only ever discarded.
    if (signal.aborted || caught instanceof SonioxJournalError) {
      const discard = () => keepOrCleanUp(ctx, held);
      return { result, settle: discard, discard };
    }
    const settle = async () => {
      // An input that could not be read holds nothing, and the journal has no line for it.
      if (failedHash === undefined) return;
      // What its create did is unknown (no lookup by reference answered): it stays journaled as
      // `creating`, its file kept, and the next run looks for its job before creating again. A
      // job the server made is then used, not paid for twice.
      if (held.creating !== undefined && ctx.journal) return;
      const owes = ctx.cleanup && (held.fileId ?? held.transcriptionId) !== undefined;
      ctx.journal?.write({
        event: 'failed',
        hash: failedHash,
        code: error.code,
        ...(owes && { cleanup: true }),
      });
      if ((await cleanUp(ctx, held)) && owes)
        ctx.journal?.write({ event: 'cleaned', hash: failedHash });
    };
    return { result, settle, discard: settle };
  }
}

/**
 * Brings an input to a created transcription and returns its id: the journal's, one an
 * interrupted create left on the server (found by its client reference), or a new one.
 */
async function reachCreated(
  ctx: BatchContext,
  input: BatchSource,
  identity: InputIdentity,
  prior: JournalEntry | undefined,
  held: Held,
  signal: AbortSignal,
): Promise<string> {
  const { hash, reference } = identity;
  held.fileId = prior?.fileId;
  if (prior?.transcriptionId !== undefined) {
    held.transcriptionId = prior.transcriptionId;
    return prior.transcriptionId;
  }
  if (prior?.event === 'creating') {
    // Unknown until the lookup answers: an input that fails meanwhile stays journaled so.
    held.creating = { reference, sentAt: prior.sentAt };
    const found = await findTranscriptionByReference(
      ctx.transcriptions,
      reference,
      prior.sentAt,
      signal,
    );
    held.creating = undefined;
    if (found) {
      held.transcriptionId = found.id;
      ctx.journal?.write({ event: 'created', hash, transcription_id: found.id });
      return found.id;
    }
  }
  const source =
    identity.kind === 'url'
      ? { audio_url: (input as { audio_url: string }).audio_url }
      : { file_id: await reachUploaded(ctx, input, identity, prior, held, signal) };
  const sentAt = Date.now();
  ctx.journal?.write({ event: 'creating', hash, at: sentAt });
  // The one rule for a create (lib/job.ts): once sent, it is let answer, and settled by the
  // transport's exactly-once lookup when no answer comes; what that leaves undecided is looked
  // up again at cleanup (held.creating), or by the next run (journaled `creating`).
  const created = await underQuota(ctx, 'transcriptions', signal, async () => {
    // Not sent when stopped already: nothing to look up then.
    if (signal.aborted) throw abortError(signal, 'transcribeMany');
    held.creating = { reference, sentAt };
    try {
      return await createStep(
        ctx.transcriptions,
        { ...ctx.createParams, ...source, client_reference_id: reference },
        {
          signal,
          aborted: () => abortError(signal, 'transcribeMany'),
          flow: held.flow,
          created: (job) => {
            held.transcriptionId = job.id;
            held.creating = undefined;
            ctx.journal?.write({ event: 'created', hash, transcription_id: job.id });
          },
        },
      );
    } catch (error) {
      // The server answered: it did not create, and there is nothing to look up at cleanup.
      if (error instanceof SonioxAPIError) held.creating = undefined;
      throw error;
    }
  });
  return created.id;
}

/** Brings a local input to a stored file and returns its id (reusing one an earlier run stored). */
async function reachUploaded(
  ctx: BatchContext,
  input: BatchSource,
  identity: InputIdentity,
  prior: JournalEntry | undefined,
  held: Held,
  signal: AbortSignal,
): Promise<string> {
  const { hash, reference } = identity;
  let fileId = prior?.fileId;
  if (fileId !== undefined) {
    // Still stored? A file deleted meanwhile is uploaded again (a file costs nothing).
    fileId = await ctx.files.get(fileId, { signal, ...inFlow(held.flow) }).then(
      (f) => f.id,
      (error: unknown) => {
        if (error instanceof SonioxNotFoundError) return undefined;
        throw error;
      },
    );
  } else if (prior?.event === 'started') {
    // Stopped during the upload: the server may have stored it all the same.
    fileId = (await findFileByReference(ctx.files, reference, prior.sentAt, signal))?.id;
  }
  if (fileId === undefined) {
    ctx.journal?.write({ event: 'started', hash, at: Date.now() });
    let sent = 0;
    const file = await underQuota(ctx, 'files', signal, () => {
      ctx.progress.uploaded(-sent);
      sent = 0;
      return uploadStep(ctx.files, input as Exclude<BatchSource, { audio_url: string }>, {
        client_reference_id: reference,
        signal,
        stop: undefined,
        ...inFlow(held.flow),
        onProgress: ({ loaded }) => {
          ctx.progress.uploaded(loaded - sent);
          sent = loaded;
        },
      });
    });
    fileId = file.id;
  }
  held.fileId = fileId;
  if (prior?.fileId !== fileId) ctx.journal?.write({ event: 'uploaded', hash, file_id: fileId });
  return fileId;
}

/** Runs `attempt`, waiting at the quota's gate and trying again while the quota is full. */
async function underQuota<T>(
  ctx: BatchContext,
  kind: QuotaKind,
  signal: AbortSignal,
  attempt: () => Promise<T>,
): Promise<T> {
  const gate = ctx.gates[kind];
  const deadline = Date.now() + ctx.quota.timeoutMs;
  const what = `transcribeMany: the ${kind} quota`;
  for (;;) {
    await gate.pass(deadline, signal, what);
    try {
      const result = await attempt();
      gate.accepted();
      return result;
    } catch (error) {
      if (signal.aborted || !isQuotaAnswer(error)) throw error;
      if (Date.now() >= deadline) {
        throw new SonioxTimeoutError(
          `${what} stayed full for ${ctx.quota.timeoutMs} ms`,
          ctx.quota.timeoutMs,
          { cause: error },
        );
      }
      ctx.progress.quotaWait();
      gate.refused(error instanceof SonioxRateLimitError ? error.retryAfterMs : undefined);
    }
  }
}

/** An input stopped half-way: kept for the next run when journaled, else deleted. */
function keepOrCleanUp(ctx: BatchContext, held: Held): Promise<void> {
  return ctx.journal ? Promise.resolve() : cleanUp(ctx, held).then(() => undefined);
}

/**
 * The cleanup a previous run journaled as due and was stopped before finishing (a kill between
 * the input's end and its deletes): done now, and journaled as done, unless this run keeps
 * what inputs hold (`cleanup: false`).
 */
async function cleanUpOwed(ctx: BatchContext, hash: string, owed: JournalEntry): Promise<void> {
  const held: Held = {
    fileId: owed.fileId,
    transcriptionId: owed.transcriptionId,
    creating: undefined,
  };
  if (await cleanUp(ctx, held)) ctx.journal?.write({ event: 'cleaned', hash });
}

/**
 * Deletes what an input holds with `client.transcribe()`'s own cleanup (the transcription, which
 * takes its file with it, waiting out a job still processing; then the file of an upload whose
 * transcription was never created). A create that was cut off is looked up by its client
 * reference first, so it is not left behind. Bounded, and never fails the batch. Each delete
 * frees a slot of a quota: its gate opens. Resolves whether it ran and nothing failed (what
 * could not be deleted may still be on the server).
 */
async function cleanUp(ctx: BatchContext, held: Held): Promise<boolean> {
  if (!ctx.cleanup) return false;
  let clean = true;
  if (held.creating !== undefined) {
    // A create whose outcome is unknown, met here only without a journal (with one, the input
    // stays journaled as `creating` for the next run): its job, if any, is found and deleted.
    const { reference, sentAt } = held.creating;
    const signal = AbortSignal.timeout(CLEANUP_CALL.timeoutMs);
    held.transcriptionId = await findTranscriptionByReference(
      ctx.transcriptions,
      reference,
      sentAt,
      signal,
    ).then(
      (found) => found?.id,
      () => undefined,
    );
  }
  await cleanUpFlow(ctx, {
    transcription: held.transcriptionId,
    file: held.fileId,
    signal: undefined,
    waitMs: DEFAULT_CLEANUP_WAIT_MS,
    pauseMs: Math.min(ctx.wait.pollIntervalMs ?? 1_000, 1_000),
    onCleanup: ({ type, target }) => {
      if (type !== 'deleted') return;
      if (target === 'transcription') ctx.gates.transcriptions.open();
      ctx.gates.files.open();
    },
    onCleanupError: () => {
      clean = false;
    },
    flow: held.flow,
  });
  return clean;
}
