/**
 * Record once, replay forever: a client records its exchanges against the mock, a mock started
 * with `replay` answers the same calls from the cassette, and the SDK sees identical results.
 * A request with no recording is refused with a message naming it.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { SonioxAPIError, SonioxWebSocketError } from '../../lib/errors';
import type { RealtimeStream, RealtimeStreamConfig } from '../../lib/realtime/stream';
import type { RealtimeToken } from '../../lib/types';
import { CASSETTE_FORMAT, type Cassette, type CassetteJson } from '../../lib/cassette';
import { startMockServer } from '../../lib/mock';
import { PCM, chunked, fixture as audioFixture } from '../audio';
import { SECRET_KEY, clientFor, drive, fixture, rejection, settle, until } from '../helpers';

const AUDIO = path.join(__dirname, '..', '..', 'fixtures', 'audio', 'conversation-two.wav');

/** Runs a realtime session on `stream` with `pcm`: its tokens and endpoint count. */
async function session(
  stream: RealtimeStream,
  pcm: Buffer,
): Promise<{ tokens: RealtimeToken[]; endpoints: number }> {
  let endpoints = 0;
  stream.on('endpoint', () => endpoints++);
  chunked(pcm).pipe(stream);
  const tokens: RealtimeToken[] = [];
  for await (const token of stream) tokens.push(token);
  return { tokens, endpoints };
}

describe('mock: replay of recorded cassettes', () => {
  const t = fixture({ mock: { realtimePacing: false } });
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-replay-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A mock replaying `dir`, closed after the spec. */
  async function replaying(pace?: 'recorded' | 'instant') {
    const server = await startMockServer({
      apiKey: SECRET_KEY,
      replay: pace ? { dir, pace } : dir,
    });
    t.defer(() => server.close());
    return server;
  }

  it('answers the REST flow (upload, transcribe, transcript, cleanup) as recorded', async () => {
    const options = {
      enable_speaker_diarization: true,
      enable_language_identification: true,
      pollIntervalMs: 5,
      awaitCleanup: true,
    };
    const created: string[] = [];
    const onCreated = (job: { id: string }) => void created.push(job.id);
    const live = await t.clientWith({ record: dir }).transcribe(AUDIO, { ...options, onCreated });
    expect(live.tokens.length).to.be.greaterThan(0);

    const server = await replaying();
    const replayed = await clientFor(server).transcribe(AUDIO, { ...options, onCreated });
    expect(replayed).to.deep.equal(live);
    // The recorded job, not a new one: a server simulating anew would mint another id.
    expect(created[1]).to.equal(created[0]);
    expect(server.replay?.misses).to.deep.equal([]);
  });

  it('answers a realtime session with endpoints as recorded, at once', async () => {
    const audio = audioFixture('two-phrases.wav');
    const config: RealtimeStreamConfig = {
      ...PCM,
      enable_endpoint_detection: true,
      max_endpoint_delay_ms: 500,
    };
    const live = await session(t.clientWith({ record: dir }).realtime(config), audio.pcm);
    expect(live.endpoints).to.be.greaterThan(0);
    await until(() => fs.readdirSync(dir).length > 0 && readCassette(dir).sessions.length === 1);

    const server = await replaying('instant');
    const replayed = await session(clientFor(server).realtime(config), audio.pcm);
    expect(replayed).to.deep.equal(live);
    expect(server.replay?.misses).to.deep.equal([]);
  });

  it('refuses a REST request it has no recording of, naming it', async () => {
    await t.clientWith({ record: dir }).files.list();
    const server = await replaying();
    const error = await rejection(clientFor(server).files.get('file-nope'));
    expect(error).to.be.instanceOf(SonioxAPIError);
    expect((error as SonioxAPIError).status).to.equal(400);
    expect(error.message).to.include('no recording of GET /v1/files/file-nope');
    expect(error.message).to.include('recorded: GET /v1/files');
    expect(server.replay?.misses).to.deep.equal(['GET /v1/files/file-nope']);
  });

  it('refuses a realtime session whose config it has no recording of, naming the config', async () => {
    writeCassette(dir, { exchanges: [], sessions: [] });
    const server = await replaying();
    const stream = clientFor(server).realtime({ ...PCM, language_hints: ['fr'] });
    t.defer(() => stream.destroy());
    const error = await rejection(stream.connect());
    expect(error).to.be.instanceOf(SonioxWebSocketError);
    expect((error as SonioxWebSocketError).serverCode).to.equal(400);
    expect(error.message).to.include('no recorded realtime session with the config');
    expect(error.message).to.include('"language_hints":["fr"]');
    expect(server.replay?.misses).to.have.length(1);
  });

  it('checks the key as live, cuts a connection recorded with no answer, refuses a bad start', async () => {
    writeCassette(dir, {
      exchanges: [
        { atMs: 0, request: { method: 'GET', path: '/v1/files/x' }, response: { error: 'reset' } },
      ],
      sessions: [],
    });
    const server = await replaying();
    const url = `${server.url}/v1/files/x`;
    const wrong = await fetch(url, { headers: { Authorization: 'Bearer sk-wrong' } });
    expect(wrong.status).to.equal(401);
    const cut = await rejection(fetch(url, { headers: { Authorization: `Bearer ${SECRET_KEY}` } }));
    expect(cut.message).to.equal('fetch failed');

    const frameOf = async (headers: Record<string, string>, first: string) => {
      const ws = new WebSocket(server.realtimeURL, { headers });
      t.defer(() => ws.terminate());
      await once(ws, 'open');
      ws.send(first);
      const [data] = (await once(ws, 'message')) as [Buffer];
      return JSON.parse(data.toString()) as { error_code: number; error_message: string };
    };
    expect(await frameOf({}, 'not json')).to.deep.equal({
      error_code: 400,
      error_message: 'Start request must be a JSON object.',
    });
    expect(await frameOf({ Authorization: 'Bearer sk-wrong' }, '{}')).to.include({
      error_code: 401,
    });
    // The replayed temporary key (redacted when recorded) is accepted: the config is the miss.
    expect(await frameOf({}, JSON.stringify({ api_key: '[redacted]' }))).to.include({
      error_code: 400,
    });
  });

  it('will not start on a file that is not a cassette, naming it', async () => {
    fs.writeFileSync(path.join(dir, 'broken.json'), '{"format":"other"}');
    const error = await rejection(startMockServer({ replay: dir }));
    expect(error.message).to.include('broken.json is not a cassette: format is "other"');
  });

  describe('realtime frames at their recorded pace (fake timers)', () => {
    // Timers and Date only: the sockets' I/O needs the real setImmediate.
    const f = fixture({
      clock: { toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] },
    });
    const token = (text: string, start: number) => ({
      text,
      start_ms: start,
      end_ms: start + 100,
      confidence: 0.9,
      is_final: true,
    });
    const frame = (atMs: number, json: CassetteJson, afterEndOfAudio = false) => ({
      atMs,
      afterAudioBytes: 3200,
      afterFinalizes: 0,
      afterEndOfAudio,
      json,
    });
    const result = (text: string, start: number) => ({
      tokens: [token(text, start)],
      final_audio_proc_ms: start + 100,
      total_audio_proc_ms: start + 100,
    });

    beforeEach(() =>
      writeCassette(dir, {
        exchanges: [],
        sessions: [
          {
            atMs: 0,
            path: '/transcribe-websocket',
            start: { ...PCM, model: 'stt-rt-v5' },
            audio: { bytes: 3200, sha256: '', chunks: 1 },
            controls: [],
            frames: [
              frame(100, result('one', 0)),
              frame(3000, result('two', 100)),
              frame(3100, { tokens: [], finished: true }, true),
            ],
          },
        ],
      }),
    );

    async function heard(pace: 'recorded' | 'instant') {
      const server = await startMockServer({ apiKey: SECRET_KEY, replay: { dir, pace } });
      f.defer(() => server.close());
      const stream = clientFor(server).realtime({ ...PCM });
      f.defer(() => stream.destroy());
      const words: string[] = [];
      stream.on('data', (tok: RealtimeToken) => words.push(tok.text));
      const startedAt = Date.now();
      // Before the audio the frames wait, whatever the time.
      await settle(f.clock, stream.connect());
      await drive(f.clock, 500);
      expect(words).to.deep.equal([]);
      stream.write(Buffer.alloc(3200));
      return { stream, words, elapsed: () => Date.now() - startedAt };
    }

    it('sends each frame no sooner than its recorded time after the start', async () => {
      const { words, elapsed } = await heard('recorded');
      await drive(f.clock, 1000, () => words.length > 0);
      expect(words).to.deep.equal(['one']);
      await drive(f.clock, 2800 - elapsed());
      expect(words, `at ${elapsed()} ms`).to.deep.equal(['one']);
      await drive(f.clock, 1000, () => words.length > 1);
      expect(words).to.deep.equal(['one', 'two']);
      expect(elapsed()).to.be.at.least(3000);
    });

    it('sends them at once with pace instant, the finished frame only after the end of audio', async () => {
      const { stream, words } = await heard('instant');
      let ended = false;
      stream.on('end', () => (ended = true));
      await drive(f.clock, 100, () => words.length > 1);
      expect(words).to.deep.equal(['one', 'two']);
      await drive(f.clock, 5000);
      expect(ended, 'ended before the end of audio').to.equal(false);
      stream.end();
      await drive(f.clock, 1000, () => ended);
      expect(ended).to.equal(true);
    });
  });
});

function readCassette(dir: string): Cassette {
  const [file] = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
  return JSON.parse(fs.readFileSync(path.join(dir, file!), 'utf8')) as Cassette;
}

function writeCassette(dir: string, content: Pick<Cassette, 'exchanges' | 'sessions'>): void {
  const cassette: Cassette = {
    format: CASSETTE_FORMAT,
    recordedAt: new Date(0).toISOString(),
    baseURL: 'http://127.0.0.1:1',
    realtimeURL: 'ws://127.0.0.1:1/transcribe-websocket',
    ...content,
  };
  fs.writeFileSync(path.join(dir, 'hand-made.json'), JSON.stringify(cassette));
}
