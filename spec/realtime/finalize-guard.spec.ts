/**
 * The finalize guard (control.ts) alone, on fake time, with a host that records the frames it
 * is asked to send: what a user of `stream.finalize()` sees on the wire (docs/api.md §8.3: "don't
 * send more often than every few seconds"). The stream's own finalize() is in control.spec.ts.
 */
import { expect } from 'chai';
import * as sinon from 'sinon';
import {
  DEFAULT_FINALIZE_MIN_INTERVAL_MS,
  FinalizeCoalescer,
  KEEPALIVE_MESSAGE,
  finalizeIntervalIssues,
} from '../../lib/realtime/control';
import { MAX_TIMER_MS } from '../../lib/internal/sleep';

describe('realtime/control finalize guard', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'Date', 'queueMicrotask'],
    });
  });
  afterEach(() => clock.restore());

  /** A guard whose host sends into `sent` while `ready` says a socket takes writes. */
  function guard(minIntervalMs = DEFAULT_FINALIZE_MIN_INTERVAL_MS, ready = true) {
    const host = { ready, sent: [] as string[], starts: 0 };
    const coalescer = new FinalizeCoalescer(minIntervalMs, {
      ready: () => host.ready,
      start: () => void host.starts++,
      send: (frame) => void host.sent.push(frame),
    });
    return { coalescer, host };
  }

  const FINALIZE = '{"type":"finalize"}';
  const withSilence = (ms: number) => `{"type":"finalize","trailing_silence_ms":${ms}}`;

  it('documents the keepalive frame and a 2000 ms default interval', () => {
    expect(JSON.parse(KEEPALIVE_MESSAGE)).to.deep.equal({ type: 'keepalive' });
    expect(DEFAULT_FINALIZE_MIN_INTERVAL_MS).to.equal(2000);
  });

  describe('finalizeMinIntervalMs checks', () => {
    for (const ok of [undefined, 0, 1, 2000, MAX_TIMER_MS])
      it(`accepts ${String(ok)}`, () => expect(finalizeIntervalIssues(ok)).to.deep.equal([]));
    const bad: Array<[string, unknown]> = [
      ['-1', -1],
      ['MAX_TIMER_MS + 1', MAX_TIMER_MS + 1],
      ['NaN', Number.NaN],
      ['Infinity', Infinity],
      ["'2000'", '2000'],
      ['null', null],
      ['{}', {}],
    ];
    for (const [label, value] of bad)
      it(`refuses ${label}, naming the field and the range`, () =>
        expect(finalizeIntervalIssues(value)).to.deep.equal([
          {
            field: 'finalizeMinIntervalMs',
            message: `must be a number from 0 to ${MAX_TIMER_MS}`,
          },
        ]));
  });

  it('sends the first finalize at once, without trailing_silence_ms when none was asked', () => {
    const { coalescer, host } = guard();
    coalescer.request({});
    expect(host.sent).to.deep.equal([FINALIZE]);
    expect(host.starts).to.equal(0);
  });

  it('sends trailing_silence_ms as asked', () => {
    const { coalescer, host } = guard();
    coalescer.request({ trailing_silence_ms: 0 });
    expect(host.sent).to.deep.equal([withSilence(0)]);
  });

  it('holds a second call within the interval and sends it as the interval ends', async () => {
    const { coalescer, host } = guard(1000);
    coalescer.request({});
    coalescer.request({});
    expect(coalescer.holding).to.equal(true);
    await clock.tickAsync(999);
    expect(host.sent).to.have.length(1);
    await clock.tickAsync(1);
    expect(host.sent).to.deep.equal([FINALIZE, FINALIZE]);
    expect(coalescer.holding).to.equal(false);
  });

  it('keeps the largest trailing_silence_ms asked, whichever call asked it', async () => {
    for (const calls of [
      [
        { trailing_silence_ms: 100 },
        {},
        { trailing_silence_ms: 500 },
        { trailing_silence_ms: 200 },
      ],
      [{}, { trailing_silence_ms: 500 }, {}],
      [{ trailing_silence_ms: 500 }, { trailing_silence_ms: 100 }],
    ]) {
      const { coalescer, host } = guard(1000);
      coalescer.request({});
      for (const call of calls) coalescer.request(call);
      await clock.tickAsync(1000);
      expect(host.sent, JSON.stringify(calls)).to.deep.equal([FINALIZE, withSilence(500)]);
      coalescer.cancel();
    }
  });

  it('holds calls without trailing_silence_ms as one finalize without it', async () => {
    const { coalescer, host } = guard(1000);
    coalescer.request({});
    coalescer.request({});
    coalescer.request({});
    await clock.tickAsync(5000);
    expect(host.sent).to.deep.equal([FINALIZE, FINALIZE]);
  });

  it('starts a new interval with the held finalize it sends', async () => {
    const { coalescer, host } = guard(1000);
    coalescer.request({});
    coalescer.request({});
    await clock.tickAsync(1000);
    coalescer.request({ trailing_silence_ms: 7 });
    expect(host.sent).to.have.length(2);
    await clock.tickAsync(1000);
    expect(host.sent).to.deep.equal([FINALIZE, FINALIZE, withSilence(7)]);
  });

  it('sends at once again once a quiet interval has passed', async () => {
    const { coalescer, host } = guard(1000);
    coalescer.request({});
    await clock.tickAsync(1000);
    coalescer.request({});
    expect(host.sent).to.deep.equal([FINALIZE, FINALIZE]);
  });

  it('sends every call at once with an interval of 0', () => {
    const { coalescer, host } = guard(0);
    coalescer.request({});
    coalescer.request({});
    expect(host.sent).to.deep.equal([FINALIZE, FINALIZE]);
    expect(clock.countTimers()).to.equal(0);
  });

  it('drops what it holds at end-of-audio, yet keeps counting the interval', async () => {
    const { coalescer, host } = guard(1000);
    coalescer.request({});
    coalescer.request({ trailing_silence_ms: 300 });
    coalescer.dropHeld();
    expect(coalescer.holding).to.equal(false);
    coalescer.request({});
    await clock.tickAsync(999);
    expect(host.sent).to.have.length(1);
    await clock.tickAsync(1);
    expect(host.sent).to.deep.equal([FINALIZE, FINALIZE]);
  });

  it('sends nothing more once cancelled, and sends at once after', async () => {
    const { coalescer, host } = guard(1000);
    coalescer.request({});
    coalescer.request({});
    coalescer.cancel();
    expect(clock.countTimers()).to.equal(0);
    await clock.tickAsync(5000);
    expect(host.sent).to.deep.equal([FINALIZE]);
    coalescer.request({});
    expect(host.sent).to.deep.equal([FINALIZE, FINALIZE]);
  });

  describe('without a socket that takes writes', () => {
    it('starts the stream and sends the finalize a microtask after a socket opens', async () => {
      const { coalescer, host } = guard(1000, false);
      coalescer.request({ trailing_silence_ms: 50 });
      expect(host.starts).to.equal(1);
      expect(host.sent).to.deep.equal([]);
      host.ready = true;
      coalescer.opened();
      expect(host.sent, 'after the audio queued before it').to.deep.equal([]);
      await clock.tickAsync(0);
      expect(host.sent).to.deep.equal([withSilence(50)]);
    });

    it('counts the interval from when the finalize went, not when it was asked', async () => {
      const { coalescer, host } = guard(1000, false);
      coalescer.request({});
      await clock.tickAsync(800);
      host.ready = true;
      coalescer.opened();
      await clock.tickAsync(0);
      coalescer.request({});
      await clock.tickAsync(999);
      expect(host.sent).to.have.length(1);
      await clock.tickAsync(1);
      expect(host.sent).to.deep.equal([FINALIZE, FINALIZE]);
    });

    it('holds a second call asked meanwhile for the interval after the first went', async () => {
      const { coalescer, host } = guard(1000, false);
      coalescer.request({});
      coalescer.request({ trailing_silence_ms: 9 });
      expect(host.starts).to.equal(1);
      host.ready = true;
      coalescer.opened();
      await clock.tickAsync(0);
      expect(host.sent).to.deep.equal([FINALIZE]);
      await clock.tickAsync(1000);
      expect(host.sent).to.deep.equal([FINALIZE, withSilence(9)]);
    });

    it('sends each waiting frame once, on the first socket that opens', async () => {
      const { coalescer, host } = guard(0, false);
      coalescer.request({});
      coalescer.request({ trailing_silence_ms: 1 });
      host.ready = true;
      coalescer.opened();
      coalescer.opened();
      await clock.tickAsync(0);
      coalescer.opened();
      await clock.tickAsync(0);
      expect(host.sent).to.deep.equal([FINALIZE, withSilence(1)]);
    });

    it('forgets the waiting frames when cancelled (the session failed)', async () => {
      const { coalescer, host } = guard(1000, false);
      coalescer.request({});
      coalescer.cancel();
      host.ready = true;
      coalescer.opened();
      await clock.tickAsync(5000);
      expect(host.sent).to.deep.equal([]);
    });
  });
});
