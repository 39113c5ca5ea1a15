/**
 * Nothing the SDK leaves behind keeps a process alive: a process that closed its client
 * mid-call, or destroyed a realtime stream, exits by itself. Each runs in a child process
 * (TypeScript through ts-node), because only a real process can show that it exits.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { until } from '../helpers';

const ROOT = path.join(__dirname, '..', '..');

describe('e2e: processes exit by themselves once the SDK is done', () => {
  it('leaves no handle behind: a process that closed its client mid-call exits by itself', async function () {
    this.timeout(30_000);
    const script = path.join(__dirname, 'close-exits.script.ts');
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(output).to.include('rejected: SonioxConnectionError');
    expect(code).to.equal(0);
  });

  it('lets the process exit after destroy() with no timer, socket or listener left', async () => {
    const script = `
      const { startMockServer } = require('./lib/mock');
      const { SonioxClient } = require('./lib/client');
      (async () => {
        const server = await startMockServer();
        const client = new SonioxClient({ apiKey: server.apiKey, baseURL: server.url, realtimeURL: server.realtimeURL, env: {} });
        const stream = client.realtime({ audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1, keepaliveIntervalMs: 1000, heartbeatIntervalMs: 500 });
        stream.write(Buffer.alloc(3200));
        await new Promise((r) => stream.once('result', r));
        stream.destroy();
        client.close();
        await server.close();
        console.log('done');
      })();`;
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let code: number | null | undefined;
    child.on('exit', (c) => (code = c));
    await until(() => code !== undefined, 30_000).catch(() => child.kill());
    expect(out).to.include('done');
    expect(code).to.equal(0);
  });
});
