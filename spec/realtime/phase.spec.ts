/**
 * The stream's phases and edges: the table in phase.ts's file comment is the edge table the
 * stream asserts (EDGES), row for row, and a move along no edge is refused.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  EDGES,
  assertEdge,
  isLive,
  isTerminal,
  type RealtimePhase,
} from '../../lib/realtime/phase';

const PHASES = Object.keys(EDGES) as RealtimePhase[];

/** The (from, to) pairs of the table in phase.ts's file comment. */
function documentedEdges(): Set<string> {
  const source = readFileSync(path.join(__dirname, '../../lib/realtime/phase.ts'), 'utf8');
  const edges = new Set<string>();
  for (const line of source.split('\n')) {
    const cells = /^ \* \|(.*)\|\s*$/
      .exec(line)?.[1]
      ?.split('|')
      .map((c) => c.trim());
    if (!cells || cells[0] === 'phase' || cells[0]?.startsWith('---')) continue;
    const [from = '', , to = ''] = cells;
    const range = /^(\w+)\.\.(\w+)$/.exec(from);
    const froms = range
      ? PHASES.slice(
          PHASES.indexOf(range[1] as RealtimePhase),
          PHASES.indexOf(range[2] as RealtimePhase) + 1,
        )
      : [from];
    for (const f of froms) edges.add(`${f} -> ${to}`);
  }
  return edges;
}

describe('realtime/phase', () => {
  it('documents in its table exactly the edges the stream takes', () => {
    const table = [...documentedEdges()].sort();
    const edges = PHASES.flatMap((from) => EDGES[from].map((to) => `${from} -> ${to}`)).sort();
    expect(table).to.deep.equal(edges);
  });

  it('refuses a move along no edge, and allows every edge', () => {
    for (const from of PHASES)
      for (const to of PHASES) {
        if (EDGES[from].includes(to)) expect(() => assertEdge(from, to)).not.to.throw();
        else expect(() => assertEdge(from, to)).to.throw(`no edge from ${from} to ${to}`);
      }
  });

  it('lets nothing leave failed or destroyed, and reaches both from every live phase', () => {
    expect(PHASES.filter(isTerminal)).to.deep.equal(['failed', 'destroyed']);
    for (const phase of PHASES.filter((p) => !isTerminal(p)))
      expect(EDGES[phase], phase).to.include('failed');
    expect(EDGES.failed).to.deep.equal([]);
    expect(EDGES.destroyed).to.deep.equal([]);
    expect(EDGES.finished).to.deep.equal(['failed']);
  });

  it('counts as live the phases with a session under way or on its way', () => {
    expect(PHASES.filter(isLive)).to.deep.equal([
      'connecting',
      'open',
      'reconnecting',
      'finishing',
    ]);
  });
});
