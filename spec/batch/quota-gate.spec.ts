/**
 * The batch's quota gate, on a fake clock: how long the slots of a batch hold off after the
 * account's quota answers, when they wake, and which errors count as a full quota.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import {
  SonioxAbortError,
  SonioxAPIError,
  SonioxRateLimitError,
  SonioxTimeoutError,
} from '../../lib/errors';
import { isQuotaAnswer, QuotaGate } from '../../lib/batch/quota';
import { quotaOf } from '../../lib/quota';

const TIMINGS = { firstMs: 1_000, maxMs: 8_000, timeoutMs: 60_000 };
const FAR = Number.MAX_SAFE_INTEGER;

describe('batch quota gate (fake clock)', () => {
  let clock: sinon.SinonFakeTimers;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.restore());

  /** Starts a wait at the gate; `state()` tells whether it passed or failed so far. */
  function wait(gate: QuotaGate, deadline = FAR, signal?: AbortSignal) {
    let outcome: 'waiting' | 'passed' | Error = 'waiting';
    const passing = gate.pass(deadline, signal, 'input a.wav').then(
      () => (outcome = 'passed'),
      (error: Error) => (outcome = error),
    );
    return { passing, state: () => outcome };
  }

  /** How long (in ms of fake time, by steps of 100) until a wait at the gate passes. */
  async function waitedMs(gate: QuotaGate): Promise<number> {
    const start = Date.now();
    const w = wait(gate);
    await clock.tickAsync(0);
    // Bounded: a gate that never opens fails here, not by the suite's timeout.
    for (let i = 0; i < 1_000 && w.state() === 'waiting'; i++) await clock.tickAsync(100);
    expect(w.state()).to.equal('passed');
    return Date.now() - start;
  }

  it('an open gate lets a slot through at once', async () => {
    const gate = new QuotaGate(TIMINGS);
    expect(await waitedMs(gate)).to.equal(0);
  });

  it('holds slots off for the first wait after a quota answer, and not a moment longer', async () => {
    const gate = new QuotaGate(TIMINGS);
    gate.refused(undefined);
    const w = wait(gate);
    await clock.tickAsync(999);
    expect(w.state()).to.equal('waiting');
    await clock.tickAsync(1);
    expect(w.state()).to.equal('passed');
  });

  it('doubles the wait at each quota answer in a row, up to the longest single wait', async () => {
    const gate = new QuotaGate(TIMINGS);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      gate.refused(undefined);
      waits.push(await waitedMs(gate));
    }
    expect(waits).to.deep.equal([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
  });

  it('starts the backoff afresh after a success', async () => {
    const gate = new QuotaGate(TIMINGS);
    gate.refused(undefined);
    gate.refused(undefined);
    await waitedMs(gate);
    gate.accepted();
    gate.refused(undefined);
    expect(await waitedMs(gate)).to.equal(1_000);
  });

  it("honours the server's Retry-After when longer than its own backoff, up to the longest wait", async () => {
    const gate = new QuotaGate(TIMINGS);
    gate.refused(3_000);
    expect(await waitedMs(gate)).to.equal(3_000);
    gate.accepted();
    gate.refused(30_000);
    expect(await waitedMs(gate)).to.equal(8_000);
    gate.accepted();
    // A shorter Retry-After does not cut its own backoff short.
    gate.refused(200);
    expect(await waitedMs(gate)).to.equal(1_000);
  });

  it('a shorter wait from another slot does not reopen a gate closed for longer', async () => {
    const gate = new QuotaGate(TIMINGS);
    gate.refused(5_000);
    gate.accepted();
    gate.refused(undefined);
    expect(await waitedMs(gate)).to.equal(5_000);
  });

  it('wakes every waiting slot at once when the batch frees room itself, and starts afresh', async () => {
    const gate = new QuotaGate(TIMINGS);
    gate.refused(undefined);
    gate.refused(undefined);
    gate.refused(undefined);
    const a = wait(gate);
    const b = wait(gate);
    await clock.tickAsync(10);
    expect([a.state(), b.state()]).to.deep.equal(['waiting', 'waiting']);
    gate.open();
    await clock.tickAsync(0);
    expect([a.state(), b.state()]).to.deep.equal(['passed', 'passed']);
    gate.refused(undefined);
    expect(await waitedMs(gate)).to.equal(1_000);
  });

  it('a slot woken early is not woken twice by its old timer', async () => {
    const gate = new QuotaGate(TIMINGS);
    gate.refused(undefined);
    const first = wait(gate);
    await clock.tickAsync(0);
    gate.open();
    await clock.tickAsync(0);
    expect(first.state()).to.equal('passed');
    // Closed again: the first wait's timer (due at 1 s) must not let this one through.
    gate.refused(4_000);
    const second = wait(gate);
    await clock.tickAsync(1_500);
    expect(second.state()).to.equal('waiting');
    await clock.tickAsync(2_500);
    expect(second.state()).to.equal('passed');
    expect(clock.countTimers()).to.equal(0);
  });

  it('fails a slot with SonioxTimeoutError at its deadline, naming the input and the wait', async () => {
    const gate = new QuotaGate(TIMINGS);
    gate.refused(8_000);
    const w = wait(gate, Date.now() + 3_000);
    await clock.tickAsync(2_999);
    expect(w.state()).to.equal('waiting');
    await clock.tickAsync(1);
    const error = w.state();
    expect(error).to.be.instanceOf(SonioxTimeoutError);
    expect((error as SonioxTimeoutError).timeoutMs).to.equal(60_000);
    expect((error as Error).message).to.equal(
      "input a.wav: the account's quota stayed full for 60000 ms",
    );
    expect(clock.countTimers()).to.equal(0);
  });

  it('a deadline already past fails a closed gate at once, and never an open one', async () => {
    const gate = new QuotaGate(TIMINGS);
    const open = wait(gate, Date.now() - 1);
    await clock.tickAsync(0);
    expect(open.state()).to.equal('passed');
    gate.refused(undefined);
    const closed = wait(gate, Date.now());
    await clock.tickAsync(0);
    expect(closed.state()).to.be.instanceOf(SonioxTimeoutError);
  });

  it('rejects with SonioxAbortError when the batch is aborted during the wait, or before it', async () => {
    const gate = new QuotaGate(TIMINGS);
    gate.refused(undefined);
    const controller = new AbortController();
    const w = wait(gate, FAR, controller.signal);
    await clock.tickAsync(100);
    expect(w.state()).to.equal('waiting');
    controller.abort();
    await clock.tickAsync(0);
    expect(w.state()).to.be.instanceOf(SonioxAbortError);
    expect((w.state() as Error).message).to.equal('input a.wav: aborted');
    expect(clock.countTimers()).to.equal(0);
    const late = wait(gate, FAR, controller.signal);
    await clock.tickAsync(0);
    expect(late.state()).to.be.instanceOf(SonioxAbortError);
  });

  it('an abort after the wait ended changes nothing', async () => {
    const gate = new QuotaGate(TIMINGS);
    gate.refused(undefined);
    const controller = new AbortController();
    const w = wait(gate, FAR, controller.signal);
    await clock.tickAsync(1_000);
    expect(w.state()).to.equal('passed');
    controller.abort();
    await clock.tickAsync(0);
    expect(w.state()).to.equal('passed');
  });
});

describe('batch quota answers', () => {
  const typed = (message: string, status: number, errorType: string) =>
    new SonioxAPIError(`POST /v1/files failed with ${status}: ${message}`, {
      status,
      errorType,
      quota: quotaOf({ method: 'POST', path: '/v1/files', status, errorType, apiMessage: message }),
    });

  it('a quota answer typed by status and error type waits even when its message is reworded', () => {
    for (const message of [
      'Uploaded files limit reached.',
      'You have reached the maximum number of files for this account',
      'Too many files stored; delete some first',
    ]) {
      expect(isQuotaAnswer(typed(message, 400, 'invalid_request')), message).to.equal(true);
    }
  });

  it('a bad request that is no quota fails the input instead of waiting', () => {
    expect(isQuotaAnswer(typed('Unsupported audio format', 400, 'invalid_request'))).to.equal(
      false,
    );
    expect(
      isQuotaAnswer(new SonioxAPIError('failed with 500', { status: 500, errorType: 'internal' })),
    ).to.equal(false);
    expect(isQuotaAnswer(new SonioxTimeoutError('slow', 1_000))).to.equal(false);
    expect(isQuotaAnswer(undefined)).to.equal(false);
  });

  it('a rate limit answer waits, typed or not', () => {
    expect(isQuotaAnswer(new SonioxRateLimitError('429', { status: 429 }))).to.equal(true);
  });
});
