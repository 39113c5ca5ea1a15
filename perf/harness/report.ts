/** The --report HTML: self-contained, inline SVG line charts, no script and no network. */
import type { PerfJson } from './compare';
import { historyCharts, type HistoryLine } from './history';
import type { Chart } from './types';
import type { ScenarioResult } from './types';
import { formatTable } from './table';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];
const W = 720;
const H = 320;
const PAD = { l: 64, r: 16, t: 28, b: 44 };

function esc(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string,
  );
}

/** x on a percentile chart: log10(1 / (1 - q)), so 50, 90, 99, 99.9 are evenly spaced. */
function px(q: number): number {
  return Math.log10(1 / Math.max(1e-5, 1 - Math.min(q, 99.999) / 100));
}

function ticks(min: number, max: number, n = 5): number[] {
  if (!(max > min)) return [min];
  const step = (max - min) / n;
  return Array.from({ length: n + 1 }, (_, i) => min + i * step);
}

function label(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** One chart as an SVG element. */
export function svgChart(chart: Chart): string {
  const pct = chart.xScale === 'percentile';
  const pts = chart.series.flatMap((s) =>
    s.points.map(([x, y]) => [pct ? px(x) : x, y] as [number, number]),
  );
  if (pts.length === 0) return `<p>${esc(chart.title)}: no data</p>`;
  const xMin = Math.min(...pts.map((p) => p[0]));
  const xMax = Math.max(...pts.map((p) => p[0]));
  const yMax = Math.max(...pts.map((p) => p[1])) * 1.05 || 1;
  const yMin = Math.min(0, ...pts.map((p) => p[1]));
  const sx = (x: number) => PAD.l + ((x - xMin) / (xMax - xMin || 1)) * (W - PAD.l - PAD.r);
  const sy = (y: number) => H - PAD.b - ((y - yMin) / (yMax - yMin || 1)) * (H - PAD.t - PAD.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  ];
  parts.push(
    `<text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${esc(chart.title)}</text>`,
  );
  parts.push(
    `<line x1="${PAD.l}" y1="${H - PAD.b}" x2="${W - PAD.r}" y2="${H - PAD.b}" stroke="#333"/><line x1="${PAD.l}" y1="${PAD.t}" x2="${PAD.l}" y2="${H - PAD.b}" stroke="#333"/>`,
  );
  for (const y of ticks(yMin, yMax)) {
    parts.push(
      `<line x1="${PAD.l}" y1="${sy(y).toFixed(1)}" x2="${W - PAD.r}" y2="${sy(y).toFixed(1)}" stroke="#eee"/><text x="${PAD.l - 4}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${label(y)}</text>`,
    );
  }
  const xt = pct
    ? [0, 50, 90, 99, 99.9].map((q) => [px(q), `p${q}`] as const).filter(([x]) => x <= xMax + 1e-9)
    : ticks(xMin, xMax).map((x) => [x, label(x)] as const);
  for (const [x, text] of xt)
    parts.push(
      `<text x="${sx(x).toFixed(1)}" y="${H - PAD.b + 14}" text-anchor="middle">${text}</text>`,
    );
  parts.push(`<text x="${W / 2}" y="${H - 8}" text-anchor="middle">${esc(chart.xLabel)}</text>`);
  parts.push(
    `<text x="14" y="${H / 2}" text-anchor="middle" transform="rotate(-90 14 ${H / 2})">${esc(chart.yLabel)}</text>`,
  );
  chart.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const d = s.points
      .map(([x, y], k) => `${k ? 'L' : 'M'}${sx(pct ? px(x) : x).toFixed(1)},${sy(y).toFixed(1)}`)
      .join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.8"/>`);
    parts.push(
      `<rect x="${PAD.l + 10}" y="${PAD.t + 4 + i * 15}" width="10" height="10" fill="${colour}"/><text x="${PAD.l + 24}" y="${PAD.t + 13 + i * 15}">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The whole report page; with a history, each gated ratio charted over the runs. */
export function htmlReport(
  results: ScenarioResult[],
  json: PerfJson,
  history: readonly HistoryLine[] = [],
): string {
  const charts = results.flatMap((r) => r.charts.map((c) => `<figure>${svgChart(c)}</figure>`));
  const drift = historyCharts(history).map((c) => `<figure>${svgChart(c)}</figure>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>soniox-pro-sdk perf</title>
<style>body{font-family:sans-serif;margin:24px;max-width:1100px}pre{font-size:12px;background:#f7f7f7;padding:8px;overflow-x:auto}figure{margin:12px 0}</style>
</head><body>
<h1>soniox-pro-sdk perf (${esc(json.mode)})</h1>
<p>${esc(`${json.machine.cores} cores, ${json.machine.memory} MB, Node ${json.machine.node}, ${json.machine.platform}; ${(json.wallMs / 1000).toFixed(0)} s`)}</p>
<pre>${esc(formatTable(results))}</pre>
${charts.join('\n')}
${drift.length ? `<h2>History (${history.length} runs)</h2>\n${drift.join('\n')}` : ''}
<h2>JSON</h2><pre>${esc(JSON.stringify(json.values, null, 2))}</pre>
</body></html>
`;
}
