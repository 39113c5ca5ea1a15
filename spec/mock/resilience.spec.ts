/**
 * The mock must survive whatever a client sends: no request, upload or realtime session can
 * throw out of a handler or a timer (that would kill `soniox mock` and every test using it),
 * nothing it starts is left pending, and close() leaves no timer and no webhook request behind.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import sinon from 'sinon';
import WebSocket from 'ws';
import type { MockServer } from '../../lib/mock';
import type { RealtimeMessage } from '../../lib/types';
import { fixture as specFixture, frameText, until } from '../helpers';

const KEY = 'mock-resilience-key';

/** One HTTP exchange on a raw socket (the request target is sent exactly as given). */
async function raw(server: MockServer, request: string): Promise<string> {
  const { port } = new URL(server.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  let answer = '';
  socket.on('data', (d) => (answer += d.toString('latin1')));
  socket.write(request);
  await Promise.race([once(socket, 'end'), once(socket, 'close')]);
  socket.destroy();
  return answer;
}

/** A JSON request through node:http (not fetch: undici's timers would run on the fake clock). */
function call(
  server: MockServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${server.url}${path}`,
      {
        method,
        agent: false,
        headers: {
          Authorization: `Bearer ${KEY}`,
          ...(text
            ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }
            : {}),
        },
      },
      (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: data ? (JSON.parse(data) as Record<string, unknown>) : {},
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

describe('mock: nothing a client sends can crash it or leave work behind', () => {
  // Before the fixture's hook, so that servers and sockets close on real time.
  let clock: sinon.SinonFakeTimers | undefined;
  afterEach(() => {
    clock?.restore();
    clock = undefined;
  });
  // Each spec starts the server it needs, with its clock installed first: fx.serverWith().
  // The 500 frame is read by its error_type: the rich error frames.
  const fx = specFixture({ mock: { apiKey: KEY, realtimeErrorShape: 'rich' } });

  /** An open realtime session on `server`, its start message sent; closed after the spec. */
  async function realtimeSession(on: MockServer, config: Record<string, unknown>) {
    const ws = new WebSocket(on.realtimeURL, { perMessageDeflate: false });
    fx.defer(() => ws.terminate());
    const messages: RealtimeMessage[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(frameText(d)) as RealtimeMessage));
    ws.on('error', () => undefined);
    await once(ws, 'open');
    ws.send(JSON.stringify({ api_key: KEY, model: 'stt-rt-v5', ...config }));
    return { ws, messages };
  }

  it('fails a transcription whose audio_url cannot be parsed instead of throwing inside its timer', async () => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const server = await fx.serverWith({ apiKey: KEY, timing: { queuedMs: 10, processingMs: 10 } });
    const created = await call(server, 'POST', '/v1/transcriptions', {
      model: 'stt-async-v5',
      audio_url: 'https://[',
    });
    expect(created.status).to.equal(201);
    // The queued -> processing timer runs the analysis: today it throws `Invalid URL` out of the timer.
    await clock.tickAsync(50);
    const after = await call(server, 'GET', `/v1/transcriptions/${created.body.id as string}`);
    expect(after.body).to.include({ status: 'error', error_type: 'audio_download_error' });
    expect((await call(server, 'GET', '/v1/models')).status).to.equal(200);
  });

  it('answers request targets that are not URLs or hold bad percent-escapes with an error, not a crash', async () => {
    const server = await fx.serverWith({ apiKey: KEY });
    const auth = `Authorization: Bearer ${KEY}\r\nConnection: close\r\n\r\n`;
    expect(await raw(server, `GET //[ HTTP/1.1\r\nHost: x\r\n${auth}`)).to.match(
      /^HTTP\/1\.1 (400|404) /,
    );
    expect(await raw(server, `GET /v1/files/%E0%A4%A HTTP/1.1\r\nHost: x\r\n${auth}`)).to.match(
      /^HTTP\/1\.1 404 /,
    );
    const upgrade =
      'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n';
    expect(await raw(server, `GET //[ HTTP/1.1\r\nHost: x\r\n${upgrade}`)).to.match(
      /^HTTP\/1\.1 (400|404) /,
    );
    expect((await call(server, 'GET', '/v1/models')).status).to.equal(200);
  });

  it('settles an upload whose client went away mid-body', async () => {
    const server = await fx.serverWith({ apiKey: KEY });
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      'POST /v1/files HTTP/1.1\r\nHost: x\r\n' +
        `Authorization: Bearer ${KEY}\r\nContent-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n` +
        '--b\r\nContent-Disposition: form-data; name="file"; filename="a.raw"\r\n\r\n' +
        'x'.repeat(1000),
    );
    await until(() => server?.state.inFlight === 1);
    socket.destroy();
    // Today the parser is destroyed on 'aborted' without an error, and the handler waits for ever.
    await until(() => server?.state.inFlight === 0, 2000);
    expect(server.state.files.size).to.equal(0);
  });

  it('ends a realtime session whose WAV header claims an absurd byte rate instead of spinning on it', async () => {
    const server = await fx.serverWith({ apiKey: KEY, realtimePacing: false });
    const { ws, messages } = await realtimeSession(server, { audio_format: 'wav' });
    const header = Buffer.alloc(44);
    header.write('RIFF', 0, 'latin1');
    header.write('WAVE', 8, 'latin1');
    header.write('fmt ', 12, 'latin1');
    header.writeUInt32LE(16, 16);
    header.writeUInt16LE(1, 20);
    header.writeUInt16LE(1, 22);
    header.writeUInt32LE(16000, 24);
    header.writeUInt32LE(1, 28); // one byte a second: 64 KiB would be 18 hours of words
    header.writeUInt16LE(2, 32);
    header.writeUInt16LE(16, 34);
    header.write('data', 36, 'latin1');
    ws.send(Buffer.concat([header, Buffer.alloc(64 * 1024, 1)]));
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).to.equal(1000);
    expect(messages.at(-1)).to.include({ error_code: 400 });
    expect(messages.filter((m) => m.error_code === undefined)).to.have.length(0);
  });

  it('ends a realtime session with a 500 error frame when the recognizer throws, and keeps serving', async () => {
    // A fixtures folder whose manifest is not JSON: the recognizer throws once it looks audio up.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-fixtures-'));
    fx.defer(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.mkdirSync(path.join(dir, 'audio'));
    fs.writeFileSync(path.join(dir, 'audio', 'manifest.json'), 'not json');
    const server = await fx.serverWith({ apiKey: KEY, realtimePacing: false, fixturesDir: dir });
    const { ws, messages } = await realtimeSession(server, {
      audio_format: 'pcm_s16le',
      sample_rate: 16000,
      num_channels: 1,
    });
    const loud = Buffer.alloc(3200);
    for (let i = 0; i < loud.length; i += 2) loud.writeInt16LE(i % 4 === 0 ? 8000 : -8000, i);
    ws.send(loud);
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).to.equal(1011);
    expect(messages.at(-1)).to.include({ error_code: 500, error_type: 'internal_error' });
    expect((await call(server, 'GET', '/v1/models')).status).to.equal(200);
  });

  it('close() aborts a webhook delivery in flight and leaves no timer behind', async () => {
    clock = sinon.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
    });
    // A webhook receiver that takes the request and never answers.
    const held: net.Socket[] = [];
    const hook = net.createServer((socket) => {
      held.push(socket);
      socket.resume(); // read the request (so its end is seen), answer nothing
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    fx.defer(
      () =>
        new Promise<void>((resolve) => {
          for (const s of held) s.destroy();
          hook.close(() => resolve());
        }),
    );
    const server = await fx.serverWith({ apiKey: KEY, timing: { queuedMs: 5, processingMs: 5 } });
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    await call(server, 'POST', '/v1/transcriptions', {
      model: 'stt-async-v5',
      audio_url: 'https://example.com/a.mp3',
      webhook_url: url,
    });
    await clock.tickAsync(20);
    await until(() => held.length === 1);
    let hookSideClosed = false;
    held[0]!.on('close', () => (hookSideClosed = true));
    await server.close();
    // Today the request lives on until its 5 s socket timeout, then schedules a retry.
    await until(() => hookSideClosed, 1000);
    await clock.tickAsync(10_000);
    expect(held).to.have.length(1);
    expect(clock.countTimers()).to.equal(0);
  });
});
