/**
 * A planned batch run through `client.transcribeMany`: each transcript written to its output as
 * its result comes (atomically: a crash leaves no half file), each input reported to the
 * display, one row per finished input for the summary. The library journals an input done only
 * once its result was taken, that is after its output was written, so rerunning the same
 * command skips exactly the inputs whose output exists.
 *
 * Inputs the library skips are accounted for here: one done by an earlier run keeps the output
 * that run wrote; one with the same audio as another (a `duplicate`) gets a copy of the other's
 * output once there is one; an input left with neither fails, saying why.
 *
 * An output that cannot be written (a full disk) is not journaled done: its transcription is
 * kept (`keepForNextRun`) and its id printed, and the next run writes it without transcribing
 * it again. A journal that cannot be written stops the run; what was done is still summarised.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BatchResult } from '../../batch';
import type { SonioxClient } from '../../client';
import { SonioxJournalError, SonioxJournalLockedError } from '../../errors';
import type { CreateTranscriptionParams } from '../../types';
import { describe } from '../context';
import type { BatchDisplay, FinishedLine } from '../render/batch-progress';
import { formatTranscript, type TranscriptFormat } from '../render/transcript';
import type { PlannedInput } from './names';

/** What a run is asked to do. */
export interface BatchRunOptions {
  /** This run's inputs (this shard's), each with its output name. */
  inputs: readonly PlannedInput[];
  outDir: string;
  format: TranscriptFormat;
  journal: string;
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

function isFile(file: string): boolean {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- under the --out-dir the user gave
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true;
}

/** Runs the batch (see the file comment); rejects only on what stops the whole batch. */
export async function runBatch(
  client: SonioxClient,
  options: BatchRunOptions,
  display: BatchDisplay,
): Promise<BatchOutcome> {
  const { inputs, outDir } = options;
  const rows = new Map<number, BatchRow>();
  /** An input whose output holds each content's transcript, once there is one. */
  const written = new Map<string, number>();
  /** Inputs waiting for the output of the same content. */
  const waiting = new Map<string, number[]>();
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

  /** `index`'s output now holds the transcript of `hash`: inputs waiting for it get a copy. */
  const provide = async (hash: string, index: number) => {
    written.set(hash, index);
    for (const other of waiting.get(hash) ?? []) await copy(other, index);
    waiting.delete(hash);
  };
  const copy = async (index: number, from: number) => {
    try {
      await writeOutput(target(index), { copyOf: target(from) });
      finish(
        index,
        'copied',
        target(index),
        `${inputOf(index).path} -> ${target(index)} (same audio as ${inputOf(from).path})`,
      );
    } catch (e) {
      fail(index, `cannot write ${target(index)}: ${describe(e)}`);
    }
  };

  const take = async (result: BatchResult<string>) => {
    const { index } = result;
    const input = inputOf(index);
    if (result.status === 'failed') {
      if (result.hash !== undefined) failedHashes.set(result.hash, index);
      fail(index, describe(result.error));
      return;
    }
    if (result.status === 'done') {
      try {
        await writeOutput(target(index), formatTranscript(result.transcript, options.format));
      } catch (e) {
        // Paid for: not journaled done, not deleted; the next run writes it without a create.
        result.keepForNextRun();
        failedHashes.set(result.hash, index);
        fail(
          index,
          `cannot write ${target(index)}: ${describe(e)}; transcription ${result.transcriptionId} kept: run the same command again to write it`,
        );
        return;
      }
      finish(index, 'done', target(index), `${input.path} -> ${target(index)}`);
      await provide(result.hash, index);
      return;
    }
    // Journaled: done by an earlier run, or by this one for another input with the same audio.
    if (result.reason === 'journaled' && isFile(target(index))) {
      finish(
        index,
        'skipped',
        target(index),
        `${input.path} (done by an earlier run: ${target(index)})`,
      );
      if (!written.has(result.hash)) await provide(result.hash, index);
      return;
    }
    const from = written.get(result.hash);
    if (from !== undefined) await copy(index, from);
    else waiting.set(result.hash, [...(waiting.get(result.hash) ?? []), index]);
  };

  let stopped = false;
  let journalError: SonioxJournalError | undefined;
  try {
    const results = client.transcribeMany(
      inputs.map((input) => input.path),
      {
        ...options.params,
        concurrency: options.concurrency,
        journal: options.journal,
        signal: options.signal,
        cleanup: !options.keep,
        pollIntervalMs: options.pollMs,
        maxPollIntervalMs: Math.max(options.pollMs, 5_000),
        onProgress: (p) => display.progress(p),
      },
    );
    for await (const result of results) await take(result);
  } catch (e) {
    // A journal that could not be written stopped the batch: the rows so far are summarised.
    if (e instanceof SonioxJournalError && !(e instanceof SonioxJournalLockedError))
      journalError = e;
    else if (!options.signal.aborted) throw e;
    stopped = true;
  }
  if (!stopped) {
    for (const [hash, indexes] of waiting) {
      const failedAt = failedHashes.get(hash);
      for (const index of indexes)
        fail(
          index,
          failedAt !== undefined
            ? `same audio as ${inputOf(failedAt).path}, which failed`
            : `transcribed by an earlier run, but ${target(index)} is gone: --restart transcribes the batch again`,
        );
    }
  }
  return {
    rows: [...rows.entries()].sort(([a], [b]) => a - b).map(([, row]) => row),
    stopped,
    journalError,
  };
}
