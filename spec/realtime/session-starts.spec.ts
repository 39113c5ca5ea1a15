/**
 * One stream's session starts under the client's limiter: a token before each connection, the
 * limiter told of each admitted session and each refused start (a 429 before admission), and
 * refused starts retried with a growing wait for two minutes at most; none without a limiter.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { SonioxWebSocketError } from '../../lib/errors';
import { AdaptiveLimiter } from '../../lib/internal/adaptive-rate';
import { SessionStarts } from '../../lib/realtime/session-starts';

const refusal = (code = 429) => new SonioxWebSocketError('refused', { serverCode: code });

describe('realtime/session-starts', () => {
  afterEach(() => sinon.restore());

  it('takes a token per connection and tells the limiter of each admitted session once', async () => {
    const limiter = new AdaptiveLimiter(undefined, () => 1000);
    const acquire = sinon.spy(limiter, 'acquire');
    const success = sinon.spy(limiter, 'onSuccess');
    const starts = new SessionStarts(limiter);
    expect(starts.limited).to.equal(true);
    await starts.acquire(new AbortController().signal);
    expect(acquire.callCount).to.equal(1);
    expect(starts.admitted).to.equal(false);
    expect(starts.admit()).to.equal(true);
    expect(starts.admit()).to.equal(false);
    expect(starts.admitted).to.equal(true);
    expect(success.callCount).to.equal(1);
    // A new connection is not admitted until its own first result.
    await starts.acquire(new AbortController().signal);
    expect(starts.admitted).to.equal(false);
  });

  it('counts a 429 before admission as a refused start, with the time its token was taken', async () => {
    let now = 5000;
    const limiter = new AdaptiveLimiter(undefined, () => now);
    const throttle = sinon.spy(limiter, 'onThrottle');
    const starts = new SessionStarts(limiter);
    await starts.acquire(new AbortController().signal);
    now = 6000;
    expect(starts.refused(refusal(503))).to.equal(false);
    expect(throttle.callCount).to.equal(0);
    expect(starts.refused(refusal())).to.equal(true);
    expect(throttle.firstCall.args).to.deep.equal([5000]);
    starts.admit();
    expect(starts.refused(refusal())).to.equal(false);
    expect(throttle.callCount).to.equal(1);
  });

  it('retries a refused start with a growing wait, for two minutes from the first refusal', () => {
    sinon.stub(Math, 'random').returns(0.5);
    const starts = new SessionStarts(new AdaptiveLimiter());
    const first = 50_000;
    expect(starts.retryDelay('open', true, first)).to.equal(500);
    expect(starts.retryDelay('reconnecting', true, first + 10_000)).to.equal(1000);
    expect(starts.retries).to.equal(2);
    expect(starts.retryDelay('reconnecting', false, first + 20_000)).to.equal(undefined);
    expect(starts.retryDelay('failed', true, first + 20_000)).to.equal(undefined);
    expect(starts.retryDelay('reconnecting', true, first + 119_999)).to.equal(2000);
    expect(starts.retryDelay('reconnecting', true, first + 120_000)).to.equal(undefined);
    expect(starts.retries).to.equal(3);
  });

  it('starts at once and retries nothing without a limiter', async () => {
    const starts = new SessionStarts(undefined);
    expect(starts.limited).to.equal(false);
    await starts.acquire(new AbortController().signal);
    expect(starts.refused(refusal())).to.equal(true);
    expect(starts.retryDelay('open', true, 0)).to.equal(undefined);
    expect(starts.admit()).to.equal(true);
  });
});
