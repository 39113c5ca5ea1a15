import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import { Context } from '../lib/cli/context';
import { memoryIO } from '../lib/cli/io';
import { uploadGuard } from '../lib/job';

describe('job steps: the upload guard', () => {
  // Moved from spec/cli/program.spec.ts, which tested the CLI's own copy of the guard.
  it('an upload is abortable until the whole file is out, then only by a second Ctrl-C', () => {
    const io = memoryIO();
    const ctx = new Context(io);
    const guard = () => uploadGuard(ctx.signal, ctx.cleanupSignal);
    const sending = guard();
    const unknown = guard();
    const sent = guard();
    sending.progress(5, 10);
    unknown.progress(10, undefined);
    sent.progress(10, 10);
    io.interrupt();
    expect([sending.signal.aborted, unknown.signal.aborted, sent.signal.aborted]).to.deep.equal([
      true,
      true,
      false,
    ]);
    expect(guard().signal.aborted).to.equal(true);
    io.interrupt();
    expect(sent.signal.aborted).to.equal(true);
    ctx.close();
  });

  it('release drops its listeners, and a released guard no longer follows either signal', () => {
    const signal = new AbortController();
    const stop = new AbortController();
    const guard = uploadGuard(signal.signal, stop.signal);
    expect(getEventListeners(signal.signal, 'abort')).to.have.length(1);
    expect(getEventListeners(stop.signal, 'abort')).to.have.length(1);
    guard.release();
    expect(getEventListeners(signal.signal, 'abort')).to.have.length(0);
    expect(getEventListeners(stop.signal, 'abort')).to.have.length(0);
    signal.abort();
    stop.abort();
    expect(guard.signal.aborted).to.equal(false);
  });

  it('is aborted from the start when either signal already fired', () => {
    expect(uploadGuard(AbortSignal.abort(), undefined).signal.aborted).to.equal(true);
    expect(uploadGuard(undefined, AbortSignal.abort()).signal.aborted).to.equal(true);
    expect(uploadGuard(undefined, undefined).signal.aborted).to.equal(false);
  });
});
