/**
 * transcriptions.wait: `timeoutMs` is one deadline over the whole wait (polls in flight and
 * their retries included), and every timing option is checked before the first request.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { SonioxTimeoutError, SonioxValidationError } from '../../lib/errors';
import { fixture, rejection, until } from '../helpers';

const GET = 'GET /v1/transcriptions/:id';

describe('resources/transcriptions.wait: deadline and options', () => {
  // A clock installed mid-spec; restored before the fixture's hook closes the client and t.server.
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(() => {
    clock?.restore();
    clock = undefined;
  });
  const t = fixture({ mock: { timing: { queuedMs: 3_600_000, processingMs: 1 } } });

  it('keeps timeoutMs as an overall deadline even when a poll hangs and would be retried', async () => {
    const client = t.clientWith({ timeoutMs: 5_000, maxRetries: 3 });
    const job = await client.transcriptions.create({ audio_url: 'https://example.com/a.mp3' });
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // Every poll hangs (the mock delays on the fake clock, the client's 5 s inactivity timeout is real).
    t.server.setFaults({ http: [{ route: GET, delayMs: 60_000 }] });
    const waiting = rejection(
      client.transcriptions.wait(job.id, { timeoutMs: 800, pollIntervalMs: 100 }),
    );
    await until(() => (t.server.state.hits[GET] ?? 0) === 1);
    const started = process.hrtime.bigint();
    await clock.tickAsync(800);
    const error = await waiting;
    expect(Number(process.hrtime.bigint() - started) / 1e6).to.be.below(1000);
    expect(error).to.be.instanceOf(SonioxTimeoutError);
    // eslint-disable-next-line security/detect-non-literal-regexp -- the id is a UUID the mock made
    expect(error.message).to.match(new RegExp(`transcription ${job.id} .*800 ms`));
    expect(t.server.state.hits[GET]).to.equal(1);
  });

  it('times out between polls at the deadline, not after a whole interval', async () => {
    const client = t.client;
    const job = await client.transcriptions.create({ audio_url: 'https://example.com/a.mp3' });
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const waiting = rejection(
      client.transcriptions.wait(job.id, { timeoutMs: 1_500, pollIntervalMs: 1_000 }),
    );
    await until(() => (t.server.state.hits[GET] ?? 0) === 1);
    await clock.tickAsync(1_000);
    await until(() => (t.server.state.hits[GET] ?? 0) === 2);
    await clock.tickAsync(500);
    expect(await waiting).to.be.instanceOf(SonioxTimeoutError);
    expect(t.server.state.hits[GET]).to.equal(2);
  });

  const bad: Array<[string, Record<string, unknown>]> = [
    ['pollIntervalMs', { pollIntervalMs: 0 }],
    ['pollIntervalMs', { pollIntervalMs: -5 }],
    ['pollIntervalMs', { pollIntervalMs: '100' }],
    ['pollIntervalMs', { pollIntervalMs: Number.NaN }],
    ['maxPollIntervalMs', { maxPollIntervalMs: 0 }],
    ['maxPollIntervalMs', { maxPollIntervalMs: 3e9 }],
    ['timeoutMs', { timeoutMs: '800' }],
    ['timeoutMs', { timeoutMs: 3e9 }],
    ['timeoutMs', { timeoutMs: Number.POSITIVE_INFINITY }],
    ['timeoutMs', { timeoutMs: 0 }],
    ['signal', { signal: { aborted: false } }],
    ['onStatus', { onStatus: 'log' }],
    ['options', null as unknown as Record<string, unknown>],
  ];
  for (const [field, options] of bad) {
    it(`refuses ${JSON.stringify(options)} naming ${field}, before any request`, async () => {
      const client = t.client;
      const error = await rejection(
        client.transcriptions.wait('00000000-0000-4000-8000-000000000000', options),
      );
      expect(error).to.be.instanceOf(SonioxValidationError);
      expect(error.message).to.include(field);
      expect(t.server.state.hits[GET] ?? 0).to.equal(0);
    });
  }
});
