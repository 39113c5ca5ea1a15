import { expect } from 'chai';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { realtimeConfig } from '../../lib/cli/commands/realtime';
import { memoryIO } from '../../lib/cli/io';
import type { MockServer } from '../../lib/mock';
import type { RealtimeToken } from '../../lib/types';
import { fixture } from '../audio';
import { cliFixture, envFor, noiseWav, run } from './helpers';
import { fixture as specFixture, frameText, until } from '../helpers';
import { toSrt, toVtt } from '../../lib/transcript';
import { TWO_WAY } from '../transcript/tokens';

const audio = fixture('hello-world.wav');
const PCM = ['--format', 'pcm_s16le', '--rate', '16000', '--channels', '1', '--no-pacing'];

function lines(out: string): RealtimeToken[] {
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RealtimeToken);
}

describe('cli: soniox realtime', function () {
  const t = cliFixture();
  // A spec that needs realtime pacing moves to another server of the fixture (t.serverWith).
  let server: MockServer;
  let env: Record<string, string>;
  beforeEach(() => {
    server = t.server;
    env = t.env;
  });

  it('piped: the final text only, on stdout; nothing on stderr', async () => {
    const { code, out, err } = await run(['realtime', audio.path, '--no-pacing'], { env });
    expect(err).to.equal('');
    expect(code).to.equal(0);
    expect(out).to.equal(`${audio.text}\n`);
  });

  it('--output-format json: one token per line, non-final ones too; --final: final tokens only', async () => {
    const all = await run(['realtime', audio.path, '--no-pacing', '--output-format', 'json'], {
      env,
    });
    expect(all.code).to.equal(0);
    const tokens = lines(all.out);
    expect(tokens.some((t) => !t.is_final)).to.equal(true);
    expect(
      tokens
        .filter((t) => t.is_final)
        .map((t) => t.text)
        .join(''),
    ).to.equal(audio.text);

    const finals = await run(['realtime', audio.path, '--no-pacing', '-O', 'json', '--final'], {
      env,
    });
    expect(finals.code).to.equal(0);
    const only = lines(finals.out);
    expect(only.every((t) => t.is_final)).to.equal(true);
    expect(only.map((t) => t.text).join('')).to.equal(audio.text);
    expect(only.length).to.be.below(tokens.length);
  });

  it('on a terminal: words appear live, non-final ones dimmed and rewritten in place, finals kept', async () => {
    const { code, out } = await run(['realtime', audio.path, '--no-pacing'], { env, isTTY: true });
    expect(code).to.equal(0);
    expect(out).to.include('\r\x1b[2K');
    expect(out).to.include('\x1b[2m');
    expect(out.endsWith(`\r\x1b[2K${audio.text}\n`)).to.equal(true);
    const final = await run(['realtime', audio.path, '--no-pacing', '--final'], {
      env,
      isTTY: true,
    });
    expect(final.out).not.to.include('\x1b[2m');
    expect(final.out.endsWith(`${audio.text}\n`)).to.equal(true);
  });

  it('raw PCM from stdin (-) with --format/--rate/--channels, plus --language, --diarize and --endpoints', async () => {
    const { code, out } = await run(
      [
        'realtime',
        '-',
        ...PCM,
        '--language',
        'en',
        '--diarize',
        '--endpoints',
        '--model',
        'stt-rt-v5',
      ],
      { env, stdin: audio.pcm },
    );
    expect(code).to.equal(0);
    expect(out).to.equal(`Speaker 1: ${audio.text}\n`);
  });

  it('usage errors exit 2 before connecting: missing file, directory, a bad format, a bad rate', async () => {
    const missing = await run(['realtime', path.join(t.tmp, 'a.pcm')], { env });
    expect(missing).to.include({
      code: 2,
      err: `error: no such file: ${path.join(t.tmp, 'a.pcm')}\n`,
    });
    const dir = await run(['realtime', t.tmp], { env });
    expect(dir).to.include({ code: 2, err: `error: ${t.tmp} is a directory, not a file\n` });
    const format = await run(['realtime', audio.path, '--format', 'pcm_s17le'], { env });
    expect(format.code).to.equal(2);
    expect(format.err).to.match(
      /--format <audio_format>' argument 'pcm_s17le' is invalid. unknown audio format; use auto, aac/,
    );
    const raw = await run(['realtime', audio.path, '--format', 'pcm_s16le'], { env });
    expect(raw.code).to.equal(2);
    expect(raw.err).to.match(/^error: .*sample_rate/);
    const rate = await run(['realtime', audio.path, '--rate', '-1'], { env });
    expect(rate.code).to.equal(2);
    expect(rate.err).to.match(/--rate <hz>' argument '-1' is invalid/);
    expect(server.state.hits['WS /transcribe-websocket'] ?? 0).to.equal(0);
  });

  it('a server error ends the session with exit 1 and its message; --reconnect rides out a drop', async () => {
    server.setFaults({ ws: [{ errorCode: 503, afterAudioMs: 500, times: 1 }] });
    const failed = await run(['realtime', '-', ...PCM], { env, stdin: audio.pcm });
    expect(failed.code).to.equal(1);
    expect(failed.err).to.match(/^error: .*503.*\n$/);

    server.setFaults({ ws: [{ abruptClose: true, afterAudioMs: 500, times: 1 }] });
    const resumed = await run(['realtime', '-', ...PCM, '--reconnect'], {
      env,
      stdin: audio.pcm,
      isTTY: true,
    });
    expect(resumed.code).to.equal(0);
    expect(resumed.err).to.match(/reconnecting \(attempt 1\)/);
    expect(resumed.out.endsWith(`${audio.text}\n`)).to.equal(true);
  });

  it('paces audio at real time by default (WAV rate from its header); a container without a byte rate goes as read', async () => {
    const wav = path.join(t.tmp, 'noise.wav');
    fs.writeFileSync(wav, noiseWav(600));
    const started = Date.now();
    const paced = await run(['realtime', wav, '--verbose'], { env });
    expect(paced.code).to.equal(0);
    expect(Date.now() - started).to.be.at.least(350);
    expect(paced.out).to.match(/^\S+/);
    expect(paced.err).not.to.include('audio sent as read');
    const mp3 = path.join(t.tmp, 'a.mp3');
    // An ID3 tag first: the mock refuses a container stream with no known signature.
    fs.writeFileSync(mp3, Buffer.concat([Buffer.from('ID3'), Buffer.alloc(3997, 7)]));
    const unpaced = await run(['realtime', mp3, '--format', 'mp3', '--verbose'], { env });
    expect(unpaced.code).to.equal(0);
    expect(unpaced.err).to.include(
      'audio sent as read: mp3 audio has no fixed byte rate to pace it by',
    );
  });

  it('checks endpoint tuning against the model list first (one GET /v1/models), and only then', async () => {
    const models = () => server.state.hits['GET /v1/models'] ?? 0;
    const plain = await run(['realtime', audio.path, '--no-pacing'], { env });
    expect(plain.code).to.equal(0);
    expect(models()).to.equal(0);
    const tuned = await run(['realtime', audio.path, '--no-pacing', '--endpoint-latency', '2'], {
      env,
    });
    expect(tuned.err).to.equal('');
    expect(tuned.code).to.equal(0);
    expect(models()).to.equal(1);
  });

  it('maps the flags to the stream configuration', () => {
    const signal = new AbortController().signal;
    expect(
      realtimeConfig(
        {
          format: 'pcm_s16le',
          rate: 8000,
          channels: 2,
          reconnect: 5,
          translate: 'fr',
          outputFormat: 'text',
        },
        signal,
      ),
    ).to.deep.equal({
      audio_format: 'pcm_s16le',
      tokens: 'all',
      signal,
      sample_rate: 8000,
      num_channels: 2,
      translation: { type: 'one_way', target_language: 'fr' },
      reconnect: { maxAttempts: 5 },
    });
    expect(
      realtimeConfig(
        { format: 'auto', reconnect: true, final: true, outputFormat: 'json' },
        signal,
      ),
    )
      .to.include({ tokens: 'final' })
      .and.to.have.nested.property('reconnect.maxAttempts', 3);
  });

  it('Ctrl-C ends the session: exit 130', async () => {
    server = await t.serverWith({ realtimePacing: true });
    const io = memoryIO({ env: envFor(server) });
    const running = run(['--verbose', 'realtime', '-', ...PCM], { io });
    io.stdin.write(audio.pcm.subarray(0, 32_000));
    await until(() => io.stderr.text.includes('session open'), 10_000);
    io.interrupt();
    const { code, err } = await running;
    expect(code).to.equal(130);
    expect(err).to.match(/realtime session open: ws:/);
    expect(err).to.match(/interrupted\n$/);
  });
});

describe('cli: soniox realtime recognition flags, live translation and subtitles', function () {
  const t = specFixture();
  let tmp: string;

  /**
   * A scripted realtime server on loopback: records the start message, answers the end of audio
   * with `tokens` as one result, then `finished`.
   */
  async function scripted(tokens: readonly RealtimeToken[]) {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    t.defer(() => new Promise((resolve) => wss.close(resolve)));
    await new Promise((resolve) => wss.once('listening', resolve));
    const starts: Array<Record<string, unknown>> = [];
    wss.on('connection', (socket) => {
      socket.on('message', (data, isBinary) => {
        const text = isBinary ? undefined : frameText(data);
        if (starts.length === 0 && text) {
          starts.push(JSON.parse(text) as Record<string, unknown>);
          return;
        }
        if (text !== '') return;
        socket.send(
          JSON.stringify({ tokens, final_audio_proc_ms: 2_700, total_audio_proc_ms: 2_700 }),
        );
        socket.send(
          JSON.stringify({
            tokens: [],
            final_audio_proc_ms: 2_700,
            total_audio_proc_ms: 2_700,
            finished: true,
          }),
        );
        socket.close(1000);
      });
    });
    const { port } = wss.address() as AddressInfo;
    const env = {
      ...envFor(t.server),
      SONIOX_REALTIME_URL: `ws://127.0.0.1:${port}/transcribe-websocket`,
    };
    return { starts, env };
  }

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-rt-'));
    t.defer(() => fs.rmSync(tmp, { recursive: true, force: true }));
  });

  it('sends the recognition flags in the start message: context and terms from files, language id, strict hints, endpoint tuning, two-way translation, client reference', async () => {
    const { starts, env } = await scripted([]);
    const context = path.join(tmp, 'context.json');
    fs.writeFileSync(
      context,
      JSON.stringify({ general: [{ key: 'domain', value: 'Travel' }], text: 'A hotel desk.' }),
    );
    const terms = path.join(tmp, 'terms.txt');
    fs.writeFileSync(terms, 'Celebrex\n\n  Zyrtec  \n');
    const { code, err } = await run(
      [
        'realtime',
        '-',
        ...PCM,
        '--language',
        'en,es',
        '--strict-hints',
        '--language-id',
        '--diarize',
        '--context',
        context,
        '--terms',
        terms,
        '--endpoint-delay',
        '800',
        '--endpoint-sensitivity',
        '0.5',
        '--endpoint-latency',
        '2',
        '--two-way',
        'en,es',
        '--reference',
        'call-42',
      ],
      { env, stdin: audio.pcm.subarray(0, 3_200) },
    );
    expect(err).to.equal('');
    expect(code).to.equal(0);
    const { api_key: _key, ...start } = starts[0] ?? {};
    expect(start).to.deep.equal({
      model: 'stt-rt-v5',
      audio_format: 'pcm_s16le',
      sample_rate: 16000,
      num_channels: 1,
      language_hints: ['en', 'es'],
      language_hints_strict: true,
      enable_language_identification: true,
      enable_speaker_diarization: true,
      context: {
        general: [{ key: 'domain', value: 'Travel' }],
        text: 'A hotel desk.',
        terms: ['Celebrex', 'Zyrtec'],
      },
      enable_endpoint_detection: true,
      max_endpoint_delay_ms: 800,
      endpoint_sensitivity: 0.5,
      endpoint_latency_adjustment_level: 2,
      translation: { type: 'two_way', language_a: 'en', language_b: 'es' },
      client_reference_id: 'call-42',
    });
  });

  it('a plain-text context file is sent as the context text', async () => {
    const { starts, env } = await scripted([]);
    const context = path.join(tmp, 'context.txt');
    fs.writeFileSync(context, 'Cardiology follow-up visit.\n');
    const { code } = await run(['realtime', '-', ...PCM, '--context', context], {
      env,
      stdin: audio.pcm.subarray(0, 3_200),
    });
    expect(code).to.equal(0);
    expect(starts[0]).to.have.deep.property('context', { text: 'Cardiology follow-up visit.' });
  });

  it('renders speakers, languages and two-way translation live, and writes SRT and WebVTT files', async () => {
    const { env } = await scripted(TWO_WAY);
    const srt = path.join(tmp, 'out.srt');
    const vtt = path.join(tmp, 'out.vtt');
    const { code, out, err } = await run(
      ['realtime', '-', ...PCM, '--two-way', 'en,es', '--diarize', '--srt', srt, '--vtt', vtt],
      { env, stdin: audio.pcm.subarray(0, 3_200) },
    );
    expect(err).to.equal('');
    expect(code).to.equal(0);
    expect(out).to.equal(
      'Speaker 1 [en]: Good morning.\n→ [es] Buenos días.\nSpeaker 2 [es]: Hola amigo\n→ [en] Hello friend\n',
    );
    expect(fs.readFileSync(srt, 'utf8')).to.equal(toSrt(TWO_WAY));
    expect(fs.readFileSync(vtt, 'utf8')).to.equal(toVtt(TWO_WAY));
  });

  it('usage errors exit 2 before connecting: a missing context or terms file, bad endpoint tuning, one two-way language, both translations', async () => {
    const { starts, env } = await scripted([]);
    const cases: Array<[string[], RegExp]> = [
      [
        ['--context', path.join(tmp, 'none.json')],
        /--context <file>' argument .* is invalid. no such file/,
      ],
      [['--terms', tmp], /--terms <file>' argument .* is invalid. .*is a directory/],
      [['--endpoint-delay', '100'], /--endpoint-delay <ms>' argument '100' is invalid/],
      [['--endpoint-sensitivity', '2'], /--endpoint-sensitivity <n>' argument '2' is invalid/],
      [['--endpoint-latency', '4'], /--endpoint-latency <level>' argument '4' is invalid/],
      [['--two-way', 'en'], /--two-way <a,b>' argument 'en' is invalid/],
      [['--two-way', 'en,es', '--translate', 'fr'], /cannot be used with/],
    ];
    for (const [flags, message] of cases) {
      const { code, err } = await run(['realtime', '-', ...PCM, ...flags], {
        env,
        stdin: Buffer.alloc(0),
      });
      expect(code, flags.join(' ')).to.equal(2);
      expect(err, flags.join(' ')).to.match(message);
    }
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, '{ "general": ');
    const json = await run(['realtime', '-', ...PCM, '--context', bad], {
      env,
      stdin: Buffer.alloc(0),
    });
    expect(json.code).to.equal(2);
    expect(json.err).to.match(/--context <file>' argument .* is invalid. .*not valid JSON/);
    expect(starts).to.deep.equal([]);
  });

  it('--help lists the recognition, translation and subtitle flags', async () => {
    const { code, out } = await run(['realtime', '--help']);
    expect(code).to.equal(0);
    for (const flag of [
      '--context <file>',
      '--terms <file>',
      '--language-id',
      '--strict-hints',
      '--endpoint-delay <ms>',
      '--endpoint-sensitivity <n>',
      '--endpoint-latency <level>',
      '--two-way <a,b>',
      '--reference <id>',
      '--srt <file>',
      '--vtt <file>',
    ])
      expect(out).to.include(flag);
  });
});
