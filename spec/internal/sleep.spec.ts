import { expect } from 'chai';
import sinon from 'sinon';
import { getEventListeners } from 'node:events';
import { SonioxAbortError, SonioxTimeoutError } from '../../lib/errors';
import { MAX_TIMER_MS, sleep } from '../../lib/internal/sleep';

/** What a promise has come to so far: 'pending', 'resolved' or its error. */
function watch(promise: Promise<void>): () => 'pending' | 'resolved' | Error {
  let state: 'pending' | 'resolved' | Error = 'pending';
  promise.then(
    () => (state = 'resolved'),
    (error: Error) => (state = error),
  );
  return () => state;
}

describe('internal/sleep: a wait that an abort cuts short', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers()));
  afterEach(() => clock.restore());

  it('holds the largest delay a Node timer keeps (2^31-1 ms)', () => {
    expect(MAX_TIMER_MS).to.equal(2_147_483_647);
  });

  it('resolves after the whole delay, not before', async () => {
    const state = watch(sleep(1_000));
    await clock.tickAsync(999);
    expect(state()).to.equal('pending');
    await clock.tickAsync(1);
    expect(state()).to.equal('resolved');
  });

  it('rejects at once, naming the wait, when the signal is already aborted', async () => {
    const state = watch(sleep(1_000, AbortSignal.abort(), 'retry of GET /v1/files'));
    await clock.tickAsync(0);
    const error = state();
    expect(error).to.be.instanceOf(SonioxAbortError);
    expect((error as Error).message).to.equal('retry of GET /v1/files: aborted');
    expect(clock.countTimers()).to.equal(0);
  });

  it('calls an unnamed wait a wait', async () => {
    const state = watch(sleep(1_000, AbortSignal.abort()));
    await clock.tickAsync(0);
    expect((state() as Error).message).to.equal('wait: aborted');
  });

  it('rejects as soon as the signal aborts mid-wait, and leaves no timer behind', async () => {
    const controller = new AbortController();
    const state = watch(sleep(60_000, controller.signal, 'nap'));
    await clock.tickAsync(10);
    expect(state()).to.equal('pending');
    controller.abort();
    await clock.tickAsync(0);
    expect(state()).to.be.instanceOf(SonioxAbortError);
    expect(clock.countTimers()).to.equal(0);
  });

  it('reports a deadline (AbortSignal.timeout) as a timeout, not an abort', async () => {
    const controller = new AbortController();
    const state = watch(sleep(60_000, controller.signal, 'poll'));
    controller.abort(new DOMException('deadline', 'TimeoutError'));
    await clock.tickAsync(0);
    expect(state()).to.be.instanceOf(SonioxTimeoutError);
    expect((state() as Error).message).to.equal('poll: deadline exceeded');
  });

  it('leaves no listener on a long-lived signal once the wait is over', async () => {
    const controller = new AbortController();
    const done = sleep(100, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).to.have.length(1);
    await clock.tickAsync(100);
    await done;
    expect(getEventListeners(controller.signal, 'abort')).to.have.length(0);
    // An abort after the wait changes nothing.
    controller.abort();
    await clock.tickAsync(0);
  });
});
