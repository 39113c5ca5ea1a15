/**
 * `soniox transcribe a.wav b.wav dir/ ... --out-dir OUT`: many inputs through
 * `client.transcribeMany`, one output per input under OUT (names: batch/names.ts), a journal in
 * OUT so that the same command run again resumes where it stopped (`--restart` forgets it),
 * `--shard i/n` to share an archive between machines (batch/shard.ts; one journal per shard).
 * Progress on stderr (bars on a terminal, a line per input elsewhere), a summary table on
 * stdout, exit 1 when an input failed. Ctrl-C stops the batch and keeps what is in flight for
 * the next run (exit 130); a closed stdout stops it the same way, quietly, exit 0. A journal
 * that cannot be written (a full disk) stops it too: the summary, one line, exit 1. One run at
 * a time per journal: a second is refused before anything is sent (exit 2).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lockPathOf, JournalLock } from '../../batch/lock';
import { SonioxJournalLockedError } from '../../errors';
import { InterruptedError, rejectUsage, UsageError, type Context } from '../context';
import { isURL } from '../options';
import { BatchDisplay } from '../render/batch-progress';
import { shownName } from '../render/name';
import { table } from '../render/table';
import type { TranscriptFormat } from '../render/transcript';
import { expandInputs } from '../batch/inputs';
import { ledgerName } from '../batch/ledger';
import { OUTPUT_EXTENSIONS, planOutputs } from '../batch/names';
import { runBatch, type BatchRow } from '../batch/run';
import { inShard, type Shard } from '../batch/shard';
import { assertModelFlags, createParams, type TranscribeFlags } from './transcribe-params';

/** The flags of the many-file form. */
export interface BatchFlags {
  outDir?: string;
  concurrency?: number;
  shard?: Shard;
  restart?: boolean;
}

/** Whether the arguments ask for the many-file form (else `transcribe` takes one source). */
export function isBatch(sources: readonly string[], flags: BatchFlags): boolean {
  if (sources.length !== 1) return true;
  const { outDir, concurrency, shard, restart } = flags;
  if ([outDir, concurrency, shard, restart].some((v) => v !== undefined)) return true;
  const [source = ''] = sources;
  return (
    source !== '-' &&
    !isURL(source) &&
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the source the user gave
    fs.statSync(source, { throwIfNoEntry: false })?.isDirectory() === true
  );
}

/** The journal of a batch: one per output format and shard, in OUT. */
export function journalName(format: TranscriptFormat, shard: Shard | undefined): string {
  return `.soniox-batch-${format}${shard ? `-shard-${shard.index}-of-${shard.count}` : ''}.jsonl`;
}

/** The problems of the flags and arguments of the many-file form. */
function batchFlagProblems(
  sources: readonly string[],
  flags: TranscribeFlags & BatchFlags,
): string[] {
  const problems: string[] = [];
  if (flags.outDir === undefined) {
    const flag = flags.shard
      ? '--shard'
      : flags.concurrency !== undefined
        ? '--concurrency'
        : flags.restart
          ? '--restart'
          : undefined;
    const asked =
      sources.length > 1
        ? 'several sources need'
        : flag !== undefined
          ? `${flag} needs`
          : `${sources[0] ?? ''} is a directory: its audio files need`;
    problems.push(`${asked} --out-dir <dir>: one output file per input goes there`);
  }
  const oneAtATime = sources.find((s) => s === '-' || isURL(s));
  if (oneAtATime !== undefined)
    problems.push(
      `${oneAtATime === '-' ? 'stdin (-)' : oneAtATime} is transcribed on its own: soniox transcribe ${oneAtATime}`,
    );
  if (flags.out !== undefined)
    problems.push('--out writes one file: with --out-dir each input gets its own');
  if (flags.reference !== undefined)
    problems.push('--reference names one transcription: a batch sets one per input');
  return problems;
}

/** Why `outDir`, or a directory on the way to it, could not be made or written into. */
function outDirError(e: unknown, outDir: string, verb: 'make' | 'write into'): UsageError {
  const code = (e as NodeJS.ErrnoException).code;
  const what = `cannot ${verb} ${outDir}`;
  if (code === 'EACCES' || code === 'EPERM') return new UsageError(`${what}: permission denied`);
  if (code === 'EROFS') return new UsageError(`${what}: read-only file system`);
  if (code === 'ENOENT')
    return new UsageError(
      verb === 'make'
        ? `${what}: ${path.dirname(path.resolve(outDir))} does not take new directories`
        : `${what}: it does not take new files`,
    );
  return new UsageError(`${what}: ${(e as Error).message}`);
}

/**
 * Makes OUT (and its missing parents) and checks that a file can be made in it, before anything
 * is sent. Made a level at a time: Node's recursive mkdir loops forever where the parent exists
 * but takes no new entries (/proc/x), and says EEXIST or ENOTDIR where a file is in the way.
 */
function makeOutDir(outDir: string): void {
  const missing: string[] = [];
  for (let dir = path.resolve(outDir); ;) {
    let stat: fs.Stats | undefined;
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the --out-dir the user gave, and its parents
      stat = fs.statSync(dir, { throwIfNoEntry: false });
    } catch (e) {
      // ENOTDIR: a file further up; found on the way there.
      if ((e as NodeJS.ErrnoException).code !== 'ENOTDIR') throw outDirError(e, outDir, 'make');
    }
    if (stat?.isDirectory()) break;
    if (stat)
      throw new UsageError(
        missing.length === 0
          ? `cannot write into ${outDir}: it is a file, not a directory`
          : `cannot make ${outDir}: ${dir} is a file, not a directory`,
      );
    missing.unshift(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const dir of missing) {
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the --out-dir the user gave, and its parents
      fs.mkdirSync(dir);
    } catch (e) {
      // Made by another run in between: fine, it is a directory (checked by the trial below).
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw outDirError(e, outDir, 'make');
    }
  }
  // A trial file: permissions, a read-only mount, a directory that takes no files (/proc).
  const trial = path.join(outDir, `.soniox-write-check-${process.pid}`);
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- a trial file in the --out-dir the user gave
    fs.closeSync(fs.openSync(trial, 'wx'));
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the trial file just made
    fs.unlinkSync(trial);
  } catch (e) {
    throw outDirError(e, outDir, 'write into');
  }
}

/**
 * Runs `action`, turning "another run holds the journal" into the CLI's usage error (exit 2):
 * nothing was sent, and the fix is to wait for that run or use another --out-dir.
 */
function refuseIfLocked<T>(action: () => T, outDir: string): T {
  const refuse = (error: unknown): never => {
    if (!(error instanceof SonioxJournalLockedError)) throw error;
    const where =
      error.hostname !== undefined && error.hostname !== os.hostname()
        ? ` on ${error.hostname}`
        : '';
    throw new UsageError(
      error.pid === undefined
        ? `${outDir} is locked by ${lockPathOf(error.path)}, which names no run: if no batch is running there, remove it`
        : `another run (pid ${error.pid}${where}${error.startedAt ? `, started ${error.startedAt}` : ''}) is transcribing into ${outDir}: one run at a time per --out-dir and format; wait for it to end (if it is gone, remove ${lockPathOf(error.path)})`,
    );
  };
  try {
    const result = action();
    return result instanceof Promise ? (result.catch(refuse) as T) : result;
  } catch (error) {
    return refuse(error);
  }
}

/** The summary: a row per finished input, then the totals. */
function summary(rows: readonly BatchRow[], planned: number, elapsedMs: number): string {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.status, (counts.get(row.status) ?? 0) + 1);
  const totals = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
  return `${table(
    ['INPUT', 'STATUS', 'OUTPUT OR ERROR'],
    rows.map((row) => [shownName(row.input.path), row.status, shownName(row.detail)]),
  )}\n\n${rows.length} of ${planned} inputs: ${totals || 'none finished'} in ${(elapsedMs / 1000).toFixed(1)} s\n`;
}

/** Runs the many-file form of `soniox transcribe`. */
export async function transcribeMany(
  ctx: Context,
  sources: readonly string[],
  flags: TranscribeFlags & BatchFlags,
): Promise<void> {
  rejectUsage(batchFlagProblems(sources, flags));
  // Past the checks: --out-dir is given.
  const outDir = flags.outDir as string;
  makeOutDir(outDir);
  const leftOut = (file: string, why: string) => ctx.note(`left out ${shownName(file)}: ${why}`);
  const all = planOutputs(expandInputs(sources, leftOut), OUTPUT_EXTENSIONS[flags.format]);
  const inputs = flags.shard ? inShard(all, flags.shard) : all;
  const journal = path.join(outDir, journalName(flags.format, flags.shard));

  // Before --restart deletes the journal another run may be writing.
  refuseIfLocked(() => JournalLock.check(journal), outDir);
  if (flags.restart) {
    fs.rmSync(journal, { force: true });
    fs.rmSync(ledgerName(journal), { force: true });
  }
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- as above
  const resuming = fs.existsSync(journal);
  const client = ctx.client();
  await assertModelFlags(client, flags, ctx.signal);

  const tty = ctx.io.stderr.isTTY === true;
  const shard = flags.shard
    ? ` (shard ${flags.shard.index}/${flags.shard.count} of ${all.length})`
    : '';
  ctx.note(
    `${resuming ? 'resuming' : 'transcribing'} ${inputs.length} file(s)${shard} into ${shownName(outDir)}; journal ${shownName(journal)}`,
  );
  const display = new BatchDisplay(ctx.stderr, tty, inputs.length);
  const started = Date.now();
  let outcome;
  try {
    outcome = await refuseIfLocked(
      () =>
        runBatch(
          client,
          {
            inputs,
            outDir,
            format: flags.format,
            journal,
            resuming,
            params: createParams(flags),
            concurrency: flags.concurrency,
            keep: flags.keep === true,
            pollMs: flags.pollMs,
            signal: ctx.signal,
          },
          display,
        ),
      outDir,
    );
  } finally {
    display.stop();
  }
  ctx.stdout.write(summary(outcome.rows, inputs.length, Date.now() - started));
  const { journalError } = outcome;
  if (journalError)
    throw new Error(
      `cannot write the journal ${journal}${journalError.errno ? ` (${journalError.errno})` : ''}: the batch stopped; what was done is listed above and kept; make room and run the same command again to finish`,
    );
  if (outcome.stopped) {
    if (!ctx.outputClosed)
      ctx.note(
        `interrupted: what was in flight is kept; run the same command again to resume (journal ${shownName(journal)})`,
      );
    throw new InterruptedError();
  }
  const failed = outcome.rows.filter((row) => row.status === 'failed').length;
  if (failed > 0)
    throw new Error(
      `${failed} of ${inputs.length} input(s) failed; run the same command again to retry them`,
    );
}
