/**
 * Markers' small parts: telling a marker from a token on the readable side, and waiting until
 * piped destinations have written what they hold (the stream-level order is in order.spec.ts).
 */
import { Writable } from 'node:stream';
import { expect } from 'chai';
import {
  afterDrained,
  askForDrain,
  isRealtimeMarker,
  type RealtimeItem,
} from '../../lib/realtime/markers';
import type { RealtimeToken } from '../../lib/types';

const token: RealtimeToken = {
  text: 'hi',
  start_ms: 0,
  end_ms: 100,
  confidence: 1,
  is_final: true,
};

/** A Writable whose writes stay pending until `release()`: it holds what was written. */
function holding(): { dest: Writable; release: () => void } {
  const pending: Array<() => void> = [];
  const dest = new Writable({
    highWaterMark: 1024,
    write(_chunk, _encoding, callback) {
      pending.push(() => callback());
    },
  });
  return { dest, release: () => pending.splice(0).forEach((done) => done()) };
}

describe('realtime/markers', () => {
  describe('isRealtimeMarker', () => {
    it('tells a marker from a token', () => {
      expect(isRealtimeMarker({ marker: 'endpoint' })).to.equal(true);
      expect(isRealtimeMarker({ marker: 'finalized' })).to.equal(true);
      expect(isRealtimeMarker(token)).to.equal(false);
    });

    it('takes an item with text for a token, whatever else it carries', () => {
      const odd = { ...token, marker: 'endpoint' } as unknown as RealtimeItem;
      expect(isRealtimeMarker(odd)).to.equal(false);
    });
  });

  // The one place that touches Node's Writable internals (_writableState.needDrain).
  describe('askForDrain', () => {
    const open: Writable[] = [];
    afterEach(() => open.splice(0).forEach((w) => w.destroy()));

    it("makes a Writable under its highWaterMark say 'drain' once it has written all", () => {
      const asked = holding();
      const unasked = holding();
      open.push(asked.dest, unasked.dest);
      const drains = { asked: 0, unasked: 0 };
      asked.dest.on('drain', () => drains.asked++);
      unasked.dest.on('drain', () => drains.unasked++);
      expect(asked.dest.write('x')).to.equal(true);
      expect(unasked.dest.write('x')).to.equal(true);
      expect(askForDrain(asked.dest)).to.equal(true);
      asked.release();
      unasked.release();
      expect(drains).to.deep.equal({ asked: 1, unasked: 0 });
    });

    it('refuses what has no Writable state (a lookalike, a stream of another kind)', () => {
      expect(askForDrain({ writableLength: 3 })).to.equal(false);
      expect(askForDrain({ writableLength: 3, _writableState: null })).to.equal(false);
      expect(askForDrain('not a stream')).to.equal(false);
    });
  });

  describe('afterDrained', () => {
    const open: Writable[] = [];
    afterEach(() => open.splice(0).forEach((w) => w.destroy()));
    const held = () => {
      const h = holding();
      open.push(h.dest);
      return h;
    };

    it('does not wait when no destination holds anything, or none is a Writable', () => {
      const calls: string[] = [];
      const idle = held().dest;
      expect(afterDrained([idle], () => calls.push('idle'))).to.equal(false);
      // Lookalikes: a length but no Writable state, a length that is not a number.
      const lookalikes = [
        { writableLength: 5, once: () => undefined, off: () => undefined },
        { writableLength: '5', _writableState: { needDrain: false } },
        'not a stream',
      ];
      expect(afterDrained(lookalikes, () => calls.push('lookalike'))).to.equal(false);
      expect(afterDrained([], () => calls.push('none'))).to.equal(false);
      expect(calls).to.deep.equal([]);
    });

    it('calls back once, when the last busy destination has written all it held', () => {
      const a = held();
      const b = held();
      // Under the highWaterMark: write() says true, so no 'drain' would come on its own.
      expect(a.dest.write('x')).to.equal(true);
      expect(b.dest.write('y')).to.equal(true);
      let calls = 0;
      expect(afterDrained([a.dest, b.dest], () => calls++)).to.equal(true);
      a.release();
      expect(calls, 'one of two drained').to.equal(0);
      b.release();
      expect(calls).to.equal(1);
      // Its listeners are gone: later drains and closes call nothing.
      for (const dest of [a.dest, b.dest]) {
        expect(dest.listenerCount('drain')).to.equal(0);
        expect(dest.listenerCount('close')).to.equal(0);
      }
      a.dest.write('again');
      a.release();
      expect(calls).to.equal(1);
    });

    it('counts a destination closed before it drained as done', async () => {
      const a = held();
      a.dest.write('x');
      let calls = 0;
      expect(afterDrained([a.dest], () => calls++)).to.equal(true);
      a.dest.destroy();
      await new Promise((resolve) => setImmediate(resolve));
      expect(calls).to.equal(1);
      expect(a.dest.listenerCount('drain')).to.equal(0);
    });
  });
});
