/**
 * The CLI's usage checks in the house style (lib/internal/issues.ts): every problem of one
 * command line is found first, then the command is refused once (exit 2), one message naming
 * them all, before any request.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { cliFixture, run } from './helpers';

describe('cli: every usage problem of a command line in one refusal', () => {
  const t = cliFixture();

  it('files rm with neither ids nor --all, and --older-than: both problems named', async () => {
    const { code, err } = await run(['files', 'rm', '--older-than', '2d'], { env: t.env });
    expect(code).to.equal(2);
    expect(err).to.include('rm takes either ids or --all');
    expect(err).to.include('--older-than, --reference and --dry-run go with --all');
    expect(t.server.state.hits).to.deep.equal({});
  });

  it('transcribe of two files with --out and --reference, no --out-dir: all three named', async () => {
    const a = path.join(t.tmp, 'a.wav');
    const b = path.join(t.tmp, 'b.wav');
    fs.writeFileSync(a, Buffer.alloc(64, 1));
    fs.writeFileSync(b, Buffer.alloc(64, 2));
    const out = path.join(t.tmp, 'x.txt');
    const { code, err } = await run(['transcribe', a, b, '--out', out, '--reference', 'r'], {
      env: t.env,
    });
    expect(code).to.equal(2);
    expect(err).to.include('several sources need --out-dir <dir>');
    expect(err).to.include('--out writes one file');
    expect(err).to.include('--reference names one transcription');
    expect(t.server.state.hits).to.deep.equal({});
  });
});
