/** `soniox transcriptions ls|get|transcript|rm`: async transcriptions and their transcripts. */
import { Option, type Command } from 'commander';
import { checkOutputFile, type Context } from '../context';
import { integer } from '../options';
import { table } from '../render/table';
import { formatTranscript, TRANSCRIPT_FORMATS, type TranscriptFormat } from '../render/transcript';
import { fields, removeAll, take } from './files';

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
        const rows = list.map((t) => [t.id, t.status, t.model, t.created_at, t.filename]);
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
      if (flags.out !== undefined) checkOutputFile(flags.out);
      const transcript = await ctx
        .client()
        .transcriptions.getTranscript(id, { signal: ctx.signal });
      ctx.result(formatTranscript(transcript, flags.format), flags.out);
    });

  transcriptions
    .command('rm')
    .description('delete transcriptions (and their files)')
    .argument('<ids...>', 'transcription ids')
    .action((ids: string[]) =>
      removeAll(ctx, ids, 'transcription', (id) =>
        ctx.client().transcriptions.delete(id, { signal: ctx.signal }),
      ),
    );
}
