import { expect } from 'chai';
import sinon from 'sinon';
import { getEventListeners } from 'node:events';
import { AdaptiveLimiter, AdaptiveRate, MIN_RATE } from '../../lib/internal/adaptive-rate';

describe('internal/adaptive-rate', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.restore());
  const now = () => Date.now();

  /** Sends `n` calls through `rate`, `gapMs` apart, as a client sending at a steady pace would. */
  const sendSteadily = (rate: AdaptiveRate, n: number, gapMs: number) => {
    for (let i = 0; i < n; i += 1) {
      rate.take(now());
      clock.tick(gapMs);
    }
  };

  /** A rate throttled after 100 calls sent 10 ms apart (about 69 calls a second allowed). */
  const throttled = () => {
    const rate = new AdaptiveRate();
    sendSteadily(rate, 100, 10);
    rate.onThrottle(now(), now());
    return rate;
  };

  describe('AdaptiveRate', () => {
    it('lets every call through at once until the server first answers 429', () => {
      const rate = new AdaptiveRate();
      for (let i = 0; i < 1000; i += 1) {
        expect(rate.waitFor(now())).to.equal(0);
        rate.take(now());
      }
      expect(rate.enabled).to.equal(false);
    });

    it('after a 429, allows 0.7 times the rate calls were being sent at', () => {
      const rate = new AdaptiveRate();
      sendSteadily(rate, 100, 10);
      rate.onThrottle(now() - 5, now());
      expect(rate.enabled).to.equal(true);
      expect(rate.fillRate).to.be.closeTo(70, 2);
    });

    it('slows down once per round: a 429 to a call sent before the last slow-down is ignored', () => {
      const rate = new AdaptiveRate();
      sendSteadily(rate, 100, 10);
      const sentBefore = now() - 5;
      rate.onThrottle(sentBefore, now());
      const after = rate.fillRate;
      rate.onThrottle(sentBefore, now() + 1);
      expect(rate.fillRate).to.equal(after);
      rate.onThrottle(now() + 2, now() + 3);
      expect(rate.fillRate).to.be.lessThan(after);
    });

    it('does not cut below 0.9 times the rate the server accepted over the last second', () => {
      const rate = new AdaptiveRate();
      // 200 calls a second offered, 50 of them accepted.
      for (let i = 0; i < 200; i += 1) {
        rate.take(now());
        if (i % 4 === 0) rate.onSuccess(now());
        clock.tick(5);
      }
      for (let i = 0; i < 10; i += 1) rate.onThrottle(now() + i, now() + i);
      expect(rate.fillRate).to.be.closeTo(45, 1);
    });

    it('stays off after a 429 among fewer than ten calls a second', () => {
      const rate = new AdaptiveRate();
      sendSteadily(rate, 5, 100);
      rate.onThrottle(now(), now());
      expect(rate.enabled).to.equal(false);
      expect(rate.waitFor(now())).to.equal(0);
    });

    it('never goes below its floor however many 429s come', () => {
      const rate = new AdaptiveRate();
      sendSteadily(rate, 20, 40);
      for (let i = 0; i < 50; i += 1) rate.onThrottle(now() + i, now() + i);
      expect(rate.fillRate).to.equal(MIN_RATE);
    });

    it('holds the cut rate while calls succeed, then grows past it (cubic), never down', () => {
      const rate = new AdaptiveRate();
      sendSteadily(rate, 100, 10);
      rate.onThrottle(now(), now());
      const low = rate.fillRate;
      const seen: number[] = [];
      for (let s = 1; s <= 10; s += 1) {
        // A steady flow of calls keeps the measured rate up (growth is capped at twice it).
        sendSteadily(rate, 60, 16);
        rate.onSuccess(now());
        seen.push(rate.fillRate);
      }
      expect(seen[0]).to.equal(low);
      expect(seen).to.deep.equal([...seen].sort((x, y) => x - y));
      expect(seen[9]).to.be.greaterThan(low * 1.5);
    });

    it('paces calls at its rate once it has slowed down, with no burst left over', () => {
      const rate = new AdaptiveRate();
      sendSteadily(rate, 100, 10);
      rate.onThrottle(now(), now());
      const start = now();
      let sent = 0;
      while (now() - start < 1000) {
        const wait = rate.waitFor(now());
        if (wait === 0) {
          rate.take(now());
          sent += 1;
        } else clock.tick(Math.max(1, Math.ceil(wait)));
      }
      expect(sent).to.be.closeTo(rate.fillRate, 3);
    });
  });

  describe('AdaptiveRate: its exact figures', () => {
    it('turns on at the tenth call of the last second, not the ninth', () => {
      const nine = new AdaptiveRate();
      sendSteadily(nine, 9, 10);
      nine.onThrottle(now(), now());
      expect(nine.enabled).to.equal(false);
      const ten = new AdaptiveRate();
      sendSteadily(ten, 10, 10);
      ten.onThrottle(now(), now());
      expect(ten.enabled).to.equal(true);
    });

    it('learns no rate from a 429 when the calls it counted were sent over a second ago', () => {
      const rate = new AdaptiveRate();
      sendSteadily(rate, 10, 1);
      clock.tick(2000);
      rate.onThrottle(now(), now());
      expect(rate.enabled).to.equal(false);
    });

    it('lets no call through at once after a second cut when the tokens were spent', () => {
      const rate = throttled();
      clock.tick(2000);
      sendSteadily(rate, 30, 1);
      rate.onThrottle(now(), now());
      expect(rate.waitFor(now())).to.be.above(0);
    });

    it('forgets the calls sent more than a second ago', () => {
      const rate = new AdaptiveRate();
      sendSteadily(rate, 100, 10);
      expect(rate.measuredRate(now())).to.equal(99);
      clock.tick(2000);
      expect(rate.measuredRate(now())).to.equal(0);
    });

    it('waits for the missing part of a token at the fill rate', () => {
      const rate = throttled();
      const fill = rate.fillRate;
      rate.take(now());
      expect(rate.waitFor(now())).to.be.closeTo(1000 / fill, 1e-9);
      const half = 500 / fill;
      expect(rate.waitFor(now() + half)).to.be.closeTo(half, 1e-9);
    });

    it('saves up at most a tenth of a second of calls while idle', () => {
      const rate = throttled();
      clock.tick(10_000);
      let burst = 0;
      while (rate.waitFor(now()) === 0 && burst < 1000) {
        rate.take(now());
        burst += 1;
      }
      expect(burst).to.equal(Math.floor(rate.fillRate / 10));
    });

    it('grows back along the cubic curve from the cut rate while calls succeed', () => {
      const rate = throttled();
      const cut = rate.fillRate;
      clock.tick(4000);
      // Enough calls in the last second that twice the measured rate does not bind.
      sendSteadily(rate, 100, 10);
      rate.onSuccess(now());
      const t = 5; // seconds since the cut
      const k = Math.cbrt((cut * 0.3) / 0.4);
      expect(rate.fillRate).to.be.closeTo(0.4 * (t - k) ** 3 + cut, 1e-6);
    });
  });

  describe('AdaptiveLimiter', () => {
    it('resolves at once while the server has not throttled', async () => {
      const limiter = new AdaptiveLimiter(new AdaptiveRate(), now);
      const times = await Promise.all(Array.from({ length: 50 }, () => limiter.acquire()));
      expect(times.every((t) => t === 1_000_000)).to.equal(true);
    });

    it('queues calls once throttled and releases them in order, at the learned rate', async () => {
      const rate = new AdaptiveRate();
      sendSteadily(rate, 100, 10);
      rate.onThrottle(now(), now());
      const limiter = new AdaptiveLimiter(rate, now);
      const order: number[] = [];
      const calls = Array.from({ length: 20 }, (_, i) =>
        limiter.acquire().then(() => order.push(i)),
      );
      await clock.tickAsync(100);
      const early = order.length;
      expect(early).to.be.within(5, 9);
      await clock.tickAsync(1000);
      await Promise.all(calls);
      expect(order).to.deep.equal([...order].sort((a, b) => a - b));
    });

    it('takes an aborted call out of the queue, rejecting with the reason, and keeps the others’ turn', async () => {
      const rate = new AdaptiveRate();
      sendSteadily(rate, 100, 10);
      rate.onThrottle(now(), now());
      const limiter = new AdaptiveLimiter(rate, now);
      const controller = new AbortController();
      const first = limiter.acquire();
      const aborted = limiter.acquire(controller.signal);
      const third = limiter.acquire();
      const reason = new Error('stop');
      controller.abort(reason);
      let caught: unknown;
      await aborted.catch((e: unknown) => (caught = e));
      expect(caught).to.equal(reason);
      await clock.tickAsync(1000);
      await Promise.all([first, third]);
      expect(limiter.queued).to.equal(0);
    });

    it('rejects every waiting call with the reason when closed', async () => {
      const rate = new AdaptiveRate();
      sendSteadily(rate, 100, 10);
      rate.onThrottle(now(), now());
      const limiter = new AdaptiveLimiter(rate, now);
      await limiter.acquire();
      const reason = new Error('closed');
      const waiting = [limiter.acquire(), limiter.acquire(new AbortController().signal)];
      expect(limiter.queued).to.equal(2);
      limiter.close(reason);
      const outcomes = await Promise.allSettled(waiting);
      expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason : o))).to.deep.equal([
        reason,
        reason,
      ]);
      expect(limiter.queued).to.equal(0);
    });

    it('runs on the wall clock when given none', async () => {
      const limiter = new AdaptiveLimiter();
      expect(await limiter.acquire()).to.equal(1_000_000);
    });

    it('takes the first call in the queue out when it aborts', async () => {
      const limiter = new AdaptiveLimiter(throttled(), now);
      await limiter.acquire();
      const controller = new AbortController();
      const first = limiter.acquire(controller.signal);
      const second = limiter.acquire();
      expect(limiter.queued).to.equal(2);
      controller.abort(new Error('stop'));
      await first.catch(() => undefined);
      expect(limiter.queued).to.equal(1);
      await clock.tickAsync(1000);
      await second;
    });

    it('feeds each answer other than 429 to its rate', () => {
      const rate = throttled();
      const limiter = new AdaptiveLimiter(rate, now);
      const cut = rate.fillRate;
      clock.tick(4000);
      sendSteadily(rate, 100, 10);
      limiter.onSuccess();
      expect(rate.fillRate).to.be.greaterThan(cut);
    });

    it('slows the client down when told of a 429 to one of its calls', async () => {
      const rate = new AdaptiveRate();
      const limiter = new AdaptiveLimiter(rate, now);
      for (let i = 0; i < 20; i += 1) await limiter.acquire();
      limiter.onThrottle(now());
      expect(rate.enabled).to.equal(true);
      expect(rate.fillRate).to.be.below(Infinity);
    });

    it('rejects with a readable error when aborted with a reason that is no Error', async () => {
      const limiter = new AdaptiveLimiter(throttled(), now);
      await limiter.acquire();
      const controller = new AbortController();
      const waiting = limiter.acquire(controller.signal);
      controller.abort('user left');
      const error = (await waiting.catch((e: unknown) => e)) as Error;
      expect(error).to.be.instanceOf(Error);
      expect(error.message).to.equal('aborted: user left');
    });

    it('leaves no timer and no abort listener behind once every waiting call went or was closed', async () => {
      const limiter = new AdaptiveLimiter(throttled(), now);
      await limiter.acquire();
      const released = new AbortController();
      const going = limiter.acquire(released.signal);
      await clock.tickAsync(1000);
      await going;
      expect(getEventListeners(released.signal, 'abort')).to.have.length(0);
      expect(clock.countTimers()).to.equal(0);
      const closed = new AbortController();
      // Spend the tokens saved up while idle until a call has to wait.
      let cut = limiter.acquire(closed.signal);
      while (limiter.queued === 0) cut = limiter.acquire(closed.signal);
      expect(clock.countTimers()).to.equal(1);
      limiter.close(new Error('closing'));
      await cut.catch(() => undefined);
      expect(getEventListeners(closed.signal, 'abort')).to.have.length(0);
      expect(clock.countTimers()).to.equal(0);
    });

    it('rejects at once for a signal already aborted', async () => {
      const limiter = new AdaptiveLimiter(new AdaptiveRate(), now);
      const reason = new Error('gone');
      let caught: unknown;
      await limiter.acquire(AbortSignal.abort(reason)).catch((e: unknown) => (caught = e));
      expect(caught).to.equal(reason);
    });
  });
});
