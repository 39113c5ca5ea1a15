import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { memoryIO } from '../../lib/cli/io';
import type { MockServer } from '../../lib/mock';
import type { MockServerOptions } from '../../lib/mock/contracts';
import { fixture } from '../audio';
import sinon, { type SinonFakeTimers } from 'sinon';
import { cliFixture, envFor, KEY, run } from './helpers';
import { drive, settle, until } from '../helpers';

const audio = fixture('hello-world.wav');
const POLL = ['--poll-ms', '10'];

describe('cli: soniox transcribe', function () {
  const t = cliFixture();
  // A spec that needs other timings moves to another server of the fixture (t.serverWith).
  let server: MockServer;
  let env: Record<string, string>;
  beforeEach(() => {
    server = t.server;
    env = t.env;
  });

  it('prints the transcript and nothing else when piped, then deletes the file and the transcription', async () => {
    const { code, out, err } = await run(['transcribe', audio.path, ...POLL], { env });
    expect(code).to.equal(0);
    expect(out).to.equal(`${audio.text}\n`);
    expect(err).to.equal('');
    expect(server.state.files.size).to.equal(0);
    expect(server.state.transcriptions.size).to.equal(0);
    expect(server.state.hits['POST /v1/files']).to.equal(1);
  });

  it('renders json, srt and vtt, and writes --out files', async () => {
    const json = await run(['transcribe', audio.path, '--format', 'json', ...POLL], { env });
    const transcript = JSON.parse(json.out) as {
      text: string;
      tokens: Array<{ start_ms: number }>;
    };
    expect(transcript.text.trim()).to.equal(audio.text);
    expect(transcript.tokens[0]?.start_ms).to.equal(audio.words[0]!.start_ms);

    const srt = await run(['transcribe', audio.path, '-f', 'srt', ...POLL], { env });
    expect(srt.code).to.equal(0);
    expect(srt.out).to.match(/^1\n00:00:00,330 --> 00:00:0\d,\d{3}\nhello world this is a test\n$/);

    const out = path.join(t.tmp, 'a.vtt');
    const vtt = await run(['transcribe', audio.path, '--format', 'vtt', '--out', out, ...POLL], {
      env,
    });
    expect(vtt.code).to.equal(0);
    expect(vtt.out).to.equal('');
    expect(fs.readFileSync(out, 'utf8')).to.match(
      /^WEBVTT\n\n1\n00:00:00\.330 --> 00:00:01\.940\nhello world this is a test\n$/,
    );
  });

  it('sends --model, --language, --diarize and --translate as create parameters', async () => {
    const { code } = await run(
      [
        'transcribe',
        audio.path,
        '--model',
        'stt-async-v5',
        '--language',
        'en,fr',
        '-l',
        'de',
        '--diarize',
        '--translate',
        'es',
        '--keep',
        ...POLL,
      ],
      { env },
    );
    expect(code).to.equal(0);
    const [job] = [...server.state.transcriptions.values()];
    expect(job?.transcription).to.include({
      model: 'stt-async-v5',
      enable_speaker_diarization: true,
    });
    expect(job?.transcription.language_hints).to.deep.equal(['en', 'fr', 'de']);
  });

  it('--keep keeps the file and the transcription, and names them', async () => {
    const { code, err } = await run(['transcribe', audio.path, '--keep', '--verbose', ...POLL], {
      env,
    });
    expect(code).to.equal(0);
    expect(server.state.files.size).to.equal(1);
    expect(server.state.transcriptions.size).to.equal(1);
    const [fileId] = server.state.files.keys();
    const [jobId] = server.state.transcriptions.keys();
    expect(err).to.include(`kept file ${fileId} and transcription ${jobId} (--keep)`);
  });

  it('transcribes stdin (-) and an http(s) URL (audio_url, nothing uploaded)', async () => {
    const piped = await run(['transcribe', '-', ...POLL], { env, stdin: audio.wav });
    expect(piped.code).to.equal(0);
    expect(piped.out).to.equal(`${audio.text}\n`);

    const url = await run(
      ['transcribe', 'https://example.com/call.mp3', '--format', 'json', ...POLL],
      { env },
    );
    expect(url.code).to.equal(0);
    expect(JSON.parse(url.out)).to.have.property('tokens');
    expect(server.state.hits['POST /v1/files']).to.equal(1);
    expect(server.state.transcriptions.size).to.equal(0);
  });

  it('shows an upload bar and a status line on a terminal, stdout keeps the result only', async () => {
    const { code, out, err } = await run(['transcribe', audio.path, ...POLL], { env, isTTY: true });
    expect(code).to.equal(0);
    expect(out).to.equal(`${audio.text}\n`);
    expect(err).to.match(/upload \[=+\] 100% \| 0\.1\/0\.1 MB/);
    expect(err).to.include('\r\x1b[2Ktranscription ');
    expect(err).to.match(/uploaded hello-world\.wav \(82\.3 KB\) as file [0-9a-f-]{36}\n/);
    expect(err).to.match(/created transcription [0-9a-f-]{36} \(stt-async-v5\)\n/);
  });

  it('with --verbose on a pipe: plain progress lines, each request, no control characters', async () => {
    const { code, err } = await run(['--verbose', 'transcribe', audio.path, ...POLL], { env });
    expect(code).to.equal(0);
    expect(err).to.match(/^upload: 0\.1 \/ 0\.1 MB \(100 %\)$/m);
    expect(err).to.match(/^-> POST \/v1\/files$/m);
    expect(err).to.match(/^<- 201 POST \/v1\/files \d+ ms$/m);
    expect(err).to.match(/deleted transcription /);
    expect(err).not.to.include('\x1b');
  });

  it('fails with exit 2 and a clear line for a missing file, a directory, a bad flag value, or a bad --out', async () => {
    const missing = await run(['transcribe', path.join(t.tmp, 'nope.wav')], { env });
    expect(missing).to.include({
      code: 2,
      out: '',
      err: `error: no such file: ${path.join(t.tmp, 'nope.wav')}\n`,
    });
    const dir = await run(['transcribe', t.tmp], { env });
    expect(dir).to.include({
      code: 2,
      err: `error: ${t.tmp} is a directory: its audio files need --out-dir <dir>: one output file per input goes there\n`,
    });
    const format = await run(['transcribe', audio.path, '--format', 'docx'], { env });
    expect(format.code).to.equal(2);
    expect(format.err).to.match(
      /option '-f, --format <format>' argument 'docx' is invalid. Allowed choices are text, json, srt, vtt/,
    );
    const out = await run(
      ['transcribe', audio.path, '--out', path.join(t.tmp, 'no', 'such', 'dir.txt')],
      { env },
    );
    expect(out.code).to.equal(2);
    expect(out.err).to.match(/cannot write .*dir\.txt: its directory does not exist/);
    const outDir = await run(['transcribe', audio.path, '--out', t.tmp], { env });
    expect(outDir.err).to.match(/it is a directory/);
    const poll = await run(['transcribe', audio.path, '--poll-ms', 'soon'], { env });
    expect(poll.code).to.equal(2);
    expect(poll.err).to.match(
      /--poll-ms <ms>' argument 'soon' is invalid. must be an integer from 10 to 60000/,
    );
    expect(server.state.hits['POST /v1/files'] ?? 0).to.equal(0);
  });

  it('rejects parameters the API would refuse before uploading (exit 2)', async () => {
    const { code, err } = await run(['transcribe', audio.path, '--reference', 'x'.repeat(300)], {
      env,
    });
    expect(code).to.equal(2);
    expect(err).to.match(/^error: .*client_reference_id.*\n$/);
    expect(server.state.hits['POST /v1/files'] ?? 0).to.equal(0);
  });

  it('checks --model against the model catalogue before uploading: a typo fails fast with the closest model', async () => {
    const { code, out, err } = await run(['transcribe', audio.path, '--model', 'stt-async-v55'], {
      env,
    });
    expect(code).to.equal(2);
    expect(out).to.equal('');
    expect(err).to.equal(
      'error: --model stt-async-v55 is not an async model: did you mean stt-async-v5? (async models: stt-async-v5, stt-async-v4)\n',
    );
    expect(server.state.hits['GET /v1/models']).to.equal(1);
    expect(server.state.hits['POST /v1/files'] ?? 0).to.equal(0);
  });

  it('refuses --language english and suggests the code, before uploading', async () => {
    const { code, err } = await run(['transcribe', audio.path, '--language', 'en,english'], {
      env,
    });
    expect(code).to.equal(2);
    expect(err).to.match(
      /^error: --language english is not a language code of stt-async-v5: did you mean en\? \(valid codes: [a-z, ]+\)\n$/,
    );
    expect(err).to.include(' en, ').and.include(' es, ');
    const translate = await run(['transcribe', audio.path, '--translate', 'Spanish'], { env });
    expect(translate.err).to.match(/--translate Spanish .*did you mean es\?/);
    expect(server.state.hits['POST /v1/files'] ?? 0).to.equal(0);
  });

  it('does not ask for the catalogue when no model or language flag is given', async () => {
    const { code } = await run(['transcribe', audio.path, ...POLL], { env });
    expect(code).to.equal(0);
    expect(server.state.hits['GET /v1/models'] ?? 0).to.equal(0);
  });

  it("an API error: exit 1, one line with the API's validation details and request id, never the key; cleanup still runs", async () => {
    server.setFaults({
      http: [
        {
          route: 'POST /v1/transcriptions',
          status: 400,
          json: {
            status_code: 400,
            error_type: 'invalid_request',
            message: 'Invalid request.',
            validation_errors: [
              {
                error_type: 'value_error',
                location: 'body.payload.model',
                message: `Invalid model ${KEY}`,
              },
            ],
            request_id: 'req-123',
          },
        },
      ],
    });
    const { code, out, err } = await run(['transcribe', audio.path, ...POLL], { env });
    expect(code).to.equal(1);
    expect(out).to.equal('');
    expect(err.trim().split('\n')).to.have.length(1);
    expect(err).to.match(
      /^error: POST \/v1\/transcriptions failed with 400 invalid_request: Invalid request\..*body\.payload\.model: Invalid model/,
    );
    expect(err).to.include('req-123');
    expect(err).not.to.include(KEY);
    expect(server.state.files.size).to.equal(0);
  });

  it('a transcription that fails: exit 1 naming it', async () => {
    const { code, err } = await run(['transcribe', 'https://example.com/fail.mp3', ...POLL], {
      env,
    });
    expect(code).to.equal(1);
    expect(err).to.match(/^error: .*transcription [0-9a-f-]{36}/i);
    expect(server.state.transcriptions.size).to.equal(0);
  });

  it('no API key: exit 2, says how to set one, sends nothing', async () => {
    const { code, err } = await run(['transcribe', audio.path], {
      env: { SONIOX_API_BASE_URL: server.url },
    });
    expect(code).to.equal(2);
    expect(err).to.equal(
      'error: no API key: set SONIOX_API_KEY (`soniox mock` prints one for a local mock server)\n',
    );
  });

  it('Ctrl-C after the upload (in-process): aborts the wait, deletes what it created, exit 130', async () => {
    server = await t.serverWith(timing(60_000, 10));
    env = envFor(server);
    const io = memoryIO({ env });
    const running = run(['transcribe', audio.path, '--verbose', ...POLL], { io });
    await until(() => server.state.transcriptions.size > 0, 10_000);
    io.interrupt();
    const { code, out, err } = await running;
    expect(code).to.equal(130);
    expect(out).to.equal('');
    expect(err).to.match(/interrupted: cleaning up/);
    expect(server.state.files.size).to.equal(0);
    expect(server.state.transcriptions.size).to.equal(0);
  });

  it('Ctrl-C after the file is sent but before its id came back: no job is created, the file is deleted', async () => {
    server.setFaults({ http: [{ route: 'POST /v1/files', slowBodyMs: 20 }] });
    const io = memoryIO({ env });
    const running = run(['transcribe', audio.path, ...POLL], { io });
    await until(() => server.state.files.size === 1, 10_000);
    io.interrupt();
    const { code, out } = await running;
    expect(code).to.equal(130);
    expect(out).to.equal('');
    expect(server.state.files.size).to.equal(0);
    expect(server.state.hits['POST /v1/transcriptions'] ?? 0).to.equal(0);
  });

  it('Ctrl-C while processing: waits for the transcription to leave processing, then deletes it', async () => {
    server = await t.serverWith(timing(5, 800));
    env = envFor(server);
    const clock = fakeTimers();
    const io = memoryIO({ env, isTTY: true });
    const running = run(['transcribe', audio.path, ...POLL], { io });
    await drive(clock, 10_000, () => processing(server));
    expect(processing(server), 'a job processing when Ctrl-C comes').to.equal(true);
    io.interrupt();
    const { code, err } = await settle(clock, running);
    expect(code).to.equal(130);
    expect(err).to.match(
      /waiting for transcription [0-9a-f-]{36} to finish processing before deleting it/,
    );
    expect(server.state.transcriptions.size).to.equal(0);
    expect(server.state.files.size).to.equal(0);
  });

  it('names what it left behind when cleanup fails (and a second Ctrl-C stops waiting)', async () => {
    server.setFaults({
      http: [
        { route: 'DELETE /v1/transcriptions/:id', status: 500 },
        { route: 'DELETE /v1/files/:id', status: 500 },
      ],
    });
    const clock = fakeTimers();
    const { code, out, err } = await settle(
      clock,
      run(['transcribe', audio.path, ...POLL], { env }),
    );
    expect(code).to.equal(0);
    expect(out).to.equal(`${audio.text}\n`);
    const [fileId] = server.state.files.keys();
    const [jobId] = server.state.transcriptions.keys();
    expect(err).to.include(
      `left behind: transcription ${jobId} (soniox transcriptions rm ${jobId}), file ${fileId} (soniox files rm ${fileId})`,
    );

    server.setFaults({});
    server = await t.serverWith(timing(5, 60_000));
    env = envFor(server);
    const io = memoryIO({ env });
    const running = run(['transcribe', audio.path, ...POLL], { io });
    await drive(clock, 10_000, () => processing(server));
    expect(processing(server), 'a job processing when Ctrl-C comes').to.equal(true);
    io.interrupt();
    // The first cleanup DELETE got its 409 (still processing): the CLI waits; a second Ctrl-C stops it.
    await drive(clock, 10_000, () => (server.state.hits['DELETE /v1/transcriptions/:id'] ?? 0) > 0);
    io.interrupt();
    const second = await settle(clock, running);
    expect(second.code).to.equal(130);
    expect(second.err).to.match(/left behind: transcription [0-9a-f-]{36}/);
    expect(server.state.transcriptions.size).to.equal(1);
  });

  /**
   * Fakes setTimeout for the rest of the spec: the mock's lifecycle, the CLI's polling, its
   * retries and its cleanup pauses then take no real time, driven with `drive`.
   */
  function fakeTimers(): SinonFakeTimers {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    t.defer(() => clock.restore());
    return clock;
  }
});

/** Whether a transcription of `server` is processing. */
function processing(server: MockServer): boolean {
  return [...server.state.transcriptions.values()].some(
    (job) => job.transcription.status === 'processing',
  );
}

/** Mock options with the given lifecycle timing. */
function timing(queuedMs: number, processingMs: number): MockServerOptions {
  return { timing: { queuedMs, processingMs } };
}
