import { expect } from 'chai';
import { proxyAgent, proxyFor } from '../../lib/internal/proxy';

const HTTPS = 'https://api.soniox.com';
const HTTP = 'http://127.0.0.1:8080';

describe('internal/proxy: which proxy a REST call goes through', () => {
  it('takes HTTPS_PROXY for an https origin and HTTP_PROXY for an http one', () => {
    const env = { HTTPS_PROXY: 'http://secure:1', HTTP_PROXY: 'http://plain:2' };
    expect(proxyFor(HTTPS, undefined, env)).to.equal('http://secure:1');
    expect(proxyFor(HTTP, undefined, env)).to.equal('http://plain:2');
    expect(proxyFor(HTTPS, undefined, { https_proxy: 'http://lower:3' })).to.equal(
      'http://lower:3',
    );
  });

  it('is none without a proxy in the environment, or for a host NO_PROXY exempts', () => {
    expect(proxyFor(HTTPS, undefined, {})).to.equal(undefined);
    expect(
      proxyFor(HTTPS, undefined, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'api.soniox.com' }),
    ).to.equal(undefined);
  });

  it('takes the `proxy` option over the environment, and none with proxy: false', () => {
    const env = { HTTPS_PROXY: 'http://env:1' };
    expect(proxyFor(HTTPS, 'http://option:2', env)).to.equal('http://option:2');
    expect(proxyFor(HTTPS, false, env)).to.equal(undefined);
  });

  it('reads the env it is given and leaves process.env as it was', () => {
    const before = process.env;
    const saved = process.env.HTTPS_PROXY;
    process.env.HTTPS_PROXY = 'http://process:9';
    try {
      expect(proxyFor(HTTPS, undefined, {})).to.equal(undefined);
      expect(process.env).to.equal(before);
      expect(proxyFor(HTTPS, undefined, process.env)).to.equal('http://process:9');
      expect(process.env).to.equal(before);
    } finally {
      if (saved === undefined) delete process.env.HTTPS_PROXY;
      else process.env.HTTPS_PROXY = saved;
    }
  });

  it('tunnels through the proxy with a kept-alive agent of the pool’s size', () => {
    const agent = proxyAgent('http://proxy.local:3128', {
      maxSockets: 7,
      maxFreeSockets: 3,
      timeout: 1000,
      keepAliveMsecs: 60_000,
    }) as import('node:http').Agent & { proxy: URL; keepAlive: boolean };
    try {
      expect(agent.proxy.href).to.equal('http://proxy.local:3128/');
      expect(agent.keepAlive).to.equal(true);
      expect(agent.maxSockets).to.equal(7);
      expect(agent.maxFreeSockets).to.equal(3);
    } finally {
      agent.destroy();
    }
  });
});
