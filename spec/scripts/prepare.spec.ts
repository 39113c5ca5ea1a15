/**
 * npm's `prepare` (scripts/prepare.js) and the prepack/postpack manifest step
 * (scripts/pack-manifest.js), run as npm runs them, on a copy of the scripts in a temp
 * "repository": prepare does nothing when dist/ is fresh, and fails loudly, saying what to
 * run, when dist/ must be built and the build tools are not installed (a clone installed with
 * --omit=dev). The build itself runs in the e2e git-install spec.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { withoutCoverage } from '../without-coverage';

const ROOT = path.join(__dirname, '..', '..');

describe('scripts/prepare.js and scripts/pack-manifest.js', () => {
  let repo: string;

  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-prepare-'));
    fs.mkdirSync(path.join(repo, 'scripts'));
    for (const script of ['prepare.js', 'ensure-build.js', 'pack-manifest.js']) {
      fs.copyFileSync(path.join(ROOT, 'scripts', script), path.join(repo, 'scripts', script));
    }
    fs.mkdirSync(path.join(repo, 'lib'));
    fs.writeFileSync(path.join(repo, 'lib', 'index.ts'), 'export {};\n');
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(repo, 'package.json'));
  });

  afterEach(() => {
    fs.rmSync(repo, { recursive: true, force: true });
  });

  function node(script: string, ...args: string[]) {
    const [command, argv] = withoutCoverage(process.execPath, [
      path.join(repo, 'scripts', script),
      ...args,
    ]);
    return spawnSync(command, argv, {
      cwd: repo,
      encoding: 'utf8',
    });
  }

  it('prepare fails, saying what to run, when dist/ is missing and typescript is not installed', () => {
    const result = node('prepare.js');
    expect(result.status).to.equal(1);
    expect(result.stderr).to.include('dist/ is missing');
    expect(result.stderr).to.include('typescript (a devDependency) is not installed');
    expect(result.stderr).to.include('npm install --include=dev && npm run build');
  });

  it('prepare does nothing when dist/ is newer than its sources (an installed package)', () => {
    const old = new Date(Date.now() - 60_000);
    for (const input of ['lib/index.ts', 'lib', 'package.json', 'scripts']) {
      fs.utimesSync(path.join(repo, input), old, old);
    }
    for (const f of ['scripts/ensure-build.js', 'scripts/prepare.js', 'scripts/pack-manifest.js']) {
      fs.utimesSync(path.join(repo, f), old, old);
    }
    fs.mkdirSync(path.join(repo, 'dist', 'mock'), { recursive: true });
    fs.mkdirSync(path.join(repo, 'dist', 'schemas', 'validators'), { recursive: true });
    for (const out of ['dist/index.js', 'dist/index.mjs', 'dist/mock/index.mjs']) {
      fs.writeFileSync(path.join(repo, out), '');
    }
    const result = node('prepare.js');
    expect(result.stderr).to.equal('');
    expect(result.status).to.equal(0);
  });

  it('pack-manifest strips `prepare` for the pack and restores the exact bytes after, keeping its time', () => {
    const manifest = path.join(repo, 'package.json');
    const original = fs.readFileSync(manifest, 'utf8');
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(manifest, old, old);
    const mtime = () => fs.statSync(manifest).mtimeMs;
    const before = mtime();
    expect(JSON.parse(original).scripts.prepare).to.be.a('string');
    expect(node('pack-manifest.js', 'strip').status).to.equal(0);
    const stripped = JSON.parse(fs.readFileSync(manifest, 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(stripped.scripts).to.not.have.property('prepare');
    expect(stripped.scripts).to.have.property('build');
    // Its time unchanged throughout: a pack must not make dist/ look stale.
    expect(mtime()).to.equal(before);
    // A second strip (a pack that failed before postpack) keeps the original as the backup.
    expect(node('pack-manifest.js', 'strip').status).to.equal(0);
    expect(node('pack-manifest.js', 'restore').status).to.equal(0);
    expect(fs.readFileSync(manifest, 'utf8')).to.equal(original);
    expect(mtime()).to.equal(before);
    expect(fs.existsSync(path.join(repo, 'package.json.prepack'))).to.equal(false);
  });
});
