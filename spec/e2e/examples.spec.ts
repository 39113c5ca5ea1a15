import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startMockServer, type MockServer } from '../../lib/mock';

const ROOT = path.join(__dirname, '..', '..');

function run(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', script, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, ms: Date.now() - started });
    });
  });
}

describe('e2e: the README examples run against the mock server', function () {
  this.timeout(60_000);
  let server: MockServer;
  let env: Record<string, string>;
  beforeEach(async () => {
    server = await startMockServer({
      timing: { queuedMs: 5, processingMs: 5 },
      realtimePacing: false,
    });
    env = {
      SONIOX_API_KEY: server.apiKey,
      SONIOX_API_BASE_URL: server.url,
      SONIOX_REALTIME_URL: server.realtimeURL,
    };
  });
  afterEach(() => server.close());

  it('quick start: transcribes a file from the environment', async () => {
    const { code, out, err } = await run('examples/quickstart.ts', env);
    expect(code, err).to.equal(0);
    expect(out.trim()).to.equal('hello world this is a test');
    expect(err).to.match(/uploaded \d+\/\d+/);
  });

  it('realtime: pipe line, for await with endpoints, finalize, and a reconnect that loses nothing', async () => {
    // Sessions 1-3 (pipe, for await, finalize) run clean; session 4 drops once mid-stream.
    server.setFaults({ ws: [{ times: 3 }, { abruptClose: true, afterAudioMs: 2500, times: 1 }] });
    const { code, out, err } = await run('examples/realtime.ts', env);
    expect(code, err).to.equal(0);
    expect(out).to.include('pipe: good morning how are you');
    expect(out).to.include('for await: good morning how are you (2 endpoints');
    expect(out).to.include('finalize: good morning');
    expect(out).to.include('reconnect: good morning how are you');
    expect(err).to.match(/reconnecting \(1\)/);
  });

  it('translation: translate() one-way and two-way, realtime translate, keepAlive() and coalesced finalize()', async () => {
    const { code, out, err } = await run('examples/translate.ts', env);
    expect(code, err).to.equal(0);
    expect(out).to.include('one-way: hola mundo esto es una prueba');
    expect(out).to.include('two-way: bonjour le monde ceci est un test');
    expect(out).to.include('realtime: hola mundo esto es una prueba');
    const session = server.received.sessions.at(-1);
    expect(session?.start).to.deep.include({
      translation: { type: 'one_way', target_language: 'es' },
    });
    // The keepalive first; two finalize() calls in a row: the second held for the interval,
    // then sent, or dropped at the end-of-audio (which finalizes everything).
    expect(session?.controls[0]).to.deep.equal({ type: 'keepalive' });
    expect(session?.controls.filter((c) => c.type === 'finalize').length).to.be.within(1, 2);
  });

  it('account and results: the transcription, headers, logger, onResponse, webhook, sentences, usage, limits', async () => {
    // A mock with a session limit, behind a loopback proxy that records each request's headers.
    await server.close();
    server = await startMockServer({
      timing: { queuedMs: 5, processingMs: 5 },
      rateLimit: { realtimeConcurrentSessions: 4 },
    });
    const seen: http.IncomingHttpHeaders[] = [];
    const target = new URL(server.url);
    const proxy = http.createServer((req, res) => {
      seen.push(req.headers);
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const { code, out, err } = await run('examples/account-and-results.ts', {
        SONIOX_API_KEY: server.apiKey,
        SONIOX_API_BASE_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      });
      expect(code, err).to.equal(0);
      expect(out.trim().split('\n')).to.deep.equal([
        'status: completed',
        'audio: 8.48 s',
        'model: stt-async-v5',
        'reference: ours',
        'text: hi how are you doing i am fine thank you great to hear',
        'tokens: 13',
        'webhook: completed, order=42',
        'sentence [speaker 1, 0.33-1.48 s]: hi how are you doing',
        'sentence [speaker 2, 3.47-4.87 s]: i am fine thank you',
        'sentence [speaker 1, 6.86-7.79 s]: great to hear',
        'paragraphs: 3',
        // The mock sends no x-request-id on a success (the API documents none there either).
        'response: GET /v1/models 200, request id -',
        'models: listed',
        'usage: stt_async stt-async-v5 8.48 s, 0.000236 USD',
        'usage records of this run: 1',
        'summary: 1 request(s), 8.48 s, 0.000236 USD',
        'realtime sessions: 0 of 4',
        'history: stt, periods',
        'log: lines, prefixed, key never in them',
      ]);
      expect(err).to.match(/^soniox: POST \/v1\/transcriptions attempt 1$/m);
      expect(err).to.match(/^soniox: POST \/v1\/transcriptions answered 201 in \d+ ms$/m);
      expect(err).to.not.include(server.apiKey);
      // The client's headers went on every request, beside the SDK's own.
      expect(seen.length).to.be.at.least(8);
      for (const headers of seen) {
        expect(headers['x-team']).to.equal('reports');
        expect(headers['authorization']).to.equal(`Bearer ${server.apiKey}`);
        expect(headers['user-agent']).to.match(/^soniox-pro-sdk\/\S+ node\/\S+/);
      }
      const create = server.received.transcriptions.at(-1)?.request;
      expect(create?.webhook_url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/hook\?order=42$/);
      expect(create?.client_reference_id).to.match(/^example-/);
    } finally {
      proxy.close();
    }
  });

  it('many files: a folder through transcribeMany, and run again, every input skipped', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-many-'));
    try {
      const first = await run('examples/many-files.ts', env, ['fixtures/audio', out]);
      expect(first.code, first.err).to.equal(0);
      const texts = fs.readdirSync(out).filter((f) => f.endsWith('.txt'));
      expect(texts).to.have.length(6);
      expect(fs.readFileSync(path.join(out, 'hello-world.txt'), 'utf8').trim()).to.equal(
        'hello world this is a test',
      );
      expect(first.err).to.match(/6 done, 0 skipped, 0 failed/);
      const again = await run('examples/many-files.ts', env, ['fixtures/audio', out]);
      expect(again.code, again.err).to.equal(0);
      expect(again.out.match(/: skipped \(journaled\)$/gm)).to.have.length(6);
      expect(server.state.hits['POST /v1/transcriptions']).to.equal(6);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('testing with the mock: scripted realtime and async answers, and what the app sent', async () => {
    const { code, out, err } = await run('examples/testing-with-mock.ts', {});
    expect(code, err).to.equal(0);
    expect(out).to.include('captions: Speaker 1: Hello there | Speaker 2: Hi');
    expect(out).to.match(/error: \w+: .*402.*Organization balance exhausted/);
    expect(out).to.include('transcript: Speaker 1: Good morning | Speaker 2: Hi');
  });

  // No SONIOX_API_KEY: the example starts the package's own mock in its process.
  const ownMock = { SONIOX_API_KEY: '' };

  it('voice agent: takes one turn per endpoint, in order, with speaker, language and latency', async () => {
    const { code, out, err, ms } = await run('examples/voice-agent.ts', ownMock);
    expect(code, err).to.equal(0);
    const turns = out.split('\n').filter((l) => l.startsWith('turn '));
    expect(turns).to.have.length(3);
    const expected = [
      ['1', '0.33-1.48', 'hi how are you doing'],
      ['2', '3.47-4.87', 'i am fine thank you'],
      ['1', '6.86-7.79', 'great to hear'],
    ];
    turns.forEach((line, i) => {
      const m = line.match(
        /^turn (\d) \[speaker (\d), en, ([\d.]+-[\d.]+) s, endpoint\]: ([a-z ]+) \(endpoint -> handler \d+\.\d ms\)$/,
      );
      expect(m?.slice(1), line).to.deep.equal([String(i + 1), ...expected[i]!]);
    });
    // Each turn is answered before the next one is taken.
    const lines = out.trim().split('\n');
    for (const [i, text] of expected.map((e) => e[2]!).entries())
      expect(lines[2 * i + 1]).to.equal(
        `  agent: (stub) heard ${text.split(' ').length} words: "${text}"`,
      );
    expect(out).to.match(/done: 3 turns, audio processed 84\d\d ms final \/ 84\d\d ms total/);
    // The file was paced at real time: 8.5 s of audio, at most 200 ms ahead of the clock.
    expect(ms).to.be.at.least(8_000);
  });

  it('live captions: speakers, languages and two-way translation live, and valid WebVTT and SRT', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-captions-'));
    try {
      const { code, out, err } = await run('examples/live-captions.ts', ownMock, [
        'fixtures/audio/bilingual.wav',
        dir,
      ]);
      expect(code, err).to.equal(0);
      expect(out).to.include(
        [
          'Speaker 1 [en]: good afternoon everyone',
          '    -> [es] buenas tardes a todos',
          'Speaker 2 [es]: buenas tardes a todos',
          '    -> [en] good afternoon everyone',
        ].join('\n'),
      );
      const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
      const live = cuesOf(read('captions.vtt'), 'vtt');
      expect(live.map((c) => c.text)).to.deep.equal([
        '<v Speaker 1>good afternoon everyone',
        '<v Speaker 2>buenas tardes a todos',
      ]);
      expect(cuesOf(read('captions.srt'), 'srt').map((c) => c.text)).to.deep.equal([
        'Speaker 1: good afternoon everyone',
        'Speaker 2: buenas tardes a todos',
      ]);
      // One language per track: what was said in it plus the translations into it.
      for (const [language, text] of [
        ['en', 'good afternoon everyone'],
        ['es', 'buenas tardes a todos'],
      ] as const) {
        const track = cuesOf(read(`captions.${language}.vtt`), 'vtt');
        expect(
          track.map((c) => c.text),
          language,
        ).to.deep.equal([`<v Speaker 1>${text}`, `<v Speaker 2>${text}`]);
        expect(
          track.map((c) => c.start),
          language,
        ).to.deep.equal(live.map((c) => c.start));
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('long captions: two rollovers past the (demo) cap, one timeline, no word lost or repeated', async () => {
    const { code, out, err } = await run('examples/long-captions.ts', ownMock);
    expect(code, err).to.equal(0);
    const vtt = out.slice(0, out.indexOf('\ndone:'));
    expect(vtt.match(/^NOTE rollover \d: a new session from [\d.]+ s$/gm)).to.have.length(2);
    const cues = cuesOf(
      vtt
        .split('\n\n')
        .filter((b) => !b.startsWith('NOTE'))
        .join('\n\n'),
      'vtt',
    );
    expect(cues.map((c) => [c.start, c.text])).to.deep.equal([
      [330, 'hi how are you doing'],
      [3470, 'i am fine thank you'],
      [6860, 'great to hear'],
    ]);
    expect(out).to.include(
      'done: 3 cues; final transcript: hi how are you doing i am fine thank you great to hear',
    );
  });
});

/**
 * Parses a subtitle file strictly: WebVTT starts with its header; blocks are separated by one
 * blank line, each an index counting from 1, a timing line (`.` or `,` before the ms) with
 * start < end and starts in order, and one text line.
 */
function cuesOf(file: string, format: 'vtt' | 'srt'): Array<{ start: number; text: string }> {
  let body = file;
  if (format === 'vtt') {
    expect(file.startsWith('WEBVTT\n\n'), 'WEBVTT header').to.equal(true);
    body = file.slice('WEBVTT\n\n'.length);
  }
  const timing =
    format === 'vtt'
      ? /^(\d{2}):(\d{2}):(\d{2})\.(\d{3}) --> (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/
      : /^(\d{2}):(\d{2}):(\d{2}),(\d{3}) --> (\d{2}):(\d{2}):(\d{2}),(\d{3})$/;
  const ms = (m: RegExpMatchArray, at: number) =>
    ((Number(m[at]) * 60 + Number(m[at + 1])) * 60 + Number(m[at + 2])) * 1000 + Number(m[at + 3]);
  expect(body.endsWith('\n') && !body.endsWith('\n\n'), 'ends with one newline').to.equal(true);
  let last = -1;
  return body
    .slice(0, -1)
    .split('\n\n')
    .map((block, i) => {
      const [index, times, text, ...rest] = block.split('\n');
      expect(index, block).to.equal(String(i + 1));
      const m = times?.match(timing);
      expect(m, block).to.not.equal(null);
      const start = ms(m!, 1);
      expect(ms(m!, 5), block).to.be.greaterThan(start);
      expect(start, block).to.be.at.least(last);
      last = start;
      expect(text, block).to.be.a('string').and.not.equal('');
      expect(rest, block).to.deep.equal([]);
      return { start, text: text! };
    });
}
