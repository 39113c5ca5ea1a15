import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import sinon from 'sinon';
import { SonioxUploadError } from '../../lib/errors';
import { CallContext } from '../../lib/http/call-context';

const request = { method: 'POST' as const, path: '/v1/files' };

describe('http/call-context: what a call keeps across its attempts', () => {
  afterEach(() => sinon.restore());

  it('starts with no attempt, no retry budget, nothing settled and a replayable body', () => {
    const clock = sinon.useFakeTimers({ now: 1_000_000 });
    const signal = new AbortController().signal;
    const call = new CallContext(request, signal);
    clock.restore();
    expect(call).to.include({
      attempt: 0,
      maxRetries: 0,
      timeoutMs: 0,
      sentAt: 1_000_000,
      tokenAt: 0,
      startedAt: 0,
      delayMs: 0,
      notReplayable: false,
      settled: undefined,
      cappedRetryAfterMs: undefined,
      serverRetryAfterMs: undefined,
      current: undefined,
      localError: undefined,
    });
    expect(call.req).to.equal(request);
    expect(call.signal).to.equal(signal);
  });

  it("keeps each attempt's body stream and the first SDK error it fails with", () => {
    const call = new CallContext(request, new AbortController().signal);
    const first = new PassThrough();
    expect(call.use(first)).to.equal(first);
    expect(call.current).to.equal(first);
    const wrongSize = new SonioxUploadError('the file changed size while uploading');
    first.destroy(wrongSize);
    const second = new PassThrough();
    call.use(second);
    expect(call.current).to.equal(second);
    second.destroy(new SonioxUploadError('a later failure'));
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      expect(call.localError).to.equal(wrongSize);
    });
  });

  it("does not take a stream's own failure (a socket's, a file's) for a local SDK error", async () => {
    const call = new CallContext(request, new AbortController().signal);
    const body = call.use(new PassThrough());
    body.destroy(new Error('EPIPE'));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(call.localError).to.equal(undefined);
  });
});
