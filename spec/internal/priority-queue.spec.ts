/** The min-heap under the fair queue (lib/internal/priority-queue.ts): order, ties, removal. */
import { expect } from 'chai';
import { PriorityQueue, type QueueEntry } from '../../lib/internal/priority-queue';

/** A small deterministic generator (a seeded LCG): the same sequence on every run. */
function numbers(seed: number): () => number {
  let x = seed;
  return () => (x = (x * 1_103_515_245 + 12_345) % 2_147_483_648);
}

describe('PriorityQueue', () => {
  it('gives entries out by key, ties in insertion order, whatever order they came in', () => {
    const next = numbers(7);
    const queue = new PriorityQueue<number>();
    const pushed: Array<{ key: number; i: number }> = [];
    for (let i = 0; i < 500; i++) {
      const key = next() % 20;
      pushed.push({ key, i });
      queue.push(key, i);
    }
    const out: number[] = [];
    for (let v = queue.shift(); v !== undefined; v = queue.shift()) out.push(v);
    const expected = [...pushed].sort((a, b) => a.key - b.key || a.i - b.i).map((e) => e.i);
    expect(out).to.deep.equal(expected);
    expect(queue.size).to.equal(0);
  });

  it('removes any entry at once, the others keeping their order; a second removal is a no-op', () => {
    const next = numbers(11);
    const queue = new PriorityQueue<number>();
    const entries: Array<QueueEntry<number>> = [];
    for (let i = 0; i < 300; i++) entries.push(queue.push(next() % 50, i));
    const removed = new Set<number>();
    for (const entry of entries) {
      if (next() % 3 === 0) {
        expect(queue.remove(entry)).to.equal(true);
        expect(queue.remove(entry)).to.equal(false);
        removed.add(entry.value);
      }
    }
    expect(queue.size).to.equal(300 - removed.size);
    const out: number[] = [];
    for (let v = queue.shift(); v !== undefined; v = queue.shift()) out.push(v);
    const expected = entries
      .filter((e) => !removed.has(e.value))
      .sort((a, b) => a.key - b.key || a.seq - b.seq)
      .map((e) => e.value);
    expect(out).to.deep.equal(expected);
  });

  it('is empty at first: shift gives undefined', () => {
    expect(new PriorityQueue<string>().shift()).to.equal(undefined);
  });
});
