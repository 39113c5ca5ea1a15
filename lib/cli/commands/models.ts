/** `soniox models`: the model catalogue. */
import type { Command } from 'commander';
import type { Context } from '../context';
import { table } from '../render/table';

/** Adds `models` to the program. */
export function registerModels(program: Command, ctx: Context): void {
  program
    .command('models')
    .description('list the models')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const { models } = await ctx.client().models.list({ signal: ctx.signal });
      if (flags.json) {
        ctx.result(JSON.stringify(models, null, 2));
        return;
      }
      const rows = models.map((m) => [
        m.id,
        m.transcription_mode,
        String(m.languages.length),
        m.aliased_model_id ?? '',
        m.name,
      ]);
      ctx.result(table(['ID', 'MODE', 'LANGUAGES', 'ALIAS OF', 'NAME'], rows));
    });
}
