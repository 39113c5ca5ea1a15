/**
 * Makes perf/baseline.json from several `--quick --json` runs: each value is the median over
 * the runs (one run is one sample of a noisy machine; the median of several is a steadier
 * reference), gates from the runs, and each gated key's min/max across them for the record.
 *
 *   node -r ts-node/register/transpile-only perf/make-baseline.ts [--without KEY,KEY] run1.json run2.json ... > perf/baseline.json
 *
 * Runs may cover different scenarios (`--only`): a key's median is over the runs that have it.
 * Gates are the union of the runs' gates, less `--without` ones (gates an older run still had).
 */
import fs from 'node:fs';
import { median, round, type PerfJson } from './harness';

const args = process.argv.slice(2);
const at = args.indexOf('--without');
const without = new Set(at >= 0 ? (args.splice(at, 2)[1]?.split(',') ?? []) : []);
const files = args;
if (files.length === 0) {
  console.error('usage: make-baseline.ts RUN.json [RUN.json ...] > perf/baseline.json');
  process.exit(2);
}
const runs = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as PerfJson);
const keys = new Set(runs.flatMap((r) => Object.keys(r.values)));
const values: Record<string, number> = {};
for (const key of [...keys].sort()) {
  const samples = runs
    .map((r) => r.values[key])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (samples.length) values[key] = round(median(samples));
}
const gates = [...new Map(runs.flatMap((r) => r.gates).map((g) => [g.key, g])).values()].filter(
  (g) => g.key in values && !without.has(g.key),
);
const spread: Record<string, [number, number]> = {};
for (const { key } of gates) {
  const samples = runs
    .map((r) => r.values[key])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  spread[key] = [round(Math.min(...samples)), round(Math.max(...samples))];
}
const out = {
  ...runs[0],
  scenarios: [...new Set(runs.flatMap((r) => r.scenarios))],
  values,
  gates,
  wallMs: Math.round(median(runs.map((r) => r.wallMs))),
  baselineOf: { runs: runs.length, spread },
};
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
