/** `soniox transcriptions ls|get|transcript|rm`: async transcriptions and their transcripts. */
import { Option, type Command } from 'commander';
import { assertOutputFile, rejectUsage, UsageError, type Context } from '../context';
import { duration, integer } from '../options';
import { table } from '../render/table';
import { shownName } from '../render/name';
import { formatTranscript, TRANSCRIPT_FORMATS, type TranscriptFormat } from '../render/transcript';
import {
  confirmedDeleteAll,
  fields,
  removeAll,
  rmArgProblems,
  take,
  type BulkFlags,
} from './files';

/** Statuses `--status` accepts: the API's, and `failed` of its newer errors page. */
const STATUSES = ['queued', 'processing', 'completed', 'error', 'failed'];

/** Adds `transcriptions` and its subcommands to the program. */
export function registerTranscriptions(program: Command, ctx: Context): void {
  const transcriptions = program
    .command('transcriptions')
    .description('manage transcriptions: ls, get, transcript, rm');

  transcriptions
    .command('ls')
    .description('list transcriptions (all pages)')
    .option('-n, --limit <n>', 'at most <n> transcriptions', integer(0))
    .option('--json', 'print JSON')
    .action(async (flags: { limit?: number; json?: boolean }) => {
      const list = await take(
        ctx.client().transcriptions.iterate({}, { signal: ctx.signal }),
        flags.limit,
      );
      if (flags.json) ctx.result(JSON.stringify(list, null, 2));
      else {
        const rows = list.map((t) => [
          t.id,
          t.status,
          t.model,
          t.created_at,
          shownName(t.filename),
        ]);
        ctx.result(
          rows.length
            ? table(['ID', 'STATUS', 'MODEL', 'CREATED', 'NAME'], rows)
            : '(no transcriptions)',
        );
      }
    });

  transcriptions
    .command('get')
    .description('show one transcription')
    .argument('<id>', 'transcription id')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const t = await ctx.client().transcriptions.get(id, { signal: ctx.signal });
      ctx.result(flags.json ? JSON.stringify(t, null, 2) : fields(t));
    });

  transcriptions
    .command('transcript')
    .description('print the transcript of a completed transcription')
    .argument('<id>', 'transcription id')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices(TRANSCRIPT_FORMATS)
        .default('text'),
    )
    .option('-o, --out <file>', 'write the result to <file> instead of stdout')
    .action(async (id: string, flags: { format: TranscriptFormat; out?: string }) => {
      if (flags.out !== undefined) assertOutputFile(flags.out);
      const transcript = await ctx
        .client()
        .transcriptions.getTranscript(id, { signal: ctx.signal });
      ctx.result(formatTranscript(transcript, flags.format), flags.out);
    });

  transcriptions
    .command('rm')
    .description(
      'delete transcriptions (and their files): by id, or --all of them (filters: --status, --older-than, --reference)',
    )
    .argument('[ids...]', 'transcription ids')
    .option('--all', 'every transcription that passes the filters')
    .addOption(
      new Option('--status <status>', 'only transcriptions with this status').choices(STATUSES),
    )
    .option(
      '--older-than <age>',
      'only transcriptions older than <age>: 90s, 30m, 12h, 7d',
      duration,
    )
    .option('--reference <id>', 'only transcriptions with this client_reference_id')
    .option('--dry-run', 'list what --all would delete, delete nothing')
    .option('-y, --yes', 'delete without asking (off a terminal, --all needs it)')
    .action(async (ids: string[], flags: BulkFlags & { status?: string }) => {
      if (!flags.all && flags.status !== undefined)
        throw new UsageError('--status goes with --all');
      rejectUsage(rmArgProblems(ids, flags));
      const remove = (id: string) => ctx.client().transcriptions.delete(id, { signal: ctx.signal });
      if (!flags.all) return removeAll(ctx, ids, 'transcription', remove);
      await confirmedDeleteAll(
        ctx,
        'transcription',
        flags,
        (options) =>
          ctx.client().transcriptions.deleteAll({
            ...options,
            ...(flags.status === undefined ? {} : { status: flags.status }),
          }),
        remove,
      );
    });
}
