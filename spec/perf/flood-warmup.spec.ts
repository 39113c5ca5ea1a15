/** The realtime flood's warm-up (perf/harness/realtime.ts): both contenders alike, before the clock. */
import { expect } from 'chai';
import { floodWarmupRounds, warmBoth } from '../../perf/harness/realtime';

describe('perf/harness/realtime: the flood warm-up', () => {
  it('warms the 1 s rounds with several sessions of each contender, the 10 s ones with one', () => {
    expect(floodWarmupRounds(1)).to.be.at.least(5);
    expect(floodWarmupRounds(10)).to.equal(1);
    expect(floodWarmupRounds(60)).to.equal(0);
  });

  it('runs both contenders as often, alternated as the timed rounds are', async () => {
    const log: string[] = [];
    const one = (name: string) => () => Promise.resolve(void log.push(name));
    await warmBoth(4, one('sdk'), one('raw'));
    expect(log).to.deep.equal(['sdk', 'raw', 'raw', 'sdk', 'sdk', 'raw', 'raw', 'sdk']);
  });
});
