/** The perf history (perf/harness/history.ts): one line per perf:check run, charted over runs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { PerfJson } from '../../perf/harness/compare';
import { appendHistory, historyCharts, historyLine, readHistory } from '../../perf/harness/history';
import { htmlReport } from '../../perf/harness/report';

function run(values: Record<string, number>, gated: string[]): PerfJson {
  return {
    machine: { cores: 2, memory: 24000, node: 'v20.20.2', platform: 'linux-x64' },
    mode: 'quick',
    scenarios: ['micro'],
    values,
    gates: gated.map((key) => ({ key, better: 'lower' as const })),
    wallMs: 1000,
  };
}

describe('perf/harness: the history of perf:check ratios', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perf-history-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps the gated ratios of a run with its commit and date, not its absolute times', () => {
    const line = historyLine(
      run({ 'load.ratio_vs_peer': 2.1, 'load.require_ms': 40, 'json.ratio_vs_raw_p50': 1.3 }, [
        'load.ratio_vs_peer',
        'json.ratio_vs_raw_p50',
      ]),
      { commit: 'abc1234', date: '2026-12-07T20:00:00Z' },
    );
    expect(line).to.deep.equal({
      date: '2026-12-07T20:00:00Z',
      commit: 'abc1234',
      mode: 'quick',
      node: 'v20.20.2',
      ratios: { 'load.ratio_vs_peer': 2.1, 'json.ratio_vs_raw_p50': 1.3 },
    });
  });

  it('appends one line per run and reads them back oldest first, skipping a line it cannot read', () => {
    const file = path.join(dir, 'history.jsonl');
    const first = historyLine(run({ a: 1 }, ['a']), { commit: 'c1', date: 'd1' });
    const second = historyLine(run({ a: 2 }, ['a']), { commit: 'c2', date: 'd2' });
    appendHistory(file, first);
    fs.appendFileSync(file, '{not json\n');
    appendHistory(file, second);
    expect(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)).to.have.length(3);
    expect(readHistory(file)).to.deep.equal([first, second]);
    expect(readHistory(path.join(dir, 'none.jsonl'))).to.deep.equal([]);
  });

  it('charts each ratio over the runs, in order, a run without it having no point', () => {
    const lines = [
      historyLine(run({ a: 1, b: 5 }, ['a', 'b']), { commit: 'c1', date: 'd1' }),
      historyLine(run({ a: 1.5 }, ['a']), { commit: 'c2', date: 'd2' }),
      historyLine(run({ a: 2, b: 4 }, ['a', 'b']), { commit: 'c3', date: 'd3' }),
    ];
    const charts = historyCharts(lines);
    expect(charts.map((c) => c.title)).to.deep.equal(['a over runs', 'b over runs']);
    expect(charts[0]?.series[0]?.points).to.deep.equal([
      [1, 1],
      [2, 1.5],
      [3, 2],
    ]);
    expect(charts[1]?.series[0]?.points).to.deep.equal([
      [1, 5],
      [3, 4],
    ]);
    expect(historyCharts([])).to.deep.equal([]);
  });

  it('puts the history on the report page when there is one, and nothing when there is none', () => {
    const json = run({ a: 1 }, ['a']);
    const lines = [historyLine(json, { commit: 'c1', date: 'd1' })];
    expect(htmlReport([], json, lines))
      .to.include('History (1 runs)')
      .and.include('a over runs');
    expect(htmlReport([], json)).to.not.include('History');
  });
});
