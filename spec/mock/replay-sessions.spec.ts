/**
 * What a user replaying hand-made or recorded cassettes sees, over the wire (raw fetch and raw
 * WebSocket, no SDK in between): recordings under one key answered in order, frames that wait
 * for the finalize or the end of audio they followed, the close of a recorded error, the keys
 * a live session takes, and misses that say what the cassette holds.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import {
  CASSETTE_FORMAT,
  type Cassette,
  type CassetteJson,
  type RecordedExchange,
  type RecordedFrame,
  type RecordedSession,
} from '../../lib/cassette';
import { startMockServer, type MockServer } from '../../lib/mock';
import { PCM } from '../audio';
import { SECRET_KEY, fixture, until } from '../helpers';

const START = { ...PCM, model: 'stt-rt-v5' };

const frame = (json: CassetteJson, after: Partial<RecordedFrame> = {}): RecordedFrame => ({
  atMs: 0,
  afterAudioBytes: 0,
  afterFinalizes: 0,
  afterEndOfAudio: false,
  json,
  ...after,
});

const words = (text: string): CassetteJson => ({
  tokens: [{ text, is_final: true }],
  final_audio_proc_ms: 0,
  total_audio_proc_ms: 0,
});

const recorded = (frames: RecordedFrame[], start: Record<string, CassetteJson> = START) =>
  ({
    atMs: 0,
    path: '/transcribe-websocket',
    start,
    audio: { bytes: 0, sha256: '', chunks: 0 },
    controls: [],
    frames,
  }) satisfies RecordedSession;

const exchange = (path: string, body: CassetteJson): RecordedExchange => ({
  atMs: 0,
  request: { method: 'GET', path },
  response: { status: 200, body },
});

/** A replayed realtime session over a raw socket: its frames and how it closed. */
interface Replayed {
  ws: WebSocket;
  frames: Array<Record<string, unknown>>;
  closed: () => Promise<number>;
}

describe('mock: replayed sessions and exchanges, as a user sees them', () => {
  const t = fixture();
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-replay-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function cassette(content: Pick<Cassette, 'exchanges' | 'sessions'>): void {
    const whole: Cassette = {
      format: CASSETTE_FORMAT,
      recordedAt: new Date(0).toISOString(),
      baseURL: 'http://127.0.0.1:1',
      realtimeURL: 'ws://127.0.0.1:1/transcribe-websocket',
      ...content,
    };
    fs.writeFileSync(path.join(dir, 'hand-made.json'), JSON.stringify(whole));
  }

  async function replaying(onMiss?: (miss: string) => void): Promise<MockServer> {
    const server = await startMockServer({
      apiKey: SECRET_KEY,
      replay: { dir, pace: 'instant', onMiss },
    });
    t.defer(() => server.close());
    return server;
  }

  async function open(
    server: MockServer,
    start: object = START,
    auth: 'header' | 'subprotocol' | 'none' = 'header',
  ): Promise<Replayed> {
    const ws = new WebSocket(
      server.realtimeURL,
      auth === 'subprotocol' ? ['soniox-api-key', server.apiKey] : [],
      {
        headers: auth === 'header' ? { Authorization: `Bearer ${server.apiKey}` } : {},
        perMessageDeflate: false,
      },
    );
    t.defer(() => ws.terminate());
    const frames: Array<Record<string, unknown>> = [];
    let code: number | undefined;
    ws.on('message', (d: Buffer) =>
      frames.push(JSON.parse(d.toString()) as Record<string, unknown>),
    );
    ws.on('close', (c) => (code = c));
    ws.on('error', () => undefined);
    await once(ws, 'open');
    ws.send(JSON.stringify(start));
    return { ws, frames, closed: () => until(() => code !== undefined).then(() => code as number) };
  }

  const texts = (r: Replayed) =>
    r.frames.map((f) => (f.tokens as Array<{ text: string }>).map((x) => x.text).join(''));

  it('answers two recordings of one config in the order recorded, then the last one again', async () => {
    cassette({
      exchanges: [],
      sessions: ['first', 'second'].map((w) =>
        recorded([
          frame(words(w)),
          frame({ tokens: [], finished: true }, { afterEndOfAudio: true }),
        ]),
      ),
    });
    const server = await replaying();
    for (const expected of ['first', 'second', 'second']) {
      const s = await open(server);
      s.ws.send('');
      expect(await s.closed()).to.equal(1000);
      expect(texts(s)).to.deep.equal([expected, '']);
    }
  });

  it('holds a frame recorded after a finalize until the client finalizes, and one after audio until that much audio', async () => {
    cassette({
      exchanges: [],
      sessions: [
        recorded([
          frame(words('heard'), { afterAudioBytes: 3200 }),
          frame(words('<fin>'), { afterAudioBytes: 3200, afterFinalizes: 1 }),
          frame({ tokens: [], finished: true }, { afterAudioBytes: 3200, afterEndOfAudio: true }),
        ]),
      ],
    });
    const server = await replaying();
    const s = await open(server);
    s.ws.send(Buffer.alloc(3199));
    s.ws.send(JSON.stringify({ type: 'keepalive' }));
    // Let the mock read both: a keepalive is no finalize, 3199 bytes are not 3200.
    s.ws.send(JSON.stringify({ type: 'keepalive' }));
    await new Promise((r) => setTimeout(r, 50));
    expect(texts(s)).to.deep.equal([]);
    s.ws.send(Buffer.alloc(1));
    await until(() => s.frames.length === 1);
    s.ws.send('');
    await new Promise((r) => setTimeout(r, 50));
    // The end of audio came, but the finalize the next frame followed has not.
    expect(texts(s)).to.deep.equal(['heard']);
    s.ws.send(JSON.stringify({ type: 'finalize' }));
    expect(await s.closed()).to.equal(1000);
    expect(texts(s)).to.deep.equal(['heard', '<fin>', '']);
  });

  for (const [code, close] of [
    [503, 1011],
    [500, 1011],
    [400, 1000],
  ] as const) {
    it(`ends a session recorded with a ${code} error frame as the service did: close ${close}`, async () => {
      const error = { error_code: code, error_message: 'recorded failure' };
      cassette({ exchanges: [], sessions: [recorded([frame(words('before')), frame(error)])] });
      const server = await replaying();
      const s = await open(server);
      expect(await s.closed()).to.equal(close);
      expect(s.frames.at(-1)).to.deep.equal(error);
    });
  }

  it("counts a finalize written with spaces, as Python's json.dumps and others write it", async () => {
    cassette({
      exchanges: [],
      sessions: [
        recorded([
          frame(words('<fin>'), { afterFinalizes: 1 }),
          frame(words('<fin>'), { afterFinalizes: 2 }),
          frame({ tokens: [], finished: true }, { afterFinalizes: 2, afterEndOfAudio: true }),
        ]),
      ],
    });
    const server = await replaying();
    const s = await open(server);
    s.ws.send('{"type": "finalize"}');
    s.ws.send('{ "type" : "finalize" }');
    s.ws.send('');
    expect(await s.closed()).to.equal(1000);
    expect(texts(s)).to.deep.equal(['<fin>', '<fin>', '']);
  });

  it('refuses a start message that is JSON null with 400', async () => {
    cassette({ exchanges: [], sessions: [recorded([frame(words('ok'))])] });
    const server = await replaying();
    const s = await open(server, null as unknown as object);
    expect(await s.closed()).to.equal(1000);
    expect(s.frames).to.deep.equal([
      { error_code: 400, error_message: 'Start request must be a JSON object.' },
    ]);
  });

  it('keeps the socket open after a last frame that is neither finished nor an error', async () => {
    cassette({ exchanges: [], sessions: [recorded([frame(words('cut short'))])] });
    const server = await replaying();
    const s = await open(server);
    await until(() => s.frames.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.ws.readyState).to.equal(WebSocket.OPEN);
  });

  it('takes the key by subprotocol as a live session does, and refuses a wrong one with 401', async () => {
    cassette({ exchanges: [], sessions: [recorded([frame(words('ok'))])] });
    const server = await replaying();
    const s = await open(server, START, 'subprotocol');
    await until(() => s.frames.length === 1);
    expect(s.ws.protocol).to.equal('soniox-api-key');
    expect(texts(s)).to.deep.equal(['ok']);
    const wrong = await open(server, { ...START, api_key: 'sk-wrong' }, 'none');
    expect(await wrong.closed()).to.equal(1000);
    expect(wrong.frames).to.deep.equal([{ error_code: 401, error_message: 'Invalid API key.' }]);
    // A binary first frame is no start message.
    const raw = new WebSocket(server.realtimeURL, {
      headers: { Authorization: `Bearer ${server.apiKey}` },
    });
    t.defer(() => raw.terminate());
    await once(raw, 'open');
    raw.send(Buffer.from('{}'));
    const [data] = (await once(raw, 'message')) as [Buffer];
    expect(JSON.parse(data.toString())).to.deep.equal({
      error_code: 400,
      error_message: 'Start request must be a JSON object.',
    });
  });

  it('refuses an upgrade on another path with 404', async () => {
    cassette({ exchanges: [], sessions: [] });
    const server = await replaying();
    const ws = new WebSocket(server.realtimeURL.replace('/transcribe-websocket', '/other'));
    const [error] = (await once(ws, 'error')) as [Error];
    expect(error.message).to.include('404');
  });

  it('answers two recordings of one request in order, then the last again', async () => {
    cassette({
      exchanges: [exchange('/v1/files', { n: 1 }), exchange('/v1/files', { n: 2 })],
      sessions: [],
    });
    const server = await replaying();
    const seen: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/v1/files`, {
        headers: { Authorization: `Bearer ${server.apiKey}` },
      });
      seen.push(await res.json());
    }
    expect(seen).to.deep.equal([{ n: 1 }, { n: 2 }, { n: 2 }]);
  });

  it('says what a cassette holds when a request or a session misses, and calls onMiss with it', async () => {
    const paths = Array.from({ length: 9 }, (_, i) => `/v1/files/f${i}`);
    cassette({ exchanges: paths.map((p) => exchange(p, {})), sessions: [] });
    const misses: string[] = [];
    const server = await replaying((m) => misses.push(m));
    const res = await fetch(`${server.url}/v1/models`, {
      headers: { Authorization: `Bearer ${server.apiKey}` },
    });
    const body = (await res.json()) as { message: string };
    const listed = paths.slice(0, 8).map((p) => `GET ${p}`);
    expect(body.message).to.equal(
      `replay: no recording of GET /v1/models in ${dir} (recorded: ${listed.join(', ')}, ...)`,
    );
    const s = await open(server);
    await s.closed();
    expect(s.frames[0]?.error_message).to.match(/\(it holds no realtime session\)$/);
    expect(misses).to.have.length(2);
    expect(misses[0]).to.equal(body.message.replace(/^replay: /, ''));
    expect(server.replay?.misses).to.have.length(2);
    expect(server.replay?.misses[0]).to.equal('GET /v1/models');
    expect(server.replay?.misses[1]).to.match(/^realtime session \{.*"model":"stt-rt-v5"/);
  });

  it('says so when a cassette holds no REST exchange', async () => {
    cassette({ exchanges: [], sessions: [recorded([frame(words('x'))])] });
    const server = await replaying();
    const res = await fetch(`${server.url}/v1/files`, {
      headers: { Authorization: `Bearer ${server.apiKey}` },
    });
    const body = (await res.json()) as { message: string };
    expect(body.message).to.match(/\(it holds no REST exchange\)$/);
    const s = await open(server, { ...START, language_hints: ['de'] });
    await s.closed();
    expect(s.frames[0]?.error_message).to.include(`(recorded: {"audio_format"`);
  });

  it('lists every recorded request when there are at most eight, without an ellipsis', async () => {
    const paths = Array.from({ length: 8 }, (_, i) => `/v1/files/f${i}`);
    cassette({ exchanges: paths.map((p) => exchange(p, {})), sessions: [] });
    const server = await replaying();
    const res = await fetch(`${server.url}/v1/models`, {
      headers: { Authorization: `Bearer ${server.apiKey}` },
    });
    const body = (await res.json()) as { message: string };
    expect(body.message).to.equal(
      `replay: no recording of GET /v1/models in ${dir} (recorded: ${paths.map((p) => `GET ${p}`).join(', ')})`,
    );
  });

  it('names the first three recorded session configs when a session misses', async () => {
    const hints = ['de', 'es', 'fr', 'it'];
    cassette({
      exchanges: [],
      sessions: hints.map((h) => recorded([frame(words(h))], { ...START, language_hints: [h] })),
    });
    const server = await replaying();
    const s = await open(server, { ...START, language_hints: ['pt'] });
    await s.closed();
    const message = s.frames[0]?.error_message as string;
    const listed = message.slice(message.indexOf('(recorded: ') + 11, -1);
    expect(listed.split('}, {')).to.have.length(3);
    for (const h of ['de', 'es', 'fr']) expect(listed).to.include(`"language_hints":["${h}"]`);
    expect(listed).to.not.include('"it"');
  });

  describe('a plain directory (no pace given)', () => {
    const c = fixture({
      clock: { toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] },
    });

    it('replays at the recorded pace: a frame recorded a minute in waits a minute', async () => {
      cassette({ exchanges: [], sessions: [recorded([frame(words('later'), { atMs: 60_000 })])] });
      const server = await startMockServer({ apiKey: SECRET_KEY, replay: dir });
      c.defer(() => server.close());
      const ws = new WebSocket(server.realtimeURL, {
        headers: { Authorization: `Bearer ${server.apiKey}` },
      });
      c.defer(() => ws.terminate());
      const frames: string[] = [];
      ws.on('message', (d: Buffer) => frames.push(d.toString()));
      await once(ws, 'open');
      ws.send(JSON.stringify(START));
      await until(() => ws.bufferedAmount === 0);
      for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
      c.clock.tick(59_000);
      for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
      expect(frames).to.deep.equal([]);
      c.clock.tick(1000);
      await until(() => frames.length === 1);
      expect(frames[0]).to.include('later');
    });
  });
});
