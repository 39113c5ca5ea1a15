/**
 * SessionSlots alone: a read function that answers as the account would, fake time. What the
 * streams of one client see: when a start goes, waits or fails, when the account's limit is
 * read (and never again), and whose limits are read at all. Over the wire, with the mock's
 * limits, in session-slots.spec.ts and session-limits.spec.ts.
 */
import { expect } from 'chai';
import * as sinon from 'sinon';
import {
  LIMIT_READ_TIMEOUT_MS,
  LIMIT_REFRESH_MS,
  SessionSlots,
  sameDeployment,
  type LimitRead,
} from '../../lib/realtime/session-slots';

/** Lets promise callbacks run (no timer moves). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('realtime/session-slots SessionSlots (a read function, fake time)', () => {
  let clock: sinon.SinonFakeTimers;
  let slots: SessionSlots | undefined;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    slots?.close(new Error('spec over'));
    slots = undefined;
    clock.restore();
  });

  /** Slots whose reads answer `answer()` (a limit, null, or a thrown error), each signal kept. */
  function slotsReading(answer: () => Promise<number | null>) {
    const signals: AbortSignal[] = [];
    const read: LimitRead = (signal) => {
      signals.push(signal);
      return answer();
    };
    slots = new SessionSlots(read);
    return { slots, signals };
  }

  /** A start's promise and whether it settled (and how). */
  function start(s: SessionSlots, signal = new AbortController().signal) {
    const state = { went: false, error: undefined as Error | undefined };
    const promise = s.acquire(signal).then(
      () => void (state.went = true),
      (error: Error) => void (state.error = error),
    );
    return { state, promise };
  }

  it('starts a lone session at once without reading the limit', async () => {
    const { slots: s, signals } = slotsReading(() => Promise.resolve(1));
    await s.acquire(new AbortController().signal);
    expect(signals).to.have.length(0);
  });

  it('reads the limit for a start beside an open session, and holds a start over it until a session ends', async () => {
    const { slots: s, signals } = slotsReading(() => Promise.resolve(2));
    await s.acquire(new AbortController().signal);
    await s.acquire(new AbortController().signal);
    expect(signals).to.have.length(1);
    const third = start(s);
    await settle();
    expect(third.state.went).to.equal(false);
    s.release();
    await third.promise;
    expect(third.state.went).to.equal(true);
  });

  it('lets waiting starts go first come, first served, one per session that ends', async () => {
    const { slots: s } = slotsReading(() => Promise.resolve(1));
    await s.acquire(new AbortController().signal);
    const order: string[] = [];
    const a = s.acquire(new AbortController().signal).then(() => order.push('a'));
    const b = s.acquire(new AbortController().signal).then(() => order.push('b'));
    await settle();
    expect(order).to.deep.equal([]);
    s.release();
    await a;
    await settle();
    expect(order).to.deep.equal(['a']);
    s.release();
    await b;
    expect(order).to.deep.equal(['a', 'b']);
  });

  it('queues a start behind those waiting even when a slot is free', async () => {
    const { slots: s } = slotsReading(() => Promise.resolve(2));
    await s.acquire(new AbortController().signal);
    await s.acquire(new AbortController().signal);
    const waiting = start(s);
    await settle();
    s.refused(); // the ceiling drops to 1: two held, one waits
    s.release();
    await settle();
    expect(waiting.state.went, 'still over the ceiling of 1').to.equal(false);
    s.release();
    await waiting.promise;
    expect(waiting.state.went).to.equal(true);
  });

  it('takes a limit of 0 as 1 (a session always fits)', async () => {
    const { slots: s } = slotsReading(() => Promise.resolve(0));
    await s.acquire(new AbortController().signal);
    const second = start(s);
    await settle();
    expect(second.state.went).to.equal(false);
    s.release();
    await second.promise;
    expect(second.state.went).to.equal(true);
  });

  it('sets no ceiling when the account has no limit configured (null)', async () => {
    const { slots: s } = slotsReading(() => Promise.resolve(null));
    for (let i = 0; i < 5; i++) await s.acquire(new AbortController().signal);
  });

  it('does not count a release below zero', async () => {
    const { slots: s } = slotsReading(() => Promise.resolve(1));
    s.release();
    s.release();
    await s.acquire(new AbortController().signal);
    const second = start(s);
    await settle();
    expect(second.state.went, 'one held: the second waits').to.equal(false);
  });

  it('reads again only once the refresh interval has passed, one read at a time', async () => {
    const { slots: s, signals } = slotsReading(() => Promise.resolve(10));
    await s.acquire(new AbortController().signal);
    await s.acquire(new AbortController().signal);
    await s.acquire(new AbortController().signal);
    expect(signals).to.have.length(1);
    await clock.tickAsync(LIMIT_REFRESH_MS - 1);
    await s.acquire(new AbortController().signal);
    expect(signals).to.have.length(1);
    await clock.tickAsync(1);
    await s.acquire(new AbortController().signal);
    expect(signals).to.have.length(2);
  });

  it('serves the value read while it is read again: a later start does not wait for the read', async () => {
    let answer: (limit: number) => void = () => undefined;
    let reads = 0;
    const { slots: s } = slotsReading(() => {
      reads += 1;
      return reads === 1 ? Promise.resolve(10) : new Promise((resolve) => (answer = resolve));
    });
    await s.acquire(new AbortController().signal);
    await s.acquire(new AbortController().signal);
    await clock.tickAsync(LIMIT_REFRESH_MS);
    const next = start(s);
    await settle();
    expect(reads).to.equal(2);
    expect(next.state.went).to.equal(true);
    answer(10);
  });

  it('cancels each read once it answered (its signal aborted: no socket left behind)', async () => {
    const { slots: s, signals } = slotsReading(() => Promise.resolve(3));
    await s.acquire(new AbortController().signal);
    await s.acquire(new AbortController().signal);
    expect(signals[0]?.aborted).to.equal(true);
  });

  it('waits for a read that hangs no longer than LIMIT_READ_TIMEOUT_MS, then cancels it and never retries at once', async () => {
    const { slots: s, signals } = slotsReading(() => new Promise(() => undefined));
    await s.acquire(new AbortController().signal);
    const second = start(s);
    await clock.tickAsync(LIMIT_READ_TIMEOUT_MS - 1);
    expect(second.state.went).to.equal(false);
    expect(signals[0]?.aborted).to.equal(false);
    await clock.tickAsync(1);
    expect(second.state.went).to.equal(true);
    expect((signals[0]?.reason as Error).message).to.equal('concurrency limit read timed out');
    await s.acquire(new AbortController().signal);
    expect(signals).to.have.length(1);
  });

  it('keeps starting without a ceiling after a failed read, and reads again after the interval', async () => {
    const { slots: s, signals } = slotsReading(() =>
      Promise.reject(Object.assign(new Error('boom'), { status: 500 })),
    );
    await s.acquire(new AbortController().signal);
    await s.acquire(new AbortController().signal);
    await s.acquire(new AbortController().signal);
    expect(signals).to.have.length(1);
    await clock.tickAsync(LIMIT_REFRESH_MS);
    await s.acquire(new AbortController().signal);
    expect(signals).to.have.length(2);
  });

  for (const status of [401, 403])
    it(`never reads again with a key refused with ${status} (a temporary key)`, async () => {
      const { slots: s, signals } = slotsReading(() =>
        Promise.reject(Object.assign(new Error('no'), { status })),
      );
      await s.acquire(new AbortController().signal);
      await s.acquire(new AbortController().signal);
      await clock.tickAsync(LIMIT_REFRESH_MS * 3);
      await s.acquire(new AbortController().signal);
      expect(signals).to.have.length(1);
    });

  it('lowers the ceiling read to the sessions still held after a 429, at least 1; the next read raises it', async () => {
    let limit = 3;
    const { slots: s } = slotsReading(() => Promise.resolve(limit));
    await s.acquire(new AbortController().signal);
    await s.acquire(new AbortController().signal);
    await s.acquire(new AbortController().signal);
    // The third was refused: the ceiling is the 2 others.
    s.refused();
    s.release();
    const waiting = start(s);
    await settle();
    expect(waiting.state.went, 'two held, ceiling 2').to.equal(false);
    limit = 5;
    await clock.tickAsync(LIMIT_REFRESH_MS);
    await settle();
    expect(waiting.state.went, 'raised back by the next read').to.equal(true);
  });

  it('lowers a ceiling to no less than 1', async () => {
    const { slots: s } = slotsReading(() => Promise.resolve(5));
    await s.acquire(new AbortController().signal);
    await s.acquire(new AbortController().signal);
    s.release();
    s.release();
    s.refused();
    await s.acquire(new AbortController().signal);
    const second = start(s);
    await settle();
    expect(second.state.went).to.equal(false);
  });

  it('keeps no ceiling on a 429 when none was read', async () => {
    const { slots: s } = slotsReading(() => Promise.resolve(null));
    await s.acquire(new AbortController().signal);
    await s.acquire(new AbortController().signal);
    s.refused();
    await s.acquire(new AbortController().signal);
  });

  it('reads the limit again while starts wait, and lets them go when it was raised', async () => {
    let limit = 1;
    const { slots: s, signals } = slotsReading(() => Promise.resolve(limit));
    await s.acquire(new AbortController().signal);
    const waiting = start(s);
    await settle();
    limit = 2;
    await clock.tickAsync(LIMIT_REFRESH_MS - 1);
    expect(signals).to.have.length(1);
    expect(waiting.state.went).to.equal(false);
    await clock.tickAsync(1);
    await settle();
    expect(signals).to.have.length(2);
    expect(waiting.state.went).to.equal(true);
  });

  it('keeps reading while starts still wait after a read that did not raise the limit', async () => {
    const { slots: s, signals } = slotsReading(() => Promise.resolve(1));
    await s.acquire(new AbortController().signal);
    const waiting = start(s);
    await clock.tickAsync(LIMIT_REFRESH_MS);
    await settle();
    await clock.tickAsync(LIMIT_REFRESH_MS);
    await settle();
    expect(signals).to.have.length(3);
    expect(waiting.state.went).to.equal(false);
  });

  it('stops reading once no start waits (a start that gave up, a slot freed)', async () => {
    const { slots: s, signals } = slotsReading(() => Promise.resolve(1));
    await s.acquire(new AbortController().signal);
    const controller = new AbortController();
    const given = start(s, controller.signal);
    await settle();
    controller.abort(new Error('caller gave up'));
    await given.promise;
    expect(clock.countTimers()).to.equal(0);
    const freed = start(s);
    await settle();
    s.release();
    await freed.promise;
    expect(clock.countTimers()).to.equal(0);
    await clock.tickAsync(LIMIT_REFRESH_MS * 2);
    expect(signals).to.have.length(1);
  });

  it('lets a lone start go at once while another start waits for the first read', async () => {
    const { slots: s } = slotsReading(() => new Promise(() => undefined));
    await s.acquire(new AbortController().signal);
    const second = start(s);
    await settle();
    expect(second.state.went, 'waits for the read').to.equal(false);
    s.release();
    const lone = start(s);
    await settle();
    expect(lone.state.went, 'a lone session fits any limit').to.equal(true);
  });

  it('starts a session when a read fails without a reason', async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a read that rejects with nothing
    const { slots: s } = slotsReading(() => Promise.reject(undefined));
    await s.acquire(new AbortController().signal);
    await s.acquire(new AbortController().signal);
  });

  it('reads nothing more while no start waits', async () => {
    const { slots: s, signals } = slotsReading(() => Promise.resolve(5));
    await s.acquire(new AbortController().signal);
    await s.acquire(new AbortController().signal);
    expect(clock.countTimers()).to.equal(0);
    await clock.tickAsync(LIMIT_REFRESH_MS * 3);
    expect(signals).to.have.length(1);
  });

  it('keeps reading for the starts still waiting after a freed slot let one go', async () => {
    let limit = 1;
    const { slots: s } = slotsReading(() => Promise.resolve(limit));
    await s.acquire(new AbortController().signal);
    const first = start(s);
    const second = start(s);
    await settle();
    s.release();
    await first.promise;
    expect(second.state.went).to.equal(false);
    limit = 2;
    await clock.tickAsync(LIMIT_REFRESH_MS);
    await settle();
    expect(second.state.went, 'the raise read for it').to.equal(true);
  });

  it('keeps reading for the others when one waiting start gives up', async () => {
    let limit = 1;
    const { slots: s } = slotsReading(() => Promise.resolve(limit));
    await s.acquire(new AbortController().signal);
    const controller = new AbortController();
    const gone = start(s, controller.signal);
    const staying = start(s);
    await settle();
    controller.abort(new Error('gave up'));
    await gone.promise;
    limit = 2;
    await clock.tickAsync(LIMIT_REFRESH_MS);
    await settle();
    expect(staying.state.went).to.equal(true);
  });

  it('leaves no read pending once every waiting start gave up', async () => {
    const { slots: s, signals } = slotsReading(() => Promise.resolve(1));
    await s.acquire(new AbortController().signal);
    const controllers = [new AbortController(), new AbortController(), new AbortController()];
    const starts = controllers.map((c) => start(s, c.signal));
    await settle();
    for (const c of controllers) c.abort(new Error('gave up'));
    await Promise.all(starts.map((x) => x.promise));
    expect(clock.countTimers()).to.equal(0);
    await clock.tickAsync(LIMIT_REFRESH_MS * 3);
    expect(signals).to.have.length(1);
  });

  it('rejects a waiting start with its signal`s reason, and gives its turn to the next', async () => {
    const { slots: s } = slotsReading(() => Promise.resolve(1));
    await s.acquire(new AbortController().signal);
    const controller = new AbortController();
    const gone = start(s, controller.signal);
    const next = start(s);
    await settle();
    controller.abort(new Error('caller gave up'));
    await gone.promise;
    expect(gone.state.error?.message).to.equal('caller gave up');
    s.release();
    await next.promise;
    expect(next.state.went).to.equal(true);
    s.release();
    // The one that gave up took no slot.
    await s.acquire(new AbortController().signal);
  });

  it('names a reason that is not an Error', async () => {
    const { slots: s } = slotsReading(() => Promise.resolve(1));
    await s.acquire(new AbortController().signal);
    const controller = new AbortController();
    const gone = start(s, controller.signal);
    await settle();
    controller.abort('stop');
    await gone.promise;
    expect(gone.state.error?.message).to.equal('aborted: stop');
  });

  it('refuses a start whose signal aborted already', async () => {
    const { slots: s } = slotsReading(() => Promise.resolve(5));
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    const gone = start(s, controller.signal);
    await gone.promise;
    expect(gone.state.error?.message).to.equal('too late');
    // It took no slot: a lone session still reads nothing and goes.
    await s.acquire(new AbortController().signal);
  });

  it('fails the waiting starts and every later one with the reason the client closed with', async () => {
    const { slots: s } = slotsReading(() => Promise.resolve(1));
    await s.acquire(new AbortController().signal);
    const controller = new AbortController();
    const waiting = start(s, controller.signal);
    await settle();
    s.close(new Error('client is closed'));
    await waiting.promise;
    expect(waiting.state.error?.message).to.equal('client is closed');
    // Its abort listener is gone: a later abort changes nothing.
    controller.abort(new Error('late'));
    expect(waiting.state.error?.message).to.equal('client is closed');
    const later = start(s);
    await later.promise;
    expect(later.state.error?.message).to.equal('client is closed');
    expect(clock.countTimers()).to.equal(0);
  });

  it('fails a start that waited for the first read when the client closed meanwhile', async () => {
    let answer: (limit: number) => void = () => undefined;
    const { slots: s } = slotsReading(() => new Promise((resolve) => (answer = resolve)));
    await s.acquire(new AbortController().signal);
    const second = start(s);
    await settle();
    s.close(new Error('client is closed'));
    answer(5);
    await second.promise;
    expect(second.state.error?.message).to.equal('client is closed');
  });
});

describe('realtime/session-slots sameDeployment', () => {
  const cases: Array<[string, string, boolean]> = [
    ['https://api.soniox.com', 'wss://stt-rt.soniox.com/transcribe-websocket', true],
    ['https://api.eu.soniox.com', 'wss://stt-rt.eu.soniox.com/transcribe-websocket', true],
    ['http://127.0.0.1:8080', 'ws://127.0.0.1:9090/transcribe-websocket', true],
    ['https://api.soniox.com', 'wss://relay.example.com/transcribe-websocket', false],
    ['https://api.soniox.com', 'ws://127.0.0.1:9090/transcribe-websocket', false],
    ['https://api.eu.soniox.com', 'wss://stt-rt.soniox.com/transcribe-websocket', false],
    // Hosts of two labels: their parents are top-level domains, not one deployment.
    ['https://soniox.com', 'wss://example.com', false],
    ['http://localhost:1', 'ws://other:2', false],
    // One host of one label: the same host is the same deployment.
    ['http://localhost:1', 'ws://localhost:2', true],
  ];
  for (const [rest, realtime, same] of cases)
    it(`${same ? 'reads' : 'does not read'} the limits of ${rest} for ${realtime}`, () =>
      expect(sameDeployment(rest, realtime)).to.equal(same));
});
