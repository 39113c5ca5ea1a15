/**
 * The realtime upgrade as clients other than ours send it (docs/api.md §8.1): a browser's
 * subprotocol list (`soniox-api-key, <key>`, a space after the comma), a header key beside a
 * start message key, a request target that is no URL. Raw sockets where the ws client would
 * not send what a browser sends.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import net from 'node:net';
import WebSocket from 'ws';
import type { MockServer } from '../../lib/mock';
import { PCM } from '../audio';
import { fixture, until } from '../helpers';

const START = { model: 'stt-rt-v5', ...PCM };

/** A client text frame (masked with a zero mask, so the payload goes as it is). */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error('textFrame: short frames only');
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}

/** The texts of the unmasked server frames in `data` (short text frames only). */
function serverTexts(data: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at + 2 <= data.length;) {
    const opcode = (data[at] as number) & 0x0f;
    let length = (data[at + 1] as number) & 0x7f;
    let head = 2;
    if (length === 126) {
      length = data.readUInt16BE(at + 2);
      head = 4;
    }
    if (opcode === 1) out.push(data.toString('utf8', at + head, at + head + length));
    at += head + length;
  }
  return out;
}

/** Sends a raw upgrade request; resolves with the socket and everything it receives. */
async function rawUpgrade(
  server: MockServer,
  target: string,
  headers: Record<string, string>,
): Promise<{ socket: net.Socket; received: () => Buffer }> {
  const { port } = new URL(server.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('error', () => undefined);
  const lines = [
    `GET ${target} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  return { socket, received: () => Buffer.concat(chunks) };
}

describe('mock/ws: the upgrade as other clients send it', () => {
  const t = fixture({ mock: { realtimePacing: false } });

  it("authenticates a browser's subprotocol list with a space after the comma", async () => {
    const { socket, received } = await rawUpgrade(t.server, '/transcribe-websocket', {
      'Sec-WebSocket-Protocol': `soniox-api-key, ${t.server.apiKey}`,
    });
    t.defer(() => socket.destroy());
    await until(() => received().includes('\r\n\r\n'));
    const head = received().toString('latin1').split('\r\n\r\n')[0] as string;
    expect(head).to.match(/^HTTP\/1\.1 101/);
    expect(head.toLowerCase()).to.include('sec-websocket-protocol: soniox-api-key');
    socket.write(textFrame(JSON.stringify(START)));
    socket.write(textFrame(''));
    await until(() => serverTexts(received().subarray(head.length + 4)).length >= 1);
    const frames = serverTexts(received().subarray(head.length + 4)).map(
      (x) => JSON.parse(x) as Record<string, unknown>,
    );
    expect(frames.some((f) => f.error_code !== undefined)).to.equal(false);
    await until(() =>
      serverTexts(received().subarray(head.length + 4)).some((x) => x.includes('"finished"')),
    );
  });

  it('negotiates no compression: an offer of permessage-deflate gets plain frames', async () => {
    // The docs document no WebSocket extension; a mock that compressed would pass clients on
    // frames the service is not documented to send.
    const { socket, received } = await rawUpgrade(t.server, '/transcribe-websocket', {
      Authorization: `Bearer ${t.server.apiKey}`,
      'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits',
    });
    t.defer(() => socket.destroy());
    await until(() => received().includes('\r\n\r\n'));
    const head = received().toString('latin1').split('\r\n\r\n')[0] as string;
    expect(head).to.match(/^HTTP\/1\.1 101/);
    expect(head.toLowerCase()).not.to.include('sec-websocket-extensions');
    socket.write(textFrame(JSON.stringify(START)));
    socket.write(textFrame(''));
    await until(() =>
      serverTexts(received().subarray(head.length + 4)).some((x) => x.includes('"finished"')),
    );
  });

  it('a subprotocol list not led by soniox-api-key carries no key: the start message decides', async () => {
    const ws = new WebSocket(t.server.realtimeURL, [t.server.apiKey, 'soniox-api-key']);
    t.defer(() => ws.terminate());
    const messages: Array<Record<string, unknown>> = [];
    ws.on('message', (d: Buffer) =>
      messages.push(JSON.parse(d.toString()) as Record<string, unknown>),
    );
    await once(ws, 'open');
    expect(ws.protocol).to.equal('soniox-api-key');
    ws.send(JSON.stringify({ ...START, api_key: t.server.apiKey }));
    ws.send('');
    await until(() => messages.some((m) => m.finished === true || m.error_code !== undefined));
    expect(messages.filter((m) => m.error_code !== undefined)).to.deep.equal([]);
  });

  it('refuses a request target that is no URL with 400', async () => {
    const { socket, received } = await rawUpgrade(t.server, '//[', {});
    t.defer(() => socket.destroy());
    await until(() => received().length > 0);
    expect(received().toString('latin1')).to.match(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  it('refuses an upgrade on another path with 404 Not Found', async () => {
    const { socket, received } = await rawUpgrade(t.server, '/transcribe', {
      Authorization: `Bearer ${t.server.apiKey}`,
    });
    t.defer(() => socket.destroy());
    await until(() => received().length > 0);
    expect(received().toString('latin1')).to.match(/^HTTP\/1\.1 404 Not Found\r\n/);
  });

  it('the header key binds the connection: a wrong key in the start message does not matter', async () => {
    const ws = new WebSocket(t.server.realtimeURL, {
      headers: { Authorization: `bearer   ${t.server.apiKey}` },
    });
    t.defer(() => ws.terminate());
    const messages: Array<Record<string, unknown>> = [];
    ws.on('message', (d: Buffer) =>
      messages.push(JSON.parse(d.toString()) as Record<string, unknown>),
    );
    await once(ws, 'open');
    ws.send(JSON.stringify({ ...START, api_key: 'wrong' }));
    ws.send('');
    await until(() => messages.some((m) => m.finished === true || m.error_code !== undefined));
    expect(messages.filter((m) => m.error_code !== undefined)).to.deep.equal([]);
  });

  it('another scheme is no key, even one ending in "Bearer": the session is refused with 401', async () => {
    const ws = new WebSocket(t.server.realtimeURL, {
      headers: { Authorization: `NotBearer ${t.server.apiKey}` },
    });
    t.defer(() => ws.terminate());
    const messages: Array<Record<string, unknown>> = [];
    ws.on('message', (d: Buffer) =>
      messages.push(JSON.parse(d.toString()) as Record<string, unknown>),
    );
    await once(ws, 'open');
    ws.send(JSON.stringify(START));
    await until(() => messages.length > 0);
    expect(messages[0]).to.include({ error_code: 401 });
  });

  it('closing the mock ends its open sessions', async () => {
    const server = await t.serverWith({ realtimePacing: false });
    const ws = new WebSocket(server.realtimeURL, {
      headers: { Authorization: `Bearer ${server.apiKey}` },
    });
    t.defer(() => ws.terminate());
    await once(ws, 'open');
    ws.send(JSON.stringify(START));
    const closed = once(ws, 'close');
    await server.close();
    const [code] = (await closed) as [number];
    expect(code).to.equal(1006);
  });
});
