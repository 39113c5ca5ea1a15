/** Command line of perf/run.ts and of each scenario run alone; writes the table, JSON, report; compares. */
import fs from 'node:fs';
import os from 'node:os';
import { compareRatios, formatVerdicts, type PerfJson } from './compare';
import { progress } from './progress';
import { ROOT } from './child';
import { appendHistory, currentCommit, historyLine, readHistory } from './history';
import { htmlReport } from './report';
import { round } from './stats';
import { formatTable } from './table';
import type { PerfContext, Scenario, ScenarioResult } from './types';

/** Parsed flags. */
export interface CliOptions {
  only?: string[];
  quick: boolean;
  max: boolean;
  json?: string;
  compare?: string;
  report?: string;
  /** A history file (JSON lines): the run's gated ratios are appended, and --report charts them over runs. */
  history?: string;
  /** Gate tolerance (default 0.2 = 20 % worse allowed). */
  tolerance: number;
}

/** Parses `[--only a,b] [--quick] [--max] [--json FILE] [--compare FILE] [--report FILE] [--history FILE] [--tolerance 0.2]`. */
export function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = { quick: false, max: false, tolerance: 0.2 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--quick') opts.quick = true;
    else if (arg === '--max') opts.max = true;
    else if (arg === '--only')
      opts.only = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (arg === '--json') opts.json = value();
    else if (arg === '--compare') opts.compare = value();
    else if (arg === '--report') opts.report = value();
    else if (arg === '--history') opts.history = value();
    else if (arg === '--tolerance') opts.tolerance = Number(value());
    else throw new Error(`unknown flag ${arg}`);
  }
  return opts;
}

/** The machine the figures come from. */
export function machine(): PerfJson['machine'] {
  return {
    cores: os.cpus().length,
    memory: Math.round(os.totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Runs scenarios one after another; a scenario that throws becomes a FAILED row, the rest still run. */
export async function runScenarios(
  entries: Array<[string, () => Scenario]>,
  opts: CliOptions,
): Promise<{ results: ScenarioResult[]; json: PerfJson }> {
  const start = process.hrtime.bigint();
  const results: ScenarioResult[] = [];
  for (const [name, load] of entries) {
    const ctx: PerfContext = { quick: opts.quick, max: opts.max, progress: progress(name) };
    const t = process.hrtime.bigint();
    try {
      results.push(await load()(ctx));
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      ctx.progress(`FAILED: ${message}`);
      results.push({
        name,
        rows: [
          {
            figure: `${name} scenario`,
            sdk: `FAILED (${(message.split('\n')[0] ?? '').slice(0, 80)})`,
            met: false,
          },
        ],
        values: {},
        gates: [],
        charts: [],
        notes: [message.split('\n').slice(0, 3).join(' | ')],
      });
    }
    ctx.progress(`done in ${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(1)} s`);
  }
  const values: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.values)) values[k] = round(v);
  const json: PerfJson = {
    machine: machine(),
    mode: opts.quick ? 'quick' : opts.max ? 'max' : 'full',
    scenarios: results.map((r) => r.name),
    values,
    gates: results.flatMap((r) => r.gates).filter((g) => g.key in values),
    wallMs: Math.round(Number(process.hrtime.bigint() - start) / 1e6),
  };
  return { results, json };
}

/** Prints the table, writes --json/--report, runs --compare; returns the exit code. */
export function finish(results: ScenarioResult[], json: PerfJson, opts: CliOptions): number {
  process.stdout.write(
    `${formatTable(results)}\n\n${json.machine.cores} cores, ${json.machine.memory} MB, Node ${json.machine.node}; mode ${json.mode}; ${(json.wallMs / 1000).toFixed(1)} s\n`,
  );
  if (opts.json) fs.writeFileSync(opts.json, `${JSON.stringify(json, null, 2)}\n`);
  if (opts.history)
    appendHistory(
      opts.history,
      historyLine(json, { commit: currentCommit(ROOT), date: new Date().toISOString() }),
    );
  if (opts.report)
    fs.writeFileSync(
      opts.report,
      htmlReport(results, json, opts.history ? readHistory(opts.history) : []),
    );
  if (!opts.compare) return 0;
  const baseline = JSON.parse(fs.readFileSync(opts.compare, 'utf8')) as PerfJson;
  const verdicts = compareRatios(baseline, json, opts.tolerance);
  process.stdout.write(
    `\nregression gate vs ${opts.compare} (ratios only, ${Math.round(opts.tolerance * 100)} % tolerance unless a gate carries its own):\n${formatVerdicts(verdicts)}\n`,
  );
  const failed = verdicts.filter((v) => !v.ok);
  const checked = verdicts.filter((v) => !v.skipped).length;
  process.stdout.write(
    failed.length
      ? `perf:check FAILED: ${failed.length} of ${checked} ratios regressed\n`
      : `perf:check ok: ${checked} ratios within tolerance${checked < verdicts.length ? ` (${verdicts.length - checked} skipped: their scenario did not run)` : ''}\n`,
  );
  return failed.length ? 1 : 0;
}

/** For `node -r ts-node/register/transpile-only perf/scenarios/NAME.ts [--quick] [--max] [--json F]`. */
export function standalone(name: string, run: Scenario): void {
  const opts = parseArgs(process.argv.slice(2));
  runScenarios([[name, () => run]], opts).then(
    ({ results, json }) => {
      process.exitCode = finish(results, json, opts);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
