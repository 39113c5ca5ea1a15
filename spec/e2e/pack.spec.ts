/**
 * The tarball as a user gets it: `npm pack` (with its scripts, as a publish), its types checked
 * by @arethetypeswrong/cli, then installed into a fresh project that requires it, imports it,
 * compiles a strict TypeScript file against it (TypeScript 5.x and latest, @types/node 20 and
 * latest, node16 and bundler resolution), makes a call against the mock it ships, and runs its
 * command under both names. The install prints no npm warning (the tarball has no install
 * script). Then the package as installed from a git URL (a local clone): npm builds it there.
 * Dependencies come from npm's cache (npm ci filled it).
 */
import { expect } from 'chai';
import { ROOT, needsBuild } from './built';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startMockServer } from '../../lib/mock';

const run = promisify(execFile);

/**
 * The environment without V8 coverage, for the build and the compilers: under c8 (test:e2e)
 * each would write a large coverage file of code that is not this checkout's lib/.
 */
function uncovered(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_V8_COVERAGE;
  return env;
}

/** A package of the repository's own node_modules (a lockfile-pinned tool): its folder and version. */
function toolchain(name: string): { dir: string; version: string } {
  const dir = path.join(ROOT, 'node_modules', name);
  const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    version: string;
  };
  return { dir, version };
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** A strict consumer: public names only, error codes narrowed, the realtime config checked. */
const CONSUMER_TS = `
import { SonioxClient, SonioxRateLimitError, type SonioxErrorCode, type RealtimeToken } from 'soniox-pro-sdk';
import { startMockServer } from 'soniox-pro-sdk/mock';
type IsAny<X> = 0 extends 1 & X ? true : false;
export async function main(): Promise<string> {
  const server = await startMockServer();
  const client = new SonioxClient({ apiKey: server.apiKey, baseURL: server.url, env: {} });
  const code: SonioxErrorCode = new SonioxRateLimitError('x', { status: 429 }).code;
  const stream = client.realtime({ audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 });
  stream.on('data', (t: RealtimeToken) => t.text);
  for await (const token of stream) {
    const typed: IsAny<typeof token> = false;
    const text: string = token.text;
    void typed;
    void text;
    break;
  }
  stream.destroy();
  const { models } = await client.models.list();
  client.close();
  await server.close();
  return code + models.length;
}
`;

describe('the packed tarball, installed into a fresh project', function () {
  // npm pack, npm install from the cache, two tsc runs and a few node processes.
  this.timeout(180_000);
  needsBuild();
  let dir: string;
  let tarball: string;
  let installLog: string;
  let packRestored: boolean;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-pack-'));
    // With its scripts, as a publish packs: prepack builds and takes `prepare` out of the
    // packed package.json, postpack puts it back.
    const manifest = fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8');
    // Not --json: the scripts' output would share its stdout. The tarball is the one .tgz.
    await run(npm, ['pack', '--pack-destination', dir], {
      cwd: ROOT,
      env: uncovered(),
      maxBuffer: 16 * 1024 * 1024,
    });
    packRestored = fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8') === manifest;
    const packed = fs.readdirSync(dir).filter((f) => f.endsWith('.tgz'));
    if (packed.length !== 1) throw new Error(`npm pack made ${packed.length} tarballs`);
    tarball = path.join(dir, String(packed[0]));
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
    );
    // Scripts allowed, as a consumer installs: a package with an install script (`prepare`,
    // `postinstall`...) gets `npm warn install-scripts` lines in every consumer's install.
    const install = await run(
      npm,
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn', tarball],
      { cwd: dir },
    );
    installLog = install.stdout + install.stderr;
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The tarball's files, as paths in the package. */
  async function tarballFiles(): Promise<string[]> {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    return stdout
      .trim()
      .split('\n')
      .map((f) => f.replace(/^package\//, ''));
  }

  it('ships every file that a relative link of its README or its docs points at', async () => {
    const files = new Set(await tarballFiles());
    const documents = [...files].filter((f) => f === 'README.md' || /^docs\/.+\.md$/.test(f));
    expect(documents).to.include.members(['README.md', 'docs/design.md', 'docs/api.md']);
    const broken: string[] = [];
    for (const doc of documents) {
      const text = fs.readFileSync(path.join(dir, 'node_modules', 'soniox-pro-sdk', doc), 'utf8');
      for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^([a-z]+:|#)/.test(target)) continue;
        const file = path.posix.normalize(
          path.posix.join(path.posix.dirname(doc), target.split('#')[0] ?? ''),
        );
        if (!files.has(file)) broken.push(`${doc}: ${target}`);
      }
    }
    expect(broken).to.deep.equal([]);
  });

  it("runs the README's quick start and live-captions snippet as written, against a mock", async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    /** The first js block after `marker`. */
    const snippet = (marker: string) => {
      const at = readme.indexOf(marker);
      const start = readme.indexOf('```js\n', at);
      expect(at, marker).to.be.at.least(0);
      expect(start, `a js block after ${marker}`).to.be.above(at);
      return readme.slice(start + 6, readme.indexOf('```\n', start + 6));
    };
    const server = await startMockServer();
    try {
      const env = {
        ...process.env,
        SONIOX_API_KEY: server.apiKey,
        SONIOX_API_BASE_URL: server.url,
        SONIOX_REALTIME_URL: server.realtimeURL,
      };
      const programs = [
        ['quickstart', snippet('## Quick start'), 'hello-world.wav'],
        ['captions', snippet('**Live captions**'), 'bilingual.wav'],
      ] as const;
      const out: Record<string, { stdout: string; folder: string }> = {};
      for (const [name, code, audio] of programs) {
        const folder = path.join(dir, `readme-${name}`);
        fs.mkdirSync(folder);
        fs.copyFileSync(path.join(ROOT, 'fixtures', 'audio', audio), path.join(folder, 'call.wav'));
        fs.writeFileSync(path.join(folder, `${name}.mjs`), code);
        const { stdout } = await run(process.execPath, [`${name}.mjs`], { cwd: folder, env });
        out[name] = { stdout, folder };
      }
      expect(out.quickstart?.stdout).to.match(/hello world/i);
      const captions = out.captions as { stdout: string; folder: string };
      expect(captions.stdout).to.match(/^Speaker \S+ \[en\]: /m);
      expect(captions.stdout).to.match(/^ {4}-> \[es\] /m);
      const vtt = fs.readFileSync(path.join(captions.folder, 'captions.vtt'), 'utf8');
      expect(vtt).to.match(/^WEBVTT\n\n1\n\d\d:\d\d:\d\d\.\d{3} --> /);
      for (const file of ['captions.srt', 'captions.es.vtt'])
        expect(fs.statSync(path.join(captions.folder, file)).size, file).to.be.above(0);
    } finally {
      await server.close();
    }
  });

  it('holds no source map without its sources, and no spec, perf or fixture generator', async () => {
    const files = await tarballFiles();
    // Of perf/, the README's figure (and npm adds the folder's README).
    expect(
      files.filter((f) =>
        /^(spec|perf(?!\/figures\/[\w-]+\.svg$|\/README\.md$)|scripts|lib|examples)\//.test(f),
      ),
    ).to.deep.equal([]);
    const maps = files.filter((f) => f.endsWith('.map'));
    expect(maps.length).to.be.greaterThan(0);
    for (const map of maps) {
      const parsed = JSON.parse(
        fs.readFileSync(path.join(dir, 'node_modules', 'soniox-pro-sdk', map), 'utf8'),
      ) as { sources: string[]; sourcesContent?: string[] };
      expect(parsed.sourcesContent, map).to.have.length(parsed.sources.length);
    }
  });

  it('resolves its types for every consumer setting (@arethetypeswrong/cli: no problem)', async () => {
    const attw = path.join(ROOT, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
    const result = await run(process.execPath, [attw, tarball, '--format', 'json']).catch(
      (e: { stdout: string }) => e,
    );
    const { problems } = JSON.parse(result.stdout).analysis as { problems: unknown[] };
    expect(problems).to.deep.equal([]);
  });

  it('loads with require and import, and makes a call against the mock it ships', async () => {
    const cjs = `const { SonioxClient } = require('soniox-pro-sdk'); const { startMockServer } = require('soniox-pro-sdk/mock');
      startMockServer().then(async (s) => { const c = new SonioxClient({ apiKey: s.apiKey, baseURL: s.url, env: {} });
        const t = await c.transcribe(require.resolve('soniox-pro-sdk/package.json').replace('package.json', 'fixtures/audio/hello-world.wav'));
        console.log(t.text); c.close(); await s.close(); });`;
    const esm = `import { SonioxClient } from 'soniox-pro-sdk'; import mock from 'soniox-pro-sdk/mock';
      console.log(typeof SonioxClient, typeof mock.startMockServer);`;
    expect((await run(process.execPath, ['-e', cjs], { cwd: dir })).stdout.trim()).to.match(
      /hello world/i,
    );
    expect(
      (await run(process.execPath, ['--input-type=module', '-e', esm], { cwd: dir })).stdout.trim(),
    ).to.equal('function function');
  });

  // The oldest supported and the newest TypeScript and @types/node, from the lockfile (aliases:
  // typescript-latest, @types/node-latest), each pair under node16 resolution, and the two ends
  // under bundler resolution too. Any error, in our .d.ts or in the consumer, fails.
  const [oldestTs, latestTs] = [toolchain('typescript'), toolchain('typescript-latest')];
  const [oldestNode, latestNode] = [toolchain('@types/node'), toolchain('@types/node-latest')];
  const matrix = [oldestTs, latestTs].flatMap((ts) =>
    [oldestNode, latestNode].map((types) => ({ ts, types, moduleResolution: 'node16' })),
  );
  matrix.push({ ts: oldestTs, types: oldestNode, moduleResolution: 'bundler' });
  matrix.push({ ts: latestTs, types: latestNode, moduleResolution: 'bundler' });
  for (const { ts, types, moduleResolution } of matrix) {
    const name = `TypeScript ${ts.version}, @types/node ${types.version}, ${moduleResolution}`;
    it(`compiles a strict TypeScript consumer (skipLibCheck off): ${name}`, async () => {
      const project = path.join(dir, `ts-${ts.version}-node-${types.version}-${moduleResolution}`);
      // typeRoots holds one `node`: the @types/node of this run, whatever its package name.
      fs.mkdirSync(path.join(project, 'types'), { recursive: true });
      fs.symlinkSync(types.dir, path.join(project, 'types', 'node'), 'dir');
      fs.writeFileSync(path.join(project, 'main.ts'), CONSUMER_TS);
      fs.writeFileSync(
        path.join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: moduleResolution === 'node16' ? 'node16' : 'esnext',
            moduleResolution,
            strict: true,
            noEmit: true,
            target: 'es2022',
            skipLibCheck: false,
            typeRoots: [path.join(project, 'types')],
            types: ['node'],
          },
          files: ['main.ts'],
        }),
      );
      const tsc = path.join(ts.dir, 'bin', 'tsc');
      const result = await run(process.execPath, [tsc, '-p', project], { env: uncovered() }).catch(
        (e: { stdout: string; stderr: string }) => e,
      );
      expect(result.stdout + result.stderr).to.equal('');
    });
  }

  it('installs without a single npm warning, and publishes no install script', () => {
    expect(installLog).to.not.match(/npm warn/i);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(dir, 'node_modules', 'soniox-pro-sdk', 'package.json'), 'utf8'),
    ) as { scripts?: Record<string, string> };
    const install = ['preinstall', 'install', 'postinstall', 'prepare'];
    expect(Object.keys(manifest.scripts ?? {}).filter((k) => install.includes(k))).to.deep.equal(
      [],
    );
    // ...and the repository's own package.json keeps its `prepare` (git installs need it).
    expect(packRestored, 'package.json restored after npm pack').to.equal(true);
    expect(fs.existsSync(path.join(ROOT, 'package.json.prepack'))).to.equal(false);
  });

  it('installs its command under the package name, and as soniox: npx soniox-pro-sdk --help', async () => {
    for (const bin of ['soniox-pro-sdk', 'soniox']) {
      // The link itself: npx would also run a lone bin of another name by the package's name.
      expect(fs.existsSync(path.join(dir, 'node_modules', '.bin', bin)), `.bin/${bin}`).to.equal(
        true,
      );
      const { stdout } = await run('npx', ['--no-install', bin, '--help'], { cwd: dir });
      expect(stdout, bin).to.match(/transcribe/);
      expect(stdout, bin).to.match(/realtime/);
    }
  });
});

describe('installed from a git URL (a local clone of HEAD), as npm installs git dependencies', function () {
  // npm clones, installs the clone's dependencies (dev ones too) from the cache, runs its
  // `prepare` (the build: tens of seconds on 2 cores), packs and installs that.
  this.timeout(420_000);
  let dir: string;
  let installLog: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-git-'));
    const clone = path.join(dir, 'clone');
    const head = (await run('git', ['rev-parse', 'HEAD'], { cwd: ROOT })).stdout.trim();
    await run('git', ['clone', '--quiet', '--no-checkout', ROOT, clone]);
    const consumer = path.join(dir, 'consumer');
    fs.mkdirSync(consumer);
    fs.writeFileSync(
      path.join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
    );
    // No V8 coverage for npm and the clone's build: none of it is this checkout's code.
    const env = uncovered();
    const install = await run(
      npm,
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--loglevel=warn',
        `git+file://${clone}#${head}`,
      ],
      { cwd: consumer, env, maxBuffer: 16 * 1024 * 1024 },
    );
    installLog = install.stdout + install.stderr;
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has dist/ built, and loads with require and import', async () => {
    const consumer = path.join(dir, 'consumer');
    const installed = path.join(consumer, 'node_modules', 'soniox-pro-sdk');
    expect(fs.existsSync(path.join(installed, 'dist', 'index.js')), installLog).to.equal(true);
    expect(fs.existsSync(path.join(installed, 'dist', 'index.d.ts'))).to.equal(true);
    const cjs = `const { SonioxClient } = require('soniox-pro-sdk'); const { startMockServer } = require('soniox-pro-sdk/mock');
      console.log(typeof SonioxClient, typeof startMockServer);`;
    const esm = `import { SonioxClient } from 'soniox-pro-sdk'; console.log(typeof SonioxClient);`;
    expect((await run(process.execPath, ['-e', cjs], { cwd: consumer })).stdout.trim()).to.equal(
      'function function',
    );
    expect(
      (
        await run(process.execPath, ['--input-type=module', '-e', esm], { cwd: consumer })
      ).stdout.trim(),
    ).to.equal('function');
  });
});
