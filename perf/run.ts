/**
 * The perf runner: every scenario in perf/scenarios (or --only some), one after another, against
 * the local mock server (loopback), side by side with raw Node and @soniox/node; prints the table
 * on stdout (progress on stderr). Not part of `npm test` (shared machines are noisy).
 *
 *   npm run perf -- [--only upload,realtime] [--quick] [--max] [--json FILE]
 *                   [--compare perf/baseline.json] [--report FILE.html] [--tolerance 0.2]
 *
 * `npm run perf:check` is `--quick --compare perf/baseline.json`: it fails when a gated ratio is
 * more than 20 % worse than the baseline's (ratios only, never absolute times). See perf/README.md.
 */
import type { Scenario } from './harness';
import { finish, parseArgs, runScenarios } from './harness/cli';

/** Scenario names in run order, loaded lazily (so --only loads only what runs). */
/* eslint-disable @typescript-eslint/no-require-imports */
export const SCENARIOS: Record<string, () => Scenario> = {
  micro: () => (require('./scenarios/micro') as { run: Scenario }).run,
  upload: () => (require('./scenarios/upload') as { run: Scenario }).run,
  concurrency: () => (require('./scenarios/concurrency') as { run: Scenario }).run,
  pool: () => (require('./scenarios/pool') as { run: Scenario }).run,
  ratelimit: () => (require('./scenarios/ratelimit') as { run: Scenario }).run,
  retry: () => (require('./scenarios/retry') as { run: Scenario }).run,
  realtime: () => (require('./scenarios/realtime') as { run: Scenario }).run,
  memory: () => (require('./scenarios/memory') as { run: Scenario }).run,
  reconnect: () => (require('./scenarios/reconnect') as { run: Scenario }).run,
  preconnect: () => (require('./scenarios/preconnect') as { run: Scenario }).run,
  batch: () => (require('./scenarios/batch') as { run: Scenario }).run,
};
/* eslint-enable @typescript-eslint/no-require-imports */

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const names = opts.only ?? Object.keys(SCENARIOS);
  const entries: Array<[string, () => Scenario]> = [];
  const unknown: string[] = [];
  for (const n of names) {
    const load = Object.hasOwn(SCENARIOS, n) ? SCENARIOS[n] : undefined;
    if (load) entries.push([n, load]);
    else unknown.push(n);
  }
  if (unknown.length)
    throw new Error(
      `unknown scenario(s) ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`,
    );
  const { results, json } = await runScenarios(entries, opts);
  process.exitCode = finish(results, json, opts);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
