/** `soniox files ls|get|upload|rm`: the stored files. */
import type { Command } from 'commander';
import type { SonioxFile } from '../../types';
import { cleanUp } from '../cleanup';
import { checkInputFile, describe, InterruptedError, type Context } from '../context';
import { integer } from '../options';
import { bytes, table } from '../render/table';
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
  if (failed) throw failed.error;
}

function fileRows(files: SonioxFile[]): string[][] {
  return files.map((f) => [f.id, bytes(f.size), f.created_at, f.filename]);
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
        if (source !== '-') checkInputFile(source);
        const client = ctx.client();
        const progress = progressFor(ctx);
        const guard = ctx.uploadGuard();
        try {
          const file = await client.files.upload(input, {
            signal: guard.signal,
            filename: flags.name ?? (source === '-' ? 'stdin' : undefined),
            client_reference_id: flags.reference,
            onProgress: (p) => {
              guard.progress(p.loaded, p.total);
              progress.upload(p.loaded, p.total);
            },
          });
          progress.stop();
          if (ctx.interrupted) {
            // Ctrl-C came once the file was sent: it was stored; delete it, as for any interrupted command.
            ctx.note(`interrupted: deleting the file just stored (${file.id})`);
            await cleanUp(ctx, client, { file: file.id }, false);
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
    .description('delete files')
    .argument('<ids...>', 'file ids')
    .action((ids: string[]) =>
      removeAll(ctx, ids, 'file', (id) => ctx.client().files.delete(id, { signal: ctx.signal })),
    );
}
