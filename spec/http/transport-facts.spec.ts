/**
 * The facts the transport decides on, each made to decide an outcome alone, over the wire to the
 * mock: who may stop a retry (close(), the caller's signal), what a one-shot stream body allows,
 * what the hooks are told, which answers count as "no body", and what the client keeps (pool
 * figures, listeners, the key out of util.inspect).
 */
import { expect } from 'chai';
import { inspect } from 'node:util';
import { PassThrough } from 'node:stream';
import type { RequestEvent, ResponseEvent, RetryEvent } from '../../lib/config';
import {
  SonioxAbortError,
  SonioxConnectionError,
  SonioxServerError,
  SonioxTimeoutError,
  SonioxUploadError,
  SonioxUploadNotRetryableError,
  SonioxResponseError,
} from '../../lib/errors';
import { followerCount } from '../../lib/internal/follow-signal';
import { SECRET_KEY, fixture, rejection, until } from '../helpers';

const MODELS = 'GET /v1/models';
const UPLOAD = 'POST /v1/files';

describe('http/transport: the facts each decision rests on', () => {
  const t = fixture();
  const hits = (route = MODELS) => t.server.state.hits[route] ?? 0;
  /** A one-shot stream source with `bytes` of audio, already ended. */
  const oneShot = (bytes: number) => {
    const source = new PassThrough();
    source.end(Buffer.alloc(bytes, 3));
    return source;
  };

  describe('who stops a retry', () => {
    it('sends no further attempt when the client is closed while a 503 answer is being handled', async () => {
      t.server.setFaults({ http: [{ route: MODELS, status: 503 }] });
      const requests: number[] = [];
      const retries: number[] = [];
      const c = t.clientWith({
        maxRetries: 3,
        onRequest: (e) => requests.push(e.attempt),
        onResponse: (e) => {
          if (e.status === 503) c.close();
        },
        onRetry: (e) => retries.push(e.attempt),
      });
      const error = await rejection(c.models.list());
      expect(error).to.be.instanceOf(SonioxConnectionError);
      expect(error.message).to.match(/closed/);
      expect(requests).to.deep.equal([1]);
      expect(retries).to.deep.equal([]);
      expect(hits()).to.equal(1);
    });

    it('sends no further attempt when the caller aborts while a 503 answer is being handled', async () => {
      t.server.setFaults({ http: [{ route: MODELS, status: 503 }] });
      const controller = new AbortController();
      const requests: number[] = [];
      const retries: number[] = [];
      const client = t.clientWith({
        maxRetries: 3,
        onRequest: (e) => requests.push(e.attempt),
        onResponse: (e) => {
          if (e.status === 503) controller.abort();
        },
        onRetry: (e) => retries.push(e.attempt),
      });
      const error = await rejection(client.models.list({ signal: controller.signal }));
      expect(error).to.be.instanceOf(SonioxAbortError);
      expect(requests).to.deep.equal([1]);
      expect(retries).to.deep.equal([]);
      expect(hits()).to.equal(1);
    });

    it('starts no attempt (onRequest is never called) when the signal is already aborted', async () => {
      const requests: RequestEvent[] = [];
      const client = t.clientWith({ onRequest: (e) => requests.push(e) });
      const error = await rejection(client.models.list({ signal: AbortSignal.abort() }));
      expect(error).to.be.instanceOf(SonioxAbortError);
      expect(requests).to.deep.equal([]);
      expect(hits()).to.equal(0);
    });

    it("stops following the caller's signal once the call settles, whether it succeeded or failed", async () => {
      const client = t.clientWith({ maxRetries: 0 });
      const controller = new AbortController();
      await client.models.list({ signal: controller.signal });
      expect(followerCount(controller.signal)).to.equal(0);
      t.server.setFaults({ http: [{ route: MODELS, status: 500, times: 1 }] });
      await rejection(client.models.list({ signal: controller.signal }));
      expect(followerCount(controller.signal)).to.equal(0);
    });
  });

  describe('a one-shot stream body', () => {
    it('is not retried after a 503, and the 503 is reported as the server error it is', async () => {
      t.server.setFaults({ http: [{ route: UPLOAD, status: 503 }] });
      const retries: RetryEvent[] = [];
      const client = t.clientWith({ maxRetries: 3, onRetry: (e) => retries.push(e) });
      const error = await rejection(client.files.upload(oneShot(64 * 1024), { filename: 'a.raw' }));
      expect(error).to.be.instanceOf(SonioxServerError);
      expect(error).not.to.be.instanceOf(SonioxUploadNotRetryableError);
      expect((error as SonioxServerError).status).to.equal(503);
      expect(retries).to.deep.equal([]);
      expect(hits(UPLOAD)).to.equal(1);
    });

    it('cut mid-body: one attempt, an error saying it cannot be retried, and the stream destroyed', async () => {
      t.server.setFaults({ http: [{ route: UPLOAD, reset: 'mid-request' }] });
      const client = t.clientWith({ maxRetries: 3 });
      const source = oneShot(8 * 1024 * 1024);
      const error = await rejection(client.files.upload(source, { filename: 'a.raw' }));
      expect(error).to.be.instanceOf(SonioxUploadNotRetryableError);
      expect(error.message).to.match(
        /^POST \/v1\/files failed \(\w+\) and cannot be retried: the source stream was already consumed/,
      );
      expect(hits(UPLOAD)).to.equal(1);
      expect(source.destroyed).to.equal(true);
    });

    it('that fails with its own (non-SDK) error rejects with a SonioxUploadError naming it, after one attempt', async () => {
      const client = t.clientWith({ maxRetries: 3 });
      const source = new PassThrough();
      source.write(Buffer.alloc(64 * 1024, 3));
      const call = rejection(client.files.upload(source, { filename: 'a.raw' }));
      await until(() => hits(UPLOAD) === 1);
      source.destroy(new Error('disk gone'));
      const error = await call;
      expect(error).to.be.instanceOf(SonioxUploadError);
      expect(error.message).to.equal('files.upload: the source stream failed: disk gone');
      expect(hits(UPLOAD)).to.equal(1);
    });
  });

  describe('what the hooks are told', () => {
    it('does not call onResponse for an attempt that got no answer', async () => {
      t.server.setFaults({ http: [{ route: MODELS, reset: 'before' }] });
      const responses: ResponseEvent[] = [];
      const requests: RequestEvent[] = [];
      const client = t.clientWith({
        maxRetries: 1,
        onRequest: (e) => requests.push(e),
        onResponse: (e) => responses.push(e),
      });
      expect(await rejection(client.models.list())).to.be.instanceOf(SonioxConnectionError);
      expect(requests.map((e) => e.attempt)).to.deep.equal([1, 2]);
      expect(responses).to.deep.equal([]);
    });

    it('times each attempt from its own start: durationMs is between 0 and the wall time of the call', async () => {
      t.server.setFaults({ http: [{ route: MODELS, status: 503, times: 1 }] });
      const responses: ResponseEvent[] = [];
      const client = t.clientWith({ onResponse: (e) => responses.push(e) });
      const started = performance.now();
      await client.models.list();
      const wall = performance.now() - started;
      expect(responses).to.have.length(2);
      for (const e of responses) expect(e.durationMs).to.be.at.least(0).and.at.most(wall);
    });

    it("hands onRetry the failed attempt's error, naming the call and the attempt's timeout", async () => {
      t.server.setFaults({ http: [{ route: MODELS, delayMs: 2_000, times: 1 }] });
      const retries: RetryEvent[] = [];
      const client = t.clientWith({ timeoutMs: 40, onRetry: (e) => retries.push(e) });
      await client.models.list();
      expect(retries).to.have.length(1);
      const error = retries[0]!.error;
      expect(error).to.be.instanceOf(SonioxTimeoutError);
      expect((error as SonioxTimeoutError).timeoutMs).to.equal(40);
      expect(error.message).to.equal('GET /v1/models: no response activity for 40 ms');
    });
  });

  describe('answers without a body, and calls that expect none', () => {
    it('a 200 with an empty body where one is expected is a validation error, not undefined', async () => {
      // A one-character JSON body cut in half is an empty body.
      t.server.setFaults({ http: [{ route: MODELS, json: 0, body: 'truncated' }] });
      const client = t.clientWith();
      const error = await rejection(client.models.list());
      expect(error).to.be.instanceOf(SonioxResponseError);
      expect(error.message).to.equal(
        'GET /v1/models: the server answered 200 with no body where one was expected',
      );
    });

    it('a DELETE answered 200 with a body (not JSON of any model) still resolves: a call with no schema does not judge the body', async () => {
      const client = t.clientWith();
      const file = await client.files.upload(Buffer.alloc(100, 1), { filename: 'a.raw' });
      t.server.setFaults({ http: [{ route: 'DELETE /v1/files/:id', json: 'deleted' }] });
      expect(await client.files.delete(file.id)).to.equal(undefined);
    });
  });

  describe('what the client keeps', () => {
    it('keeps the API key out of util.inspect of the client, before and after a call', async () => {
      const client = t.clientWith();
      expect(inspect(client, { depth: Infinity })).not.to.include(SECRET_KEY);
      await client.models.list();
      expect(inspect(client, { depth: Infinity })).not.to.include(SECRET_KEY);
    });

    it('reports a reuse ratio of 0, not NaN, while the first call is still in flight', async () => {
      t.server.setFaults({ http: [{ route: MODELS, delayMs: 200, times: 1 }] });
      const client = t.clientWith();
      const call = client.models.list();
      await until(() => hits() === 1);
      const stats = client.poolStats();
      expect(stats.reuseRatio).to.equal(0);
      for (const value of Object.values(stats))
        expect(value).to.be.a('number').and.satisfy(Number.isFinite);
      await call;
    });

    it('sends the calls of an https origin through its own keep-alive pool', async () => {
      const { SonioxClient } = await import('../../lib/client');
      const client = new SonioxClient({
        apiKey: SECRET_KEY,
        baseURL: 'https://127.0.0.1:1',
        env: {},
        maxRetries: 0,
      });
      t.defer(() => client.close());
      expect(await rejection(client.models.list())).to.be.instanceOf(SonioxConnectionError);
      expect(client.poolStats().socketsCreated).to.equal(1);
    });

    it("completes calls when both inactivity timeouts are short (the pool's socket timeout stays above them)", async () => {
      const client = t.clientWith({ timeoutMs: 1_000, uploadTimeoutMs: 1_000 });
      expect((await client.models.list()).models.length).to.be.greaterThan(0);
      expect(
        (await client.files.upload(Buffer.alloc(100, 1), { filename: 'a.raw' })).size,
      ).to.equal(100);
    });
  });
});
