/**
 * A planned batch run through `client.transcribeMany`: each transcript written to its output as
 * its result comes (atomically: a crash leaves no half file), each input reported to the
 * display, one row per finished input for the summary. The library journals an input done only
 * once its result was taken, that is after its output was written and recorded in the ledger
 * (batch/ledger.ts: what each output was written from).
 *
 * Inputs the library skips are accounted for here: one whose output was written from the
 * content now at its path keeps it; otherwise its output is copied from one that holds that
 * content (another input's of this run, once there is one, or one an earlier run wrote under
 * another name), else fetched from the transcription the journal names if it was kept, else
 * that input alone is transcribed again. An input whose content failed fails, saying why.
 *
 * An output that cannot be written (a full disk) is not journaled done: its transcription is
 * kept (`keepForNextRun`) and its id printed, and the next run writes it without transcribing
 * it again. A journal that cannot be written stops the run; what was done is still summarised.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BatchProgress, BatchResult } from '../../batch';
import type { SonioxClient } from '../../client';
import { SonioxJournalError, SonioxJournalLockedError } from '../../errors';
import type { CreateTranscriptionParams } from '../../types';
import { describe } from '../context';
import type { BatchDisplay, FinishedLine } from '../render/batch-progress';
import { formatTranscript, type TranscriptFormat } from '../render/transcript';
import { ledgerName, OutputLedger } from './ledger';
import type { PlannedInput } from './names';

/** What a run is asked to do. */
export interface BatchRunOptions {
  /** This run's inputs (this shard's), each with its output name. */
  inputs: readonly PlannedInput[];
  outDir: string;
  format: TranscriptFormat;
  journal: string;
  /**
   * The journal was there before this run: when it has no ledger (batch/ledger.ts), it was made
   * before ledgers were, and the outputs it has done are trusted as they were then.
   */
  resuming?: boolean;
  params: CreateTranscriptionParams;
  concurrency: number | undefined;
  /** Keep each input's file and transcription on the server. */
  keep: boolean;
  pollMs: number;
  signal: AbortSignal;
}

/** One finished input, for the summary. */
export interface BatchRow {
  input: PlannedInput;
  status: FinishedLine['status'];
  /** The output path (done, skipped, copied) or the reason (failed). */
  detail: string;
}

/**
 * What a run did: its rows in input order, whether it was stopped before the end, and the
 * journal's failure when that is what stopped it.
 */
export interface BatchOutcome {
  rows: BatchRow[];
  stopped: boolean;
  journalError?: SonioxJournalError | undefined;
}

/**
 * Writes `target` whole or not at all: a temporary file renamed into place. The temporary name
 * is this process's own (two runs never write one file), and it is removed on any failure (a
 * full disk leaves no `.partial` behind).
 */
async function writeOutput(target: string, content: string | { copyOf: string }): Promise<void> {
  const partial = `${target}.${process.pid}.partial`;
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- under the --out-dir the user gave
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  try {
    if (typeof content === 'string')
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- as above
      await fs.promises.writeFile(partial, content.endsWith('\n') ? content : `${content}\n`);
    else await fs.promises.copyFile(content.copyOf, partial);
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- as above
    await fs.promises.rename(partial, target);
  } catch (error) {
    await fs.promises.rm(partial, { force: true });
    throw error;
  }
}

/** Runs the batch (see the file comment); rejects only on what stops the whole batch. */
export async function runBatch(
  client: SonioxClient,
  options: BatchRunOptions,
  display: BatchDisplay,
): Promise<BatchOutcome> {
  const { inputs, outDir } = options;
  const ledger = OutputLedger.open(ledgerName(options.journal), outDir, options.resuming === true);
  const readable = readablePaths(inputs);
  const rows = new Map<number, BatchRow>();
  /** A file holding each content's transcript, written in this run, and the input it is for. */
  const written = new Map<string, number>();
  /** Inputs waiting for the output of the same content. */
  const waiting = new Map<string, number[]>();
  /** The transcription an earlier run made of each waiting content, when the journal knows it. */
  const earlier = new Map<string, string>();
  /** Inputs whose content failed in this run. */
  const failedHashes = new Map<string, number>();
  const target = (index: number) => path.join(outDir, inputOf(index).output);
  const inputOf = (index: number): PlannedInput => {
    const input = inputs[index];
    /* istanbul ignore if: the library hands back the indexes it was given */
    if (!input) throw new Error(`transcribe: no input #${index}`);
    return input;
  };
  const finish = (index: number, status: BatchRow['status'], detail: string, text: string) => {
    rows.set(index, { input: inputOf(index), status, detail });
    display.line({ status, text });
  };
  const fail = (index: number, reason: string) =>
    finish(index, 'failed', reason, `${inputOf(index).path}: ${reason}`);

  /** Writes `index`'s output from `hash` and records it in the ledger; false when it failed. */
  const write = async (
    index: number,
    hash: string,
    content: string | { copyOf: string },
    keep?: () => string | undefined,
  ): Promise<boolean> => {
    try {
      await ledger.beforeWrite(inputOf(index).output, hash);
      await writeOutput(target(index), content);
      ledger.record(inputOf(index).output, hash);
      return true;
    } catch (e) {
      // A transcript that could not be written fails the inputs waiting for it; a copy, only itself.
      if (typeof content === 'string') failedHashes.set(hash, index);
      // Paid for: not journaled done, not deleted; the next run writes it without a create.
      const kept = keep?.();
      const next =
        kept === undefined
          ? ''
          : `; transcription ${kept} kept: run the same command again to write it`;
      fail(index, `cannot write ${target(index)}: ${describe(e)}${next}`);
      return false;
    }
  };
  /** `index`'s output now holds the transcript of `hash`: inputs waiting for it get a copy. */
  const provide = async (hash: string, index: number) => {
    written.set(hash, index);
    const others = waiting.get(hash) ?? [];
    waiting.delete(hash);
    for (const other of others) await copy(other, hash, target(index), inputOf(index).path);
  };
  const copy = async (index: number, hash: string, from: string, why: string) => {
    if (!(await write(index, hash, { copyOf: from }))) return;
    finish(index, 'copied', target(index), `${inputOf(index).path} -> ${target(index)} (${why})`);
  };

  const take = async (result: BatchResult<string>, index: number) => {
    const input = inputOf(index);
    if (result.status === 'failed') {
      if (result.hash !== undefined) failedHashes.set(result.hash, index);
      fail(index, describe(result.error));
      return;
    }
    const { hash } = result;
    if (result.status === 'done') {
      const transcript = formatTranscript(result.transcript, options.format);
      const keep = () => {
        result.keepForNextRun();
        return result.transcriptionId;
      };
      if (!(await write(index, hash, transcript, keep))) return;
      finish(index, 'done', target(index), `${input.path} -> ${target(index)}`);
      await provide(hash, index);
      return;
    }
    // Skipped: done by an earlier run, or by this one for another input with the same audio.
    // The output stays only if it was written from the content now at the input's path.
    if (ledger.holds(input.output, hash)) {
      if (ledger.legacy) {
        try {
          ledger.record(input.output, hash);
        } catch {
          // Not recorded: the next run writes this output again, which costs a copy at most.
        }
      }
      finish(
        index,
        'skipped',
        target(index),
        `${input.path} (done by an earlier run: ${target(index)})`,
      );
      if (!written.has(hash)) await provide(hash, index);
      return;
    }
    const from = written.get(hash);
    if (from !== undefined)
      return copy(index, hash, target(from), `same audio as ${inputOf(from).path}`);
    const kept = ledger.copyOf(hash);
    if (kept !== undefined) {
      await copy(index, hash, kept, 'same audio as an output of an earlier run');
      if (rows.get(index)?.status === 'copied') await provide(hash, index);
      return;
    }
    if (result.transcriptionId !== undefined) earlier.set(hash, result.transcriptionId);
    waiting.set(hash, [...(waiting.get(hash) ?? []), index]);
  };

  const batchOptions = {
    ...options.params,
    concurrency: options.concurrency,
    signal: options.signal,
    cleanup: !options.keep,
    pollIntervalMs: options.pollMs,
    maxPollIntervalMs: Math.max(options.pollMs, 5_000),
    onProgress: (p: BatchProgress) => display.progress(p),
  };
  let stopped = false;
  let journalError: SonioxJournalError | undefined;
  try {
    const results = client.transcribeMany(
      inputs.map((_, index) => readable.path(index)),
      { ...batchOptions, journal: options.journal },
    );
    for await (const result of results) await take(result, result.index);
    if (!options.signal.aborted) {
      // Content transcribed by an earlier run, whose output is gone: the transcript the journal
      // names when it was kept (--keep), else that input alone transcribed again.
      const again: number[] = [];
      for (const [hash, [first, ...rest]] of waiting) {
        if (first === undefined || failedHashes.has(hash)) continue;
        // `first` gets the output, the rest a copy of it.
        waiting.set(hash, rest);
        const write1 = (text: string) => write(first, hash, text);
        if (await fetchKept(client, earlier.get(hash), options, write1)) {
          const text = `${inputOf(first).path} -> ${target(first)} (transcript of an earlier run)`;
          finish(first, 'fetched', target(first), text);
          await provide(hash, first);
        } else if (!rows.has(first)) again.push(first);
      }
      if (again.length > 0) {
        // Not journaled: the journal has this content done already. Not on the bars either:
        // they counted these inputs as skipped.
        const paths = again.map((index) => readable.path(index));
        const redo = client.transcribeMany(paths, { ...batchOptions, onProgress: undefined });
        for await (const result of redo) await take(result, again[result.index] ?? -1); // -1: inputOf() throws
      }
    }
  } catch (e) {
    // A journal that could not be written stopped the batch: the rows so far are summarised.
    if (e instanceof SonioxJournalError && !(e instanceof SonioxJournalLockedError))
      journalError = e;
    else if (!options.signal.aborted) throw e;
    stopped = true;
  } finally {
    ledger.clearStash();
    readable.remove();
  }
  if (!stopped) {
    for (const [hash, indexes] of waiting) {
      const failedAt = failedHashes.get(hash);
      for (const index of indexes)
        if (rows.get(index) === undefined)
          fail(
            index,
            failedAt !== undefined
              ? `same audio as ${inputOf(failedAt).path}, which failed`
              : `transcribed by an earlier run, but ${target(index)} could not be written again`,
          );
    }
  }
  return {
    rows: [...rows.entries()].sort(([a], [b]) => a - b).map(([, row]) => row),
    stopped,
    journalError,
  };
}

/**
 * Writes the transcript of the transcription `id` an earlier run kept, through `write`; false
 * when there is none (no id, or it was deleted since), so that the input is transcribed again.
 */
async function fetchKept(
  client: SonioxClient,
  id: string | undefined,
  options: BatchRunOptions,
  write: (text: string) => Promise<boolean>,
): Promise<boolean> {
  if (id === undefined) return false;
  let text: string;
  try {
    const transcript = await client.transcriptions.getTranscript(id, { signal: options.signal });
    text = formatTranscript(transcript, options.format);
  } catch (e) {
    if (options.signal.aborted) throw e;
    return false;
  }
  return write(text);
}

/**
 * Paths the library can open for every input. A name that is not UTF-8 cannot be passed as a
 * string (Node encodes strings as UTF-8): such an input is read through a symlink to its exact
 * bytes, named by its rendering (which the upload sends as the file name), in a scratch
 * directory that `remove` deletes.
 */
function readablePaths(inputs: readonly PlannedInput[]): {
  path: (index: number) => string;
  remove: () => void;
} {
  const links = new Map<number, string>();
  let scratch: string | undefined;
  inputs.forEach((input, index) => {
    if (!input.bytes) return;
    scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-names-'));
    const target = path.isAbsolute(input.path)
      ? input.bytes
      : Buffer.concat([Buffer.from(`${process.cwd()}${path.sep}`), input.bytes]);
    const link = path.join(scratch, String(index), path.basename(input.path));
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- in the scratch directory just made
    fs.mkdirSync(path.dirname(link));
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- to an input the walk found
    fs.symlinkSync(target, link);
    links.set(index, link);
  });
  return {
    path: (index) => links.get(index) ?? inputs[index]?.path ?? '',
    remove: () => {
      if (scratch !== undefined) fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}
