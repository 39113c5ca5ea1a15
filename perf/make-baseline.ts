/**
 * Makes perf/baseline.json from several `--quick --json` runs: each value is the median over
 * the runs (one run is one sample of a noisy machine; the median of several is a steadier
 * reference), gates from the runs, and each gated key's min/max across them for the record.
 *
 *   node -r ts-node/register/transpile-only perf/make-baseline.ts run1.json run2.json ... > perf/baseline.json
 */
import fs from 'node:fs';
import { median, round, type PerfJson } from './harness';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: make-baseline.ts RUN.json [RUN.json ...] > perf/baseline.json');
  process.exit(2);
}
const runs = files.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as PerfJson);
const keys = new Set(runs.flatMap((r) => Object.keys(r.values)));
const values: Record<string, number> = {};
for (const key of [...keys].sort()) {
  const samples = runs.map((r) => r.values[key]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (samples.length) values[key] = round(median(samples));
}
const gates = runs[0].gates.filter((g) => g.key in values);
const spread: Record<string, [number, number]> = {};
for (const { key } of gates) {
  const samples = runs.map((r) => r.values[key]).filter((v) => Number.isFinite(v));
  spread[key] = [round(Math.min(...samples)), round(Math.max(...samples))];
}
const out = { ...runs[0], values, gates, wallMs: Math.round(median(runs.map((r) => r.wallMs))), baselineOf: { runs: runs.length, spread } };
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
