/** Child processes for measurements that need a fresh process (load time, first call) or their own RSS. */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** What a child printed and how it ended. */
export interface ChildOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `node ...args` from the repository root, killed after `timeoutMs`. */
export function runNode(
  args: string[],
  opts: { timeoutMs: number; env?: Record<string, string> },
): Promise<ChildOutcome> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Number(process.hrtime.bigint() - start) / 1e6 });
    });
  });
}

function newestSource(dirs: string[]): number {
  let t = 0;
  const stack = [...dirs];
  for (let guard = 0; stack.length && guard < 10_000; guard++) {
    const d = stack.pop() as string;
    if (!fs.existsSync(d)) continue;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (/\.(ts|json)$/.test(e.name)) t = Math.max(t, fs.statSync(p).mtimeMs);
    }
  }
  return t;
}

/**
 * Workers run as plain JavaScript compiled by tsc into the OS temp directory (not under ts-node:
 * its TypeScript compiler would sit in the very RSS being measured). Rebuilt when a source under
 * lib/, perf/harness, perf/workers or fixtures/ is newer. Returns the build directory.
 */
export function ensureWorkersBuilt(): string {
  const out = path.join(
    os.tmpdir(),
    `soniox-pro-sdk-perf-${crypto.createHash('sha1').update(ROOT).digest('hex').slice(0, 8)}`,
  );
  const stamp = path.join(out, '.stamp');
  const newest = newestSource(
    ['lib', 'perf/harness', 'perf/workers', 'fixtures'].map((d) => path.join(ROOT, d)),
  );
  if (fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= newest) return out;
  process.stderr.write(`[perf] compiling the workers into ${out}\n`);
  const tsc = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      path.join(ROOT, 'perf', 'workers', 'tsconfig.json'),
      '--outDir',
      out,
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 180_000 },
  );
  if (tsc.status !== 0)
    throw new Error(
      `compiling the perf workers failed: ${tsc.stdout.slice(-600)} ${tsc.stderr.slice(-300)}`,
    );
  fs.writeFileSync(stamp, String(Date.now()));
  return out;
}

/** A long-lived worker (`perf/workers/NAME.ts` calling `workerServe`): one request at a time over IPC. */
export interface Worker {
  call<T>(input: unknown, timeoutMs: number): Promise<T>;
  close(): void;
}

/** Forks the compiled `perf/workers/NAME.ts` (see ensureWorkersBuilt) with `nodeArgs`, plain node. */
export function forkWorker(name: string, nodeArgs: string[] = []): Worker {
  const script = path.join(ensureWorkersBuilt(), 'perf', 'workers', `${name}.js`);
  const env = { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') };
  const child: ChildProcess = fork(script, [], {
    cwd: ROOT,
    env,
    execArgv: nodeArgs,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  let exited: string | undefined;
  const waiting = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }
  >();
  child.on('message', (m: { id: number; out?: unknown; error?: string }) => {
    const w = waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id);
    clearTimeout(w.timer);
    if (m.error !== undefined) w.reject(new Error(m.error));
    else w.resolve(m.out);
  });
  child.on('exit', (code, signal) => {
    exited = `worker ${name} exited (${code ?? signal}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
    for (const w of waiting.values()) {
      clearTimeout(w.timer);
      w.reject(new Error(exited));
    }
    waiting.clear();
  });
  let next = 0;
  return {
    call<T>(input: unknown, timeoutMs: number): Promise<T> {
      if (exited) return Promise.reject(new Error(exited));
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          child.kill('SIGKILL');
          reject(new Error(`worker ${name} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, { resolve, reject, timer });
        child.send({ id, input });
      });
    },
    close(): void {
      if (!exited) child.kill('SIGKILL');
    },
  };
}

/** In a forked worker: answers each `{ id, input }` message with `{ id, out }` or `{ id, error }`, one at a time. */
export function workerServe<I, O>(handler: (input: I) => Promise<O>): void {
  let chain = Promise.resolve();
  process.on('message', (m: { id: number; input: I }) => {
    chain = chain.then(async () => {
      try {
        process.send?.({ id: m.id, out: await handler(m.input) });
      } catch (error) {
        process.send?.({
          id: m.id,
          error:
            error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error),
        });
      }
    });
  });
  process.on('disconnect', () => process.exit(0));
}
