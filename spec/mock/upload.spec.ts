import { expect } from 'chai';
import http from 'node:http';
import { MAX_FILE_SIZE } from '../../lib/types';
import { SECRET_KEY, fixture, until } from '../helpers';
import { fixture as audio } from '../audio';

/**
 * `POST /v1/files` as a client sees it over the wire (docs/api.md §4): a multipart body whose
 * part `file` is required (its filename becomes the file's `filename`) and whose part
 * `client_reference_id` is optional (at most 256 characters, §2); over 1 GiB is a 400
 * `invalid_request` "Exceeded maximum file size (maximum is 1073741824 bytes)."
 */
describe('mock/upload: what POST /v1/files stores and refuses', () => {
  const t = fixture({ mock: { timing: { queuedMs: 5, processingMs: 10 } } });
  const auth = { Authorization: `Bearer ${SECRET_KEY}` };
  const B = 'spec-boundary';

  interface Answer {
    status: number;
    json: Record<string, unknown>;
  }

  /** Sends `body` as is, with the headers given; resolves with the answer, whole. */
  const send = (headers: Record<string, string>, body: string | Buffer): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        `${t.server.url}/v1/files`,
        { method: 'POST', headers: { ...auth, ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
            }),
          );
        },
      );
      // The server may answer before it read the whole body, and close: that is its answer.
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
      });
      req.end(body);
    });

  /** One multipart part, its disposition as given. */
  const part = (disposition: string, content: string | Buffer) =>
    Buffer.concat([
      Buffer.from(`--${B}\r\nContent-Disposition: form-data; ${disposition}\r\n\r\n`),
      Buffer.from(content),
      Buffer.from('\r\n'),
    ]);
  const multipart = (...parts: Buffer[]) => Buffer.concat([...parts, Buffer.from(`--${B}--\r\n`)]);
  const form = { 'Content-Type': `multipart/form-data; boundary=${B}` };

  it('keeps a client_reference_id of 256 characters, and refuses 257 naming the field', async () => {
    const file = part('name="file"; filename="a.raw"', Buffer.alloc(10));
    const kept = await send(
      form,
      multipart(part('name="client_reference_id"', 'r'.repeat(256)), file),
    );
    expect(kept.status).to.equal(201);
    expect(kept.json.client_reference_id).to.equal('r'.repeat(256));
    const refused = await send(
      form,
      multipart(part('name="client_reference_id"', 'r'.repeat(257)), file),
    );
    expect(refused.status).to.equal(400);
    expect(refused.json).to.include({ error_type: 'invalid_request', message: 'Invalid request.' });
    expect(refused.json.validation_errors).to.deep.equal([
      {
        error_type: 'string_too_long',
        location: 'body.client_reference_id',
        message: 'String should have at most 256 characters',
      },
    ]);
    expect(t.server.state.files.size).to.equal(1);
  });

  it('counts only the file part in its size, whatever order the parts come in', async () => {
    const res = await send(
      form,
      multipart(
        part('name="note"', 'not the file'),
        part('name="file"; filename="call.raw"', Buffer.alloc(1000, 7)),
        part('name="client_reference_id"', 'after-the-file'),
      ),
    );
    expect(res.status).to.equal(201);
    expect(res.json).to.include({
      filename: 'call.raw',
      size: 1000,
      client_reference_id: 'after-the-file',
    });
  });

  it('answers 400 with the missing file.file item when no part is named file', async () => {
    const missing = [{ error_type: 'missing', location: 'file.file', message: 'Field required' }];
    const other = await send(
      form,
      multipart(part('name="audio"; filename="a.raw"', Buffer.alloc(10))),
    );
    expect(other.status).to.equal(400);
    expect(other.json).to.include({ error_type: 'invalid_request', message: 'Invalid request.' });
    expect(other.json.validation_errors).to.deep.equal(missing);
    // A multipart type without its boundary cannot carry a file part either.
    const unbounded = await send({ 'Content-Type': 'multipart/form-data' }, 'anything');
    expect(unbounded.status).to.equal(400);
    expect(unbounded.json).to.include({
      error_type: 'invalid_request',
      message: 'Invalid request.',
    });
    expect(unbounded.json.validation_errors).to.deep.equal(missing);
    expect(t.server.state.files.size).to.equal(0);
  });

  it('stores a file part sent without a filename under the name "file"', async () => {
    const res = await send(form, multipart(part('name="file"', Buffer.alloc(4))));
    expect(res.status).to.equal(201);
    expect(res.json).to.include({ filename: 'file', size: 4, client_reference_id: null });
  });

  it('reads a body declared a little over 1 GiB (the multipart framing), refusing only past it', async () => {
    // A body that breaks off at once: a declared length the mock reads is answered by the
    // parser; one past 1 GiB and its framing allowance is refused before a byte is read.
    const broken = `--${B}XX`;
    for (const declared of [MAX_FILE_SIZE + 60 * 1024, MAX_FILE_SIZE + 64 * 1024]) {
      const framed = await send({ ...form, 'Content-Length': String(declared) }, broken);
      expect(framed.status, String(declared)).to.equal(400);
      expect(framed.json.message, String(declared)).to.equal(
        'Malformed multipart body: malformed multipart delimiter',
      );
    }
    const over = await send(
      { ...form, 'Content-Length': String(MAX_FILE_SIZE + 64 * 1024 + 1) },
      broken,
    );
    expect(over.status).to.equal(400);
    expect(over.json).to.include({
      error_type: 'invalid_request',
      message: 'Exceeded maximum file size (maximum is 1073741824 bytes).',
    });
  });

  it('refuses a body that ends before its closing boundary, storing nothing', async () => {
    const res = await send(form, part('name="file"; filename="a.raw"', Buffer.alloc(10)));
    expect(res.status).to.equal(400);
    expect(res.json).to.include({
      error_type: 'invalid_request',
      message: 'Malformed multipart body: multipart body ended before its closing boundary',
    });
    expect(t.server.state.files.size).to.equal(0);
  });

  /** Creates a transcription of `fileId` and waits for it to end; the job as then shown. */
  const transcribe = async (fileId: string) => {
    const created = await fetch(`${t.server.url}/v1/transcriptions`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'stt-async-v5', file_id: fileId }),
    });
    const { id } = (await created.json()) as { id: string };
    await until(() =>
      ['completed', 'error'].includes(
        t.server.state.transcriptions.get(id)?.transcription.status ?? '',
      ),
    );
    const job = await fetch(`${t.server.url}/v1/transcriptions/${id}`, { headers: auth });
    return { id, ...((await job.json()) as { status: string; audio_duration_ms: number }) };
  };

  it('recognises a fixture uploaded with other parts around it, by its bytes alone', async () => {
    const hello = audio('hello-world.wav');
    const res = await send(
      form,
      multipart(
        part('name="client_reference_id"', 'ref-1'),
        part('name="file"; filename="hello.wav"', hello.wav),
      ),
    );
    expect(res.json.size).to.equal(hello.wav.length);
    const job = await transcribe(res.json.id as string);
    expect(job.status).to.equal('completed');
    const transcript = await fetch(`${t.server.url}/v1/transcriptions/${job.id}/transcript`, {
      headers: auth,
    });
    expect(((await transcript.json()) as { text: string }).text).to.equal(hello.text);
  });

  it("times a WAV of more than 64 KiB by its header's rate and channels, not as raw audio", async () => {
    // 8 kHz stereo 16-bit: 32 000 bytes a second; 96 000 bytes of samples are 3 s (as raw
    // 16 kHz mono audio they would be 3.001 s, and a WAV read without its header fails).
    const data = Buffer.alloc(96_000);
    for (let i = 0; i < data.length; i += 2)
      data.writeInt16LE(Math.round(8000 * Math.sin(i / 9)), i);
    const header = Buffer.alloc(44);
    header.write('RIFF', 0);
    header.writeUInt32LE(36 + data.length, 4);
    header.write('WAVEfmt ', 8);
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(2, 22);
    header.writeUInt32LE(8000, 24);
    header.writeUInt32LE(32_000, 28);
    header.writeUInt16LE(4, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36);
    header.writeUInt32LE(data.length, 40);
    const res = await send(
      form,
      multipart(part('name="file"; filename="tone.wav"', Buffer.concat([header, data]))),
    );
    const job = await transcribe(res.json.id as string);
    expect(job.status).to.equal('completed');
    expect(job.audio_duration_ms).to.equal(3000);
  });
});
