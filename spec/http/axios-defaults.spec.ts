import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { leanDefaults } from '../../lib/http/axios-defaults';

/** A loopback server that answers `{"ok":true}` and keeps each request's method, headers and body. */
async function recorder() {
  const seen: Array<{
    method: string | undefined;
    headers: http.IncomingHttpHeaders;
    body: string;
  }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method, headers: req.headers, body });
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('http/axios-defaults (the instance defaults axios merges into every call)', () => {
  let server: Awaited<ReturnType<typeof recorder>>;
  let agent: http.Agent;
  beforeEach(async () => {
    server = await recorder();
    agent = new http.Agent({ keepAlive: false });
  });
  afterEach(async () => {
    agent.destroy();
    await server.close();
  });

  const make = () =>
    axios.create({
      baseURL: server.url,
      httpAgent: agent,
      proxy: false,
      headers: { 'User-Agent': 'sdk/1', 'X-Caller': 'theirs', Authorization: 'Bearer k' },
    });

  it('leaves no per-method header buckets, transitional flags, env nor xsrf names to copy on each call', () => {
    const lean = make();
    leanDefaults(lean);
    const defaults = lean.defaults as unknown as Record<string, unknown>;
    expect(defaults).not.to.have.property('transitional');
    // Read by the browser adapters (xsrf) and FormData bodies (env) alone, which the transport
    // never sends; axios deep-copies `env` into every call's config (issue 31).
    expect(defaults).not.to.have.any.keys('env', 'xsrfCookieName', 'xsrfHeaderName');
    expect(Object.keys(defaults.headers as object)).to.have.members([
      'Accept',
      'Content-Type',
      'User-Agent',
      'X-Caller',
      'Authorization',
    ]);
  });

  it('sends what the untrimmed instance sends: the same headers and body, a GET and a JSON POST, and parses the answer', async () => {
    const lean = make();
    leanDefaults(lean);
    const full = make();
    for (const instance of [full, lean]) {
      expect((await instance.get('/v1/models')).data).to.deep.equal({ ok: true });
      expect((await instance.post('/v1/transcriptions', { a: 1 })).data).to.deep.equal({
        ok: true,
      });
    }
    const [fullGet, fullPost, leanGet, leanPost] = server.seen;
    expect(leanGet).to.deep.equal(fullGet);
    expect(leanPost).to.deep.equal(fullPost);
    expect(leanPost?.headers).to.include({
      accept: 'application/json, text/plain, */*',
      'content-type': 'application/json',
      'user-agent': 'sdk/1',
      'x-caller': 'theirs',
      authorization: 'Bearer k',
    });
  });

  it('leaves a filled method bucket where it is (its headers go on that method only)', () => {
    const instance = make();
    (instance.defaults.headers.post as Record<string, string>)['X-Post-Only'] = '1';
    leanDefaults(instance);
    expect(instance.defaults.headers.post).to.deep.equal({ 'X-Post-Only': '1' });
  });
});
