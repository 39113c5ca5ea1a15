import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import { follow, followerCount, onAbort } from '../../lib/internal/follow-signal';
import { fixture } from '../helpers';

describe('internal/follow-signal: per-call controllers on a shared signal', () => {
  const t = fixture();

  it('holds one listener on the signal however many follow it, and nothing once each has stopped', () => {
    const shared = new AbortController();
    const stops = Array.from({ length: 50 }, () => follow(shared.signal, new AbortController()));
    expect(getEventListeners(shared.signal, 'abort')).to.have.length(1);
    expect(followerCount(shared.signal)).to.equal(50);
    for (const stop of stops) stop();
    expect(followerCount(shared.signal)).to.equal(0);
  });

  it("aborts every follower with the signal's reason, and a follower of an aborted signal at once", () => {
    const shared = new AbortController();
    const a = new AbortController();
    const b = new AbortController();
    follow(shared.signal, a);
    follow(shared.signal, b);
    shared.abort(new Error('stop'));
    expect([a.signal.aborted, b.signal.aborted]).to.deep.equal([true, true]);
    expect((a.signal.reason as Error).message).to.equal('stop');
    const late = new AbortController();
    follow(shared.signal, late)();
    expect(late.signal.aborted).to.equal(true);
    expect(followerCount(shared.signal)).to.equal(0);
  });

  it('leaves nothing behind on a long-lived signal after many calls through the client (AbortSignal.any kept an entry per call)', async () => {
    const client = t.client;
    const shared = new AbortController();
    await Promise.all(
      Array.from({ length: 50 }, () => client.models.list({ signal: shared.signal })),
    );
    expect(followerCount(shared.signal)).to.equal(0);
    expect(getEventListeners(shared.signal, 'abort')).to.have.length(1);
    const made = await client.transcriptions.create({ audio_url: 'https://example.com/a.mp3' });
    await client.transcriptions.wait(made.id, { pollIntervalMs: 5, signal: shared.signal });
    expect(followerCount(shared.signal)).to.equal(0);
  });

  it('onAbort runs its listener once as the signal aborts, on the next tick if it already has, and not after stopping', async () => {
    const live = new AbortController();
    let ran = 0;
    onAbort(live.signal, () => ran++);
    live.abort();
    live.abort();
    expect(ran).to.equal(1);
    const stopped = new AbortController();
    onAbort(stopped.signal, () => ran++)();
    stopped.abort();
    expect(ran).to.equal(1);
    const done = AbortSignal.abort();
    onAbort(done, () => ran++);
    expect(ran).to.equal(1);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(ran).to.equal(2);
  });
});
