import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Ajv from 'ajv';
import { startMockServer, type MockServer } from '../../lib/mock';
import { QUOTAS } from '../../lib/mock/routes';
import { validate } from '../../lib/schemas';
import { fixture as specFixture, until } from '../helpers';
import { fixture } from '../audio';

const KEY = 'mock-spec-key';
const MISSING = '00000000-0000-4000-8000-000000000000';
const OPENAPI = path.join(
  __dirname,
  '..',
  '..',
  '..',
  'shared',
  'reference',
  'soniox-openapi.json',
);

/**
 * A checker for a published OpenAPI component when the reference is present beside the
 * repository, else for our own schema of the same shape (which spec/schemas compares to it).
 */
function openapi(
  component: string,
  fallback: Parameters<typeof validate>[0],
): (body: unknown) => boolean {
  if (!fs.existsSync(OPENAPI)) return (body) => validate(fallback, body).length === 0;
  const doc = JSON.parse(fs.readFileSync(OPENAPI, 'utf8')) as { components: unknown };
  const ajv = new Ajv({ strict: false, validateFormats: false });
  ajv.addSchema({ components: doc.components }, 'openapi');
  return ajv.compile({ $ref: `openapi#/components/schemas/${component}` });
}
const apiErrorCheck = () => openapi('ApiError', 'apiError');
const check = {
  file: openapi('File', 'file'),
  files: openapi('GetFilesResponse', 'fileList'),
  transcription: openapi('Transcription', 'transcription'),
  transcriptions: openapi('GetTranscriptionsResponse', 'transcriptionList'),
  transcript: openapi('TranscriptionTranscript', 'transcript'),
  models: openapi('GetModelsResponse', 'modelList'),
  temporaryKey: openapi('CreateTemporaryApiKeyResponse', 'temporaryKey'),
};

describe('mock/http: the REST API', () => {
  const isApiError = apiErrorCheck();
  const fx = specFixture({
    mock: { apiKey: KEY, timing: { queuedMs: 5, processingMs: 10 }, seed: 42 },
  });

  // The spec that needs jobs that stay queued sends call() and upload() to its own server.
  let other: MockServer | undefined;
  afterEach(() => (other = undefined));
  const base = () => (other ?? fx.server).url;

  const call = (
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${base()}${route}`, {
      method,
      headers: {
        Authorization: `Bearer ${KEY}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined
        ? {}
        : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  async function expectError(
    res: Response,
    status: number,
    errorType: string,
  ): Promise<Record<string, unknown>> {
    expect(res.status).to.equal(status);
    const body = (await res.json()) as Record<string, unknown>;
    expect(isApiError(body), JSON.stringify(body)).to.equal(true);
    expect(body).to.include({ status_code: status, error_type: errorType });
    expect(body.request_id).to.match(/^[0-9a-f-]{36}$/);
    return body;
  }
  const upload = (content: Buffer, name = 'a.raw', extra: Record<string, string> = {}) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(extra)) form.append(k, v);
    form.append('file', new Blob([content]), name);
    return fetch(`${base()}/v1/files`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}` },
      body: form,
    });
  };

  it('answers 401 unauthenticated without a key, with a wrong key, and with a temporary key', async () => {
    await expectError(await fetch(`${fx.server.url}/v1/models`), 401, 'unauthenticated');
    await expectError(
      await call('GET', '/v1/models', undefined, { Authorization: 'Bearer nope' }),
      401,
      'unauthenticated',
    );
    const temp = (await (
      await call('POST', '/v1/auth/temporary-api-key', {
        usage_type: 'transcribe_websocket',
        expires_in_seconds: 60,
      })
    ).json()) as { api_key: string };
    expect(check.temporaryKey(temp)).to.equal(true);
    expect(check.models(await (await call('GET', '/v1/models')).json())).to.equal(true);
    await expectError(
      await call('GET', '/v1/models', undefined, { Authorization: `Bearer ${temp.api_key}` }),
      401,
      'unauthenticated',
    );
  });

  it('answers 404 for unknown paths and 405 for wrong methods, with the error body', async () => {
    await expectError(await call('GET', '/v1/nothing'), 404, 'not_found');
    await expectError(await call('PUT', '/v1/models'), 405, 'method_not_allowed');
  });

  it('uploads, gets, counts, lists and deletes files with the documented statuses', async () => {
    const res = await upload(Buffer.alloc(1000, 1), 'call.wav', { client_reference_id: 'ref-7' });
    expect(res.status).to.equal(201);
    const file = (await res.json()) as { id: string };
    expect(check.file(file)).to.equal(true);
    expect(file).to.include({ filename: 'call.wav', size: 1000, client_reference_id: 'ref-7' });
    expect(
      ((await (await call('GET', `/v1/files/${file.id}`)).json()) as { id: string }).id,
    ).to.equal(file.id);
    expect(await (await call('GET', '/v1/files/count')).json()).to.deep.equal({
      total: 1,
      public_api: 1,
      playground: 0,
    });
    const del = await call('DELETE', `/v1/files/${file.id}`);
    expect(del.status).to.equal(204);
    expect(await del.text()).to.equal('');
    await expectError(await call('GET', `/v1/files/${file.id}`), 404, 'file_not_found');
    await expectError(await call('DELETE', `/v1/files/${file.id}`), 404, 'file_not_found');
  });

  it('rejects an upload without a file part, a non-multipart body and an over-long reference', async () => {
    const form = new FormData();
    form.append('client_reference_id', 'x');
    const body = await expectError(
      await fetch(`${fx.server.url}/v1/files`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEY}` },
        body: form,
      }),
      400,
      'invalid_request',
    );
    expect(body.validation_errors).to.deep.equal([
      { error_type: 'missing', location: 'file.file', message: 'Field required' },
    ]);
    await expectError(await call('POST', '/v1/files', 'plain'), 400, 'invalid_request');
    await expectError(
      await upload(Buffer.alloc(10), 'a', { client_reference_id: 'x'.repeat(300) }),
      400,
      'invalid_request',
    );
  });

  it('rejects a declared size over 1 GiB before reading the body, and closes the connection', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${fx.server.url}/v1/files`,
        {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${KEY}`,
            'Content-Type': 'multipart/form-data; boundary=x',
            'Content-Length': String(2 * 1024 ** 3),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('--x\r\n');
    });
    expect(status).to.equal(400);
  });

  it('pages lists newest first with limit and an opaque cursor, and rejects a bad cursor or limit', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(((await (await upload(Buffer.alloc(10), `f${i}`)).json()) as { id: string }).id);
    const first = (await (await call('GET', '/v1/files?limit=2')).json()) as {
      files: Array<{ id: string }>;
      next_page_cursor: string;
    };
    expect(check.files(first)).to.equal(true);
    expect(first.files.map((f) => f.id)).to.deep.equal([ids[4], ids[3]]);
    const next = (await (
      await call('GET', `/v1/files?limit=2&cursor=${first.next_page_cursor}`)
    ).json()) as { files: Array<{ id: string }> };
    expect(next.files.map((f) => f.id)).to.deep.equal([ids[2], ids[1]]);
    const last = (await (await call('GET', '/v1/files?limit=10')).json()) as {
      next_page_cursor: null;
    };
    expect(last.next_page_cursor).to.equal(null);
    await expectError(await call('GET', '/v1/files?cursor=garbage'), 400, 'invalid_cursor');
    await expectError(await call('GET', '/v1/transcriptions?limit=0'), 400, 'invalid_request');
  });

  it('a transcript with speakers, languages and translation validates against the OpenAPI document', async () => {
    const audio = fixture('bilingual.wav');
    const file = (await (await upload(audio.wav, 'bilingual.wav')).json()) as { id: string };
    const created = await call('POST', '/v1/transcriptions', {
      model: 'stt-async-v5',
      file_id: file.id,
      enable_speaker_diarization: true,
      enable_language_identification: true,
      translation: { type: 'two_way', language_a: 'en', language_b: 'es' },
    });
    const { id } = (await created.json()) as { id: string };
    await until(() => fx.server.state.transcriptions.get(id)?.transcription.status === 'completed');
    const transcript = (await (
      await call('GET', `/v1/transcriptions/${id}/transcript`)
    ).json()) as {
      tokens: Array<{ translation_status?: string }>;
    };
    // Translation tokens carry no timings (as the official SDK documents), which the published
    // schema's token marks required: every other token validates against it, and the whole
    // transcript against the SDK's schema, which spec/schemas compares with the document.
    const originals = transcript.tokens.filter((x) => x.translation_status !== 'translation');
    expect(originals.length).to.be.above(0);
    for (const token of originals)
      expect(
        check.transcript({ id: id, text: '', tokens: [token] }),
        JSON.stringify(token),
      ).to.equal(true);
    expect(validate('transcript', transcript)).to.deep.equal([]);
    expect(transcript.tokens.length).to.be.above(originals.length);
  });

  it('runs a transcription through queued, processing and completed, with the fixture words', async () => {
    const audio = fixture('hello-world.wav');
    const file = (await (await upload(audio.wav, 'hello.wav')).json()) as { id: string };
    const created = await call('POST', '/v1/transcriptions', {
      model: 'stt-async-v5',
      file_id: file.id,
      enable_speaker_diarization: true,
    });
    expect(created.status).to.equal(201);
    const t = (await created.json()) as { id: string; status: string; filename: string };
    expect(check.transcription(t)).to.equal(true);
    expect(check.transcriptions(await (await call('GET', '/v1/transcriptions')).json())).to.equal(
      true,
    );
    expect(t).to.include({ status: 'queued', filename: 'hello.wav' });
    const seen = new Set<string>();
    await until(() => {
      void call('GET', `/v1/transcriptions/${t.id}`).then(async (r) =>
        seen.add(((await r.json()) as { status: string }).status),
      );
      return seen.has('completed');
    });
    const tr = (await (await call('GET', `/v1/transcriptions/${t.id}`)).json()) as {
      audio_duration_ms: number;
    };
    expect(tr.audio_duration_ms).to.equal(audio.duration_ms);
    const transcript = (await (
      await call('GET', `/v1/transcriptions/${t.id}/transcript`)
    ).json()) as { text: string };
    expect(check.transcript(transcript)).to.equal(true);
    expect(transcript.text).to.equal(audio.text);
    expect(await (await call('GET', '/v1/transcriptions/count')).json()).to.include({ total: 1 });
    expect((await call('DELETE', `/v1/transcriptions/${t.id}`)).status).to.equal(204);
    await expectError(await call('GET', `/v1/files/${file.id}`), 404, 'file_not_found');
  });

  it('validates create parameters like the API, field by field', async () => {
    const body = await expectError(
      await call('POST', '/v1/transcriptions', { audio_url: 'x' }),
      400,
      'invalid_request',
    );
    const locations = (body.validation_errors as Array<{ location: string }>).map(
      (v) => v.location,
    );
    expect(locations).to.include.members(['body.payload.model', 'body.payload.audio_url']);
    await expectError(
      await call('POST', '/v1/transcriptions', { model: 'stt-async-v5' }),
      400,
      'invalid_request',
    );
    await expectError(
      await call('POST', '/v1/transcriptions', {
        model: 'stt-rt-v5',
        audio_url: 'https://x/a.mp3',
      }),
      400,
      'invalid_request',
    );
    await expectError(
      await call('POST', '/v1/transcriptions', '{not json'),
      400,
      'invalid_request',
    );
    await expectError(
      await call('POST', '/v1/transcriptions', { model: 'stt-async-v5', file_id: MISSING }),
      404,
      'file_not_found',
    );
    await expectError(
      await call('POST', '/v1/auth/temporary-api-key', {
        usage_type: 'transcribe_websocket',
        expires_in_seconds: 4000,
      }),
      400,
      'invalid_request',
    );
  });

  it('refuses the transcript before completion, deletion while processing, and the transcript of a failed job', async () => {
    const slow = await fx.serverWith({ timing: { queuedMs: 100, processingMs: 60_000 } });
    const t = (await (
      await fetch(`${slow.url}/v1/transcriptions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ model: 'stt-async-v5', audio_url: 'https://example.com/a.mp3' }),
      })
    ).json()) as { id: string };
    for (const status of ['queued', 'processing']) {
      await until(() => slow.state.transcriptions.get(t.id)?.transcription.status === status);
      const early = await fetch(`${slow.url}/v1/transcriptions/${t.id}/transcript`, {
        headers: { Authorization: `Bearer ${KEY}` },
      });
      const body = await expectError(early, 409, 'transcription_invalid_state');
      expect(body.message).to.equal('Can only get transcript with completed status.');
    }
    await until(() => slow.state.transcriptions.get(t.id)?.transcription.status === 'processing');
    const res = await fetch(`${slow.url}/v1/transcriptions/${t.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${KEY}` },
    });
    await expectError(res, 409, 'transcription_invalid_state');

    const failed = (await (
      await call('POST', '/v1/transcriptions', {
        model: 'stt-async-v5',
        audio_url: 'https://example.com/fail.mp3',
      })
    ).json()) as { id: string };
    await until(
      () => fx.server.state.transcriptions.get(failed.id)?.transcription.status === 'error',
    );
    const body = await expectError(
      await call('GET', `/v1/transcriptions/${failed.id}/transcript`),
      409,
      'transcription_invalid_state',
    );
    expect(body.message).to.equal('File transcription has failed.');
  });

  it('marks an empty upload as failed with an error type and message', async () => {
    const file = (await (await upload(Buffer.alloc(0), 'empty.wav')).json()) as { id: string };
    const t = (await (
      await call('POST', '/v1/transcriptions', { model: 'stt-async-v5', file_id: file.id })
    ).json()) as { id: string };
    await until(() => fx.server.state.transcriptions.get(t.id)?.transcription.status === 'error');
    expect(fx.server.state.transcriptions.get(t.id)?.transcription.error_type).to.equal(
      'audio_decode_error',
    );
  });

  it('posts the webhook with the auth header once the job ends and records the status it got', async () => {
    const received: Array<{ body: string; secret: unknown }> = [];
    let answers = [500, 200];
    const hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ body, secret: req.headers['x-secret'] });
        res.writeHead(answers.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook?ref=1`;
    const t = (await (
      await call('POST', '/v1/transcriptions', {
        model: 'stt-async-v5',
        audio_url: 'https://example.com/a.mp3',
        webhook_url: hookUrl,
        webhook_auth_header_name: 'X-Secret',
        webhook_auth_header_value: 'hush',
      })
    ).json()) as { id: string; webhook_auth_header_value: string };
    expect(t.webhook_auth_header_value).to.equal('******************');
    await until(() => received.length === 2);
    expect(JSON.parse(received[1]!.body)).to.deep.equal({ id: t.id, status: 'completed' });
    expect(received[1]!.secret).to.equal('hush');
    await until(
      () => fx.server.state.transcriptions.get(t.id)?.transcription.webhook_status_code === 200,
    );
    answers = [];
    await new Promise((resolve) => hook.close(resolve));
  });

  it('never calls a webhook off the machine', async () => {
    const t = (await (
      await call('POST', '/v1/transcriptions', {
        model: 'stt-async-v5',
        audio_url: 'https://example.com/a.mp3',
        webhook_url: 'http://example.com/hook',
      })
    ).json()) as { id: string };
    await until(
      () => fx.server.state.transcriptions.get(t.id)?.transcription.status === 'completed',
    );
    expect(fx.server.state.transcriptions.get(t.id)?.transcription.webhook_status_code).to.equal(
      null,
    );
  });

  it('enforces the quotas: 429 for pending transcriptions, 400 for stored files', async () => {
    // A job that stays queued: with the suite's 15 ms lifecycle, a loaded machine could finish
    // the first job before the second create arrives, and the quota would rightly not apply.
    other = await fx.serverWith({ timing: { queuedMs: 60_000, processingMs: 10 } });
    const saved = { ...QUOTAS };
    try {
      QUOTAS.files = 1;
      QUOTAS.pendingTranscriptions = 1;
      await upload(Buffer.alloc(10));
      await expectError(await upload(Buffer.alloc(10)), 400, 'invalid_request');
      const slow = { model: 'stt-async-v5', audio_url: 'https://example.com/a.mp3' };
      await call('POST', '/v1/transcriptions', slow);
      await expectError(await call('POST', '/v1/transcriptions', slow), 429, 'limit_exceeded');
    } finally {
      Object.assign(QUOTAS, saved);
    }
  });

  describe('faults', () => {
    it('answers an injected status with Retry-After and the error body, then recovers', async () => {
      fx.server.setFaults({
        http: [
          { route: 'GET /v1/models', status: 503, retryAfter: 2, retryAfterMs: 1500, times: 1 },
        ],
      });
      const res = await call('GET', '/v1/models');
      expect(res.headers.get('retry-after')).to.equal('2');
      expect(res.headers.get('retry-after-ms')).to.equal('1500');
      await expectError(res, 503, 'service_unavailable');
      expect((await call('GET', '/v1/models')).status).to.equal(200);
    });

    it('truncates or corrupts a JSON body, and sends a slow one', async () => {
      fx.server.setFaults({
        http: [
          { route: 'GET /v1/models', body: 'truncated', times: 1 },
          { route: 'GET /v1/models', body: 'invalid-json', times: 1 },
          { route: '*', slowBodyMs: 1, times: 1 },
        ],
      });
      const cut = await (await call('GET', '/v1/models')).text();
      expect(() => JSON.parse(cut)).to.throw();
      const html = await (await call('GET', '/v1/models')).text();
      expect(html).to.match(/^<html>/);
      const slow = (await (await call('GET', '/v1/files')).json()) as { files: unknown[] };
      expect(slow.files).to.deep.equal([]);
    });

    it('resets the connection before the request, mid-request and mid-response', async () => {
      fx.server.setFaults({
        http: [
          { route: '*', reset: 'before', times: 1 },
          { route: '*', reset: 'mid-request', times: 1 },
          { route: '*', reset: 'mid-response', times: 1 },
        ],
      });
      let failures = 0;
      for (let i = 0; i < 3; i++) {
        try {
          await (
            await call('POST', '/v1/transcriptions', {
              model: 'stt-async-v5',
              audio_url: 'https://example.com/a.mp3',
            })
          ).json();
        } catch {
          failures++;
        }
      }
      expect(failures).to.equal(3);
    });

    it('adds latency', async () => {
      fx.server.setFaults({ http: [{ route: 'GET /v1/models', delayMs: 120 }] });
      const started = Date.now();
      await call('GET', '/v1/models');
      expect(Date.now() - started).to.be.at.least(100);
    });

    it('applies probabilistic faults deterministically for a seed', async () => {
      const pattern = async () => {
        const s = await startMockServer({
          apiKey: KEY,
          seed: 7,
          faults: { http: [{ route: 'GET /v1/models', status: 503, probability: 0.3 }] },
        });
        const statuses: number[] = [];
        for (let i = 0; i < 20; i++)
          statuses.push(
            (await fetch(`${s.url}/v1/models`, { headers: { Authorization: `Bearer ${KEY}` } }))
              .status,
          );
        await s.close();
        return statuses;
      };
      const a = await pattern();
      expect(a).to.deep.equal(await pattern());
      expect(a.filter((s) => s === 503).length).to.be.within(1, 15);
    });

    it('counts hits per route', async () => {
      await call('GET', '/v1/models');
      await call('GET', `/v1/files/${MISSING}`);
      expect(fx.server.state.hits).to.include({ 'GET /v1/models': 1, 'GET /v1/files/:id': 1 });
    });
  });

  it('binds loopback only and frees its port on close', async () => {
    await startMockServer({ host: '0.0.0.0' }).then(
      () => expect.fail('bound a public interface'),
      (e: Error) => expect(e.message).to.match(/loopback/),
    );
    const s = await startMockServer();
    const port = Number(new URL(s.url).port);
    await s.close();
    await s.close();
    await new Promise<void>((resolve, reject) => {
      const probe = net
        .createServer()
        .once('error', reject)
        .listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
  });
});
