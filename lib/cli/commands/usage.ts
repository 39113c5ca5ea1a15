/**
 * `soniox usage`: the account's usage records of a window (default: the last 24 hours), one row
 * per request with a total, or per model with `--summary`; JSON with `--json`.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { UsageLog, UsageSummaryEntry } from '../../types';
import type { Context } from '../context';
import { table } from '../render/table';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `--from`/`--to`: an ISO 8601 time, or a duration ago (`90m`, `24h`, `7d`). */
export function parseTime(value: string, now = Date.now()): string {
  const ago = /^(\d{1,6})([mhd])$/.exec(value.trim());
  if (ago)
    return new Date(now - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS]).toISOString();
  if (/^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)))
    return new Date(Date.parse(value)).toISOString();
  throw new InvalidArgumentError(
    'must be an ISO 8601 time (such as 2026-04-28T09:00:00Z) or a duration such as 24h or 7d (that long ago).',
  );
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const usd = (value: number) => value.toFixed(6);

/** Adds `usage` to the program. */
export function registerUsage(program: Command, ctx: Context): void {
  program
    .command('usage')
    .description(
      'list the requests of a time window and what they cost (default: the last 24 hours)',
    )
    .option(
      '--from <time>',
      'start of the window: an ISO 8601 time or a duration ago (24h, 7d)',
      (v) => parseTime(v),
    )
    .option('--to <time>', 'end of the window (default: now), as --from', (v) => parseTime(v))
    .option('--summary', 'one row per model, summed per UTC day of the window')
    .option('--json', 'print JSON')
    .action(async (flags: { from?: string; to?: string; summary?: boolean; json?: boolean }) => {
      const end_time = flags.to ?? new Date().toISOString();
      const start_time = flags.from ?? new Date(Date.parse(end_time) - UNIT_MS.d).toISOString();
      const client = ctx.client();
      const call = { signal: ctx.signal };
      if (flags.summary) {
        const summary = await client.usageLogs.getSummary({ start_time, end_time }, call);
        if (flags.json) return ctx.result(JSON.stringify(summary, null, 2));
        const row = (entry: UsageSummaryEntry, name: string) => [
          name,
          String(entry.total_num_requests),
          seconds(entry.total_input_audio_duration_ms),
          usd(Number(entry.total_cost_usd)),
        ];
        const rows = [
          ...summary.models.map((m) => row(m, m.model ?? '')),
          row(summary.total, 'total'),
        ];
        return ctx.result(table(['MODEL', 'REQUESTS', 'AUDIO', 'COST USD'], rows));
      }
      const logs: UsageLog[] = [];
      for await (const log of client.usageLogs.iterate({ start_time, end_time }, call))
        logs.push(log);
      if (flags.json) return ctx.result(JSON.stringify(logs, null, 2));
      const rows = logs.map((u) => [
        u.end_time,
        u.request_scope,
        u.model,
        seconds(u.input_audio_duration_ms),
        usd(Number(u.cost_usd)),
        u.client_reference_id ?? '',
      ]);
      const audio = logs.reduce((sum, u) => sum + u.input_audio_duration_ms, 0);
      const cost = logs.reduce((sum, u) => sum + Number(u.cost_usd), 0);
      const total = `${logs.length} requests, ${seconds(audio)} of audio, ${usd(cost)} USD`;
      ctx.result(
        rows.length > 0
          ? `${table(['END', 'SCOPE', 'MODEL', 'AUDIO', 'COST USD', 'REFERENCE'], rows)}\n${total}`
          : total,
      );
    });
}

/** Adds `limits` to the program. */
export function registerLimits(program: Command, ctx: Context): void {
  program
    .command('limits')
    .description('realtime sessions open now against the configured concurrency limits')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const limits = await ctx.client().concurrencyLimits.get({ signal: ctx.signal });
      if (flags.json) return ctx.result(JSON.stringify(limits, null, 2));
      const rows = (['project', 'organization'] as const).map((scope) => [
        scope,
        String(limits[scope].current.transcribe_concurrent),
        String(limits[scope].limits.transcribe_concurrent ?? 'none'),
      ]);
      ctx.result(table(['SCOPE', 'REALTIME SESSIONS', 'LIMIT'], rows));
    });
}
