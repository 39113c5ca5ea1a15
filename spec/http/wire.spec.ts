/**
 * Failures as they come over the wire from the mock, through the whole SDK: HTML error pages,
 * truncated bodies, timeouts then success, Retry-After as an HTTP date, errors while polling,
 * and a request queued for a socket that is aborted or times out before it gets one.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import {
  SonioxAbortError,
  SonioxConnectionError,
  SonioxNotFoundError,
  SonioxServerError,
  SonioxTimeoutError,
  SonioxResponseError,
} from '../../lib/errors';
import { fixture, rejection, until } from '../helpers';

const MODELS = 'GET /v1/models';

describe('http over the wire: failures through the whole SDK', () => {
  const t = fixture();
  const hits = (route = MODELS) => t.server.state.hits[route] ?? 0;

  it('an HTML 502 page is a SonioxServerError with its status, retried for a GET, never parsed as JSON', async () => {
    t.server.setFaults({ http: [{ route: MODELS, status: 502, body: 'html-page' }] });
    const client = t.clientWith({ maxRetries: 1 });
    const error = await rejection(client.models.list());
    expect(error).to.be.instanceOf(SonioxServerError);
    expect((error as SonioxServerError).status).to.equal(502);
    expect(hits()).to.equal(2);
    client.close();
  });

  it('a 2xx whose JSON is cut short (but whose HTTP body is complete) is a SonioxResponseError, not data', async () => {
    t.server.setFaults({ http: [{ route: MODELS, body: 'truncated', times: 1 }] });
    const client = t.clientWith();
    const error = await rejection(client.models.list());
    expect(error).to.be.instanceOf(SonioxResponseError);
    expect(error.message).to.match(/not valid JSON/);
    // The next call is fine: nothing of the bad answer stuck.
    expect((await client.models.list()).models.length).to.be.greaterThan(0);
    client.close();
  });

  it('a GET that times out is retried and then succeeds', async () => {
    t.server.setFaults({ http: [{ route: MODELS, delayMs: 5_000, times: 1 }] });
    const client = t.clientWith({ timeoutMs: 100 });
    const { models } = await client.models.list();
    expect(models.length).to.be.greaterThan(0);
    expect(hits()).to.equal(2);
    client.close();
  });

  it('waits for a Retry-After given as an HTTP date (fake clock)', async () => {
    const clock = sinon.useFakeTimers({
      now: Date.parse('2026-11-24T12:00:00Z'),
      toFake: ['setTimeout', 'clearTimeout', 'Date'],
    });
    t.defer(() => clock.restore());
    t.server.setFaults({
      http: [{ route: MODELS, status: 503, retryAfter: 'Tue, 24 Nov 2026 12:00:03 GMT', times: 1 }],
    });
    const client = t.clientWith();
    const call = client.models.list();
    await until(() => hits() === 1);
    await clock.tickAsync(2_990);
    expect(hits()).to.equal(1);
    await clock.tickAsync(20);
    await call;
    expect(hits()).to.equal(2);
    client.close();
  });

  it('a 5xx while polling is retried and the wait goes on; a 404 while polling ends it', async () => {
    const client = t.clientWith();
    const made = await client.transcriptions.create({ audio_url: 'https://example.com/a.mp3' });
    t.server.setFaults({ http: [{ route: 'GET /v1/transcriptions/:id', status: 500, times: 1 }] });
    const done = await client.transcriptions.wait(made.id, { pollIntervalMs: 5 });
    expect(done.status).to.equal('completed');
    const u = await client.transcriptions.create({ audio_url: 'https://example.com/a.mp3' });
    t.server.setFaults({ http: [{ route: 'GET /v1/transcriptions/:id', status: 404 }] });
    expect(
      await rejection(client.transcriptions.wait(u.id, { pollIntervalMs: 5 })),
    ).to.be.instanceOf(SonioxNotFoundError);
    client.close();
  });

  it('a request queued for a socket (pool exhausted) can be aborted, or times out, while it waits', async () => {
    // Fake timers hold the mock's first answer, so the one socket stays busy until the spec
    // lets it go, and time the queued call out.
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    t.defer(() => clock.restore());
    t.server.setFaults({ http: [{ route: MODELS, delayMs: 2_000, times: 1 }] });
    const client = t.clientWith({ maxSockets: 1, maxRetries: 0 });
    const busy = client.models.list();
    await until(() => hits() === 1);
    const controller = new AbortController();
    const queued = rejection(client.models.list({ signal: controller.signal }));
    await until(() => client.poolStats().queued === 1);
    controller.abort();
    expect(await queued).to.be.instanceOf(SonioxAbortError);
    const timing = rejection(client.models.list({ timeoutMs: 100 }));
    await until(() => client.poolStats().queued === 1);
    await clock.tickAsync(100);
    const timed = await timing;
    expect(timed).to.satisfy(
      (e: Error) => e instanceof SonioxTimeoutError || e instanceof SonioxConnectionError,
    );
    expect(hits()).to.equal(1);
    await clock.tickAsync(2_000);
    await busy;
    client.close();
  });
});
