/**
 * REST through a proxy: a real CONNECT proxy on loopback (a tiny `http` server handling
 * 'connect') in front of the mock server.
 */
import { expect } from 'chai';
import http from 'node:http';
import { SonioxConfigError } from '../../lib/errors';
import { fixture } from '../helpers';
import { connectProxy } from '../proxy-server';

describe('http/transport: proxies and agents (through a loopback CONNECT proxy)', () => {
  const t = fixture();
  const startProxy = async () => {
    const proxy = await connectProxy();
    t.defer(() => proxy.close());
    return proxy;
  };

  it('sends REST calls through the `proxy` option, one kept-alive tunnel for sequential calls', async () => {
    const proxy = await startProxy();
    const client = t.clientWith({ proxy: proxy.url });
    for (let i = 0; i < 20; i += 1) await client.models.list();
    expect(t.server.state.hits['GET /v1/models']).to.equal(20);
    expect(proxy.tunnels()).to.equal(1);
    // node:http's own figures: the tunnel's socket kept for the next call.
    expect(client.poolStats()).to.include({ freeSockets: 1, activeSockets: 0, socketsCreated: 0 });
  });

  it('uploads a file through the proxy, bytes intact', async () => {
    const proxy = await startProxy();
    const client = t.clientWith({ proxy: proxy.url });
    const body = Buffer.alloc(1024 * 1024, 9);
    const file = await client.files.upload(body, { filename: 'p.raw' });
    expect(file.size).to.equal(body.length);
    expect(proxy.tunnels()).to.equal(1);
  });

  it('takes the proxy from HTTP_PROXY in the environment, and NO_PROXY exempts the host', async () => {
    const proxy = await startProxy();
    await t.clientWith({ env: { HTTP_PROXY: proxy.url } }).models.list();
    expect(proxy.tunnels()).to.equal(1);
    await t.clientWith({ env: { http_proxy: proxy.url, NO_PROXY: '127.0.0.1' } }).models.list();
    expect(proxy.tunnels()).to.equal(1);
  });

  it('ignores the environment with proxy: false', async () => {
    const proxy = await startProxy();
    await t.clientWith({ proxy: false, env: { HTTP_PROXY: proxy.url } }).models.list();
    expect(proxy.tunnels()).to.equal(0);
  });

  it('sends REST calls on a custom httpAgent when given one', async () => {
    const agent = new http.Agent({ keepAlive: true });
    t.defer(() => agent.destroy());
    let sockets = 0;
    agent.on('free', () => (sockets += 1));
    await t.clientWith({ httpAgent: agent }).models.list();
    expect(sockets).to.equal(1);
  });

  it('refuses a proxy that is not an http(s) URL, and an httpAgent that is not an Agent', () => {
    expect(() => t.clientWith({ proxy: 'socks5://127.0.0.1:1080' }))
      .to.throw(SonioxConfigError)
      .with.property('option', 'proxy');
    expect(() => t.clientWith({ httpAgent: {} as never }))
      .to.throw(SonioxConfigError)
      .with.property('option', 'httpAgent');
  });
});
