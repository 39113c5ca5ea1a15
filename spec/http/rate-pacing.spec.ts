/**
 * The client paces itself to the server's rate (over the wire): a burst above the mock's limit is
 * delivered late rather than failed, within each call's retries.
 */
import { expect } from 'chai';
import { fixture, settle } from '../helpers';

const MODELS = 'GET /v1/models';

describe('http/transport: pacing to the server’s rate (against the mock server)', () => {
  // 50 calls a second after a burst of 5, with the exact wait in retry-after-ms (short: no 1 s waits).
  // The server's rate, the client's pacing and its retries all read the fake clock (Date and
  // setTimeout), driven in 5 ms steps: seconds of pacing at no real cost.
  const t = fixture({
    mock: { rateLimit: { requestsPerSecond: 50, burst: 5, retryAfterMsHeader: true } },
    clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] },
  });

  const burst = async (adaptiveRate: boolean, calls: number) => {
    let attempts = 0;
    const client = t.clientWith({
      adaptiveRate,
      maxRetries: 3,
      onRequest: () => (attempts += 1),
    });
    // A first call loads the HTTP stack and opens a socket: the burst then meets a warm server.
    await client.models.list();
    attempts = 0;
    const all = Promise.allSettled(Array.from({ length: calls }, () => client.models.list()));
    const outcomes = await settle(t.clock, all, 60_000, 5);
    return {
      ok: outcomes.filter((o) => o.status === 'fulfilled').length,
      attempts,
      rejected: t.server.rateLimiter.counters.rejected,
    };
  };

  it('delivers a burst of calls above the server’s rate late rather than failed', async () => {
    const { ok, attempts } = await burst(true, 40);
    expect(ok).to.equal(40);
    expect(t.server.state.hits[MODELS]).to.equal(attempts + 1);
    // No call was sent more often than its retries allow.
    expect(attempts).to.be.at.most(40 * 4);
  });

  it('without adaptiveRate, the same burst runs out of retries', async () => {
    const { ok } = await burst(false, 40);
    expect(ok).to.be.lessThan(40);
  });

  it('refuses an adaptiveRate that is not a boolean', () => {
    expect(() => t.clientWith({ adaptiveRate: 'yes' as never })).to.throw(/adaptiveRate/);
  });
});
