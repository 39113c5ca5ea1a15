import { expect } from 'chai';
import { DEFAULT_RETRY_POLICY, backoffDelay } from '../../lib/internal/backoff';

describe('internal/backoff: the retry policy and the wait before a retry', () => {
  it('defaults to 3 retries, 500 ms doubling up to 8 s, and a Retry-After of at most 60 s (docs/client.md)', () => {
    expect(DEFAULT_RETRY_POLICY).to.deep.equal({
      maxRetries: 3,
      baseDelayMs: 500,
      maxDelayMs: 8_000,
      maxRetryAfterMs: 60_000,
    });
  });

  it('waits below the base delay before the first retry, and doubles the ceiling each retry after', () => {
    const top = () => 0.999_999;
    expect(backoffDelay(1, DEFAULT_RETRY_POLICY, top)).to.equal(499);
    expect(backoffDelay(2, DEFAULT_RETRY_POLICY, top)).to.equal(999);
    expect(backoffDelay(4, DEFAULT_RETRY_POLICY, top)).to.equal(3_999);
    expect(backoffDelay(5, DEFAULT_RETRY_POLICY, top)).to.equal(7_999);
    expect(backoffDelay(6, DEFAULT_RETRY_POLICY, top)).to.equal(7_999);
  });

  it('never goes below the first retry’s ceiling for a retry counted from 0', () => {
    expect(backoffDelay(0, DEFAULT_RETRY_POLICY, () => 0.5)).to.equal(250);
  });

  it('rounds the jittered delay down to whole ms', () => {
    expect(backoffDelay(1, { baseDelayMs: 3, maxDelayMs: 10 }, () => 0.5)).to.equal(1);
  });
});
