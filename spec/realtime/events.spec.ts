/**
 * Whatever fails a realtime stream, its 'error' event (and a rejected connect()) carries one of
 * the SDK's errors: a foreign error (the caller's destroy(err), Node's own stream errors) is
 * wrapped in a SonioxError whose cause it is.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { SonioxError, SonioxTimeoutError } from '../../lib/errors';
import { asRealtimeError } from '../../lib/realtime/events';
import { PCM } from '../audio';
import { fixture, rejection } from '../helpers';

describe('realtime/events: the error event carries SDK errors', () => {
  const t = fixture({ mock: { realtimePacing: false } });

  it('keeps an SDK error as it is, and wraps anything else with it as the cause', () => {
    const sdk = new SonioxTimeoutError('late', 5);
    expect(asRealtimeError(sdk)).to.equal(sdk);
    const foreign = new RangeError('out of range');
    const wrapped = asRealtimeError(foreign);
    expect(wrapped).to.be.instanceOf(SonioxError);
    expect(wrapped.code).to.equal('soniox_error');
    expect(wrapped.message).to.equal('the realtime stream failed: out of range');
    expect(wrapped.cause).to.equal(foreign);
    expect(asRealtimeError('a string').message).to.equal('the realtime stream failed: a string');
  });

  it('emits a SonioxError when destroyed with a foreign error, the original as its cause', async () => {
    const stream = t.client.realtime({ ...PCM });
    const foreign = new Error('the caller gave up');
    stream.destroy(foreign);
    const [error] = (await once(stream, 'error')) as [SonioxError];
    expect(error).to.be.instanceOf(SonioxError);
    expect(error.message).to.include('the caller gave up');
    expect(error.cause).to.equal(foreign);
    expect(stream.errored).to.equal(error);
  });

  it('rejects connect() with the SDK error when a foreign error destroys a connecting stream', async () => {
    const stream = t.client.realtime({ ...PCM });
    stream.on('error', () => undefined);
    const connecting = stream.connect();
    stream.destroy(new TypeError('bad'));
    const error = await rejection(connecting);
    expect(error).to.be.instanceOf(SonioxError);
    expect((error as SonioxError).cause).to.be.instanceOf(TypeError);
  });

  it("emits a SonioxError for Node's own write-after-end error", async () => {
    const stream = t.client.realtime({ ...PCM });
    stream.resume();
    stream.end(Buffer.alloc(320));
    stream.write(Buffer.alloc(320), () => undefined);
    const [error] = (await once(stream, 'error')) as [SonioxError];
    expect(error).to.be.instanceOf(SonioxError);
    expect((error.cause as NodeJS.ErrnoException).code).to.equal('ERR_STREAM_WRITE_AFTER_END');
  });
});
