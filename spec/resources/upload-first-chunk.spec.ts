/**
 * A stream source is peeked (its first chunk decides whether it is empty) before any request:
 * that wait honours the call's signal and the upload inactivity timeout, so a silent source
 * never hangs a call.
 */
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import sinon from 'sinon';
import { SonioxAbortError, SonioxTimeoutError } from '../../lib/errors';
import { fixture, rejection } from '../helpers';

describe("resources/files: waiting for a stream source's first chunk", () => {
  // A clock installed mid-spec; restored before the fixture's hook closes the client and t.server.
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(() => {
    clock?.restore();
    clock = undefined;
  });
  const t = fixture();

  for (const how of ['files.upload', 'transcribe'] as const) {
    it(`${how}: a signal that fires while a silent stream is awaited rejects at once, nothing sent`, async () => {
      const client = t.client;
      const silent = new PassThrough();
      const controller = new AbortController();
      const call =
        how === 'files.upload'
          ? client.files.upload(silent, { signal: controller.signal })
          : client.transcribe(silent, { signal: controller.signal });
      const outcome = rejection(call);
      await new Promise((resolve) => setImmediate(resolve));
      controller.abort();
      expect(await outcome).to.be.instanceOf(SonioxAbortError);
      expect(t.server.state.hits['POST /v1/files'] ?? 0).to.equal(0);
    });
  }

  it('gives up on a silent stream after the upload inactivity timeout (fake timers)', async () => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const client = t.clientWith({ uploadTimeoutMs: 5_000 });
    const outcome = rejection(client.files.upload(new PassThrough()));
    await clock.tickAsync(4_999);
    let settled = false;
    void outcome.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).to.equal(false);
    await clock.tickAsync(1);
    const error = await outcome;
    expect(error).to.be.instanceOf(SonioxTimeoutError);
    expect(error.message).to.match(/no data from the source stream/);
    expect(t.server.state.hits['POST /v1/files'] ?? 0).to.equal(0);
  });
});
