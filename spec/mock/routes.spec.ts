import { expect } from 'chai';
import type { MockServer } from '../../lib/mock';
import { QUOTAS } from '../../lib/mock/routes';
import { quotaOf } from '../../lib/quota';
import { PCM } from '../audio';
import { SECRET_KEY, drive, fixture, settle, until } from '../helpers';
import { openSession } from './flows';

/**
 * The REST resources as an app tested against the mock meets them (docs/api.md §3-§7): what a
 * create shows when it was sent only what is required, what a delete takes with it, the
 * quotas' answers (docs/testing.md: the mock's choices where the reference is silent), the
 * temporary keys and the concurrency figures.
 */
describe('mock/routes: the REST resources as a client meets them', () => {
  const t = fixture({ mock: { timing: { queuedMs: 5, processingMs: 10 } } });
  const auth = { Authorization: `Bearer ${SECRET_KEY}` };
  const URL_SOURCE = { model: 'stt-async-v5', audio_url: 'https://example.com/a.mp3' };

  const call = async (server: MockServer, method: string, route: string, body?: unknown) => {
    const res = await fetch(`${server.url}${route}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      json: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
    };
  };
  const upload = async (server: MockServer, bytes = 10, name = 'a.raw') => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(bytes, 1)]), name);
    const res = await fetch(`${server.url}/v1/files`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const statusOf = (server: MockServer, id: string) =>
    server.state.transcriptions.get(id)?.transcription.status;

  /** The quota the SDK reads from an answer (lib/quota.ts), as a client would get it. */
  const quotaRead = (path: string, answer: { status: number; json: Record<string, unknown> }) =>
    quotaOf({
      method: 'POST',
      path,
      status: answer.status,
      errorType: answer.json.error_type as string,
      apiMessage: answer.json.message as string,
    });

  describe('quotas', () => {
    const saved = { ...QUOTAS };
    afterEach(() => Object.assign(QUOTAS, saved));

    it('refuses a file past the count quota with a 400 the SDK reads as the files quota', async () => {
      QUOTAS.files = 2;
      expect((await upload(t.server)).status).to.equal(201);
      expect((await upload(t.server)).status).to.equal(201);
      const full = await upload(t.server);
      expect(full.status).to.equal(400);
      expect(full.json).to.include({
        error_type: 'invalid_request',
        message: 'Maximum number of files (2) reached.',
      });
      expect(quotaRead('/v1/files', full)).to.equal('files');
      expect(t.server.state.files.size).to.equal(2);
    });

    it('stores files up to the storage quota, byte for byte, and refuses the one past it', async () => {
      QUOTAS.storageBytes = 25;
      expect((await upload(t.server, 10)).status).to.equal(201);
      expect((await upload(t.server, 15)).status, 'exactly full').to.equal(201);
      const full = await upload(t.server, 1);
      expect(full.status).to.equal(400);
      expect(full.json).to.include({
        error_type: 'invalid_request',
        message: 'Storage limit exceeded.',
      });
      expect(quotaRead('/v1/files', full)).to.equal('storage');
      expect(t.server.state.files.size).to.equal(2);
    });

    it('answers the pending quota with a 429 the SDK reads as such, and accepts once one finished', async () => {
      const slow = await t.serverWith({ timing: { queuedMs: 60_000, processingMs: 10 } });
      QUOTAS.pendingTranscriptions = 2;
      const first = await call(slow, 'POST', '/v1/transcriptions', URL_SOURCE);
      expect(first.status).to.equal(201);
      expect((await call(slow, 'POST', '/v1/transcriptions', URL_SOURCE)).status).to.equal(201);
      const full = await call(slow, 'POST', '/v1/transcriptions', URL_SOURCE);
      expect(full.status).to.equal(429);
      expect(full.json).to.include({
        error_type: 'limit_exceeded',
        message: 'Too many pending transcriptions.',
      });
      expect(quotaRead('/v1/transcriptions', full)).to.equal('pending_transcriptions');
      // A queued job deleted is no longer pending.
      expect(
        (await call(slow, 'DELETE', `/v1/transcriptions/${String(first.json.id)}`)).status,
      ).to.equal(204);
      expect((await call(slow, 'POST', '/v1/transcriptions', URL_SOURCE)).status).to.equal(201);
    });

    it('refuses a transcription past the total quota with a 400, finished ones counted', async () => {
      QUOTAS.totalTranscriptions = 1;
      const first = await call(t.server, 'POST', '/v1/transcriptions', URL_SOURCE);
      await until(() => statusOf(t.server, first.json.id as string) === 'completed');
      const full = await call(t.server, 'POST', '/v1/transcriptions', URL_SOURCE);
      expect(full.status).to.equal(400);
      expect(full.json).to.include({
        error_type: 'invalid_request',
        message: 'Maximum number of transcriptions reached.',
      });
      expect(quotaRead('/v1/transcriptions', full)).to.equal('transcriptions');
    });

    it('tells a bad body before a full quota', async () => {
      QUOTAS.totalTranscriptions = 0;
      const bad = await call(t.server, 'POST', '/v1/transcriptions', { model: 'stt-async-v5' });
      expect(bad.status).to.equal(400);
      expect(bad.json.message).to.equal('Invalid request.');
    });
  });

  it('shows what a create was not sent as null or false, and the job queued', async () => {
    const { status, json } = await call(t.server, 'POST', '/v1/transcriptions', URL_SOURCE);
    expect(status).to.equal(201);
    expect(json).to.deep.include({
      status: 'queued',
      model: 'stt-async-v5',
      audio_url: URL_SOURCE.audio_url,
      file_id: null,
      filename: 'a.mp3',
      language_hints: null,
      enable_speaker_diarization: false,
      enable_language_identification: false,
      audio_duration_ms: null,
      error_type: null,
      error_message: null,
      webhook_url: null,
      webhook_auth_header_name: null,
      webhook_auth_header_value: null,
      webhook_status_code: null,
      client_reference_id: null,
      context: null,
    });
    expect((await call(t.server, 'GET', `/v1/transcriptions/${String(json.id)}`)).json).to.include({
      id: json.id,
      model: 'stt-async-v5',
    });
  });

  it('refuses a create with both audio_url and file_id, or neither, naming the payload', async () => {
    const file = (await upload(t.server)).json;
    const item = {
      error_type: 'value_error',
      location: 'body.payload',
      message: 'Exactly one of audio_url and file_id must be specified.',
    };
    for (const body of [{ ...URL_SOURCE, file_id: file.id }, { model: 'stt-async-v5' }]) {
      const res = await call(t.server, 'POST', '/v1/transcriptions', body);
      expect(res.status).to.equal(400);
      expect(res.json).to.include({ error_type: 'invalid_request', message: 'Invalid request.' });
      expect(res.json.validation_errors).to.deep.equal([item]);
    }
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('refuses a body against the schema or a language the model lacks, field by field', async () => {
    const schema = await call(t.server, 'POST', '/v1/transcriptions', { ...URL_SOURCE, model: 5 });
    expect(schema.status).to.equal(400);
    expect(schema.json).to.include({ error_type: 'invalid_request', message: 'Invalid request.' });
    expect(schema.json.validation_errors).to.have.length(1);
    const hint = await call(t.server, 'POST', '/v1/transcriptions', {
      ...URL_SOURCE,
      language_hints: ['en', 'fil'],
    });
    expect(hint.status).to.equal(400);
    expect(hint.json).to.include({ error_type: 'invalid_request', message: 'Invalid request.' });
    expect(hint.json.validation_errors).to.deep.equal([
      {
        error_type: 'value_error',
        location: 'body.payload.language_hints.1',
        message: 'Invalid language hint "fil".',
      },
    ]);
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('refuses an unknown model, and a context past 10,000 characters or the limit it was given', async () => {
    const model = await call(t.server, 'POST', '/v1/transcriptions', {
      ...URL_SOURCE,
      model: 'stt-nope',
    });
    expect(model.json).to.include({ error_type: 'invalid_request', message: 'Invalid request.' });
    const item = (n: number, limit: number) => ({
      error_type: 'value_error',
      location: 'body.payload.context',
      message: `Context is too long (${n} characters, at most ${limit}).`,
    });
    const at = await call(t.server, 'POST', '/v1/transcriptions', {
      ...URL_SOURCE,
      context: 'x'.repeat(10_000),
    });
    expect(at.status).to.equal(201);
    const past = await call(t.server, 'POST', '/v1/transcriptions', {
      ...URL_SOURCE,
      context: 'x'.repeat(10_001),
    });
    expect(past.status).to.equal(400);
    expect(past.json).to.include({ error_type: 'invalid_request', message: 'Invalid request.' });
    expect(past.json.validation_errors).to.deep.equal([item(10_001, 10_000)]);
    const strict = await t.serverWith({ limits: { asyncContextChars: 5 } });
    const short = await call(strict, 'POST', '/v1/transcriptions', {
      ...URL_SOURCE,
      context: 'abcdef',
    });
    expect(short.json.validation_errors).to.deep.equal([item(6, 5)]);
  });

  describe('on fake time', () => {
    const ft = fixture({ clock: true, mock: { timing: { queuedMs: 1000, processingMs: 1000 } } });

    it('deletes a queued transcription for good: it never runs, and its file goes with it', async () => {
      const on = <T>(promise: Promise<T>) => settle(ft.clock, promise);
      const file = (await on(upload(ft.server))).json;
      const kept = (await on(upload(ft.server, 10, 'kept.raw'))).json;
      const job = await on(
        call(ft.server, 'POST', '/v1/transcriptions', { model: 'stt-async-v5', file_id: file.id }),
      );
      const id = String(job.json.id);
      expect((await on(call(ft.server, 'DELETE', `/v1/transcriptions/${id}`))).status).to.equal(
        204,
      );
      const gone = await on(call(ft.server, 'GET', `/v1/transcriptions/${id}`));
      expect([gone.status, gone.json.error_type]).to.deep.equal([404, 'transcription_not_found']);
      expect((await on(call(ft.server, 'GET', `/v1/files/${String(file.id)}`))).status).to.equal(
        404,
      );
      expect((await on(call(ft.server, 'GET', `/v1/files/${String(kept.id)}`))).status).to.equal(
        200,
      );
      // Past its queued and processing time, nothing came back to life nor was billed.
      await drive(ft.clock, 5000);
      const count = await on(call(ft.server, 'GET', '/v1/transcriptions/count'));
      expect(count.json).to.include({ total: 0 });
      const window = 'start_time=2000-01-01T00:00:00Z&end_time=2100-01-01T00:00:00Z';
      const logs = await on(call(ft.server, 'GET', `/v1/usage-logs?${window}`));
      expect(logs.json.usage_logs).to.deep.equal([]);
    });
  });

  it('deletes a completed or failed transcription, and a URL job takes no file with it', async () => {
    const file = (await upload(t.server)).json;
    const done = await call(t.server, 'POST', '/v1/transcriptions', URL_SOURCE);
    const failed = await call(t.server, 'POST', '/v1/transcriptions', {
      model: 'stt-async-v5',
      audio_url: 'https://example.com/fail.mp3',
    });
    await until(() => statusOf(t.server, done.json.id as string) === 'completed');
    await until(() => statusOf(t.server, failed.json.id as string) === 'error');
    for (const id of [done.json.id, failed.json.id])
      expect((await call(t.server, 'DELETE', `/v1/transcriptions/${String(id)}`)).status).to.equal(
        204,
      );
    expect((await call(t.server, 'GET', '/v1/transcriptions')).json.transcriptions).to.deep.equal(
      [],
    );
    expect((await call(t.server, 'GET', `/v1/files/${String(file.id)}`)).status).to.equal(200);
  });

  it('lists and counts transcriptions, newest first, with the documented names', async () => {
    const a = await call(t.server, 'POST', '/v1/transcriptions', URL_SOURCE);
    const b = await call(t.server, 'POST', '/v1/transcriptions', URL_SOURCE);
    const list = await call(t.server, 'GET', '/v1/transcriptions?limit=1');
    expect((list.json.transcriptions as Array<{ id: string }>).map((j) => j.id)).to.deep.equal([
      b.json.id,
    ]);
    expect(list.json.next_page_cursor).to.be.a('string');
    expect((await call(t.server, 'GET', '/v1/transcriptions/count')).json).to.deep.equal({
      total: 2,
      public_api: 2,
      playground: 0,
    });
    expect(a.json.id).to.not.equal(b.json.id);
  });

  it('gives a temporary key that expires expires_in_seconds after its creation, with its options', async () => {
    const before = Date.now();
    const res = await call(t.server, 'POST', '/v1/auth/temporary-api-key', {
      usage_type: 'transcribe_websocket',
      expires_in_seconds: 90,
      single_use: true,
      max_session_duration_seconds: 120,
      client_reference_id: 'browser-7',
    });
    const after = Date.now();
    expect(res.status).to.equal(201);
    const key = res.json.api_key as string;
    const expires = Date.parse(res.json.expires_at as string);
    expect(expires).to.be.within(before + 90_000, after + 90_000);
    const { state } = t.server;
    expect(state.keySessionMs(key)).to.equal(120_000);
    expect(state.sessionReference(key, 'sent-in-start')).to.equal('browser-7');
    expect(state.acceptsKey(key, 'websocket')).to.equal(true);
    state.useKey(key);
    expect(state.acceptsKey(key, 'websocket'), 'single use').to.equal(false);
  });

  it('gives a temporary key without the optional fields: reusable, no session limit, no reference', async () => {
    const res = await call(t.server, 'POST', '/v1/auth/temporary-api-key', {
      usage_type: 'transcribe_websocket',
      expires_in_seconds: 60,
    });
    const key = res.json.api_key as string;
    const { state } = t.server;
    expect(state.keySessionMs(key)).to.equal(undefined);
    expect(state.sessionReference(key, 'sent-in-start')).to.equal(null);
    state.useKey(key);
    expect(state.acceptsKey(key, 'websocket'), 'reusable').to.equal(true);
  });

  it('shows the concurrency limits it was given, and null without one', async () => {
    const unlimited = await call(t.server, 'GET', '/v1/concurrency-limits');
    const none = {
      current: { transcribe_concurrent: 0, tts_concurrent: 0 },
      limits: { transcribe_concurrent: null, tts_concurrent: null },
    };
    expect(unlimited.json).to.deep.equal({ project: none, organization: none });
    const limited = await t.serverWith({ rateLimit: { realtimeConcurrentSessions: 3 } });
    const three = {
      current: { transcribe_concurrent: 0, tts_concurrent: 0 },
      limits: { transcribe_concurrent: 3, tts_concurrent: null },
    };
    expect((await call(limited, 'GET', '/v1/concurrency-limits')).json).to.deep.equal({
      project: three,
      organization: three,
    });
  });

  it('counts an open realtime session in the concurrency figures, and none once it closed', async () => {
    const limited = await t.serverWith({ rateLimit: { realtimeConcurrentSessions: 3 } });
    const session = await openSession(limited, { model: 'stt-rt-v5', ...PCM });
    const current = async () =>
      (
        (await call(limited, 'GET', '/v1/concurrency-limits')).json.project as {
          current: { transcribe_concurrent: number };
        }
      ).current.transcribe_concurrent;
    await until(() => limited.received.sessions.length === 1);
    expect(await current()).to.equal(1);
    session.ws.send('');
    await session.closed();
    expect(await current()).to.equal(0);
  });

  it('refuses to delete a processing transcription with the documented 409 and its words', async () => {
    const busy = await t.serverWith({ timing: { queuedMs: 1, processingMs: 60_000 } });
    const job = await call(busy, 'POST', '/v1/transcriptions', URL_SOURCE);
    const id = String(job.json.id);
    await until(() => statusOf(busy, id) === 'processing');
    const del = await call(busy, 'DELETE', `/v1/transcriptions/${id}`);
    expect(del.status).to.equal(409);
    expect(del.json).to.include({
      error_type: 'transcription_invalid_state',
      message: 'Cannot delete transcription with processing status.',
    });
    expect(statusOf(busy, id)).to.equal('processing');
  });

  it('lists the text-to-speech models', async () => {
    const res = await call(t.server, 'GET', '/v1/tts-models');
    expect(res.status).to.equal(200);
    expect(res.json.models).to.be.an('array').that.is.not.empty;
  });

  it('records each create with its webhook header value masked, and runs a scripted one', async () => {
    t.server.scripts.transcription({
      filename: 'call.wav',
      tokens: [{ text: 'Hi', start_ms: 0, end_ms: 200, confidence: 0.9 }],
    });
    const plain = await call(t.server, 'POST', '/v1/transcriptions', URL_SOURCE);
    const hooked = await call(t.server, 'POST', '/v1/transcriptions', {
      model: 'stt-async-v5',
      audio_url: 'https://example.com/call.wav',
      webhook_url: 'https://example.com/hook',
      webhook_auth_header_name: 'X-Secret',
      webhook_auth_header_value: 'shh',
    });
    const received = t.server.received.transcriptions;
    expect(received.map((r) => r.id)).to.deep.equal([plain.json.id, hooked.json.id]);
    expect(received[0]?.request).to.deep.equal(URL_SOURCE);
    expect(received[1]?.request).to.include({ webhook_auth_header_value: '******************' });
    expect(received[1]?.filename).to.equal('call.wav');
    await until(() => statusOf(t.server, hooked.json.id as string) === 'completed');
    const transcript = await call(
      t.server,
      'GET',
      `/v1/transcriptions/${String(hooked.json.id)}/transcript`,
    );
    expect(transcript.json).to.include({ id: hooked.json.id, text: 'Hi' });
  });

  /** Creates a transcription of `audio_url` and waits until it ends; the job and its transcript. */
  const finished = async (body: Record<string, unknown>) => {
    const created = await call(t.server, 'POST', '/v1/transcriptions', {
      model: 'stt-async-v5',
      ...body,
    });
    const id = String(created.json.id);
    await until(() => ['completed', 'error'].includes(statusOf(t.server, id) ?? ''));
    const job = (await call(t.server, 'GET', `/v1/transcriptions/${id}`)).json;
    const transcript = await call(t.server, 'GET', `/v1/transcriptions/${id}/transcript`);
    return { job, transcript };
  };

  it('times a scripted transcript by its last token, or by the duration scripted', async () => {
    const tokens = [
      { text: 'Hi', start_ms: 0, end_ms: 200, confidence: 0.9 },
      { text: ' there', start_ms: 300, end_ms: 700, confidence: 0.9 },
      { text: '!', start_ms: 700, end_ms: 750, confidence: 0.9 },
    ];
    t.server.scripts.transcription({ filename: 'timed.wav', tokens });
    t.server.scripts.transcription({ filename: 'long.wav', tokens, durationMs: 9000 });
    t.server.scripts.transcription({ filename: 'silent.wav' });
    const timed = await finished({ audio_url: 'https://example.com/timed.wav' });
    expect(timed.job).to.include({ status: 'completed', audio_duration_ms: 750 });
    expect(timed.transcript.json).to.deep.equal({ id: timed.job.id, text: 'Hi there!', tokens });
    const long = await finished({ audio_url: 'https://example.com/long.wav' });
    expect(long.job).to.include({ status: 'completed', audio_duration_ms: 9000 });
    const silent = await finished({ audio_url: 'https://example.com/silent.wav' });
    expect(silent.job).to.include({ status: 'completed', audio_duration_ms: 0 });
    expect(silent.transcript.json).to.include({ text: '' });
    expect(silent.transcript.json.tokens).to.deep.equal([]);
  });

  it('fails a scripted transcription with its error type and message, and no transcript', async () => {
    t.server.scripts.transcription({
      filename: 'broken.wav',
      error: { type: 'audio_decode_error', message: 'Bad audio.' },
    });
    const broken = await finished({ audio_url: 'https://example.com/broken.wav' });
    expect(broken.job).to.include({
      status: 'error',
      error_type: 'audio_decode_error',
      error_message: 'Bad audio.',
    });
    expect(broken.transcript.status).to.equal(409);
  });

  it('speaks English in unknown audio when no hint names a language (docs/testing.md)', async () => {
    const { transcript } = await finished({
      audio_url: 'https://example.com/unknown.mp3',
      enable_language_identification: true,
    });
    const languages = new Set(
      (transcript.json.tokens as Array<{ language?: string }>).map((k) => k.language),
    );
    expect([...languages]).to.deep.equal(['en']);
  });
});
