/**
 * The batch scheduler: pulls inputs lazily (the next one only when a slot frees), runs at most
 * `concurrency` of them, and yields their results in completion order. A slot stays taken until
 * the caller has taken its result and the input has been journaled and cleaned up, so neither
 * the inputs nor the results pile up in memory, whatever the number of inputs.
 */
import { SonioxError, type FieldIssue } from '../errors';
import { abortError } from '../internal/abort-error';
import { follow } from '../internal/follow-signal';
import { createParamIssues } from '../job';
import type { Files } from '../resources/files';
import {
  durationIssues,
  functionIssues,
  isObject,
  rejectGroups,
  rejectIssues,
} from '../internal/issues';
import { waitOptionIssues, type Transcriptions } from '../resources/transcriptions';
import { HashTable } from './hash-table';
import { runInput, type BatchContext, type InputOutcome } from './input';
import { Journal } from './journal';
import { ProgressTracker } from './progress';
import { QuotaGate, type QuotaTimings } from './quota';
import type { BatchResult, BatchSource, TranscribeManyOptions } from './types';

/** What the batch needs of the client. */
export interface BatchDeps {
  files: Files;
  transcriptions: Transcriptions;
}

/** Defaults of the batch options. */
export const BATCH_DEFAULTS = {
  concurrency: 4,
  /** The account's pending-transcriptions quota: more slots than that could only wait. */
  maxConcurrency: 100,
  quotaWaitMs: 1_000,
  maxQuotaWaitMs: 30_000,
  quotaTimeoutMs: 3_600_000,
} as const;

const WHAT = 'transcribeMany';

/** The issues of the batch's own options (those not of the create or the wait). */
function batchOptionIssues(options: TranscribeManyOptions): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { concurrency, journal, total, cleanup, onProgress } = options;
  if (
    concurrency !== undefined &&
    (!Number.isInteger(concurrency) ||
      concurrency < 1 ||
      concurrency > BATCH_DEFAULTS.maxConcurrency)
  )
    issues.push({ field: 'concurrency', message: 'must be an integer from 1 to 100' });
  if (journal !== undefined && (typeof journal !== 'string' || journal === ''))
    issues.push({ field: 'journal', message: 'must be a non-empty path' });
  if (total !== undefined && (!Number.isInteger(total) || total < 0))
    issues.push({ field: 'total', message: 'must be a non-negative integer' });
  if (cleanup !== undefined && typeof cleanup !== 'boolean')
    issues.push({ field: 'cleanup', message: 'must be true or false' });
  issues.push(
    ...functionIssues('onProgress', onProgress),
    ...durationIssues('quotaWaitMs', options.quotaWaitMs),
    ...durationIssues('maxQuotaWaitMs', options.maxQuotaWaitMs),
    ...durationIssues('quotaTimeoutMs', options.quotaTimeoutMs),
  );
  return issues;
}

/** A sync or async iterable as an async iterator (a sync one is pulled one item at a time too). */
function pull<S>(sources: Iterable<S> | AsyncIterable<S>): AsyncIterator<S> {
  if (sources !== null && typeof sources === 'object' && Symbol.asyncIterator in sources)
    return sources[Symbol.asyncIterator]();
  if (sources === null || typeof sources !== 'object' || !(Symbol.iterator in sources)) {
    rejectIssues(WHAT, [{ field: 'sources', message: 'must be an iterable or an async iterable' }]);
  }
  const it = sources[Symbol.iterator]();
  return {
    next: () => Promise.resolve(it.next()),
    return: (value?: unknown) =>
      Promise.resolve(it.return?.(value) ?? { done: true as const, value: undefined }),
  };
}

/**
 * Checks the options (throws SonioxValidationError before any input is pulled) and returns the
 * batch as an async iterable of results, one per input, in completion order.
 */
export function transcribeMany<S extends BatchSource>(
  deps: BatchDeps,
  sources: Iterable<S> | AsyncIterable<S>,
  options: TranscribeManyOptions = {},
): AsyncGenerator<BatchResult<S>, void, undefined> {
  // As transcribe() answers a null: refused at the call, not a TypeError at the first result.
  if (!isObject(options)) rejectIssues(WHAT, [{ field: 'options', message: 'must be an object' }]);
  const {
    concurrency,
    journal,
    signal,
    onProgress,
    total,
    cleanup,
    quotaWaitMs,
    maxQuotaWaitMs,
    quotaTimeoutMs,
    timeoutMs,
    pollIntervalMs,
    maxPollIntervalMs,
    ...createParams
  } = options;
  // Every option is checked here, at the call, and refused at once (one error names every bad
  // one, worded as the first check that found one); the create parameters once, not per input.
  rejectGroups(
    { what: WHAT, issues: batchOptionIssues(options) },
    {
      what: 'transcriptions.wait',
      issues: waitOptionIssues({ timeoutMs, pollIntervalMs, maxPollIntervalMs, signal }),
    },
    { what: 'transcriptions.create', issues: createParamIssues(deps.transcriptions, createParams) },
  );
  const iterator = pull(sources);
  const quota: QuotaTimings = {
    firstMs: quotaWaitMs ?? BATCH_DEFAULTS.quotaWaitMs,
    maxMs: maxQuotaWaitMs ?? BATCH_DEFAULTS.maxQuotaWaitMs,
    timeoutMs: quotaTimeoutMs ?? BATCH_DEFAULTS.quotaTimeoutMs,
  };
  const callback = onProgress;
  return run(iterator, {
    concurrency: concurrency ?? BATCH_DEFAULTS.concurrency,
    journalPath: journal,
    signal,
    context: (openedJournal) => ({
      files: deps.files,
      transcriptions: deps.transcriptions,
      createParams,
      wait: { timeoutMs, pollIntervalMs, maxPollIntervalMs },
      journal: openedJournal,
      gates: { files: new QuotaGate(quota), transcriptions: new QuotaGate(quota) },
      quota,
      progress: new ProgressTracker(
        total ?? (Array.isArray(sources) ? sources.length : undefined),
        callback === undefined
          ? undefined
          : (p) => {
              // A throwing callback must not stop the batch half-way through its bookkeeping.
              try {
                callback(p);
              } catch {
                /* ignored, as documented */
              }
            },
      ),
      cleanup: cleanup ?? true,
      claimed: new HashTable(),
    }),
  });
}

interface RunSettings {
  concurrency: number;
  journalPath: string | undefined;
  signal: AbortSignal | undefined;
  context: (journal: Journal | undefined) => BatchContext;
}

async function* run<S extends BatchSource>(
  iterator: AsyncIterator<S>,
  settings: RunSettings,
): AsyncGenerator<BatchResult<S>, void, undefined> {
  const journal = settings.journalPath ? Journal.open(settings.journalPath) : undefined;
  const ctx = settings.context(journal);
  // Stops the inputs in flight: the caller's abort, or the caller leaving the loop.
  const stop = new AbortController();
  const unfollow = settings.signal ? follow(settings.signal, stop) : () => undefined;
  const ready: Array<InputOutcome<S>> = [];
  /** Inputs pulled whose slot is not free yet (running, waiting to be taken, or settling). */
  let active = 0;
  let exhausted = false;
  let index = 0;
  let wake: (() => void) | undefined;
  const changed = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onStop = () => changed();
  stop.signal.addEventListener('abort', onStop, { once: true });
  /**
   * What stops the whole batch: a journal that could not be written. Inputs in flight are
   * stopped and kept for the next run, and the loop rejects with it once they have settled.
   */
  let fatal: SonioxError | undefined;
  const fail = (error: unknown) => {
    fatal ??=
      error instanceof SonioxError
        ? error
        : new SonioxError(`${WHAT}: ${String(error)}`, { cause: error });
    stop.abort(fatal);
    changed();
  };
  const settled = (outcome: InputOutcome<S>, delivered: boolean) => {
    // settle() and discard() reject only when the journal cannot be written.
    void (delivered ? outcome.settle() : outcome.discard()).catch(fail).finally(() => {
      active--;
      changed();
    });
  };
  let taken: InputOutcome<S> | undefined;

  try {
    for (;;) {
      while (active < settings.concurrency && !exhausted && !stop.signal.aborted) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        active++;
        ctx.progress.started();
        const input = next.value;
        const slot = new AbortController();
        const unfollowSlot = follow(stop.signal, slot);
        void runInput(ctx, input, index++, slot.signal).then((outcome) => {
          unfollowSlot();
          ready.push(outcome);
          changed();
        });
      }
      // Checked before each result is handed out: once a journal write has failed, nothing
      // more is delivered (it could not be journaled done).
      const broken = fatal ?? journal?.failed;
      if (broken) throw broken;
      if (stop.signal.aborted) throw abortError(stop.signal, WHAT);
      const outcome = ready.shift();
      if (outcome) {
        ctx.progress.finished(outcome.result.status);
        taken = outcome;
        yield outcome.result;
        taken = undefined;
        settled(outcome, true);
        continue;
      }
      if (exhausted && active === 0) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    // Leaving the loop by return() means the caller had the last result: it is settled.
    if (taken) settled(taken, true);
    stop.abort();
    stop.signal.removeEventListener('abort', onStop);
    while (active > 0) {
      const outcome = ready.shift();
      if (outcome) settled(outcome, false);
      else
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
    }
    unfollow();
    journal?.close();
    if (!exhausted) await iterator.return?.();
    // Also when the caller left the loop: its last result could not be journaled.
    // eslint-disable-next-line no-unsafe-finally -- the journal failure outranks a return
    if (fatal) throw fatal;
  }
}
