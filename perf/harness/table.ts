/** The stdout table: figure | soniox-pro-sdk | raw Node | @soniox/node | ratio | bar | met. */
import type { Row, ScenarioResult } from './types';

const HEAD = ['figure', 'soniox-pro-sdk', 'raw Node', '@soniox/node', 'ratio', 'bar', 'met'];

function cells(row: Row): string[] {
  const met = row.met === undefined ? '' : row.met ? 'yes' : 'NO';
  return [
    row.figure,
    row.sdk ?? '',
    row.raw ?? '',
    row.peer ?? '',
    row.ratio ?? '',
    row.bar ?? '',
    met,
  ];
}

/** Formats every scenario's rows as one aligned text table, notes under it. */
export function formatTable(results: ScenarioResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    rows.push([`[${r.name}]`, '', '', '', '', '', '']);
    for (const row of r.rows) rows.push(cells(row));
  }
  const widths = HEAD.map((h, i) =>
    Math.min(i === 3 ? 48 : 60, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => {
        // Every row has HEAD.length cells, so there is a width for each.
        const w = widths[i]!;
        return c.length > w ? `${c.slice(0, w - 1)}~` : c.padEnd(w);
      })
      .join(' | ')
      .trimEnd();
  const out = [line(HEAD), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)];
  const notes = results.flatMap((r) =>
    r.notes.map((n) => `  ${r.name}: ${n.replace(/\s+/g, ' ')}`),
  );
  if (notes.length) out.push('', 'notes:', ...notes);
  return out.join('\n');
}
