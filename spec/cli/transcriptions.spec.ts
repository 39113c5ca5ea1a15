import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MockServer } from '../../lib/mock';
import { fixture } from '../audio';
import { cliFixture, envFor, run } from './helpers';

const audio = fixture('hello-world.wav');

describe('cli: soniox transcriptions', function () {
  const t = cliFixture();
  // The spec that needs other timings moves to another server of the fixture (t.serverWith).
  let server: MockServer;
  let env: Record<string, string>;
  let id: string;

  beforeEach(async () => {
    server = t.server;
    env = t.env;
    expect(
      (await run(['transcribe', audio.path, '--keep', '--poll-ms', '10'], { env })).code,
    ).to.equal(0);
    const [made] = server.state.transcriptions.keys();
    if (made === undefined) throw new Error('the transcribe run left no transcription');
    id = made;
  });

  it('ls, get, transcript in every format, rm', async () => {
    const ls = await run(['transcriptions', 'ls'], { env });
    expect(ls.out).to.match(
      // eslint-disable-next-line security/detect-non-literal-regexp -- the id is a UUID the mock made
      new RegExp(
        `^ID +STATUS +MODEL +CREATED +NAME\\n${id}  completed  stt-async-v5  \\S+  hello-world\\.wav\\n$`,
      ),
    );
    expect(
      JSON.parse((await run(['transcriptions', 'ls', '--json', '-n', '1'], { env })).out),
    ).to.have.length(1);

    const get = await run(['transcriptions', 'get', id], { env });
    // eslint-disable-next-line security/detect-non-literal-regexp -- the id is a UUID the mock made
    expect(get.out).to.match(new RegExp(`^id +${id}\\nstatus +completed\\n`));
    expect(get.out).to.match(/^language_hints +-$/m);
    expect(
      JSON.parse((await run(['transcriptions', 'get', id, '--json'], { env })).out),
    ).to.include({ id, status: 'completed' });

    expect((await run(['transcriptions', 'transcript', id], { env })).out).to.equal(
      `${audio.text}\n`,
    );
    expect((await run(['transcriptions', 'transcript', id, '-f', 'srt'], { env })).out).to.match(
      /^1\n00:00:00,330 --> /,
    );
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-cli-'));
    try {
      const out = path.join(tmp, 't.json');
      expect(
        (await run(['transcriptions', 'transcript', id, '--format', 'json', '--out', out], { env }))
          .code,
      ).to.equal(0);
      expect(JSON.parse(fs.readFileSync(out, 'utf8'))).to.include({ id });
      const bad = await run(
        ['transcriptions', 'transcript', id, '--out', path.join(tmp, 'x', 'y')],
        { env },
      );
      expect(bad.code).to.equal(2);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }

    const rm = await run(['transcriptions', 'rm', id], { env });
    expect(rm).to.include({ code: 0, out: `deleted transcription ${id}\n` });
    expect(server.state.transcriptions.size).to.equal(0);
    expect(server.state.files.size).to.equal(0);
    expect((await run(['transcriptions', 'ls'], { env })).out).to.equal('(no transcriptions)\n');
  });

  it('API errors exit 1 with the error type: unknown id, transcript not ready (409)', async () => {
    const missing = await run(
      ['transcriptions', 'transcript', '00000000-0000-4000-8000-000000000000'],
      { env },
    );
    expect(missing.code).to.equal(1);
    expect(missing.err).to.match(/404 transcription_not_found/);
    server = await t.serverWith({ timing: { queuedMs: 60_000, processingMs: 10 } });
    env = envFor(server);
    const client = t.clientWith({ baseURL: server.url });
    const job = await client.transcriptions.create({ audio_url: 'https://example.com/a.mp3' });
    const early = await run(['transcriptions', 'transcript', job.id], { env });
    expect(early.code).to.equal(1);
    expect(early.err).to.match(
      /^error: GET .* failed with 409 transcription_invalid_state: Can only get transcript with completed status\./,
    );
  });
});
