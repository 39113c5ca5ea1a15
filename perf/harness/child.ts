/** Child processes for measurements that need a fresh process (load time, first call) or their own RSS. */
import { fork, spawn, type ChildProcess } from 'node:child_process';
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
export function runNode(args: string[], opts: { timeoutMs: number; env?: Record<string, string> }): Promise<ChildOutcome> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

/**
 * Runs a TypeScript worker (`perf/workers/NAME.ts`) with `input` as its argument; it prints one
 * JSON line last. Rejects with the worker's stderr when it fails.
 */
export async function runWorker<T>(name: string, input: unknown, timeoutMs: number, nodeArgs: string[] = []): Promise<T> {
  const script = path.join(ROOT, 'perf', 'workers', `${name}.ts`);
  const out = await runNode([...nodeArgs, '-r', 'ts-node/register/transpile-only', script, JSON.stringify(input)], { timeoutMs });
  const last = out.stdout.trim().split('\n').at(-1) ?? '';
  if (out.code !== 0 || !last.startsWith('{')) {
    throw new Error(`worker ${name} failed (exit ${out.code}): ${(out.stderr.trim().split('\n').slice(-3).join(' | ') || out.stdout.slice(-300)).slice(0, 400)}`);
  }
  return JSON.parse(last) as T;
}

/** In a worker: reads the JSON input, runs `main`, prints its result as the last line. */
export function workerMain<I, O>(main: (input: I) => Promise<O>): void {
  const input = JSON.parse(process.argv[2] ?? '{}') as I;
  main(input).then(
    (out) => {
      process.stdout.write(`${JSON.stringify(out)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

/** A long-lived worker (`perf/workers/NAME.ts` calling `workerServe`): one request at a time over IPC. */
export interface Worker {
  call<T>(input: unknown, timeoutMs: number): Promise<T>;
  close(): void;
}

/** Forks `perf/workers/NAME.ts` under ts-node (transpile only) with `nodeArgs`. */
export function forkWorker(name: string, nodeArgs: string[] = []): Worker {
  const script = path.join(ROOT, 'perf', 'workers', `${name}.ts`);
  const child: ChildProcess = fork(script, [], { cwd: ROOT, execArgv: [...nodeArgs, '-r', 'ts-node/register/transpile-only'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  let exited: string | undefined;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
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
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
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
        process.send?.({ id: m.id, error: error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error) });
      }
    });
  });
  process.on('disconnect', () => process.exit(0));
}
