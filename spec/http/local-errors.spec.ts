/**
 * A failure that happened on this side keeps its reason: a wrong declared size says so, and an
 * exception from a callback of yours comes back as itself (in a typed wrapper, the original as a
 * non-enumerable `cause`), never disguised as a connection error, and is not retried.
 */
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { SonioxConnectionError, SonioxHookError, SonioxUploadError } from '../../lib/errors';
import { fixture, rejection, until } from '../helpers';

describe('http: local failures keep their reason', () => {
  const t = fixture();

  it('a stream longer than its declared size: SonioxUploadError saying so', async () => {
    const client = t.clientWith();
    const source = new PassThrough();
    source.end(Buffer.alloc(100, 1));
    const error = await rejection(client.files.upload(source, { size: 10 }));
    expect(error).to.be.instanceOf(SonioxUploadError);
    expect(error.message).to.match(/declared size 10 but read/);
  });

  it('an onProgress that throws: SonioxUploadError with the exception as its cause, not retried', async () => {
    const client = t.clientWith();
    const boom = new Error('progress boom');
    const error = await rejection(
      client.files.upload(Buffer.alloc(3 * 1024 * 1024, 1), {
        onProgress: () => {
          throw boom;
        },
      }),
    );
    expect(error).to.be.instanceOf(SonioxUploadError);
    expect(error).not.to.be.instanceOf(SonioxConnectionError);
    expect(error.message).to.match(/onProgress threw: progress boom/);
    expect((error as Error & { cause?: unknown }).cause).to.equal(boom);
    expect(Object.keys(error)).not.to.include('cause');
    expect(t.server.state.hits['POST /v1/files'] ?? 0).to.be.at.most(1);
  });

  it("a source stream that fails: SonioxUploadError with its reason in the message and the stream's error as its cause, one attempt", async () => {
    const client = t.clientWith({ maxRetries: 3 });
    const source = new PassThrough();
    source.write(Buffer.alloc(64 * 1024, 1));
    const call = rejection(client.files.upload(source, { filename: 'a.raw' }));
    await until(() => (t.server.state.hits['POST /v1/files'] ?? 0) === 1);
    const gone = new Error('disk gone');
    source.destroy(gone);
    const error = await call;
    expect(error).to.be.instanceOf(SonioxUploadError);
    expect(error).not.to.be.instanceOf(SonioxConnectionError);
    expect(error.message).to.equal('files.upload: the source stream failed: disk gone');
    expect((error as Error & { cause?: unknown }).cause).to.equal(gone);
    expect(Object.keys(error)).not.to.include('cause');
    expect(t.server.state.hits['POST /v1/files']).to.equal(1);
  });

  for (const hook of ['onRequest', 'onResponse', 'onRetry'] as const) {
    it(`an ${hook} hook that throws: SonioxHookError naming it, with the exception as its cause`, async () => {
      t.server.setFaults({ http: [{ route: 'GET /v1/models', status: 503, times: 1 }] });
      const boom = new Error(`${hook} boom`);
      const client = t.clientWith({
        [hook]: () => {
          throw boom;
        },
      });
      const error = await rejection(client.models.list());
      expect(error).to.be.instanceOf(SonioxHookError);
      expect((error as SonioxHookError).hook).to.equal(hook);
      expect(error.message).to.equal(`${hook} threw: ${hook} boom`);
      expect((error as Error & { cause?: unknown }).cause).to.equal(boom);
    });
  }
});
