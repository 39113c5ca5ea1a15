import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import type { Cassette } from '../../lib/cassette';
import { SonioxClient } from '../../lib/client';
import type { ReconnectEvent } from '../../lib/realtime/events';
import type { RealtimeStream } from '../../lib/realtime/stream';
import { PCM, chunked, fixture } from '../audio';
import { SECRET_KEY, fixture as testFixture, until } from '../helpers';
import { onEndOfAudio, sendJson, tok } from './scripted-server';

function cassettes(dir: string): Cassette[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Cassette);
}

async function drain(stream: RealtimeStream): Promise<void> {
  for await (const _ of stream);
}

describe('realtime: recording sessions (record / SONIOX_RECORD)', () => {
  const t = testFixture({ mock: { realtimePacing: false } });
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-record-rt-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes the start message (key redacted), the audio digest and every frame with its time', async () => {
    const audio = fixture('two-phrases.wav');
    const client = t.clientWith({ record: dir });
    const stream = client.realtime({
      ...PCM,
      auth: 'message',
      enable_endpoint_detection: true,
      max_endpoint_delay_ms: 500,
    });
    chunked(audio.pcm).pipe(stream);
    await drain(stream);
    // Written at `finished`, and again with the close.
    expect(cassettes(dir)[0]?.sessions).to.have.length(1);
    await until(() => cassettes(dir)[0]?.sessions[0]?.close !== undefined);
    const text = fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]!), 'utf8');
    const [session] = cassettes(dir)[0]!.sessions;

    expect(text).not.to.include(SECRET_KEY);
    expect(session!.path).to.equal('/transcribe-websocket');
    expect(session!.start).to.deep.include({
      ...PCM,
      api_key: '[redacted]',
      enable_endpoint_detection: true,
    });
    expect(session!.audio).to.deep.include({
      bytes: audio.pcm.length,
      sha256: createHash('sha256').update(audio.pcm).digest('hex'),
    });
    expect(session!.audio.chunks).to.be.greaterThan(1);
    expect(session!.endOfAudioAtMs).to.be.a('number');
    const frames = session!.frames;
    expect(frames.length).to.be.greaterThan(1);
    const last = frames.at(-1)!;
    expect(last.json).to.deep.include({ finished: true });
    expect(last.afterEndOfAudio).to.equal(true);
    // Arrival times and the audio sent by then only grow.
    for (let i = 1; i < frames.length; i++) {
      expect(frames[i]!.atMs).to.be.at.least(frames[i - 1]!.atMs);
      expect(frames[i]!.afterAudioBytes).to.be.at.least(frames[i - 1]!.afterAudioBytes);
    }
    const texts = frames.flatMap((f) =>
      ((f.json as { tokens?: Array<{ text: string }> }).tokens ?? []).map((tok) => tok.text),
    );
    expect(texts).to.include('<end>');
    expect(session!.close?.code).to.be.a('number');
    // Audio is a digest: no sample of it is in the file.
    expect(text.length).to.be.below(audio.pcm.length);
  });

  it('records the controls: finalize and the frames that answered it', async () => {
    const audio = fixture('hello-world.wav');
    const client = t.clientWith({ record: dir });
    const stream = client.realtime({ ...PCM });
    const done = drain(stream);
    stream.write(audio.pcm.subarray(0, 32_000));
    stream.finalize();
    await new Promise<void>((resolve) => stream.once('finalized', () => resolve()));
    stream.end(audio.pcm.subarray(32_000));
    await done;
    await until(() => cassettes(dir)[0]?.sessions.length === 1);
    const [session] = cassettes(dir)[0]!.sessions;
    expect(session!.controls.map((c) => c.message)).to.deep.include({ type: 'finalize' });
    const fin = session!.frames.find((f) =>
      ((f.json as { tokens?: Array<{ text: string }> }).tokens ?? []).some(
        (tok) => tok.text === '<fin>',
      ),
    );
    expect(fin?.afterFinalizes).to.equal(1);
  });

  it('retries a 503 at the upgrade as an unrecorded stream does: the status reaches the stream', async () => {
    // The first upgrade is answered 503 (transient), the next one is accepted.
    let upgrades = 0;
    const wss = new WebSocketServer({ noServer: true });
    const server = http.createServer();
    server.on('upgrade', (req, socket: Socket, head) => {
      upgrades += 1;
      if (upgrades === 1)
        return socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
      wss.handleUpgrade(req, socket, head, (ws) =>
        onEndOfAudio(ws, () => sendJson(ws, { tokens: [tok('hello', 0)], finished: true })),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.defer(async () => {
      for (const ws of wss.clients) ws.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });
    const { port } = server.address() as AddressInfo;
    const client = new SonioxClient({
      apiKey: SECRET_KEY,
      realtimeURL: `ws://127.0.0.1:${port}/transcribe-websocket`,
      record: dir,
      env: {},
    });
    t.defer(() => client.close());
    const stream = client.realtime({ ...PCM, reconnect: { maxAttempts: 2, baseDelayMs: 0 } });
    t.defer(() => stream.destroy());
    const reconnects: ReconnectEvent[] = [];
    stream.on('reconnect', (e: ReconnectEvent) => reconnects.push(e));
    stream.end(Buffer.alloc(3200));
    const texts: string[] = [];
    for await (const token of stream) texts.push((token as { text: string }).text);
    expect(texts).to.deep.equal(['hello']);
    expect(upgrades).to.equal(2);
    expect(reconnects.map((e) => [e.error.serverCode, e.error.retryable])).to.deep.equal([
      [503, true],
    ]);
  });
});
