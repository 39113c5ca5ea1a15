/**
 * CLI messages that say enough (issue 26, item 7): a URL of another scheme is named as such, a
 * failed delete is printed once, and `-v` says why a create is looked up and why a cleanup's
 * DELETE answered 404.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fixture } from '../audio';
import { cliFixture, run } from './helpers';

const audio = fixture('hello-world.wav');
const MISSING = '00000000-0000-4000-8000-000000000000';

describe('cli: messages that say enough', function () {
  const t = cliFixture();

  it('ftp:// and other schemes: not supported, named with what works (exit 2, nothing sent)', async () => {
    const transcribe = await run(['transcribe', 'ftp://example.com/a.wav'], { env: t.env });
    expect(transcribe).to.include({
      code: 2,
      err: 'error: ftp://example.com/a.wav: ftp URLs are not supported: pass an http(s) URL (sent as audio_url) or a local file\n',
    });
    const upload = await run(['files', 'upload', 'https://example.com/a.wav'], { env: t.env });
    expect(upload).to.include({
      code: 2,
      err: 'error: https://example.com/a.wav is a URL: this command reads a local file, or stdin (-)\n',
    });
    expect(t.server.state.hits).to.deep.equal({});
  });

  it('an empty file names itself', async () => {
    const empty = path.join(t.tmp, 'empty.wav');
    fs.writeFileSync(empty, '');
    const { code, err } = await run(['files', 'upload', empty], { env: t.env });
    expect({ code, err }).to.deep.equal({
      code: 2,
      err: `error: files.upload: ${empty} is empty\n`,
    });
  });

  it('rm of a missing id prints its 404 once (exit 1)', async () => {
    for (const what of ['files', 'transcriptions']) {
      const { code, out, err } = await run([what, 'rm', MISSING], { env: t.env });
      expect({ code, out }).to.deep.equal({ code: 1, out: '' });
      // A whole word: the answer's request id is a random UUID, which holds "404" now and then.
      expect(err.match(/\b404\b/g), err).to.have.length(1);
      expect(err.split('\n')).to.have.length(2);
      expect(
        err.startsWith(
          `could not delete ${what.slice(0, -1)} ${MISSING}: DELETE /v1/${what}/${MISSING} failed with 404 `,
        ),
        err,
      ).to.equal(true);
    }
  });

  it('-v says why it lists transcriptions after a create lost its answer, and why a DELETE got 404', async () => {
    t.server.setFaults({
      http: [{ route: 'POST /v1/transcriptions', reset: 'after-handler', times: 1 }],
    });
    const { code, err } = await run(['-v', 'transcribe', audio.path, '--poll-ms', '10'], {
      env: t.env,
    });
    expect(code).to.equal(0);
    const lines = err.split('\n');
    const lookup = lines.indexOf('-> GET /v1/transcriptions');
    expect(lookup, err).to.be.greaterThan(0);
    expect(lines[lookup - 1]).to.equal(
      'POST /v1/transcriptions got no answer: looking up whether the create went through',
    );
    expect(lines.filter((l) => l.includes('looking up'))).to.have.length(1);
    const gone = lines.findIndex((l) => /^<- 404 DELETE \/v1\/files\//.test(l));
    expect(gone, err).to.be.greaterThan(0);
    const file = /\/v1\/files\/(\S+)/.exec(lines[gone]!)![1];
    expect(lines[gone + 1]).to.equal(
      `file ${file} was already gone (deleting its transcription deleted it): nothing left to delete`,
    );
  });
});
