/**
 * The transport's lean adapter for JSON calls (lib/http/json-adapter.ts), over the wire to the
 * mock: what axios' own http adapter did for these calls, it still does.
 */
import { expect } from 'chai';
import axios, { type InternalAxiosRequestConfig } from 'axios';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { once } from 'node:events';
import { SonioxNotFoundError } from '../../lib';
import { requestUrl } from '../../lib/http/json-adapter';
import { clientFor, fixture } from '../helpers';

const TLS_DIR = path.join(__dirname, '..', '..', 'fixtures', 'tls');

describe('http/transport: the lean JSON adapter', () => {
  const t = fixture();

  for (const encoding of ['gzip', 'deflate', 'br'] as const) {
    it(`reads a ${encoding}-encoded answer as the JSON it encodes`, async () => {
      const plain = await t.client.models.list();
      const server = await t.serverWith({
        faults: { http: [{ route: 'GET /v1/models', encoding }] },
      });
      const client = clientFor(server);
      t.defer(() => client.close());
      expect(await client.models.list()).to.deep.equal(plain);
    });
  }

  it('keeps the socket of an error answer in the pool', async () => {
    const client = t.clientWith({ maxSockets: 1 });
    for (let i = 0; i < 3; i++) {
      const error = await client.files.get('no-such-file').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(SonioxNotFoundError);
    }
    await client.models.list();
    expect(client.poolStats().socketsCreated).to.equal(1);
  });

  it('calls an https origin on the agent it is given, reusing the socket', async () => {
    // A TLS front on loopback for the mock, with a certificate made for these specs.
    const cert = fs.readFileSync(path.join(TLS_DIR, 'loopback-cert.pem'));
    const key = fs.readFileSync(path.join(TLS_DIR, 'loopback-key.pem'));
    const { port } = new URL(t.server.url);
    let connections = 0;
    const front = tls.createServer({ cert, key }, (socket) => {
      connections += 1;
      const upstream = net.connect(Number(port), '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    front.listen(0, '127.0.0.1');
    await once(front, 'listening');
    t.defer(() => new Promise((resolve) => front.close(resolve)));
    const agent = new https.Agent({ keepAlive: true, ca: cert, maxSockets: 1 });
    t.defer(() => agent.destroy());
    const address = front.address() as net.AddressInfo;
    const client = t.clientWith({ baseURL: `https://127.0.0.1:${address.port}`, httpAgent: agent });
    const models = await client.models.list();
    expect(models.models.length).to.be.greaterThan(0);
    await client.models.list();
    await client.models.list();
    expect(connections).to.equal(1);
  });

  describe('the URL of a call', () => {
    const config = (over: Partial<InternalAxiosRequestConfig>) =>
      ({ baseURL: 'http://127.0.0.1:9/', url: '/v1/files', ...over }) as InternalAxiosRequestConfig;

    it('is the one axios builds, for every kind of query value the transport sends', () => {
      const cases: Array<Partial<InternalAxiosRequestConfig>> = [
        {},
        { params: { limit: 100, cursor: undefined } },
        { params: { cursor: 'a b/c:d$e,f[g]h+i&j=k#l?m%n~o' } },
        { url: '/v1/files?x=1', params: { limit: 5 } },
        { baseURL: 'http://127.0.0.1:9/base//', url: 'v1/models' },
        { baseURL: 'http://127.0.0.1:9', url: 'http://127.0.0.1:10/v1/models' },
        { params: { empty: '', zero: 0, nothing: null } },
      ];
      for (const c of cases) {
        const built = config(c);
        expect(requestUrl(built), JSON.stringify(c)).to.equal(axios.getUri(built));
      }
    });
  });
});
