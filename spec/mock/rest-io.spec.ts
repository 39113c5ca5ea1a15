import { expect } from 'chai';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { SECRET_KEY, fixture, until } from '../helpers';

/**
 * What every REST route of the mock reads and answers, as a client meets it over the wire: its
 * JSON bodies, the pages of a list (docs/api.md §3: `limit` 1..1000, default 1000, an opaque
 * `cursor`, `next_page_cursor` null on the last page) and the names and fields of what it shows.
 */
describe('mock/rest-io: bodies, pages and the shape of answers', () => {
  const t = fixture({ mock: { timing: { queuedMs: 5, processingMs: 10 } } });
  const auth = { Authorization: `Bearer ${SECRET_KEY}` };

  const call = async (method: string, route: string, body?: string) => {
    const res = await fetch(`${t.server.url}${route}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const upload = async (name: string, reference?: string): Promise<Record<string, unknown>> => {
    const form = new FormData();
    if (reference !== undefined) form.append('client_reference_id', reference);
    form.append('file', new Blob([Buffer.alloc(8)]), name);
    const res = await fetch(`${t.server.url}/v1/files`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    expect(res.status).to.equal(201);
    return (await res.json()) as Record<string, unknown>;
  };
  const ids = (json: Record<string, unknown>) =>
    (json.files as Array<{ id: string }>).map((f) => f.id);

  it('answers a list of exactly `limit` items on one page, with no cursor for a next one', async () => {
    const a = await upload('a');
    const b = await upload('b');
    const page = await call('GET', '/v1/files?limit=2');
    expect(ids(page.json)).to.deep.equal([b.id, a.id]);
    expect(page.json.next_page_cursor).to.equal(null);
    const one = await call('GET', '/v1/files?limit=1');
    expect(ids(one.json)).to.deep.equal([b.id]);
    const second = await call(
      'GET',
      `/v1/files?limit=1&cursor=${String(one.json.next_page_cursor)}`,
    );
    expect(ids(second.json)).to.deep.equal([a.id]);
    expect(second.json.next_page_cursor).to.equal(null);
  });

  it('takes a limit of 1 and of 1000, and lists everything without one', async () => {
    const a = await upload('a');
    expect((await call('GET', '/v1/files?limit=1000')).status).to.equal(200);
    expect((await call('GET', '/v1/files?limit=1')).status).to.equal(200);
    const all = await call('GET', '/v1/files');
    expect(ids(all.json)).to.deep.equal([a.id]);
    expect(all.json.next_page_cursor).to.equal(null);
  });

  it('refuses a limit out of 1..1000 or not a whole number, naming the query field', async () => {
    for (const limit of ['0', '1001', '-1', '1.5', 'ten']) {
      const res = await call('GET', `/v1/transcriptions?limit=${limit}`);
      expect(res.status, limit).to.equal(400);
      expect(res.json, limit).to.include({
        error_type: 'invalid_request',
        message: 'Invalid request.',
      });
      expect(res.json.validation_errors, limit).to.deep.equal([
        {
          error_type: 'value_error',
          location: 'query.limit',
          message: 'Input should be between 1 and 1000',
        },
      ]);
    }
  });

  it('refuses a cursor it did not make, even one close to its own', async () => {
    await upload('a');
    await upload('b');
    const own = String((await call('GET', '/v1/files?limit=1')).json.next_page_cursor);
    const decoded = Buffer.from(own, 'base64url').toString('utf8');
    for (const text of [`x${decoded}`, `${decoded}x`, 'o:', 'o:-1']) {
      const res = await call('GET', `/v1/files?cursor=${Buffer.from(text).toString('base64url')}`);
      expect(res.status, text).to.equal(400);
      expect(res.json, text).to.include({
        error_type: 'invalid_cursor',
        message: 'Invalid cursor parameter.',
      });
    }
  });

  it('reads an empty JSON body as {}, answering what it lacks field by field', async () => {
    const res = await call('POST', '/v1/transcriptions', '');
    expect(res.status).to.equal(400);
    expect(res.json.error_type).to.equal('invalid_request');
    const types = (res.json.validation_errors as Array<{ error_type: string }>).map(
      (e) => e.error_type,
    );
    expect(types).to.not.include('json_invalid');
    expect(types).to.include('missing');
  });

  it("refuses a body that is not JSON with the API's json_invalid item", async () => {
    const res = await call('POST', '/v1/transcriptions', '{"model": ');
    expect(res.status).to.equal(400);
    expect(res.json).to.include({ error_type: 'invalid_request', message: 'Invalid JSON body.' });
    expect(res.json.validation_errors).to.deep.equal([
      { error_type: 'json_invalid', location: 'body', message: 'Invalid JSON' },
    ]);
  });

  it('refuses a JSON body over 1 MiB with 413, and reads one of 1 MiB', async () => {
    const pad = (n: number) => JSON.stringify({ model: 'stt-async-v5', pad: 'x'.repeat(n) });
    const base = pad(0).length;
    const over = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        `${t.server.url}/v1/transcriptions`,
        { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' } },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(pad(1024 * 1024 - base + 1));
    });
    expect(over.status).to.equal(413);
    expect(JSON.parse(over.body)).to.include({
      status_code: 413,
      error_type: 'payload_too_large',
      message: 'Request body too large.',
    });
    const exact = await call('POST', '/v1/transcriptions', pad(1024 * 1024 - base));
    expect(exact.status, 'a body of exactly 1 MiB is read').to.equal(400);
    expect(exact.json.error_type).to.equal('invalid_request');
  });

  it("names a transcription of an audio_url after the URL's last path segment, decoded", async () => {
    const names: string[] = [];
    for (const url of [
      'https://example.com/talks/my%20talk.mp3?x=1',
      'https://example.com/',
      'https://example.com',
      'https://example.com/bad%E0%A4%A.mp3',
    ]) {
      const res = await call(
        'POST',
        '/v1/transcriptions',
        JSON.stringify({ model: 'stt-async-v5', audio_url: url }),
      );
      expect(res.status, url).to.equal(201);
      names.push(res.json.filename as string);
    }
    expect(names).to.deep.equal(['my talk.mp3', 'audio', 'audio', 'audio']);
  });

  it('shows a file with its fields, its client_reference_id null when none was sent', async () => {
    const plain = await upload('plain.wav');
    expect(plain).to.have.all.keys('id', 'filename', 'size', 'created_at', 'client_reference_id');
    expect(plain).to.include({ filename: 'plain.wav', size: 8, client_reference_id: null });
    const named = await upload('named.wav', 'ref-7');
    expect(named.client_reference_id).to.equal('ref-7');
    const got = await call('GET', `/v1/files/${String(named.id)}`);
    expect(got.json).to.deep.equal(named);
  });

  it('pages past the tenth item with the cursors it gave, each item once', async () => {
    const made: string[] = [];
    for (let i = 0; i < 12; i++) made.unshift((await upload(`f${i}`)).id as string);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query = cursor === null ? '' : `&cursor=${cursor}`;
      const res = await call('GET', `/v1/files?limit=5${query}`);
      expect(res.status).to.equal(200);
      seen.push(...ids(res.json));
      cursor = res.json.next_page_cursor as string | null;
      pages++;
    } while (cursor !== null && pages < 5);
    expect(pages).to.equal(3);
    expect(seen).to.deep.equal(made);
  });

  it('settles a JSON request whose client went away mid-body, and keeps serving', async () => {
    const { port } = new URL(t.server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'POST /v1/transcriptions HTTP/1.1\r\nHost: x\r\n' +
        `Authorization: Bearer ${SECRET_KEY}\r\nContent-Type: application/json\r\n` +
        'Content-Length: 1000\r\n\r\n{"model": "stt-async-v5", ',
    );
    await until(() => t.server.state.inFlight === 1);
    socket.destroy();
    await until(() => t.server.state.inFlight === 0, 2000);
    expect(t.server.state.transcriptions.size).to.equal(0);
    expect((await call('GET', '/v1/transcriptions')).status).to.equal(200);
  });
});
