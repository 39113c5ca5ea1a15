import { expect } from 'chai';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Cassette } from '../../lib/cassette';
import { SECRET_KEY, fixture } from '../helpers';

const AUDIO = path.join(__dirname, '..', '..', 'fixtures', 'audio', 'hello-world.wav');

/** The one cassette a client wrote to `dir`, as text and parsed. */
function cassetteIn(dir: string): { text: string; cassette: Cassette } {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  expect(files, 'cassette files').to.have.length(1);
  const text = fs.readFileSync(path.join(dir, files[0]!), 'utf8');
  return { text, cassette: JSON.parse(text) as Cassette };
}

describe('http: recording REST exchanges (record / SONIOX_RECORD)', () => {
  const t = fixture();
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-record-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes each exchange, the upload as its file digest, never the key', async () => {
    const client = t.clientWith({ record: dir });
    const audio = fs.readFileSync(AUDIO);
    const file = await client.files.upload(AUDIO, { client_reference_id: 'call-1' });
    const job = await client.transcriptions.create({
      file_id: file.id,
      webhook_url: 'http://127.0.0.1:9/hook',
      webhook_auth_header_name: 'X-Secret',
      webhook_auth_header_value: 'hush-hush-value',
    });
    await client.files.list({ limit: 5 });
    const { text, cassette } = cassetteIn(dir);

    expect(cassette.format).to.equal('soniox-cassette/1');
    expect(cassette.baseURL).to.equal(t.server.url);
    const [upload, create, list] = cassette.exchanges;
    expect(upload!.request).to.deep.include({ method: 'POST', path: '/v1/files' });
    expect(upload!.request.upload).to.deep.equal({
      fields: { client_reference_id: 'call-1' },
      file: {
        filename: 'hello-world.wav',
        contentType: 'application/octet-stream',
        bytes: audio.length,
        sha256: createHash('sha256').update(audio).digest('hex'),
      },
    });
    expect(upload!.response).to.deep.include({ status: 201 });
    expect((upload!.response as unknown as { body: { id: string } }).body.id).to.equal(file.id);
    expect(create!.request.json).to.deep.include({
      file_id: file.id,
      webhook_auth_header_value: '[redacted]',
    });
    expect((create!.response as unknown as { body: { id: string } }).body.id).to.equal(job.id);
    expect(list!.request).to.deep.include({ method: 'GET', query: { limit: '5' } });
    expect(list!.request.headers).to.deep.equal({ authorization: '[redacted]' });

    expect(text).not.to.include(SECRET_KEY);
    expect(text).not.to.include('hush-hush-value');
    // The audio itself is not in the cassette: a RIFF header would show.
    expect(text).not.to.include('RIFF');
    expect(text.length).to.be.below(audio.length);
  });

  it('records from SONIOX_RECORD in the environment, a streamed upload too', async () => {
    const client = t.clientWith({ env: { SONIOX_RECORD: dir } });
    await client.files.upload(Readable.from([Buffer.alloc(1000, 1), Buffer.alloc(24, 2)]), {
      filename: 'stream.raw',
    });
    const { cassette } = cassetteIn(dir);
    expect(cassette.exchanges[0]!.request.upload!.file).to.deep.include({
      filename: 'stream.raw',
      bytes: 1024,
    });
  });

  it('records every attempt: a 503 then the 201 that followed', async () => {
    t.server.setFaults({ http: [{ route: 'POST /v1/files', status: 503, times: 1 }] });
    const client = t.clientWith({ record: dir });
    await client.files.upload(Buffer.alloc(100), { filename: 'x.raw' });
    const statuses = cassetteIn(dir).cassette.exchanges.map(
      (e) => (e.response as { status: number }).status,
    );
    expect(statuses).to.deep.equal([503, 201]);
  });

  it('redacts a temporary key it was given', async () => {
    const client = t.clientWith({ record: dir });
    const key = await client.auth.createTemporaryKey({
      usage_type: 'transcribe_websocket',
      expires_in_seconds: 60,
    });
    const { text } = cassetteIn(dir);
    expect(text).not.to.include(key.api_key);
    expect(text).to.include('"api_key": "[redacted]"');
  });

  it('keeps the key out of the cassettes of failed calls (401, 500 after retries, timeout, reset)', async () => {
    t.server.setFaults({
      http: [
        { route: 'GET /v1/models', status: 500 },
        { route: 'GET /v1/files', delayMs: 300 },
        { route: 'POST /v1/transcriptions', reset: 'mid-response' },
      ],
    });
    const failures = [
      t.clientWith({ apiKey: `${SECRET_KEY}-wrong`, record: dir }).files.get('x'),
      t.clientWith({ record: dir, maxRetries: 1 }).models.list(),
      t.clientWith({ record: dir, timeoutMs: 20, maxRetries: 0 }).files.list(),
      t
        .clientWith({ record: dir, maxRetries: 0 })
        .transcriptions.create({ audio_url: 'https://example.com/a.wav' }),
    ];
    const settled = await Promise.allSettled(failures);
    // The reset create is settled by its lookup (exactly-once): it may well succeed.
    expect(settled.slice(0, 3).map((r) => r.status)).to.deep.equal([
      'rejected',
      'rejected',
      'rejected',
    ]);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).to.have.length(4);
    const text = files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
    expect(text).to.include('"status": 401');
    expect(text).to.include('"error": "timeout of 20ms exceeded"');
    expect(text).to.include('"path": "/v1/transcriptions"');
    expect(text).not.to.include(SECRET_KEY);
  });

  it('records nothing without the option (no directory is made)', async () => {
    const client = t.clientWith({});
    await client.files.list();
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });
});
