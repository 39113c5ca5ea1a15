import { expect } from 'chai';
import sinon from 'sinon';
import {
  SonioxConflictError,
  SonioxNotFoundError,
  SonioxTimeoutError,
  SonioxTranscriptionError,
  SonioxValidationError,
  SonioxAbortError,
} from '../../lib/errors';
import { nextPollInterval } from '../../lib/resources/transcriptions';
import type { Transcription } from '../../lib/types';
import { fixture, rejection, until } from '../helpers';

const audio_url = 'https://example.com/call.mp3';
const MISSING = '00000000-0000-4000-8000-000000000000';

describe('resources/transcriptions', () => {
  // Before the fixture's hook, so that a spec's fake clock is gone when its servers close.
  afterEach(() => sinon.restore());
  // `fx`, not `t`: the specs name their transcriptions `t`. Specs that need another lifecycle
  // timing get their own server with fx.serverWith().
  const fx = fixture({ mock: { timing: { queuedMs: 20, processingMs: 40 } } });

  describe('CRUD', () => {
    it('creates with the default async model and echoes the request', async () => {
      const client = fx.client;
      const t = await client.transcriptions.create({
        audio_url,
        client_reference_id: 'ref-1',
        language_hints: ['en'],
      });
      expect(t).to.include({
        status: 'queued',
        model: 'stt-async-v5',
        audio_url,
        client_reference_id: 'ref-1',
      });
    });

    it('uses the client asyncModel option as the default model', async () => {
      const client = fx.clientWith({ asyncModel: 'stt-async-v4' });
      const t = await client.transcriptions.create({ audio_url });
      expect(t.model).to.equal('stt-async-v4');
    });

    it('masks the webhook auth header value in the answer', async () => {
      const client = fx.client;
      const t = await client.transcriptions.create({
        audio_url,
        webhook_url: 'http://127.0.0.1:9/hook',
        webhook_auth_header_name: 'X-Secret',
        webhook_auth_header_value: 'hush',
      });
      expect(t.webhook_auth_header_value).to.equal('******************');
    });

    it('rejects bad parameters before sending, listing each bad field', async () => {
      const client = fx.client;
      const error = await rejection(
        client.transcriptions.create({
          audio_url: 'ftp://x',
          language_hints: ['en', 'far-too-long-code'],
          client_reference_id: 'x'.repeat(300),
        }),
      );
      expect(error).to.be.instanceOf(SonioxValidationError);
      const fields = (error as SonioxValidationError).issues.map((i) => i.field);
      expect(fields).to.include.members(['audio_url', 'language_hints.1', 'client_reference_id']);
      expect(fx.server.state.hits['POST /v1/transcriptions'] ?? 0).to.equal(0);
    });

    it('keeps its pre-upload check off the public surface: only create() checks', () => {
      const surface = fx.client.transcriptions as unknown as Record<string, unknown>;
      expect(surface).not.to.have.property('checkedCreate');
      expect(Object.getOwnPropertyNames(Object.getPrototypeOf(surface))).not.to.include(
        'checkedCreate',
      );
    });

    it('requires exactly one of audio_url and file_id', async () => {
      const client = fx.client;
      expect(await rejection(client.transcriptions.create({}))).to.be.instanceOf(
        SonioxValidationError,
      );
      const both = await rejection(client.transcriptions.create({ audio_url, file_id: MISSING }));
      expect(both.message).to.match(/exactly one of audio_url and file_id/);
    });

    it('gets, lists, iterates over pages and deletes', async () => {
      const client = fx.client;
      const created: Transcription[] = [];
      for (let i = 0; i < 5; i++)
        created.push(
          await client.transcriptions.create({ audio_url, client_reference_id: `n${i}` }),
        );
      const first = created[0]!;
      expect((await client.transcriptions.get(first.id)).id).to.equal(first.id);
      const page = await client.transcriptions.list({ limit: 2 });
      expect(page.transcriptions).to.have.length(2);
      expect(page.next_page_cursor).to.be.a('string');
      const all: string[] = [];
      for await (const t of client.transcriptions.iterate({ limit: 2 })) all.push(t.id);
      expect(all).to.have.members(created.map((t) => t.id));
      expect(fx.server.state.hits['GET /v1/transcriptions']).to.equal(1 + 3);
      await client.transcriptions.wait(first.id, { pollIntervalMs: 5 });
      await client.transcriptions.delete(first.id);
      expect(await rejection(client.transcriptions.get(first.id))).to.be.instanceOf(
        SonioxNotFoundError,
      );
    });

    it('rejects bad list parameters and empty ids', async () => {
      const client = fx.client;
      expect(await rejection(client.transcriptions.list({ limit: 0 }))).to.be.instanceOf(
        SonioxValidationError,
      );
      expect(await rejection(client.transcriptions.list({ limit: 1001 }))).to.be.instanceOf(
        SonioxValidationError,
      );
      expect(await rejection(client.transcriptions.get(''))).to.be.instanceOf(
        SonioxValidationError,
      );
    });

    it('answers 409 for a transcript before completion, and returns it after', async () => {
      const server = await fx.serverWith({ timing: { queuedMs: 300, processingMs: 300 } });
      const client = fx.clientWith({ baseURL: server.url });
      // The job's lifecycle runs on a fake clock: asked for before it ends, then after.
      const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const t = await client.transcriptions.create({ audio_url });
      const early = await rejection(client.transcriptions.getTranscript(t.id));
      expect(early).to.be.instanceOf(SonioxConflictError);
      expect((early as SonioxConflictError).errorType).to.equal('transcription_invalid_state');
      await clock.tickAsync(600);
      clock.restore();
      expect(server.state.transcriptions.get(t.id)?.transcription.status).to.equal('completed');
      await client.transcriptions.wait(t.id, { pollIntervalMs: 5 });
      const transcript = await client.transcriptions.getTranscript(t.id);
      expect(transcript.id).to.equal(t.id);
      expect(transcript.text).to.equal(transcript.tokens.map((k) => k.text).join(''));
    });
  });

  describe('wait', () => {
    it('polls with growing intervals up to the ceiling', () => {
      expect(nextPollInterval(1000, 10_000)).to.equal(1500);
      expect(nextPollInterval(8000, 10_000)).to.equal(10_000);
    });

    it('polls on growing intervals and reports each status change (fake timers)', async () => {
      const server = await fx.serverWith({ timing: { queuedMs: 3000, processingMs: 3000 } });
      const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      let inflight = 0;
      const pollTimes: number[] = [];
      const client = fx.clientWith({
        baseURL: server.url,
        onRequest: (e) => {
          inflight++;
          if (e.url.startsWith('/v1/transcriptions/')) pollTimes.push(clock.now);
        },
        onResponse: () => inflight--,
      });
      const t = await client.transcriptions.create({ audio_url });
      const statuses: string[] = [];
      let final: { status: string } | undefined;
      void client.transcriptions
        .wait(t.id, {
          pollIntervalMs: 1000,
          maxPollIntervalMs: 2000,
          onStatus: (x) => statuses.push(x.status),
        })
        .then((x) => (final = x));
      await until(() => pollTimes.length === 1);
      while (!final) {
        await until(() => inflight === 0);
        await clock.tickAsync(100);
      }
      expect(final.status).to.equal('completed');
      expect(statuses).to.deep.equal(['queued', 'processing', 'completed']);
      const gaps = pollTimes.slice(1).map((at, i) => at - pollTimes[i]!);
      expect(gaps).to.deep.equal([1000, 1500, 2000, 2000]);
    });

    it('rejects with a timeout error past timeoutMs (fake timers)', async () => {
      const server = await fx.serverWith({ timing: { queuedMs: 1e9, processingMs: 1e9 } });
      const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const client = fx.clientWith({ baseURL: server.url });
      const t = await client.transcriptions.create({ audio_url });
      let error: Error | undefined;
      client.transcriptions
        .wait(t.id, { timeoutMs: 5000, pollIntervalMs: 1000 })
        .catch((e: Error) => (error = e));
      while (!error) {
        await clock.tickAsync(250);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(error).to.be.instanceOf(SonioxTimeoutError);
      expect(error.message).to.match(/still queued after 5000 ms/);
    });

    it('rejects with the API error type when the job ends in error', async () => {
      const client = fx.client;
      const t = await client.transcriptions.create({ audio_url: 'https://example.com/fail.mp3' });
      const error = await rejection(client.transcriptions.wait(t.id, { pollIntervalMs: 5 }));
      expect(error).to.be.instanceOf(SonioxTranscriptionError);
      expect((error as SonioxTranscriptionError).transcriptionId).to.equal(t.id);
      expect((error as SonioxTranscriptionError).errorType).to.be.a('string');
    });

    it('stops at once when aborted', async () => {
      const server = await fx.serverWith({ timing: { queuedMs: 1e9, processingMs: 1e9 } });
      const client = fx.clientWith({ baseURL: server.url });
      const t = await client.transcriptions.create({ audio_url });
      const controller = new AbortController();
      const done = client.transcriptions.wait(t.id, {
        pollIntervalMs: 60_000,
        signal: controller.signal,
      });
      await until(() => (server.state.hits['GET /v1/transcriptions/:id'] ?? 0) === 1);
      controller.abort();
      expect(await rejection(done)).to.be.instanceOf(SonioxAbortError);
    });
  });
});
