/**
 * `soniox transcribe ... --out-dir <dir>` that cannot be written (issue 25, item 12): exit 2
 * with the CLI's wording, checked before anything is sent, where a raw EACCES (exit 1) came
 * once the journal was written. Specs run as root here, so permission bits are bypassed: the
 * unwritable kinds are a file, a parent that is a file, and file systems that take no new
 * entries (/proc) or refuse them (/sys).
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { fixture } from '../audio';
import { cliFixture, finished, run, spawnCli } from './helpers';

const hello = fixture('hello-world.wav');

describe('cli: transcribe --out-dir that cannot be written', function () {
  this.timeout(60_000);
  const t = cliFixture();

  it('refuses each before a request goes out: exit 2, one line naming why', async () => {
    const file = path.join(t.tmp, 'a-file');
    fs.writeFileSync(file, 'x');
    const cases: Array<[string, string]> = [
      [file, `cannot write into ${file}: it is a file, not a directory`],
      [
        path.join(file, 'out'),
        `cannot make ${path.join(file, 'out')}: ${file} is a file, not a directory`,
      ],
      ['/proc', 'cannot write into /proc: it does not take new files'],
      ['/sys/soniox-out', 'cannot make /sys/soniox-out: permission denied'],
    ];
    for (const [outDir, message] of cases) {
      const { code, out, err } = await run(
        ['transcribe', hello.path, '--out-dir', outDir, '--poll-ms', '10'],
        { env: t.env },
      );
      expect({ outDir, code, out, err }).to.deep.equal({
        outDir,
        code: 2,
        out: '',
        err: `error: ${message}\n`,
      });
    }
    expect(t.server.state.hits).to.deep.equal({});
    expect(fs.readdirSync(t.tmp)).to.deep.equal(['a-file']);
  });

  it('a directory to make where none can be made (/proc/x) is refused, not looped on', async () => {
    // Node's recursive mkdir spins forever on this one: run it in a child, under a deadline.
    const child = spawnCli(
      ['transcribe', hello.path, '--out-dir', '/proc/soniox-out', '--poll-ms', '10'],
      t.env,
    );
    const { code, out, err } = await finished(child, 30_000);
    expect({ code, out, err }).to.deep.equal({
      code: 2,
      out: '',
      err: 'error: cannot make /proc/soniox-out: /proc does not take new directories\n',
    });
    expect(t.server.state.hits).to.deep.equal({});
  });

  it('a missing --out-dir (and its missing parents) is still made', async () => {
    const outDir = path.join(t.tmp, 'a', 'b', 'out');
    const { code } = await run(['transcribe', hello.path, '--out-dir', outDir, '--poll-ms', '10'], {
      env: t.env,
    });
    expect(code).to.equal(0);
    expect(fs.readdirSync(outDir)).to.include('hello-world.txt');
  });
});
