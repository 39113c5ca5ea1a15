/**
 * A corporate gateway in front of the realtime endpoint needs the caller's headers on the
 * WebSocket upgrade request as on REST calls: the client's `headers`, a stream's own `headers`
 * over them, the SDK's User-Agent unless the caller sets one, and never an Authorization of the
 * caller's (the key's header is the SDK's). A scripted ws server reads the upgrade request.
 */
import { expect } from 'chai';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { SonioxClient, SonioxValidationError, type SonioxClientOptions } from '../../lib';
import { userAgent } from '../../lib/internal/package-info';
import type { RealtimeStreamConfig } from '../../lib/realtime/stream';
import { PCM } from '../audio';
import { rejection, until } from '../helpers';

describe('realtime upgrade request headers', () => {
  let wss: WebSocketServer;
  let upgrades: IncomingHttpHeaders[];
  let url: string;
  const clients: SonioxClient[] = [];
  beforeEach(async () => {
    upgrades = [];
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (_ws, req) => upgrades.push(req.headers));
    await new Promise((resolve) => wss.once('listening', resolve));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/transcribe-websocket`;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    for (const ws of wss.clients) ws.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });

  function client(options: SonioxClientOptions = {}): SonioxClient {
    const made = new SonioxClient({ apiKey: 'sk-upgrade-key', realtimeURL: url, ...options });
    clients.push(made);
    return made;
  }

  /** The headers of the upgrade request of one session of `config`. */
  async function upgradeOf(
    made: SonioxClient,
    config: Partial<RealtimeStreamConfig> = {},
  ): Promise<IncomingHttpHeaders> {
    const stream = made.realtime({ ...PCM, acceptanceWindowMs: 0, ...config });
    stream.on('error', () => undefined);
    void stream.connect().catch(() => undefined);
    await until(() => upgrades.length > 0);
    stream.destroy();
    return upgrades[0]!;
  }

  it("sends the client's headers, the key's Authorization and the SDK's User-Agent", async () => {
    const headers = await upgradeOf(client({ headers: { 'X-Gateway-Token': 'gw-1' } }));
    expect(headers['x-gateway-token']).to.equal('gw-1');
    expect(headers.authorization).to.equal('Bearer sk-upgrade-key');
    expect(headers['user-agent']).to.equal(userAgent());
  });

  it("sends a stream's own headers over the client's", async () => {
    const headers = await upgradeOf(
      client({ headers: { 'X-Gateway-Token': 'gw-1', 'X-Team': 'a' } }),
      { headers: { 'X-Gateway-Token': 'gw-2', 'X-Call': 'c-9' } },
    );
    expect(headers['x-gateway-token']).to.equal('gw-2');
    expect(headers['x-team']).to.equal('a');
    expect(headers['x-call']).to.equal('c-9');
    expect(headers.authorization).to.equal('Bearer sk-upgrade-key');
  });

  it("lets the caller's User-Agent win, as on REST", async () => {
    const headers = await upgradeOf(client({ headers: { 'User-Agent': 'my-app/1.0' } }));
    expect(headers['user-agent']).to.equal('my-app/1.0');
  });

  it('sends the headers but no Authorization when the key travels in the start message', async () => {
    const headers = await upgradeOf(client({ headers: { 'X-Gateway-Token': 'gw-1' } }), {
      auth: 'message',
    });
    expect(headers['x-gateway-token']).to.equal('gw-1');
    expect(headers).not.to.have.property('authorization');
  });

  it("refuses a stream's Authorization (the key's header is the SDK's), naming the header only", async () => {
    const stream = client().realtime({
      ...PCM,
      headers: { Authorization: 'Bearer other-secret', 'Bad Name': 'x' },
    });
    stream.on('error', () => undefined);
    const error = await rejection(stream.connect());
    expect(error).to.be.instanceOf(SonioxValidationError);
    expect((error as SonioxValidationError).issues.map((i) => i.field)).to.deep.equal([
      'headers.Authorization',
      'headers.Bad Name',
    ]);
    expect(error.message).not.to.include('other-secret');
    expect(upgrades).to.deep.equal([]);
  });

  it("puts the client's headers and User-Agent on pre-connected sockets too", async () => {
    const made = client({ headers: { 'X-Gateway-Token': 'gw-1' } });
    const pool = made.preconnect({ size: 1 });
    await pool.ready();
    expect(upgrades).to.have.length(1);
    expect(upgrades[0]!['x-gateway-token']).to.equal('gw-1');
    expect(upgrades[0]!['user-agent']).to.equal(userAgent());
    expect(upgrades[0]!.authorization).to.equal('Bearer sk-upgrade-key');
  });
});
