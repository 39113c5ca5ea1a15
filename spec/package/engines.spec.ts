/**
 * `npm ci` on every supported Node prints no EBADENGINE: the package supports Node 20, so its
 * development tools (the webhook adapters' frameworks included) must install there without a
 * warning. npm checks each locked package's `engines` against the running Node; a dry run reads
 * only package.json and the lockfile (offline, about a second). CI runs the unit specs on Node
 * 20, 22 and 24, so this holds on each.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { withoutCoverage } from '../without-coverage';

const ROOT = path.join(__dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the lockfile on this Node', function () {
  this.timeout(60_000);
  let dir: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-engines-'));
    for (const file of ['package.json', 'package-lock.json']) {
      fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    }
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it(`npm ci prints no EBADENGINE on Node ${process.version}`, async () => {
    const { stdout, stderr } = await promisify(execFile)(
      ...withoutCoverage(npm, [
        'ci',
        '--dry-run',
        '--offline',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
      ]),
      { cwd: dir },
    );
    const packages = (stdout + stderr).match(/EBADENGINE\s+package: '[^']+'/g) ?? [];
    expect(packages).to.deep.equal([]);
  });
});
