/** The order contenders take turns in the benchmarks (perf/harness/ab.ts). */
import { expect } from 'chai';
import { roundOrder } from '../../perf/harness/ab';

describe('perf/harness: the order of contenders in a round', () => {
  /** How often each contender came first, and how often each ran right after each other one. */
  function tally(count: number, rounds: number) {
    const firsts = new Array<number>(count).fill(0);
    const follows = new Map<string, number>();
    let previous: number | undefined;
    for (let round = 0; round < rounds; round++) {
      const order = roundOrder(round, count);
      expect([...order].sort()).to.deep.equal([...Array(count).keys()]);
      firsts[order[0]!]! += 1;
      for (const at of order) {
        if (previous !== undefined && previous !== at) {
          const pair = `${previous}>${at}`;
          follows.set(pair, (follows.get(pair) ?? 0) + 1);
        }
        previous = at;
      }
    }
    return { firsts, follows: [...follows.values()], pairs: follows.size };
  }

  const spread = (counts: number[]) => Math.max(...counts) / Math.min(...counts);

  for (const count of [2, 3, 4]) {
    it(`lets each of ${count} contenders come first, and follow each other one, about as often`, () => {
      const { firsts, follows, pairs } = tally(count, 2000);
      expect(pairs).to.equal(count * (count - 1));
      expect(spread(firsts), `firsts ${firsts.join(',')}`).to.be.below(1.15);
      expect(spread(follows), `follows ${follows.join(',')}`).to.be.below(1.15);
    });
  }

  it('is the same order for the same round, so runs compare', () => {
    expect(roundOrder(7, 3)).to.deep.equal(roundOrder(7, 3));
    const orders = new Set(Array.from({ length: 60 }, (_, r) => roundOrder(r, 3).join('')));
    expect(orders.size).to.equal(6);
  });
});
