/**
 * The REST half of a replaying mock, as a client replaying a cassette meets it: each recorded
 * answer sent back with its status, headers and JSON body, a request with no recording refused
 * with a 400 naming it (docs/testing.md), and the same Bearer check as a live mock.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CASSETTE_FORMAT, type Cassette } from '../../lib/cassette';
import { startMockServer, type MockServer } from '../../lib/mock';
import { SECRET_KEY, fixture } from '../helpers';

const EXCHANGES: Cassette['exchanges'] = [
  {
    atMs: 0,
    request: { method: 'GET', path: '/v1/files/a' },
    response: { status: 200, headers: { 'x-request-id': 'req-1' }, body: { id: 'a', size: 3 } },
  },
  {
    atMs: 1,
    request: { method: 'GET', path: '/v1/files', query: { limit: '2' } },
    response: { status: 200, body: { files: [], next_page_cursor: null } },
  },
  {
    atMs: 2,
    request: { method: 'DELETE', path: '/v1/files/a' },
    response: { status: 204, headers: { 'x-request-id': 'req-2' } },
  },
  {
    atMs: 3,
    request: { method: 'POST', path: '/v1/transcriptions' },
    response: { status: 202 },
  },
  {
    // A hand-edited cassette: a 204 that carries a body all the same.
    atMs: 5,
    request: { method: 'DELETE', path: '/v1/transcriptions/t1' },
    response: { status: 204, body: { deleted: true } },
  },
  {
    atMs: 4,
    request: { method: 'GET', path: '/v1/transcriptions/gone' },
    response: {
      status: 404,
      body: { status_code: 404, error_type: 'transcription_not_found', message: 'gone' },
    },
  },
];

async function raw(server: MockServer, request: string): Promise<string> {
  const { port } = new URL(server.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
  socket.write(request);
  await Promise.race([once(socket, 'end'), once(socket, 'close')]);
  socket.destroy();
  return answer;
}

describe('mock/replay-http: recorded REST answers', () => {
  const t = fixture();
  let dir: string;
  let server: MockServer;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-replay-http-'));
    const cassette: Cassette = {
      format: CASSETTE_FORMAT,
      recordedAt: new Date(0).toISOString(),
      baseURL: 'http://127.0.0.1:1',
      realtimeURL: 'ws://127.0.0.1:1/transcribe-websocket',
      exchanges: EXCHANGES,
      sessions: [],
    };
    fs.writeFileSync(path.join(dir, 'hand-made.json'), JSON.stringify(cassette));
    server = await startMockServer({ apiKey: SECRET_KEY, replay: dir });
    t.defer(() => server.close());
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const call = (method: string, route: string, init: RequestInit = {}) =>
    fetch(`${server.url}${route}`, {
      method,
      ...init,
      headers: { Authorization: `Bearer ${SECRET_KEY}`, ...(init.headers ?? {}) },
    });

  it('sends a recorded JSON answer with its status, its headers and a JSON content type', async () => {
    const res = await call('GET', '/v1/files/a');
    expect(res.status).to.equal(200);
    expect(res.headers.get('x-request-id')).to.equal('req-1');
    expect(res.headers.get('content-type')).to.equal('application/json');
    const text = await res.text();
    expect(res.headers.get('content-length')).to.equal(String(Buffer.byteLength(text)));
    expect(JSON.parse(text)).to.deep.equal({ id: 'a', size: 3 });
    const gone = await call('GET', '/v1/transcriptions/gone');
    expect(gone.status).to.equal(404);
    expect(await gone.json()).to.include({ error_type: 'transcription_not_found' });
  });

  it('sends a recorded answer without a body empty: a 204 with its headers, a bodiless 202', async () => {
    const deleted = await call('DELETE', '/v1/files/a');
    expect(deleted.status).to.equal(204);
    expect(deleted.headers.get('x-request-id')).to.equal('req-2');
    expect(await deleted.text()).to.equal('');
    const posted = await call('POST', '/v1/transcriptions', {
      body: JSON.stringify({ model: 'stt-async-v5', pad: 'x'.repeat(256 * 1024) }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(posted.status).to.equal(202);
    expect(posted.headers.get('content-type')).to.equal(null);
    expect(await posted.text()).to.equal('');
  });

  it('sends a recorded 204 empty and untyped even when its recording holds a body', async () => {
    const res = await call('DELETE', '/v1/transcriptions/t1');
    expect(res.status).to.equal(204);
    expect(res.headers.get('content-type')).to.equal(null);
    expect(await res.text()).to.equal('');
  });

  it('matches a request by its query too, and names a request it has no recording of', async () => {
    expect((await call('GET', '/v1/files?limit=2')).status).to.equal(200);
    const miss = await call('GET', '/v1/files?limit=3');
    expect(miss.status).to.equal(400);
    const body = (await miss.json()) as Record<string, unknown>;
    expect(body).to.include({ status_code: 400, error_type: 'not_recorded' });
    expect(body.message).to.match(/^replay: no recording of GET \/v1\/files\?limit=3 in /);
    expect(server.replay?.misses).to.deep.equal(['GET /v1/files?limit=3']);
  });

  it('takes the key after "Bearer" in any case and spacing, and refuses any other', async () => {
    const withAuth = (authorization?: string) =>
      fetch(`${server.url}/v1/files/a`, {
        headers: authorization === undefined ? {} : { Authorization: authorization },
      });
    expect((await withAuth(`bearer   ${SECRET_KEY}`)).status).to.equal(200);
    expect((await withAuth(`BEARER ${SECRET_KEY}  `)).status).to.equal(200);
    for (const wrong of [
      undefined,
      SECRET_KEY,
      `Basic ${SECRET_KEY}`,
      `NotBearer ${SECRET_KEY}`,
      `Basic Bearer ${SECRET_KEY}`,
      'Bearer sk-other',
    ]) {
      const res = await withAuth(wrong);
      expect(res.status, String(wrong)).to.equal(401);
      expect(await res.json()).to.include({ status_code: 401, error_type: 'unauthenticated' });
    }
  });

  it('answers a request target that is not a URL with 400, and keeps serving', async () => {
    const answer = await raw(
      server,
      `GET //[ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${SECRET_KEY}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).to.match(/^HTTP\/1\.1 400 /);
    expect(answer).to.include('Invalid request target.');
    expect((await call('GET', '/v1/files/a')).status).to.equal(200);
  });
});
