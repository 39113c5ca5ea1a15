/** CLI spec helpers: in-process runs through an injected io, child-process runs with deadlines. */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../lib/cli';
import { memoryIO, type MemoryIO } from '../../lib/cli/io';
import { startMockServer, type MockServer } from '../../lib/mock';
import type { MockServerOptions } from '../../lib/mock/contracts';
import { fixture, type Fixture } from '../helpers';

export const ROOT = path.join(__dirname, '..', '..');
export const KEY = 'sk-cli-SECRET-0123456789abcdef';

/** The CLI specs' mock: fast lifecycle, no realtime pacing, the CLI's secret key. */
const CLI_MOCK: MockServerOptions = {
  apiKey: KEY,
  timing: { queuedMs: 5, processingMs: 10 },
  realtimePacing: false,
};

/** A mock for CLI specs: fast lifecycle, no realtime pacing, the secret key. */
export function cliMock(options: MockServerOptions = {}): Promise<MockServer> {
  return startMockServer({ ...CLI_MOCK, ...options });
}

/** `fixture()` for command specs: its server is a CLI mock, and it knows the CLI's environment. */
export interface CliFixture extends Fixture {
  /** The environment that points the CLI at `server`. */
  readonly env: Record<string, string>;
  /** A scratch directory, made on first use and removed after the spec. */
  readonly tmp: string;
}

/**
 * The per-spec fixture of command specs: `fixture()` on a CLI mock (options over the CLI
 * defaults), clients with the CLI's key, a scratch directory, and the children a spec spawned
 * killed; all torn down after each spec whatever its outcome.
 */
export function cliFixture(options: MockServerOptions = {}): CliFixture {
  // Registered before fixture()'s hook, so that it runs first: children go before the server.
  afterEach(killChildren);
  const t = fixture({ mock: { ...CLI_MOCK, ...options }, client: { apiKey: KEY } });
  let tmp: string | undefined;
  return {
    get server() {
      return t.server;
    },
    get client() {
      return t.client;
    },
    get clock() {
      return t.clock;
    },
    clientWith: (clientOptions) => t.clientWith({ apiKey: KEY, ...clientOptions }),
    serverWith: (serverOptions) => t.serverWith(serverOptions),
    defer: (cleanup) => t.defer(cleanup),
    get env() {
      return envFor(t.server);
    },
    get tmp() {
      if (tmp === undefined) {
        const made = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-cli-'));
        tmp = made;
        t.defer(() => {
          tmp = undefined;
          fs.rmSync(made, { recursive: true, force: true });
        });
      }
      return tmp;
    },
  };
}

/** The environment that points the CLI at `server`. */
export function envFor(server: MockServer): Record<string, string> {
  return {
    SONIOX_API_KEY: server.apiKey,
    SONIOX_API_BASE_URL: server.url,
    SONIOX_REALTIME_URL: server.realtimeURL,
  };
}

/** What a run left. */
export interface Run {
  code: number;
  out: string;
  err: string;
  io: MemoryIO;
}

/** Runs the CLI in-process. */
export async function run(
  argv: string[],
  options: Parameters<typeof memoryIO>[0] & { io?: MemoryIO } = {},
): Promise<Run> {
  const io = options.io ?? memoryIO(options);
  const code = await main(argv, io);
  return { code, out: io.stdout.text, err: io.stderr.text, io };
}

const children = new Set<ChildProcessWithoutNullStreams>();

/** Starts the CLI in a child process (TypeScript through ts-node; no build needed). */
export function spawnCli(
  args: string[],
  env: Record<string, string> = {},
): ChildProcessWithoutNullStreams {
  const {
    SONIOX_API_KEY: _k,
    SONIOX_API_BASE_URL: _b,
    SONIOX_REALTIME_URL: _r,
    ...rest
  } = process.env;
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'lib/cli/index.ts', ...args],
    {
      cwd: ROOT,
      env: { ...rest, NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

/** Kills the children a spec left running (afterEach). */
export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/** Collects a child's output and exit code, killing it after `timeoutMs`. */
export function finished(
  child: ChildProcessWithoutNullStreams,
  timeoutMs = 15_000,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** Resolves once the child's stderr (or stdout) matches `pattern`; rejects after `timeoutMs`. */
export function waitFor(
  child: ChildProcessWithoutNullStreams,
  pattern: RegExp,
  stream: 'stdout' | 'stderr' = 'stderr',
  timeoutMs = 15_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} on ${stream} within ${timeoutMs} ms: ${text}`)),
      timeoutMs,
    );
    child[stream].on('data', function onData(d: Buffer) {
      text += d.toString();
      if (pattern.test(text)) {
        clearTimeout(timer);
        child[stream].off('data', onData);
        resolve(text);
      }
    });
  });
}

/** A WAV of `ms` of noise (16 kHz, s16le, mono): the mock answers it with placeholder words. */
export function noiseWav(ms: number): Buffer {
  const data = Buffer.alloc(ms * 32);
  for (let i = 0; i < data.length; i += 2) data.writeInt16LE(((i * 7919) % 20000) - 10000, i);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(16000, 24);
  header.writeUInt32LE(32000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
