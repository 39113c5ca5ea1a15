/**
 * Realtime sessions through a proxy, as REST calls go: the client's `proxy` option, else
 * HTTP(S)_PROXY / NO_PROXY from the environment, or the caller's own `agent`; through a real
 * CONNECT proxy on loopback in front of the mock server.
 */
import { expect } from 'chai';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { SonioxValidationError, SonioxWebSocketError } from '../../lib/errors';
import type { RealtimeStream } from '../../lib/realtime/stream';
import type { SonioxClient } from '../../lib/client';
import { PCM, fixture as audioFixture } from '../audio';
import { fixture, rejection } from '../helpers';
import { connectProxy } from '../proxy-server';

/** Streams the fixture through `stream` and returns the final transcript. */
async function transcribe(stream: RealtimeStream): Promise<string> {
  stream.end(audioFixture('hello-world.wav').pcm);
  for await (const token of stream) void token;
  return stream.transcript;
}

describe('realtime through proxies and agents (a loopback CONNECT proxy)', () => {
  const t = fixture({ mock: { realtimePacing: false } });
  const startProxy = async () => {
    const proxy = await connectProxy();
    t.defer(() => proxy.close());
    return proxy;
  };
  const session = (client: SonioxClient, config = {}) => {
    const stream = client.realtime({ ...PCM, ...config });
    t.defer(() => stream.destroy());
    return stream;
  };
  const text = audioFixture('hello-world.wav').text;

  it('opens the session through the `proxy` option', async () => {
    const proxy = await startProxy();
    const client = t.clientWith({ proxy: proxy.url });
    expect(await transcribe(session(client))).to.equal(text);
    expect(proxy.tunnels()).to.equal(1);
  });

  it('takes the proxy from HTTP_PROXY for a ws: URL, and NO_PROXY exempts the host', async () => {
    const proxy = await startProxy();
    await transcribe(session(t.clientWith({ env: { HTTP_PROXY: proxy.url } })));
    expect(proxy.tunnels()).to.equal(1);
    const exempt = t.clientWith({ env: { http_proxy: proxy.url, NO_PROXY: '127.0.0.1' } });
    expect(await transcribe(session(exempt))).to.equal(text);
    expect(proxy.tunnels()).to.equal(1);
  });

  it('reads HTTPS_PROXY, not HTTP_PROXY, for a wss: URL', async () => {
    const proxy = await startProxy();
    // The host does not exist: the proxy is the only way the handshake could get anywhere.
    const attempt = async (env: Record<string, string>) => {
      const client = t.clientWith({
        realtimeURL: 'wss://stt-rt.invalid/transcribe-websocket',
        env,
      });
      const stream = session(client, { handshakeTimeoutMs: 2000 });
      stream.on('error', () => undefined);
      await rejection(stream.connect());
    };
    await attempt({ HTTPS_PROXY: proxy.url });
    expect(proxy.tunnels()).to.equal(1);
    await attempt({ HTTP_PROXY: proxy.url });
    expect(proxy.tunnels()).to.equal(1);
  });

  it('ignores the environment with proxy: false', async () => {
    const proxy = await startProxy();
    const client = t.clientWith({ proxy: false, env: { HTTP_PROXY: proxy.url } });
    expect(await transcribe(session(client))).to.equal(text);
    expect(proxy.tunnels()).to.equal(0);
  });

  it("opens the session on the caller's own agent when given one, over the client's proxy", async () => {
    const proxy = await startProxy();
    const other = await startProxy();
    const agent = new HttpsProxyAgent(proxy.url);
    t.defer(() => agent.destroy());
    const client = t.clientWith({ proxy: other.url });
    expect(await transcribe(session(client, { agent }))).to.equal(text);
    expect(proxy.tunnels()).to.equal(1);
    expect(other.tunnels()).to.equal(0);
  });

  describe('a proxy that takes the connection and never answers the CONNECT', function () {
    // Today's failure mode is a hang: keep it short and plain, not mocha's 20 s.
    this.timeout(4000);

    it('fails the handshake after handshakeTimeoutMs, as a transient timeout', async () => {
      const silent = await connectProxy({ silent: true });
      t.defer(() => silent.close());
      const stream = session(t.clientWith({ proxy: silent.url }), { handshakeTimeoutMs: 200 });
      const error = await rejection(stream.connect());
      expect(error).to.be.instanceOf(SonioxWebSocketError);
      expect(error.message).to.equal(
        'cannot open the realtime session: the opening handshake (proxy included) timed out after 200 ms',
      );
      expect((error as SonioxWebSocketError).retryable).to.equal(true);
      expect(silent.tunnels()).to.equal(1);
      expect(stream.phase).to.equal('failed');
    });

    it('closes the connection to the proxy it gave up on: nothing is left to keep the process alive', async () => {
      const silent = await connectProxy({ silent: true });
      t.defer(() => silent.close());
      const stream = session(t.clientWith({ proxy: silent.url }), { handshakeTimeoutMs: 100 });
      await rejection(stream.connect());
      // The proxy sees its side closed; before the fix it held the socket until its own close().
      await silent.heldClosed();
      expect(silent.tunnels()).to.equal(1);
    });

    it('retries it with the first-connection rules of `reconnect`, then fails with it', async () => {
      const silent = await connectProxy({ silent: true });
      t.defer(() => silent.close());
      const stream = session(t.clientWith({ proxy: silent.url }), {
        handshakeTimeoutMs: 150,
        reconnect: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 },
      });
      const reconnects: string[] = [];
      stream.on('reconnect', (e) => reconnects.push(e.error.message));
      const error = await rejection(stream.connect());
      expect(error.message).to.match(/timed out after 150 ms$/);
      expect(reconnects).to.have.length(2);
      expect(silent.tunnels()).to.equal(3);
    });
  });

  it('refuses an agent that is not an http.Agent', async () => {
    const stream = session(t.client, { agent: {} as never });
    stream.on('error', () => undefined);
    const error = await rejection(stream.connect());
    expect(error).to.be.instanceOf(SonioxValidationError);
    expect(error.message).to.match(/agent must be an http\.Agent/);
  });
});
