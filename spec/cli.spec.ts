import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { main, parseWsFaultFlag } from '../lib/cli';
import { startMockServer } from '../lib/mock';
import { fixture } from './audio';

const ROOT = path.join(__dirname, '..');

/** Runs the CLI in a child process (TypeScript through ts-node), with a deadline. */
function cli(args: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'lib/cli/index.ts', ...args], {
      cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe('cli', function () {
  this.timeout(60_000);

  it('prints help, and fails on an unknown command', async () => {
    const lines: string[] = [];
    expect(await main(['--help'], (l) => lines.push(l))).to.equal(0);
    expect(lines.join('\n')).to.match(/soniox <command>/);
    const errors: string[] = [];
    expect(await main(['dance'], () => undefined, (l) => errors.push(l))).to.equal(1);
    expect(errors.join('\n')).to.match(/unknown command "dance"/);
  });

  it('parses --ws-fault flags', () => {
    expect(parseWsFaultFlag('errorCode=503,afterAudioMs=1000,times=1')).to.deep.equal({ errorCode: 503, afterAudioMs: 1000, times: 1 });
    expect(parseWsFaultFlag('abruptClose')).to.deep.equal({ abruptClose: true });
    expect(() => parseWsFaultFlag('colour=red')).to.throw(/unknown/);
    expect(() => parseWsFaultFlag('times=x')).to.throw(/number/);
  });

  it('transcribes a file and streams one in realtime against a mock, from the environment', async () => {
    const server = await startMockServer({ timing: { queuedMs: 5, processingMs: 5 } });
    const env = { SONIOX_API_KEY: server.apiKey, SONIOX_API_BASE_URL: server.url, SONIOX_REALTIME_URL: server.realtimeURL };
    const audio = fixture('weather.wav');
    const lines: string[] = [];
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      expect(await main(['transcribe', audio.path], (l) => lines.push(l), () => undefined)).to.equal(0);
      expect(await main(['realtime', audio.path, '--final'], (l) => lines.push(l))).to.equal(0);
      expect(await main(['models'], (l) => lines.push(l))).to.equal(0);
      expect(await main(['transcribe'], () => undefined, (l) => lines.push(l))).to.equal(1);
    } finally {
      process.env = saved;
      await server.close();
    }
    expect(lines[0]).to.equal(audio.text);
    expect(lines[1]).to.equal(audio.text);
    expect(lines.join('\n')).to.match(/stt-rt-v5\treal_time/);
    expect(lines.at(-1)).to.match(/needs a path or a URL/);
  });

  it('runs the offline demo end to end', async () => {
    const { code, out } = await cli(['demo']);
    expect(code).to.equal(0);
    expect(out).to.match(/async transcript: +hello world this is a test/);
    expect(out).to.match(/realtime transcript: hello world this is a test/);
  });

  it('runs the mock server until SIGTERM and prints how to use it', async () => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'lib/cli/index.ts', 'mock', '--port', '0', '--fault', 'GET /v1/models=503,times=1'], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve) => child.stdout.on('data', () => out.includes('Ctrl-C') && resolve()));
    const url = /REST: +(\S+)/.exec(out)![1];
    const key = /API key: +(\S+)/.exec(out)![1];
    expect((await fetch(`${url}/v1/models`, { headers: { Authorization: `Bearer ${key}` } })).status).to.equal(503);
    expect((await fetch(`${url}/v1/models`, { headers: { Authorization: `Bearer ${key}` } })).status).to.equal(200);
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).to.equal(0);
  });
});
