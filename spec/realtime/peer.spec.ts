import { expect } from 'chai';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import { WebSocketServer, type WebSocket } from 'ws';
import { SonioxTimeoutError, SonioxWebSocketError } from '../../lib/errors';
import { SECRET_KEY, fixture, until } from '../helpers';

/**
 * Behaviours the mock cannot show: a tiny ws peer in the spec records what the client sends
 * and can stay silent (no pongs, no `finished`).
 */
describe('realtime/stream (against a scripted peer)', () => {
  const t = fixture();
  let wss: WebSocketServer;
  let url: string;
  let frames: Array<{ text?: string; bytes?: number }>;
  let upgradeHeaders: Record<string, string | string[] | undefined>;
  let peer: WebSocket | undefined;

  async function start(
    options: { autoPong?: boolean; onText?: (ws: WebSocket, text: string) => void } = {},
  ): Promise<void> {
    frames = [];
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong: options.autoPong ?? true });
    wss.on('connection', (ws, req) => {
      peer = ws;
      upgradeHeaders = req.headers;
      ws.on('message', (data: Buffer, isBinary) => {
        if (isBinary) frames.push({ bytes: data.length });
        else {
          frames.push({ text: data.toString() });
          options.onText?.(ws, data.toString());
        }
      });
    });
    const server = wss;
    t.defer(async () => {
      for (const c of server.clients) c.terminate();
      await new Promise((resolve) => server.close(resolve));
    });
    await once(wss, 'listening');
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/transcribe-websocket`;
  }
  const clientFor = () => t.clientWith({ realtimeURL: url });

  it('sends the key in the Authorization header, and the config with SDK options stripped and unknown fields kept', async () => {
    await start();
    const stream = clientFor().realtime({
      audio_format: 'pcm_s16le',
      sample_rate: 16000,
      num_channels: 1,
      extra: { brand_new_field: { a: 1 } },
      tokens: 'final',
      keepaliveIntervalMs: 5000,
    });
    await stream.connect();
    await until(() => frames.length === 1);
    const start0 = JSON.parse(frames[0]!.text!);
    expect(start0).to.deep.equal({
      audio_format: 'pcm_s16le',
      sample_rate: 16000,
      num_channels: 1,
      brand_new_field: { a: 1 },
      model: 'stt-rt-v5',
    });
    expect(upgradeHeaders.authorization).to.equal(`Bearer ${SECRET_KEY}`);
    expect(upgradeHeaders['sec-websocket-extensions']).to.equal(undefined);
    stream.destroy();
  });

  it('sends audio as binary frames and an empty text frame on end()', async () => {
    await start();
    const stream = clientFor().realtime({
      audio_format: 'pcm_s16le',
      sample_rate: 16000,
      num_channels: 1,
      finishTimeoutMs: 50,
    });
    stream.on('error', () => undefined);
    stream.write(Buffer.alloc(1000));
    stream.end(Buffer.alloc(500));
    await until(() => frames.length === 4);
    expect(frames.slice(1)).to.deep.equal([{ bytes: 1000 }, { bytes: 500 }, { text: '' }]);
    stream.destroy();
  });

  it("fails with a timeout error when 'finished' never comes after end()", async () => {
    await start();
    const stream = clientFor().realtime({ audio_format: 'auto', finishTimeoutMs: 80 });
    stream.resume();
    stream.end(Buffer.alloc(100));
    const [error] = (await once(stream, 'error').catch((e: unknown) => [e])) as [
      SonioxTimeoutError,
    ];
    expect(error).to.be.instanceOf(SonioxTimeoutError);
    expect(error.message).to.match(/no 'finished'/);
  });

  it('detects a silent dead peer with the ping heartbeat', async () => {
    await start({ autoPong: false });
    const stream = clientFor().realtime({
      audio_format: 'auto',
      heartbeatIntervalMs: 40,
      acceptanceWindowMs: 0,
    });
    await stream.connect();
    const started = Date.now();
    const [error] = (await once(stream, 'error').catch((e: unknown) => [e])) as [
      SonioxWebSocketError,
    ];
    expect(error).to.be.instanceOf(SonioxWebSocketError);
    expect(error.message).to.match(/no pong/);
    expect(Date.now() - started).to.be.below(1000);
  });

  it('keeps a live peer: pongs answer the pings', async () => {
    await start({ autoPong: true });
    const stream = clientFor().realtime({ audio_format: 'auto', heartbeatIntervalMs: 100 });
    let failed = false;
    stream.on('error', () => (failed = true));
    await stream.connect();
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(failed).to.equal(false);
    stream.destroy();
  });

  it('sends keepalives only while no audio flows (fake timers)', async () => {
    await start();
    const clock = sinon.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    t.defer(() => clock.restore());
    const stream = clientFor().realtime({
      audio_format: 'auto',
      keepaliveIntervalMs: 1000,
      heartbeatIntervalMs: 1e9,
    });
    await stream.connect();
    const keepalives = () => frames.filter((f) => f.text === '{"type":"keepalive"}').length;
    await clock.tickAsync(1000);
    await until(() => keepalives() === 1);
    await clock.tickAsync(2000);
    await until(() => keepalives() === 3);
    // Audio resets the clock: no keepalive in the next interval.
    stream.write(Buffer.alloc(10));
    await until(() => frames.some((f) => f.bytes === 10));
    await clock.tickAsync(999);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(keepalives()).to.equal(3);
    stream.destroy();
  });

  it('destroy() closes the socket and clears every timer', async () => {
    await start();
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const baseline = timers();
    const stream = clientFor().realtime({
      audio_format: 'auto',
      keepaliveIntervalMs: 1000,
      heartbeatIntervalMs: 1000,
      finishTimeoutMs: 1000,
    });
    await stream.connect();
    expect(timers()).to.be.greaterThan(baseline);
    stream.destroy();
    await once(stream, 'close');
    expect(timers()).to.equal(baseline);
    await until(() => peer?.readyState === peer?.CLOSED);
  });
});
