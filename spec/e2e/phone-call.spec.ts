/**
 * e2e: examples/phone-call.ts, the media-stream server, run as a process against the mock, with
 * a scripted Twilio-shaped client on loopback: connected, start (both tracks, mu-law 8 kHz),
 * 20 ms media frames of each track, stop. Each track must come back as its own session's words,
 * labelled, and the mock must have been sent mu-law 8 kHz as is.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { WebSocket } from 'ws';
import { startMockServer, type MockServer } from '../../lib/mock';
import { fixture } from '../audio';

const ROOT = path.join(__dirname, '..', '..');

/** G.711 mu-law of one 16-bit sample. */
function mulaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(sample), 32635) + 0x84;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = ~(sign | (exponent << 4) | mantissa) & 0xff;
  return magnitude;
}

/** 16 kHz s16le PCM as 8 kHz mu-law (every other sample: enough for a phone line's test). */
function toPhone(pcm: Buffer): Buffer {
  const out = Buffer.alloc(Math.floor(pcm.length / 4));
  for (let i = 0; i < out.length; i++) out[i] = mulaw(pcm.readInt16LE(i * 4));
  return out;
}

describe('e2e: examples/phone-call.ts against a scripted media-stream client', function () {
  this.timeout(60_000);
  let server: MockServer;
  let child: ChildProcess | undefined;
  beforeEach(async () => {
    server = await startMockServer({ realtimePacing: false });
  });
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await server.close();
  });

  it('transcribes each track of a call in its own mu-law session, labelled, and ends on stop', async () => {
    child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', 'examples/phone-call.ts', '--calls', '1'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          SONIOX_API_KEY: server.apiKey,
          SONIOX_API_BASE_URL: server.url,
          SONIOX_REALTIME_URL: server.realtimeURL,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child?.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (ws:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child?.once('exit', () => reject(new Error(`exited before listening: ${err}`)));
    });
    const exited = once(child, 'exit');

    const ws = new WebSocket(url);
    await once(ws, 'open');
    const send = (message: object) => ws.send(JSON.stringify(message));
    const streamSid = 'MZ00000000000000000000000000000001';
    send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    send({
      event: 'start',
      sequenceNumber: '1',
      streamSid,
      start: {
        streamSid,
        accountSid: 'AC1',
        callSid: 'CA42',
        tracks: ['inbound', 'outbound'],
        customParameters: {},
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    });
    const tracks = {
      inbound: toPhone(fixture('two-phrases.wav').pcm),
      outbound: toPhone(fixture('hello-world.wav').pcm),
    };
    let sequence = 2;
    const frames = Math.max(tracks.inbound.length, tracks.outbound.length) / 160;
    for (let frame = 0; frame < frames; frame++)
      for (const [track, audio] of Object.entries(tracks)) {
        const payload = audio.subarray(frame * 160, frame * 160 + 160);
        if (payload.length === 0) continue;
        send({
          event: 'media',
          sequenceNumber: String(sequence++),
          streamSid,
          media: {
            track,
            chunk: String(frame + 1),
            timestamp: String(frame * 20),
            payload: payload.toString('base64'),
          },
        });
      }
    send({ event: 'stop', sequenceNumber: String(sequence), streamSid, stop: { callSid: 'CA42' } });

    const [code] = (await exited) as [number | null];
    ws.terminate();
    expect(code, err).to.equal(0);
    const lines = out.trim().split('\n');
    expect(
      lines.some((l) => /^\[inbound\] \S/.test(l)),
      out,
    ).to.equal(true);
    expect(
      lines.some((l) => /^\[outbound\] \S/.test(l)),
      out,
    ).to.equal(true);
    expect(lines.at(-1)).to.match(/^call CA42 ended: inbound: "[^"]+" \| outbound: "[^"]+"$/);
    // Two sessions, each sent mu-law 8 kHz mono, as the call's start said.
    const sessions = server.received.sessions;
    expect(sessions).to.have.length(2);
    for (const session of sessions) {
      expect(session.start).to.include({
        audio_format: 'mulaw',
        sample_rate: 8000,
        num_channels: 1,
      });
      expect(session.endOfAudio).to.equal(true);
    }
    expect(sessions.map((s) => s.audioBytes).sort((a, b) => a - b)).to.deep.equal(
      [tracks.inbound.length, tracks.outbound.length].sort((a, b) => a - b),
    );
  });
});
