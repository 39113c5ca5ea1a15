/**
 * The perf history: `perf:check` appends the gated ratios of each run to perf/history.jsonl
 * (one JSON line per run, with its commit and date), and the --report page charts each ratio
 * over the runs, so that a slow drift shows before it crosses a gate. CI's clone is thrown
 * away: the file grows where someone runs the check and commits it by hand.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { PerfJson } from './compare';
import type { Chart } from './types';

/** One run in the history. */
export interface HistoryLine {
  date: string;
  commit: string;
  mode: PerfJson['mode'];
  node: string;
  /** The gated keys of the run and their values (ratios only: absolute times do not compare across machines). */
  ratios: Record<string, number>;
}

/** The commit checked out (short hash), or `unknown` outside a git checkout. */
export function currentCommit(cwd: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The history line of a run: its gated ratios. */
export function historyLine(json: PerfJson, at: { commit: string; date: string }): HistoryLine {
  const ratios: Record<string, number> = {};
  for (const { key } of json.gates) {
    const value = json.values[key];
    if (value !== undefined && Number.isFinite(value)) ratios[key] = value;
  }
  return { date: at.date, commit: at.commit, mode: json.mode, node: json.machine.node, ratios };
}

/** Appends one run to the history file (created when missing). */
export function appendHistory(file: string, line: HistoryLine): void {
  fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
}

/** The runs of a history file, oldest first; a line that is not a run is skipped, a missing file is an empty history. */
export function readHistory(file: string): HistoryLine[] {
  if (!fs.existsSync(file)) return [];
  const lines: HistoryLine[] = [];
  for (const text of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!text.trim()) continue;
    try {
      const line = JSON.parse(text) as Partial<HistoryLine>;
      if (typeof line.commit === 'string' && line.ratios && typeof line.ratios === 'object')
        lines.push(line as HistoryLine);
    } catch {
      // A hand edit or a line cut by a full disk: the other runs still chart.
    }
  }
  return lines;
}

/** One chart per ratio: its value at each run (x: the run's number, 1 = oldest). */
export function historyCharts(lines: readonly HistoryLine[]): Chart[] {
  const keys = [...new Set(lines.flatMap((line) => Object.keys(line.ratios)))];
  return keys.map((key) => ({
    title: `${key} over runs`,
    xLabel: `run (1 = oldest${lines.length ? `, ${lines[0]?.commit}; last ${lines.at(-1)?.commit}` : ''})`,
    yLabel: 'ratio',
    series: [
      {
        name: key,
        points: lines.flatMap((line, i): Array<[number, number]> => {
          const value = line.ratios[key];
          return value === undefined ? [] : [[i + 1, value]];
        }),
      },
    ],
  }));
}
