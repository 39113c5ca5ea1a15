/**
 * `soniox transcribe -o <file>` (issue 25, item 7): an output that cannot be written is refused
 * before anything is sent (exit 2); a write that fails once the transcript is in (a full disk)
 * keeps the transcription, says how to fetch it again, leaves no partial file, and exits 1.
 * Specs run as root here, so permission bits are bypassed: the unwritable kinds are a missing
 * parent, a directory, a parent that is a file, a name ending in "/", and a file system that
 * refuses new files (/proc, /sys).
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import sinon from 'sinon';
import { fixture } from '../audio';
import { cliFixture, run } from './helpers';

const audio = fixture('hello-world.wav');
const POLL = ['--poll-ms', '10'];

describe('cli: soniox transcribe -o into a path it cannot write', function () {
  const t = cliFixture();
  afterEach(() => sinon.restore());

  const requests = () => Object.values(t.server.state.hits).reduce((a, b) => a + b, 0);

  it('refuses each unwritable -o before a request goes out (exit 2, one line naming why)', async () => {
    const file = path.join(t.tmp, 'a-file.txt');
    fs.writeFileSync(file, 'x');
    const cases: Array<[string, string]> = [
      [
        path.join(t.tmp, 'no', 'such', 'out.txt'),
        `cannot write ${path.join(t.tmp, 'no', 'such', 'out.txt')}: its directory does not exist`,
      ],
      [t.tmp, `cannot write ${t.tmp}: it is a directory`],
      [
        path.join(file, 'out.txt'),
        `cannot write ${path.join(file, 'out.txt')}: ${file} is a file, not a directory`,
      ],
      [
        path.join(t.tmp, 'new-dir') + path.sep,
        `cannot write ${path.join(t.tmp, 'new-dir')}${path.sep}: a file name cannot end with ${path.sep}`,
      ],
      ['/proc/soniox-out.txt', 'cannot write /proc/soniox-out.txt: /proc does not take new files'],
      ['/sys/soniox-out.txt', 'cannot write /sys/soniox-out.txt: permission denied'],
    ];
    for (const [out, message] of cases) {
      const {
        code,
        out: stdout,
        err,
      } = await run(['transcribe', audio.path, '-o', out, ...POLL], {
        env: t.env,
      });
      expect({ out, code, err }).to.deep.equal({ out, code: 2, err: `error: ${message}\n` });
      expect(stdout).to.equal('');
    }
    expect(requests(), 'requests at the mock').to.equal(0);
    expect(fs.readdirSync(t.tmp)).to.deep.equal(['a-file.txt']);
  });

  it('a full disk after the transcript (/dev/full: ENOSPC) keeps the transcription, says how to fetch it, exit 1', async () => {
    const { code, out, err } = await run(
      ['transcribe', audio.path, '-f', 'srt', '-o', '/dev/full', ...POLL],
      { env: t.env },
    );
    const [id] = [...t.server.state.transcriptions.keys()];
    expect(id).to.be.a('string');
    expect(code).to.equal(1);
    expect(out).to.equal('');
    expect(err).to.equal(
      [
        `kept transcription ${id} (and its file): the transcript could not be written`,
        `  fetch it again: soniox transcriptions transcript ${id} --format srt -o /dev/full`,
        `  then delete it: soniox transcriptions rm ${id}`,
        'error: cannot write /dev/full: no space left on device (ENOSPC)',
        '',
      ].join('\n'),
    );
    expect(t.server.state.hits['DELETE /v1/transcriptions/:id'] ?? 0).to.equal(0);
    expect(t.server.state.hits['DELETE /v1/files/:id'] ?? 0).to.equal(0);
    // The command it printed works: the transcript is still there.
    const again = await run(['transcriptions', 'transcript', id!], { env: t.env });
    expect(again).to.include({ code: 0, out: `${audio.text}\n` });
  });

  it('a write that fails half-way removes the partial file (and keeps the transcription)', async () => {
    const target = path.join(t.tmp, "call's transcript.txt");
    // The disk fills after a few bytes: the first write lands partly, the next one fails.
    const write = fs.writeSync.bind(fs) as (
      fd: number,
      data: Buffer,
      offset: number,
      length: number,
    ) => number;
    let calls = 0;
    sinon.stub(fs, 'writeSync').callsFake(((
      fd: number,
      data: Buffer,
      offset: number,
      length: number,
    ) => {
      calls += 1;
      if (calls === 1) return write(fd, data, offset, Math.min(length, 5));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
        code: 'ENOSPC',
      });
    }) as typeof fs.writeSync);
    const { code, err } = await run(['transcribe', audio.path, '-o', target, ...POLL], {
      env: t.env,
    });
    sinon.restore();
    const [id] = [...t.server.state.transcriptions.keys()];
    expect(code).to.equal(1);
    expect(calls).to.equal(2);
    expect(err).to.include(
      `  fetch it again: soniox transcriptions transcript ${id} --format text -o '${target.replace(/'/g, "'\\''")}'\n`,
    );
    expect(err).to.match(/error: cannot write .*: no space left on device \(ENOSPC\)\n$/);
    expect(fs.existsSync(target), 'the partial file is removed').to.equal(false);
    expect(t.server.state.transcriptions.size).to.equal(1);
  });

  it('a good -o is written whole, and the transcription and file are deleted after it', async () => {
    const target = path.join(t.tmp, 'ok.txt');
    const { code, out, err } = await run(['transcribe', audio.path, '-o', target, ...POLL], {
      env: t.env,
    });
    expect({ code, out, err }).to.deep.equal({ code: 0, out: '', err: '' });
    expect(fs.readFileSync(target, 'utf8')).to.equal(`${audio.text}\n`);
    expect(t.server.state.transcriptions.size).to.equal(0);
    expect(t.server.state.files.size).to.equal(0);
  });
});
