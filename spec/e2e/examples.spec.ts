import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMockServer, type MockServer } from '../../lib/mock';

const ROOT = path.join(__dirname, '..', '..');

function run(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', script, ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe('e2e: the README examples run against the mock server', function () {
  this.timeout(60_000);
  let server: MockServer;
  let env: Record<string, string>;
  beforeEach(async () => {
    server = await startMockServer({
      timing: { queuedMs: 5, processingMs: 5 },
      realtimePacing: false,
    });
    env = {
      SONIOX_API_KEY: server.apiKey,
      SONIOX_API_BASE_URL: server.url,
      SONIOX_REALTIME_URL: server.realtimeURL,
    };
  });
  afterEach(() => server.close());

  it('quick start: transcribes a file from the environment', async () => {
    const { code, out, err } = await run('examples/quickstart.ts', env);
    expect(code, err).to.equal(0);
    expect(out.trim()).to.equal('hello world this is a test');
    expect(err).to.match(/uploaded \d+\/\d+/);
  });

  it('realtime: pipe line, for await with endpoints, finalize, and a reconnect that loses nothing', async () => {
    // Sessions 1-3 (pipe, for await, finalize) run clean; session 4 drops once mid-stream.
    server.setFaults({ ws: [{ times: 3 }, { abruptClose: true, afterAudioMs: 2500, times: 1 }] });
    const { code, out, err } = await run('examples/realtime.ts', env);
    expect(code, err).to.equal(0);
    expect(out).to.include('pipe: good morning how are you');
    expect(out).to.include('for await: good morning how are you (2 endpoints');
    expect(out).to.include('finalize: good morning');
    expect(out).to.include('reconnect: good morning how are you');
    expect(err).to.match(/reconnecting \(1\)/);
  });

  it('many files: a folder through transcribeMany, and run again, every input skipped', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-many-'));
    try {
      const first = await run('examples/many-files.ts', env, ['fixtures/audio', out]);
      expect(first.code, first.err).to.equal(0);
      const texts = fs.readdirSync(out).filter((f) => f.endsWith('.txt'));
      expect(texts).to.have.length(6);
      expect(fs.readFileSync(path.join(out, 'hello-world.txt'), 'utf8').trim()).to.equal(
        'hello world this is a test',
      );
      expect(first.err).to.match(/6 done, 0 skipped, 0 failed/);
      const again = await run('examples/many-files.ts', env, ['fixtures/audio', out]);
      expect(again.code, again.err).to.equal(0);
      expect(again.out.match(/: skipped \(journaled\)$/gm)).to.have.length(6);
      expect(server.state.hits['POST /v1/transcriptions']).to.equal(6);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('testing with the mock: scripted realtime and async answers, and what the app sent', async () => {
    const { code, out, err } = await run('examples/testing-with-mock.ts', {});
    expect(code, err).to.equal(0);
    expect(out).to.include('captions: Speaker 1: Hello there | Speaker 2: Hi');
    expect(out).to.match(/error: \w+: .*402.*Organization balance exhausted/);
    expect(out).to.include('transcript: Speaker 1: Good morning | Speaker 2: Hi');
  });
});
