/**
 * The mock column of docs/api.md §13 where no narrower spec asserts it: what the mock sends,
 * echoes and checks, read over loopback the way a user's code reads the API. Every answer must
 * carry each field the official SDK (`@soniox/node`, an oracle of the documented fields) types
 * as required, so a user's code typed against it finds them offline as live.
 */
import { expect } from 'chai';
import path from 'node:path';
import type { MockServer } from '../../lib/mock';
import { wavHeader } from '../../lib/audio';
import { fixture as audio } from '../audio';
import { fixture, until } from '../helpers';
import { shapesOf } from '../schemas/dts-shape';
import { finalsOf, streamFixture, openSession } from './flows';
import { PCM } from '../audio';

const OFFICIAL = path.join(
  __dirname,
  '..',
  '..',
  'node_modules',
  '@soniox',
  'node',
  'dist',
  'index.d.mts',
);
const TYPES = [
  'SonioxFileData',
  'FilesCountResponse',
  'SonioxTranscriptionData',
  'TranscriptResponse',
  'TranscriptToken',
  'SonioxModel',
  'SonioxLanguage',
  'TemporaryApiKeyResponse',
  'ListFilesResponse',
  'ListTranscriptionsResponse',
  'SonioxUsageLog',
  'ListUsageLogsResponse',
  'UsageSummaryResponse',
  'UsageSummaryEntry',
  'ConcurrencyLimitsResponse',
  'ConcurrencyScopeValues',
  'ConcurrencyCurrentValues',
  'ConcurrencyLimitValues',
  'ConcurrentStreamsHistoryResponse',
  'ConcurrentStreamsHistoryEntry',
  'RealtimeResult',
  'RealtimeToken',
];
const official = shapesOf({ [OFFICIAL]: TYPES }).get(OFFICIAL)!;

/** Fails naming each field `type` requires that `value` lacks. */
function hasRequired(type: string, value: unknown): void {
  const fields = official.get(type)!;
  const missing = [...fields]
    .filter(([name, f]) => !f.optional && !(name in (value as object)))
    .map(([name]) => name);
  expect(missing, `${type}: required fields missing from the mock's answer`).to.deep.equal([]);
}

async function call(
  server: MockServer,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${server.url}${route}`, {
    method,
    headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as never) };
}

async function upload(server: MockServer, name: string): Promise<Record<string, unknown>> {
  const form = new FormData();
  form.append('file', new Blob([audio(name).wav]), name);
  form.append('client_reference_id', 'my-ref');
  const res = await fetch(`${server.url}/v1/files`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.apiKey}` },
    body: form,
  });
  expect(res.status).to.equal(201);
  return (await res.json()) as Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('mock: the conformance table, mock column', () => {
  const t = fixture({ mock: { realtimePacing: false } });

  it('REST answers carry every field the official SDK types as required', async () => {
    const file = await upload(t.server, 'hello-world.wav');
    hasRequired('SonioxFileData', file);
    expect(file).to.include({ filename: 'hello-world.wav', client_reference_id: 'my-ref' });
    expect(file.size).to.equal(audio('hello-world.wav').wav.length);
    const created = await call(t.server, 'POST', '/v1/transcriptions', {
      model: 'stt-async-v5',
      file_id: file.id,
      enable_speaker_diarization: true,
      enable_language_identification: true,
    });
    hasRequired('SonioxTranscriptionData', created.json);
    await until(
      () =>
        t.server.state.transcriptions.get(created.json.id as string)?.transcription.status ===
        'completed',
    );
    const transcript = await call(
      t.server,
      'GET',
      `/v1/transcriptions/${String(created.json.id)}/transcript`,
    );
    hasRequired('TranscriptResponse', transcript.json);
    for (const token of transcript.json.tokens as object[]) hasRequired('TranscriptToken', token);
    const count = (await call(t.server, 'GET', '/v1/files/count')).json;
    hasRequired('FilesCountResponse', count);
    expect(count).to.include({ total: 1, public_api: 1, playground: 0 });
    hasRequired('ListFilesResponse', (await call(t.server, 'GET', '/v1/files')).json);
    hasRequired(
      'ListTranscriptionsResponse',
      (await call(t.server, 'GET', '/v1/transcriptions')).json,
    );
    const models = (await call(t.server, 'GET', '/v1/models')).json.models as Array<{
      languages: object[];
    }>;
    expect(models).to.have.length.greaterThan(0);
    for (const model of models) {
      hasRequired('SonioxModel', model);
      // No per-target list: every model translates between all its languages.
      expect(model).to.deep.include({
        translation_targets: [],
        one_way_translation: 'all_languages',
      });
      for (const language of model.languages) hasRequired('SonioxLanguage', language);
    }
    const key = await call(t.server, 'POST', '/v1/auth/temporary-api-key', {
      usage_type: 'transcribe_websocket',
      expires_in_seconds: 60,
    });
    expect(key.status).to.equal(201);
    hasRequired('TemporaryApiKeyResponse', key.json);
    expect(key.json.api_key).to.match(/^temp:/);
  });

  it('usage logs, the usage summary, concurrency limits and their history carry every typed field', async () => {
    await streamFixture(t.server, 'hello-world.wav');
    const window = `start_time=${new Date(Date.now() - 3_600_000).toISOString()}&end_time=${new Date(Date.now() + 60_000).toISOString()}`;
    const logs = (await call(t.server, 'GET', `/v1/usage-logs?${window}`)).json;
    hasRequired('ListUsageLogsResponse', logs);
    const entries = logs.usage_logs as object[];
    expect(entries).to.have.length.greaterThan(0);
    for (const log of entries) hasRequired('SonioxUsageLog', log);
    const summary = (await call(t.server, 'GET', `/v1/usage/summary?${window}`)).json;
    hasRequired('UsageSummaryResponse', summary);
    hasRequired('UsageSummaryEntry', summary.total);
    for (const entry of summary.models as object[]) hasRequired('UsageSummaryEntry', entry);
    const limits = (await call(t.server, 'GET', '/v1/concurrency-limits')).json;
    hasRequired('ConcurrencyLimitsResponse', limits);
    for (const scope of [limits.project, limits.organization] as Array<Record<string, object>>) {
      hasRequired('ConcurrencyScopeValues', scope);
      hasRequired('ConcurrencyCurrentValues', scope.current);
      hasRequired('ConcurrencyLimitValues', scope.limits);
    }
    const history = (
      await call(
        t.server,
        'GET',
        `/v1/concurrent-streams-history?${window}&period_sec=3600&kind=stt`,
      )
    ).json;
    hasRequired('ConcurrentStreamsHistoryResponse', history);
    expect(history.entries).to.have.length.greaterThan(0);
    for (const entry of history.entries as object[])
      hasRequired('ConcurrentStreamsHistoryEntry', entry);
  });

  it('realtime results carry every field the official SDK types as required', async () => {
    const messages = await streamFixture(t.server, 'hello-world.wav');
    for (const message of messages) hasRequired('RealtimeResult', message);
    const finals = finalsOf(messages);
    expect(finals).to.have.length.greaterThan(0);
    for (const token of finals) hasRequired('RealtimeToken', token);
  });

  it('create echoes what it was sent: ids, hints, flags, context, webhook, reference; a fresh id and time', async () => {
    const file = await upload(t.server, 'hello-world.wav');
    const sent = {
      model: 'stt-async-v5',
      file_id: file.id,
      language_hints: ['en'],
      enable_speaker_diarization: true,
      enable_language_identification: false,
      context: { text: 'a greeting', terms: ['hello'] },
      webhook_url: 'https://example.com/hook?job=1',
      webhook_auth_header_name: 'X-Secret',
      webhook_auth_header_value: 'shh',
      client_reference_id: 'order-7',
    };
    const { status, json } = await call(t.server, 'POST', '/v1/transcriptions', sent);
    expect(status).to.equal(201);
    const { webhook_auth_header_value: _masked, ...echoed } = sent;
    expect(json).to.deep.include({
      ...echoed,
      audio_url: null,
      filename: 'hello-world.wav',
      status: 'queued',
      webhook_auth_header_value: '******************',
      webhook_status_code: null,
    });
    expect(json.id).to.match(UUID);
    expect(new Date(json.created_at as string).toISOString()).to.equal(json.created_at);
    const byUrl = await call(t.server, 'POST', '/v1/transcriptions', {
      model: 'stt-async-v5',
      audio_url: 'https://example.com/calls/monday.mp3?sig=1',
    });
    expect(byUrl.json).to.include({
      audio_url: 'https://example.com/calls/monday.mp3?sig=1',
      file_id: null,
      filename: 'monday.mp3',
    });
  });

  it("unknown audio's placeholder words take the first hint's language", async () => {
    // Two seconds of a 440 Hz tone: audio the mock decodes but does not know.
    const pcm = Buffer.alloc(64_000);
    for (let i = 0; i < 32_000; i++)
      pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 16_000)), i * 2);
    const wav = Buffer.concat([
      wavHeader({ sampleRate: 16_000, numChannels: 1, bitsPerSample: 16 }, pcm.length),
      pcm,
    ]);
    const form = new FormData();
    form.append('file', new Blob([wav]), 'tone.wav');
    const file = (await (
      await fetch(`${t.server.url}/v1/files`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${t.server.apiKey}` },
        body: form,
      })
    ).json()) as { id: string };
    const created = await call(t.server, 'POST', '/v1/transcriptions', {
      model: 'stt-async-v5',
      file_id: file.id,
      language_hints: ['de', 'fr'],
      enable_language_identification: true,
    });
    const id = created.json.id as string;
    await until(() => t.server.state.transcriptions.get(id)?.transcription.status === 'completed');
    const tokens = (await call(t.server, 'GET', `/v1/transcriptions/${id}/transcript`)).json
      .tokens as Array<{ language: string }>;
    expect(tokens).to.have.length.greaterThan(0);
    expect(new Set(tokens.map((k) => k.language))).to.deep.equal(new Set(['de']));
  });

  it('checks what the API checks: an unknown model, an unknown file, an unknown usage type', async () => {
    const model = await call(t.server, 'POST', '/v1/transcriptions', {
      model: 'stt-nope',
      audio_url: 'https://example.com/a.mp3',
    });
    expect(model.status).to.equal(400);
    // The error body of §3: the real status in status_code, a fresh request id, and more_info
    // naming the type's anchor ("…/errors#<error_type, _ as ->").
    expect(model.json).to.include({
      status_code: 400,
      error_type: 'invalid_request',
      more_info: 'https://soniox.com/docs/api-reference/errors#invalid-request',
    });
    expect(model.json.request_id).to.match(UUID);
    expect(model.json.message).to.be.a('string');
    expect(model.json.validation_errors).to.deep.equal([
      { error_type: 'value_error', location: 'body.payload.model', message: 'Invalid model' },
    ]);
    const file = await call(t.server, 'POST', '/v1/transcriptions', {
      model: 'stt-async-v5',
      file_id: '00000000-0000-4000-8000-000000000000',
    });
    expect([file.status, file.json.error_type]).to.deep.equal([404, 'file_not_found']);
    const usage = await call(t.server, 'POST', '/v1/auth/temporary-api-key', {
      usage_type: 'rest',
      expires_in_seconds: 60,
    });
    expect([usage.status, usage.json.error_type]).to.deep.equal([400, 'invalid_request']);
  });

  it('words its error messages as the OpenAPI document does', async () => {
    // "Error types: - `file_not_found`: File could not be found." (Get file, 404), and alike.
    const none = '00000000-0000-4000-8000-000000000000';
    const answers = [
      await call(t.server, 'GET', `/v1/files/${none}`),
      await call(t.server, 'DELETE', `/v1/files/${none}`),
      await call(t.server, 'GET', `/v1/transcriptions/${none}`),
      await call(t.server, 'GET', `/v1/transcriptions/${none}/transcript`),
      await call(t.server, 'GET', '/v1/files?cursor=not-a-cursor'),
      await call(t.server, 'GET', '/v1/transcriptions?cursor=not-a-cursor'),
    ];
    expect(answers.map((a) => [a.status, a.json.error_type, a.json.message])).to.deep.equal([
      [404, 'file_not_found', 'File could not be found.'],
      [404, 'file_not_found', 'File could not be found.'],
      [404, 'transcription_not_found', 'Transcription could not be found.'],
      [404, 'transcription_not_found', 'Transcription could not be found.'],
      [400, 'invalid_cursor', 'Invalid cursor parameter.'],
      [400, 'invalid_cursor', 'Invalid cursor parameter.'],
    ]);
  });

  it('realtime start: an unknown model, an unknown audio_format, a raw one without its rate: 400 frames', async () => {
    for (const start of [
      { model: 'stt-nope', ...PCM },
      { model: 'stt-async-v5', ...PCM },
      { model: 'stt-rt-v5', audio_format: 'pcm_nope' },
      { model: 'stt-rt-v5', audio_format: 'pcm_s16le', num_channels: 1 },
      { model: 'stt-rt-v5', audio_format: 'pcm_s16le', sample_rate: 16000 },
      { model: 'stt-rt-v5', ...PCM, num_channels: 3 },
    ]) {
      const s = await openSession(t.server, start);
      await s.closed();
      expect(s.messages, JSON.stringify(start)).to.have.length(1);
      expect(s.messages[0], JSON.stringify(start)).to.include({ error_code: 400 });
    }
  });

  it('finalize with trailing_silence_ms is accepted and answered with <fin>, like a bare finalize', async () => {
    const s = await openSession(t.server, { model: 'stt-rt-v5', ...PCM });
    s.ws.send(audio('hello-world.wav').pcm);
    s.ws.send(JSON.stringify({ type: 'finalize', trailing_silence_ms: 300 }));
    await until(() => s.messages.some((m) => m.tokens.some((k) => k.text === '<fin>')));
    s.ws.send('');
    await s.closed();
    expect(s.messages.some((m) => 'error_code' in m)).to.equal(false);
    expect(s.messages.at(-1)).to.include({ finished: true });
  });
});
