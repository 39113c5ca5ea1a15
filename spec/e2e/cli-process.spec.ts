/**
 * The `soniox` command as a real process: the bin entry's exit code, a real SIGINT, piped stdin,
 * a reader that closes stdout early (`| head -1`), the stop signals, and a parent that goes
 * away. Each spawns the CLI (TypeScript through ts-node); the in-process specs are in spec/cli/.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fixture as audioFixture } from '../audio';
import { fixture, until } from '../helpers';
import {
  cliMock,
  envFor,
  finished,
  killChildren,
  ROOT,
  run,
  spawnCli,
  waitFor,
} from '../cli/helpers';

const audio = audioFixture('hello-world.wav');
const PCM = ['--format', 'pcm_s16le', '--rate', '16000', '--channels', '1', '--no-pacing'];

/** What a crash on a closed pipe looks like: Node's unhandled 'error' event and its trace. */
const CRASH = /EPIPE|Unhandled|\n\s+at /;

/** Whether a TCP port on loopback refuses connections. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** Whether process `pid` is still alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('e2e: the soniox command as a process, when its surroundings go away', function () {
  this.timeout(60_000);
  const t = fixture({ mock: { realtimePacing: false } });
  let env: Record<string, string>;
  beforeEach(() => {
    env = envFor(t.server);
    t.defer(killChildren);
  });

  it('the bin entry sets the exit code (missing key: 2, one line on stderr)', async () => {
    const { code, out, err } = await finished(spawnCli(['models']), 30_000);
    expect(code).to.equal(2);
    expect(out).to.equal('');
    expect(err).to.equal(
      'error: no API key: set SONIOX_API_KEY (`soniox mock` prints one for a local mock server)\n',
    );
  });

  it('transcribe: SIGINT once the upload is done deletes the file and exits 130', async () => {
    const slow = await cliMock({ timing: { queuedMs: 60_000, processingMs: 10 } });
    t.defer(() => slow.close());
    const child = spawnCli(['transcribe', audio.path, '--verbose'], envFor(slow));
    const done = finished(child, 30_000);
    await waitFor(child, /created transcription/, 'stderr', 30_000);
    expect(slow.state.files.size).to.equal(1);
    child.kill('SIGINT');
    const { code, err, out } = await done;
    expect(code).to.equal(130);
    expect(out).to.equal('');
    expect(err).to.match(/interrupted: cleaning up/);
    expect(slow.state.files.size).to.equal(0);
    expect(slow.state.transcriptions.size).to.equal(0);
  });

  it('realtime: `cat a.pcm | soniox realtime - --format pcm_s16le ...` streams stdin', async () => {
    const child = spawnCli(['realtime', '-', ...PCM, '--final', '--output-format', 'json'], env);
    const done = finished(child, 30_000);
    child.stdin.end(audio.pcm);
    const { code, out, err } = await done;
    expect(err).to.equal('');
    expect(code).to.equal(0);
    const text = out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { text: string }).text)
      .join('');
    expect(text).to.equal(audio.text);
  });

  it('files ls with its stdout closed before it writes: exit 0, no stack trace', async () => {
    await run(['files', 'upload', audio.path], { env });
    const child = spawnCli(['files', 'ls'], env);
    child.stdout.destroy();
    const { code, err } = await finished(child, 30_000);
    expect(err).to.not.match(CRASH);
    expect(code).to.equal(0);
  });

  it('realtime -O json stops at once with exit 0 when the reader closes after the first line', async () => {
    const child = spawnCli(['realtime', audio.path, '-O', 'json'], env);
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) child.stdout.destroy();
    });
    const { code, err } = await finished(child, 30_000);
    expect(err).to.not.match(CRASH);
    expect(code).to.equal(0);
  });

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`mock stops on ${signal} with exit 0 and frees its port`, async () => {
      const child = spawnCli(['mock', '--port', '0'], {});
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await until(() => /REST: +http:\/\/127\.0\.0\.1:\d+/.test(out), 30_000);
      const port = Number(/REST: +http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
      const done = finished(child, 30_000);
      child.kill(signal);
      const { code } = await done;
      expect(code).to.equal(0);
      expect(await refused(port)).to.equal(true);
    });
  }

  it('mock stops when the shell that backgrounded it exits at once (sh -c "soniox mock &")', async () => {
    // The shell is gone before node runs a line: the mock is adopted by init from its start.
    const log = path.join(os.tmpdir(), `soniox-mock-orphan-${process.pid}.log`);
    t.defer(() => fs.rmSync(log, { force: true }));
    const launcher = spawn(
      'sh',
      [
        '-c',
        `"${process.execPath}" -r ts-node/register/transpile-only lib/cli/index.ts mock --port 0 > "${log}" 2>&1 & echo $!`,
      ],
      { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
    );
    const { out } = await finished(launcher, 10_000);
    const pid = Number(out.trim());
    expect(pid).to.be.greaterThan(1);
    t.defer(() => alive(pid) && process.kill(pid, 'SIGKILL'));
    await until(() => !alive(pid), 30_000);
    // It did run (this is no crash at start), and let go of its port.
    const text = fs.readFileSync(log, 'utf8');
    expect(text).to.match(/Soniox mock server listening/);
    const port = Number(/REST: +http:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1]);
    expect(await refused(port)).to.equal(true);
  });

  it('mock stops when the process that started it is killed', async () => {
    // A launcher that starts the mock, reports its pid and port, and then waits to be killed.
    const launcher = spawn(
      process.execPath,
      [
        '-e',
        `const { spawn } = require('node:child_process');
         const mock = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'lib/cli/index.ts', 'mock', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
         mock.stdout.on('data', (d) => { const m = /REST: +http:\\/\\/127\\.0\\.0\\.1:(\\d+)/.exec(String(d)); if (m) console.log(mock.pid, m[1]); });
         setInterval(() => {}, 1000);`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    launcher.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => /^\d+ \d+\n/.test(out), 30_000);
    const [pid, port] = out.trim().split(' ').map(Number) as [number, number];
    t.defer(() => alive(pid) && process.kill(pid, 'SIGKILL'));
    launcher.kill('SIGKILL');
    await until(() => !alive(pid), 15_000);
    expect(await refused(port)).to.equal(true);
  });
});
