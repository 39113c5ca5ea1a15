import { expect } from 'chai';
import { GcWatch, collections, gcInCalls } from '../../perf/harness/gc';

describe('perf/harness/gc (which timed calls held a collection)', () => {
  it('counts the windows a collection overlaps, per 1000, mark-compacts apart', () => {
    const windows = [
      { start: 0, end: 10 },
      { start: 10, end: 20 },
      { start: 30, end: 40 },
      { start: 40, end: 50 },
    ];
    const seen = [
      { start: 5, end: 6, major: false },
      // Across two windows: both held it.
      { start: 18, end: 32, major: true },
      // In a gap between calls: nobody's.
      { start: 51, end: 52, major: false },
    ];
    expect(gcInCalls(seen, windows)).to.deep.equal({ anyPer1000: 750, markCompactPer1000: 500 });
    expect(gcInCalls([], windows)).to.deep.equal({ anyPer1000: 0, markCompactPer1000: 0 });
    expect(gcInCalls(seen, [])).to.deep.equal({ anyPer1000: 0, markCompactPer1000: 0 });
  });

  it('sees the scavenges of real allocation, and what they left young', async () => {
    const watch = new GcWatch();
    const start = performance.now();
    const kept: number[][] = [];
    const seen = await collections(async () => {
      // About 40 MB of short-lived arrays: several scavenges whatever the young generation's size.
      for (let i = 0; i < 20_000; i++) {
        kept.push(new Array<number>(256).fill(i));
        if (kept.length > 8) kept.shift();
        if (i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    });
    const end = performance.now();
    await watch.stop();
    expect(seen.allocated).to.be.above(20 * 1024 * 1024);
    expect(seen.scavenges).to.be.at.least(1);
    expect(seen.survivorBytes).to.be.above(0);
    expect(watch.inCalls([{ start, end }]).anyPer1000).to.equal(1000);
  });
});
