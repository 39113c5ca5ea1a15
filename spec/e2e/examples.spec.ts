import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startMockServer, type MockServer } from '../../lib/mock';

const ROOT = path.join(__dirname, '..', '..');

function run(
  script: string,
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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

  it('testing with the mock: scripted realtime and async answers, and what the app sent', async () => {
    const { code, out, err } = await run('examples/testing-with-mock.ts', {});
    expect(code, err).to.equal(0);
    expect(out).to.include('captions: Speaker 1: Hello there | Speaker 2: Hi');
    expect(out).to.match(/error: \w+: .*402.*Organization balance exhausted/);
    expect(out).to.include('transcript: Speaker 1: Good morning | Speaker 2: Hi');
  });
});
