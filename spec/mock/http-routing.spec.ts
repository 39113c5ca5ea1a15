import { expect } from 'chai';
import { once } from 'node:events';
import net from 'node:net';
import zlib from 'node:zlib';
import type { MockServer } from '../../lib/mock';
import { SECRET_KEY, fixture, until } from '../helpers';

/**
 * The mock's REST front door as an app under test meets it (docs/api.md §3, docs/testing.md
 * "Faults"): which route answers a path, the Bearer check and its documented 401 body, and each
 * injected fault exactly as a client reads it off the wire (status, headers, bytes).
 */
const MISSING = '00000000-0000-4000-8000-000000000000';

/** Sends `request` on a fresh socket; resolves with all the bytes until the server ends it. */
async function raw(server: MockServer, request: string): Promise<string> {
  const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
  socket.on('error', () => undefined);
  socket.write(request);
  await once(socket, 'close');
  return answer;
}

describe('mock/http: routes, the Bearer check and injected faults', () => {
  const t = fixture({ mock: { apiKey: SECRET_KEY } });
  const call = (method: string, route: string, init: RequestInit = {}) =>
    fetch(`${t.server.url}${route}`, {
      method,
      ...init,
      headers: { Authorization: `Bearer ${SECRET_KEY}`, ...(init.headers ?? {}) },
    });
  const json = async (res: Response) => (await res.json()) as Record<string, unknown>;
  const upload = async (): Promise<string> => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(64, 1)]), 'a.raw');
    const res = await call('POST', '/v1/files', { body: form });
    expect(res.status).to.equal(201);
    return (await json(res)).id as string;
  };

  it('names the method and path it has no route for: 404 for a path, 405 for a method', async () => {
    const none = await call('GET', '/v1/nothing');
    expect(none.status).to.equal(404);
    expect(await json(none)).to.include({
      status_code: 404,
      error_type: 'not_found',
      message: 'No route GET /v1/nothing.',
    });
    const wrong = await call('PUT', '/v1/models');
    expect(wrong.status).to.equal(405);
    expect(await json(wrong)).to.include({
      status_code: 405,
      error_type: 'method_not_allowed',
      message: 'Method PUT is not allowed on /v1/models.',
    });
  });

  it('takes an id as one whole, non-empty path segment', async () => {
    for (const path of ['/v1/files/', `/v1/files/${MISSING}/x`, `/v1/files${MISSING}`, '/v1']) {
      const res = await call('GET', path);
      expect(res.status, path).to.equal(404);
      expect((await json(res)).error_type, path).to.equal('not_found');
    }
    const unknown = await call('GET', `/v1/files/${MISSING}`);
    expect(unknown.status).to.equal(404);
    expect((await json(unknown)).error_type).to.equal('file_not_found');
    expect(t.server.state.hits).to.deep.equal({ 'GET /v1/files/:id': 1 });
  });

  it('finds a file by its percent-encoded id, and answers a bad escape 404 without failing', async () => {
    const id = await upload();
    const encoded = id.replace(/-/g, '%2D');
    const found = await call('GET', `/v1/files/${encoded}`);
    expect(found.status).to.equal(200);
    expect((await json(found)).id).to.equal(id);
    const bad = await call('GET', '/v1/files/%E0%A4%A');
    expect(bad.status).to.equal(404);
    expect((await json(bad)).error_type).to.equal('file_not_found');
    expect(t.server.state.inFlight).to.equal(0);
  });

  it('reads the key after "Bearer" in any case, and answers anything else the documented 401 body', async () => {
    const withAuth = (authorization?: string) =>
      fetch(`${t.server.url}/v1/files`, {
        headers: authorization === undefined ? {} : { Authorization: authorization },
      });
    expect((await withAuth(`bearer ${SECRET_KEY}`)).status).to.equal(200);
    expect((await withAuth(`Bearer \t ${SECRET_KEY}`)).status).to.equal(200);
    for (const wrong of [
      undefined,
      '',
      SECRET_KEY,
      `Basic ${SECRET_KEY}`,
      `NotBearer ${SECRET_KEY}`,
      `Bearer${SECRET_KEY}`,
      `Bearer ${SECRET_KEY}x`,
    ]) {
      const res = await withAuth(wrong);
      expect(res.status, String(wrong)).to.equal(401);
      expect(await json(res), String(wrong)).to.include({
        status_code: 401,
        error_type: 'unauthenticated',
        message: 'Incorrect API key provided. You can get an API key at https://console.soniox.com',
      });
    }
  });

  it('answers an injected status before the key is checked, with its Retry-After headers', async () => {
    t.server.setFaults({
      http: [{ route: 'GET /v1/files', status: 429, retryAfter: 3, retryAfterMs: 2500, times: 1 }],
    });
    const res = await fetch(`${t.server.url}/v1/files`);
    expect(res.status).to.equal(429);
    expect(res.headers.get('content-type')).to.equal('application/json');
    expect(res.headers.get('retry-after')).to.equal('3');
    expect(res.headers.get('retry-after-ms')).to.equal('2500');
    expect(await json(res)).to.include({ status_code: 429, error_type: 'limit_exceeded' });
    t.server.setFaults({ http: [{ route: 'GET /v1/files', status: 503, times: 1 }] });
    const bare = await call('GET', '/v1/files');
    expect([bare.headers.get('retry-after'), bare.headers.get('retry-after-ms')]).to.deep.equal([
      null,
      null,
    ]);
    expect(await json(bare)).to.include({ status_code: 503 });
  });

  it("sends a proxy's HTML error page with its status, type and Retry-After", async () => {
    t.server.setFaults({
      http: [{ route: 'POST /v1/transcriptions', status: 502, body: 'html-page', retryAfter: 1 }],
    });
    const res = await call('POST', '/v1/transcriptions', {
      body: JSON.stringify({ model: 'stt-async-v5' }),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(res.status).to.equal(502);
    expect(res.headers.get('content-type')).to.equal('text/html');
    expect(res.headers.get('retry-after')).to.equal('1');
    const page = await res.text();
    expect(res.headers.get('content-length')).to.equal(String(Buffer.byteLength(page)));
    expect(page).to.match(/^<html>.*<h1>502 Bad Gateway<\/h1>.*<\/html>$/);
  });

  it('answers a json fault in place of the route, with its status or 200, even for a 204 route', async () => {
    t.server.setFaults({
      http: [
        { route: 'GET /v1/files', json: { odd: true }, times: 1 },
        { route: 'GET /v1/files', json: [1], status: 202, times: 1 },
      ],
    });
    const first = await call('GET', '/v1/files');
    expect(first.status).to.equal(200);
    expect(first.headers.get('content-type')).to.equal('application/json');
    expect(await first.json()).to.deep.equal({ odd: true });
    const second = await call('GET', '/v1/files');
    expect(second.status).to.equal(202);
    expect(await second.json()).to.deep.equal([1]);
    const id = await upload();
    t.server.setFaults({ http: [{ route: 'DELETE /v1/files/:id', json: { gone: id } }] });
    const deleted = await call('DELETE', `/v1/files/${id}`);
    expect(deleted.status).to.equal(200);
    expect(await deleted.json()).to.deep.equal({ gone: id });
    t.server.setFaults({});
    const plain = await call('DELETE', `/v1/files/${await upload()}`);
    expect(plain.status).to.equal(204);
    expect(plain.headers.get('content-type')).to.equal(null);
    expect(await plain.text()).to.equal('');
  });

  it('cuts a body in half, or sends an HTML page where JSON was due, with a matching length', async () => {
    const whole = await (await call('GET', '/v1/files')).text();
    t.server.setFaults({
      http: [
        { route: 'GET /v1/files', body: 'truncated', times: 1 },
        { route: 'GET /v1/files', body: 'invalid-json', times: 1 },
      ],
    });
    const cut = await call('GET', '/v1/files');
    expect(await cut.text()).to.equal(whole.slice(0, Math.floor(whole.length / 2)));
    const page = await call('GET', '/v1/files');
    expect(page.headers.get('content-type')).to.equal('application/json');
    expect(await page.text()).to.equal(`<html>not json ${whole.length}</html>`);
  });

  it('compresses an answer with gzip, deflate or br, each with its Content-Encoding', async () => {
    const whole = await (await call('GET', '/v1/files')).text();
    const decode = {
      gzip: (b: Buffer) => zlib.gunzipSync(b),
      deflate: (b: Buffer) => zlib.inflateSync(b),
      br: (b: Buffer) => zlib.brotliDecompressSync(b),
    };
    for (const encoding of ['gzip', 'deflate', 'br'] as const) {
      t.server.setFaults({ http: [{ route: 'GET /v1/files', encoding, times: 1 }] });
      const answer = await raw(
        t.server,
        `GET /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${SECRET_KEY}\r\nConnection: close\r\n\r\n`,
      );
      const [head, ...rest] = answer.split('\r\n\r\n');
      const body = Buffer.from(rest.join('\r\n\r\n'), 'latin1');
      const headers = head!.toLowerCase();
      expect(headers, encoding).to.include(`\r\ncontent-encoding: ${encoding}\r\n`);
      expect(headers, encoding).to.include(`\r\ncontent-length: ${body.length}\r\n`);
      expect(headers, encoding).to.include('\r\ncontent-type: application/json\r\n');
      expect(decode[encoding](body).toString(), encoding).to.equal(whole);
    }
  });

  it('sends a slow body whole, 16 bytes at a time, with its length announced', async () => {
    const whole = await (await call('GET', '/v1/files')).text();
    t.server.setFaults({ http: [{ route: 'GET /v1/files', slowBodyMs: 1, times: 1 }] });
    const slow = await call('GET', '/v1/files');
    expect(slow.status).to.equal(200);
    expect(slow.headers.get('content-type')).to.equal('application/json');
    expect(slow.headers.get('content-length')).to.equal(String(Buffer.byteLength(whole)));
    expect(await slow.text()).to.equal(whole);
  });

  it('cuts the connection after half the answer, after the route ran, or before reading the body', async () => {
    const whole = await (await call('GET', '/v1/files')).text();
    const get = `GET /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${SECRET_KEY}\r\n\r\n`;
    t.server.setFaults({ http: [{ route: 'GET /v1/files', reset: 'mid-response', times: 1 }] });
    const half = await raw(t.server, get);
    expect(half).to.match(/^HTTP\/1\.1 200 /);
    expect(half.split('\r\n\r\n')[1]).to.equal(whole.slice(0, Math.floor(whole.length / 2)));

    t.server.setFaults({ http: [{ route: 'POST /v1/files', reset: 'after-handler', times: 1 }] });
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(8, 1)]), 'cut.raw');
    await call('POST', '/v1/files', { body: form }).then(
      () => expect.fail('answered'),
      () => undefined,
    );
    // The route ran: the file exists though its answer was cut.
    const files = (await json(await call('GET', '/v1/files'))).files as Array<{ filename: string }>;
    expect(files.map((f) => f.filename)).to.deep.equal(['cut.raw']);

    t.server.setFaults({ http: [{ route: '*', reset: 'mid-request', times: 2 }] });
    const post = `POST /v1/transcriptions HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n`;
    expect(await raw(t.server, `${post}{"model":`)).to.equal('');
    expect(await raw(t.server, post.replace('9', '0'))).to.equal('');
  });

  it('cuts a request without a body at once on a mid-request reset, rather than hang it', async () => {
    t.server.setFaults({ http: [{ route: 'GET /v1/files', reset: 'mid-request', times: 1 }] });
    const get = `GET /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${SECRET_KEY}\r\n\r\n`;
    expect(await raw(t.server, get)).to.equal('');
    await until(() => t.server.state.inFlight === 0);
  });

  it('answers a route that fails unexpectedly 500 internal_error and keeps serving', async () => {
    // A body JSON cannot write (a BigInt) throws inside the answer, as a bug in a route would.
    t.server.setFaults({ http: [{ route: 'GET /v1/files', json: { n: 1n }, times: 1 }] });
    const res = await call('GET', '/v1/files');
    expect(res.status).to.equal(500);
    expect(await json(res)).to.include({ status_code: 500, error_type: 'internal_error' });
    expect((await call('GET', '/v1/files')).status).to.equal(200);
    await until(() => t.server.state.inFlight === 0);
  });
});
