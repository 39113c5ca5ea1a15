/** `soniox files ls|get|upload|rm`: the stored files. */
import type { Command } from 'commander';
import type { SonioxError } from '../../errors';
import type { SonioxFile } from '../../types';
import { uploadStep } from '../../job';
import {
  assertInputFile,
  describe,
  InterruptedError,
  ReportedError,
  rejectUsage,
  UsageError,
  type Context,
} from '../context';
import { duration, integer } from '../options';
import type { BulkDeleteOptions, BulkDeleteResult } from '../../resources/bulk';
import { bytes, table } from '../render/table';
import { shownName } from '../render/name';
import { progressFor } from './transcribe';

/** Lists up to `limit` items of an auto-paging iterable. */
export async function take<T>(items: AsyncIterable<T>, limit: number | undefined): Promise<T[]> {
  const out: T[] = [];
  if (limit === 0) return out;
  for await (const item of items) {
    out.push(item);
    if (limit !== undefined && out.length >= limit) break;
  }
  return out;
}

/** `key: value` lines of an object (nulls shown as -). */
export function fields(record: object): string {
  const entries = Object.entries(record);
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries
    .map(
      ([k, v]) =>
        `${k.padEnd(width)}  ${v === null || v === undefined ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
    )
    .join('\n');
}

/** Deletes each id with `remove`; names failures; exit 1 when any failed. */
export async function removeAll(
  ctx: Context,
  ids: string[],
  what: string,
  remove: (id: string) => Promise<void>,
): Promise<void> {
  // Boxed, so that even a thrown `undefined` counts as a failure.
  let failed: { error: unknown } | undefined;
  for (const id of ids) {
    try {
      await remove(id);
      ctx.stdout.write(`deleted ${what} ${id}\n`);
    } catch (e) {
      // Ctrl-C: stop here (main says "interrupted"); the ids not reached are not tried.
      if (ctx.interrupted) throw e;
      ctx.note(`could not delete ${what} ${id}: ${describe(e)}`);
      failed = { error: e };
    }
  }
  // Each failure has its line already: main adds none (the 404 printed once), exit 1.
  if (failed) throw new ReportedError(failed.error);
}

/** Flags of `rm` for bulk deletion. */
export interface BulkFlags {
  all?: boolean;
  olderThan?: number;
  reference?: string;
  dryRun?: boolean;
  /** Deletes without asking (off a terminal, --all needs it). */
  yes?: boolean;
}

/** The problems of `rm`'s arguments: ids or --all (with its filters), never both, never neither. */
export function rmArgProblems(ids: string[], flags: BulkFlags): string[] {
  const problems: string[] = [];
  if (ids.length > 0 === (flags.all === true))
    problems.push('rm takes either ids or --all (with its filters), not both, not neither');
  if (
    !flags.all &&
    (flags.olderThan !== undefined || flags.reference !== undefined || flags.dryRun)
  )
    problems.push('--older-than, --reference and --dry-run go with --all');
  return problems;
}

/** The bulk options the flags ask for, deletions printed to stdout as they happen. */
export function bulkOptions(ctx: Context, what: string, flags: BulkFlags): BulkDeleteOptions {
  return {
    signal: ctx.signal,
    ...(flags.olderThan === undefined ? {} : { olderThanMs: flags.olderThan }),
    ...(flags.reference === undefined ? {} : { clientReferenceId: flags.reference }),
    dryRun: flags.dryRun === true,
    onProgress: (p) => {
      if (p.id !== undefined && !flags.dryRun && !p.done) {
        // Deleted or failed: the result says which; print as each one ends.
        ctx.debug(`${what} ${p.id} done (${p.deleted + p.failed} of ${p.matched})`);
      }
    },
  };
}

/** Prints a bulk result: one line per id on stdout, failures and a summary on stderr; throws the first failure. */
export function reportBulk(ctx: Context, what: string, result: BulkDeleteResult): void {
  const verb = result.dryRun ? 'would delete' : 'deleted';
  for (const id of result.deleted) ctx.stdout.write(`${verb} ${what} ${id}\n`);
  for (const f of result.failed) ctx.note(`could not delete ${what} ${f.id}: ${describe(f.error)}`);
  const noun = (n: number) => `${what}${n === 1 ? '' : 's'}`;
  if (result.dryRun)
    ctx.note(`would delete ${result.matched} ${noun(result.matched)} (dry run: nothing deleted)`);
  else
    ctx.note(
      `deleted ${result.deleted.length} of ${result.matched} ${noun(result.matched)}${result.failed.length ? ` (${result.failed.length} failed)` : ''}`,
    );
  const first = result.failed[0];
  // As `rm <ids...>` does: once all were tried, exit as the first failure says (each has its line).
  if (first !== undefined) throw new ReportedError(first.error);
}

/** What `rm --all` of `what` deletes, for its refusal and its question. */
function bulkNoun(what: 'file' | 'transcription', n: number): string {
  if (what === 'file') return n === 1 ? 'this file' : `these ${n} files`;
  return n === 1
    ? 'this transcription (and its file)'
    : `these ${n} transcriptions (and their files)`;
}

/** One line typed on stdin (without its newline); what came before the end if none; rejects on Ctrl-C. */
function readAnswer(ctx: Context): Promise<string> {
  const stdin = ctx.io.stdin;
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = (settle: () => void) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      ctx.signal.removeEventListener('abort', onAbort);
      // Paused again, so that a terminal on stdin does not keep the process alive.
      stdin.pause();
      settle();
    };
    const onData = (chunk: Buffer | string) => {
      text += String(chunk);
      const eol = text.indexOf('\n');
      if (eol >= 0) finish(() => resolve(text.slice(0, eol)));
    };
    const onEnd = () => finish(() => resolve(text));
    const onAbort = () => finish(() => reject(new InterruptedError()));
    if (ctx.signal.aborted) return onAbort();
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Deletions in flight at once after a confirmation (as `deleteAll`'s default). */
const CONFIRMED_CONCURRENCY = 4;

/**
 * `rm --all`, confirmed: with --yes or --dry-run it runs as asked; on a terminal (stdin and
 * stderr) a dry run lists what would go and the user is asked, then exactly the listed ids are
 * deleted (not what a second listing would find); anywhere else it is refused before anything
 * is listed, since a script that forgot a filter would empty the account.
 */
export async function confirmedDeleteAll(
  ctx: Context,
  what: 'file' | 'transcription',
  flags: BulkFlags,
  deleteAll: (options: BulkDeleteOptions) => Promise<BulkDeleteResult>,
  remove: (id: string) => Promise<void>,
): Promise<void> {
  const options = bulkOptions(ctx, what, flags);
  if (flags.yes || flags.dryRun) return reportBulk(ctx, what, await deleteAll(options));
  const terminal = (ctx.io.stdin as { isTTY?: boolean }).isTTY === true && ctx.io.stderr.isTTY;
  if (!terminal)
    throw new UsageError(
      `${what}s rm --all deletes every ${what}${what === 'transcription' ? ' (and its file)' : ''} that passes its filters: add --yes to confirm, or --dry-run to list them`,
    );
  const listed = await deleteAll({ ...options, dryRun: true });
  const ids = listed.deleted;
  if (ids.length === 0) return ctx.note(`no ${what} to delete`);
  for (const id of ids) ctx.stdout.write(`would delete ${what} ${id}\n`);
  ctx.stderr.write(`delete ${bulkNoun(what, ids.length)}? [y/N] `);
  if (!/^\s*y(es)?\s*$/i.test(await readAnswer(ctx))) return ctx.note('nothing deleted');
  const deleted: string[] = [];
  const failed: BulkDeleteResult['failed'] = [];
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      try {
        await remove(id);
        deleted.push(id);
      } catch (e) {
        if (ctx.interrupted) throw e;
        failed.push({ id, error: e as SonioxError });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONFIRMED_CONCURRENCY, ids.length) }, worker));
  reportBulk(ctx, what, { matched: ids.length, deleted, failed, dryRun: false });
}

function fileRows(files: SonioxFile[]): string[][] {
  return files.map((f) => [f.id, bytes(f.size), f.created_at, shownName(f.filename)]);
}

/** Adds `files` and its subcommands to the program. */
export function registerFiles(program: Command, ctx: Context): void {
  const files = program.command('files').description('manage stored files: ls, get, upload, rm');

  files
    .command('ls')
    .description('list stored files (all pages)')
    .option('-n, --limit <n>', 'at most <n> files', integer(0))
    .option('--json', 'print JSON')
    .action(async (flags: { limit?: number; json?: boolean }) => {
      const list = await take(ctx.client().files.iterate({}, { signal: ctx.signal }), flags.limit);
      if (flags.json) ctx.result(JSON.stringify(list, null, 2));
      else
        ctx.result(
          list.length ? table(['ID', 'SIZE', 'CREATED', 'NAME'], fileRows(list)) : '(no files)',
        );
    });

  files
    .command('get')
    .description('show one file')
    .argument('<id>', 'file id')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const file = await ctx.client().files.get(id, { signal: ctx.signal });
      ctx.result(flags.json ? JSON.stringify(file, null, 2) : fields(file));
    });

  files
    .command('upload')
    .description('upload a file (or stdin: -) and print its id; it stays until `soniox files rm`')
    .argument('<source>', 'audio file, or - to read stdin')
    .option('--name <filename>', 'name to store (default: the file name; stdin: "stdin")')
    .option('--reference <id>', 'client_reference_id')
    .option('--json', 'print the file as JSON instead of its id')
    .action(
      async (source: string, flags: { name?: string; reference?: string; json?: boolean }) => {
        const input = source === '-' ? ctx.stdinSource() : source;
        if (source !== '-') assertInputFile(source);
        const client = ctx.client();
        const progress = progressFor(ctx);
        try {
          // Ctrl-C aborts it while bytes remain to be sent; once all are out, only a second one.
          const file = await uploadStep(client.files, input, {
            signal: ctx.signal,
            stop: ctx.cleanupSignal,
            filename: flags.name ?? (source === '-' ? 'stdin' : undefined),
            client_reference_id: flags.reference,
            onProgress: (p) => progress.upload(p.loaded, p.total),
          });
          progress.stop();
          if (ctx.interrupted) {
            // Ctrl-C came once the file was sent: it was stored; delete it, as for any interrupted command.
            ctx.note(`interrupted: deleting the file just stored (${file.id})`);
            await client.files
              .delete(file.id, { timeoutMs: 10_000, maxRetries: 1, signal: ctx.cleanupSignal })
              .catch((e: unknown) =>
                ctx.note(
                  `could not delete file ${file.id}: ${describe(e)}; left behind: file ${file.id} (soniox files rm ${file.id})`,
                ),
              );
            throw new InterruptedError();
          }
          ctx.result(flags.json ? JSON.stringify(file, null, 2) : file.id);
        } catch (e) {
          progress.stop();
          if (e instanceof InterruptedError) throw e;
          if (ctx.interrupted) {
            ctx.note('interrupted: the upload was aborted');
            throw new InterruptedError();
          }
          throw e;
        }
      },
    );

  files
    .command('rm')
    .description('delete files: by id, or --all of them (filters: --older-than, --reference)')
    .argument('[ids...]', 'file ids')
    .option('--all', 'every file that passes the filters')
    .option('--older-than <age>', 'only files older than <age>: 90s, 30m, 12h, 7d', duration)
    .option('--reference <id>', 'only files with this client_reference_id')
    .option('--dry-run', 'list what --all would delete, delete nothing')
    .option('-y, --yes', 'delete without asking (off a terminal, --all needs it)')
    .action(async (ids: string[], flags: BulkFlags) => {
      rejectUsage(rmArgProblems(ids, flags));
      const remove = (id: string) => ctx.client().files.delete(id, { signal: ctx.signal });
      if (!flags.all) return removeAll(ctx, ids, 'file', remove);
      await confirmedDeleteAll(
        ctx,
        'file',
        flags,
        (options) => ctx.client().files.deleteAll(options),
        remove,
      );
    });
}
