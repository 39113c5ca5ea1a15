/**
 * The write path alone (lib/realtime/audio-out.ts), on a stand-in connection whose buffer the
 * spec fills and drains: the whole stream's backpressure is in backpressure.spec.ts.
 */
import { expect } from 'chai';
import { AudioOut } from '../../lib/realtime/audio-out';
import type { Connection } from '../../lib/realtime/connection';

/** A connection whose buffered bytes the spec sets, and whose sends it completes by hand. */
function standIn() {
  const sent: Buffer[] = [];
  const pending: Array<() => void> = [];
  const link = {
    bufferedAmount: 0,
    send(chunk: Buffer, done: () => void) {
      sent.push(chunk);
      pending.push(done);
    },
  };
  return { link, sent, pending, connection: link as unknown as Connection };
}

describe('realtime/audio-out (the write path)', () => {
  it('calls back at once while the buffer is at or under the highWaterMark, and counts each chunk', () => {
    const { link, sent, connection } = standIn();
    const counted: number[] = [];
    const out = new AudioOut(
      10,
      () => connection,
      (chunk) => counted.push(chunk.length),
    );
    link.bufferedAmount = 10;
    let called = 0;
    out.send(Buffer.alloc(4), () => called++);
    expect(called).to.equal(1);
    expect(sent).to.have.length(1);
    expect(counted).to.deep.equal([4]);
  });

  it('holds the callback while the buffer is over the highWaterMark, until a send drains it', () => {
    const { link, pending, connection } = standIn();
    const out = new AudioOut(
      10,
      () => connection,
      () => undefined,
    );
    link.bufferedAmount = 11;
    let called = 0;
    out.send(Buffer.alloc(4), () => called++);
    expect(called).to.equal(0);
    pending[0]?.(); // still over
    expect(called).to.equal(0);
    link.bufferedAmount = 3;
    pending[0]?.();
    expect(called).to.equal(1);
  });

  it('releases a held write as the buffer drains down to the highWaterMark itself', () => {
    // The same bound as an immediate callback: at or under the highWaterMark, the writer goes on.
    const { link, pending, connection } = standIn();
    const out = new AudioOut(
      10,
      () => connection,
      () => undefined,
    );
    link.bufferedAmount = 11;
    let called = 0;
    out.send(Buffer.alloc(4), () => called++);
    link.bufferedAmount = 10;
    pending[0]?.();
    expect(called).to.equal(1);
  });

  it('sends the write queued before a connection once one is there, and only once', () => {
    const { sent, connection } = standIn();
    const link: { current?: Connection } = {};
    const out = new AudioOut(
      10,
      () => link.current,
      () => undefined,
    );
    const order: string[] = [];
    out.queue(Buffer.from('ab'), () => order.push('queued'));
    expect(order).to.deep.equal([]);
    link.current = connection;
    out.flush();
    expect(sent.map(String)).to.deep.equal(['ab']);
    expect(order).to.deep.equal(['queued']);
    out.flush();
    expect(sent).to.have.length(1);
  });

  it('releases a held write once there is no connection (its socket is gone)', () => {
    const { link, connection } = standIn();
    let current: Connection | undefined = connection;
    const out = new AudioOut(
      0,
      () => current,
      () => undefined,
    );
    link.bufferedAmount = 1;
    let called = 0;
    out.send(Buffer.alloc(1), () => called++);
    current = undefined;
    out.release();
    expect(called).to.equal(1);
  });

  it('on drop, releases the held write and hands back the queued write for the failure', () => {
    const { link, connection } = standIn();
    const out = new AudioOut(
      0,
      () => connection,
      () => undefined,
    );
    link.bufferedAmount = 1;
    const order: string[] = [];
    out.send(Buffer.alloc(1), () => order.push('held'));
    const queued = () => order.push('queued');
    out.queue(Buffer.alloc(1), queued);
    expect(out.drop()).to.equal(queued);
    expect(order).to.deep.equal(['held']);
    expect(out.drop()).to.equal(undefined);
    expect(order).to.deep.equal(['held']);
  });
});
