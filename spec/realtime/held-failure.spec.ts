/**
 * A failure held for the reader, and the callbacks parked meanwhile (lib/realtime/held-failure.ts),
 * alone; the stream's use of it is in server-error.spec.ts. Also the waiters of connect() and
 * finalize() (lib/realtime/waiters.ts).
 */
import { expect } from 'chai';
import { SonioxWebSocketError } from '../../lib/errors';
import { HeldFailure } from '../../lib/realtime/held-failure';
import { Waiters } from '../../lib/realtime/waiters';

describe('realtime/held-failure', () => {
  it('holds nothing until told, then says whether a connect() promise reported it', () => {
    const held = new HeldFailure();
    expect([held.held, held.quiet]).to.deep.equal([false, false]);
    held.hold(false);
    expect([held.held, held.quiet]).to.deep.equal([true, false]);
    held.hold(true);
    expect([held.held, held.quiet]).to.deep.equal([true, true]);
  });

  it('gives every parked callback the failure once, in order, as it settles, and holds no more', () => {
    const held = new HeldFailure();
    held.hold(true);
    const got: string[] = [];
    held.park((e) => got.push(`a ${e?.message}`));
    held.park(undefined);
    held.park((e) => got.push(`b ${e?.message}`));
    expect(got).to.deep.equal([]);
    held.settle(new Error('over'));
    expect(got).to.deep.equal(['a over', 'b over']);
    expect([held.held, held.quiet]).to.deep.equal([false, false]);
    held.settle(new Error('again'));
    expect(got).to.have.length(2);
  });
});

describe('realtime/waiters', () => {
  it('resolves every pending promise at once, and counts them', async () => {
    const waiters = new Waiters();
    const all = [waiters.wait(), waiters.wait()];
    expect(waiters.count).to.equal(2);
    waiters.resolve();
    expect(waiters.count).to.equal(0);
    expect(await Promise.all(all)).to.deep.equal([undefined, undefined]);
  });

  it('rejects every pending promise with the error; later ones wait for the next moment', async () => {
    const waiters = new Waiters();
    const first = waiters.wait();
    const error = new SonioxWebSocketError('refused');
    waiters.reject(error);
    const caught = await first.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(caught).to.equal(error);
    const later = waiters.wait();
    expect(waiters.count).to.equal(1);
    waiters.resolve();
    await later;
  });
});
