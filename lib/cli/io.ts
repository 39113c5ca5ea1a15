/**
 * What a command touches of the outside world, injected so specs run commands in-process:
 * stdout/stderr (with their TTY-ness and width), stdin, the environment, Ctrl-C, a reader that
 * closed stdout (`soniox files ls | head -1`) and a parent process that went away. Every byte
 * written to stdout or stderr goes through `redact`, so the API key can never be printed.
 */
import { PassThrough, type Readable } from 'node:stream';
import { redact } from '../errors';
import { orphanedAtStart, PARENT_AT_START } from './parent';

/** A terminal or pipe the CLI writes to. */
export interface Output {
  write(chunk: string, callback?: (error?: Error | null) => void): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

/** The outside world of one CLI run. */
export interface CliIO {
  stdout: Output;
  stderr: Output;
  stdin: Readable;
  env: Record<string, string | undefined>;
  /** Calls `handler` on each Ctrl-C (SIGINT, SIGTERM or SIGHUP) until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
  /**
   * Calls `handler` once when stdout's reader goes away (EPIPE: `| head -1` read enough); later
   * writes to stdout are dropped. Returns a function that stops listening.
   */
  onStdoutClosed(handler: () => void): () => void;
  /**
   * Calls `handler` once when the process that started this one goes away (its parent exits or
   * the IPC channel closes), so a backgrounded `soniox mock` does not outlive its launcher.
   */
  onParentGone(handler: () => void): () => void;
}

/** How often the parent process is checked for (an unref'd timer: it keeps nothing alive). */
const PARENT_CHECK_MS = 1000;

/** A stream error that means the reader went away, not that the CLI failed. */
function isClosedPipe(e: NodeJS.ErrnoException): boolean {
  return e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED';
}

/**
 * process.stdout or process.stderr as an Output that survives its reader going away: an EPIPE
 * (an 'error' event nobody listened to would crash the process with a stack trace) marks it
 * closed, later writes are dropped, and `onClosed` handlers run once.
 */
function pipeOutput(stream: NodeJS.WriteStream): Output & {
  onClosed(handler: () => void): () => void;
} {
  const handlers = new Set<() => void>();
  let closed = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (!isClosedPipe(e)) throw e;
    if (closed) return;
    closed = true;
    for (const handler of [...handlers]) handler();
  });
  return {
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
    write(chunk, callback) {
      if (closed) {
        callback?.();
        return false;
      }
      return stream.write(chunk, (e) => callback?.(e && isClosedPipe(e) ? null : e));
    },
    onClosed(handler) {
      if (closed) {
        handler();
        return () => undefined;
      }
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}

/** The signals that stop a command as Ctrl-C does (SIGHUP: its terminal closed). */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The real process: stdout, stderr, stdin, process.env, its signals and its parent. */
export function processIO(): CliIO {
  const stdout = pipeOutput(process.stdout);
  // stderr's reader may go away too (`2>&1 | head`): its writes are then dropped, and the
  // command goes on (stdout decides when output is no longer wanted).
  const stderr = pipeOutput(process.stderr);
  return {
    stdout,
    stderr,
    stdin: process.stdin,
    env: process.env,
    onInterrupt(handler) {
      for (const signal of STOP_SIGNALS) process.on(signal, handler);
      return () => {
        for (const signal of STOP_SIGNALS) process.off(signal, handler);
      };
    },
    onStdoutClosed: (handler) => stdout.onClosed(handler),
    onParentGone(handler) {
      // The parent as it was at start (parent.ts), not now: one that exited meanwhile counts.
      const parent = PARENT_AT_START;
      // When the parent exits, the process is re-parented: its ppid changes.
      const timer = setInterval(() => {
        if (process.ppid !== parent) fire();
      }, PARENT_CHECK_MS);
      timer.unref();
      // Gone before the first line ran (`sh -c 'soniox mock &'`): adopted by init from the start.
      const atOnce = setImmediate(() => {
        if (process.ppid !== parent || orphanedAtStart(parent)) fire();
      });
      function stop(): void {
        clearInterval(timer);
        clearImmediate(atOnce);
        process.off('disconnect', fire);
      }
      function fire(): void {
        stop();
        handler();
      }
      process.on('disconnect', fire);
      return stop;
    },
  };
}

/** An Output that keeps what was written (specs). */
export interface MemoryOutput extends Output {
  /** Everything written so far. */
  text: string;
}

/** An in-memory CliIO for specs, with `interrupt()` standing in for Ctrl-C. */
export interface MemoryIO extends CliIO {
  stdout: MemoryOutput;
  stderr: MemoryOutput;
  stdin: PassThrough;
  /** Simulates Ctrl-C. */
  interrupt(): void;
  /** Simulates stdout's reader going away (EPIPE): later writes are dropped. */
  closeStdout(): void;
  /** Simulates the parent process going away. */
  orphan(): void;
}

function memoryOutput(isTTY: boolean, columns: number): MemoryOutput & { closed: boolean } {
  const out = {
    text: '',
    closed: false,
    isTTY,
    columns,
    write(chunk: string, callback?: (error?: Error | null) => void) {
      if (!out.closed) out.text += chunk;
      callback?.();
      return !out.closed;
    },
  };
  return out;
}

/** A set of one-shot handlers: `fire()` calls each once. */
function once(): { add(handler: () => void): () => void; fire(): void } {
  const handlers = new Set<() => void>();
  return {
    add(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    fire() {
      const all = [...handlers];
      handlers.clear();
      for (const handler of all) handler();
    },
  };
}

/** Builds an in-memory CliIO; `isTTY` applies to stdout and stderr. */
export function memoryIO(
  options: {
    isTTY?: boolean;
    columns?: number;
    env?: Record<string, string | undefined>;
    stdin?: Buffer;
  } = {},
): MemoryIO {
  const handlers = new Set<() => void>();
  const stdoutClosed = once();
  const parentGone = once();
  const stdin = new PassThrough();
  if (options.stdin) stdin.end(options.stdin);
  const stdout = memoryOutput(options.isTTY ?? false, options.columns ?? 80);
  return {
    stdout,
    stderr: memoryOutput(options.isTTY ?? false, options.columns ?? 80),
    stdin,
    env: options.env ?? {},
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    interrupt() {
      for (const handler of [...handlers]) handler();
    },
    onStdoutClosed: (handler) => stdoutClosed.add(handler),
    closeStdout() {
      stdout.closed = true;
      stdoutClosed.fire();
    },
    onParentGone: (handler) => parentGone.add(handler),
    orphan: () => parentGone.fire(),
  };
}

/** Wraps an Output so that no write carries one of `secrets`. */
export function redacting(output: Output, secrets: ReadonlyArray<string | undefined>): Output {
  return {
    get isTTY() {
      return output.isTTY;
    },
    get columns() {
      return output.columns;
    },
    write: (chunk, callback) => output.write(redact(String(chunk), secrets), callback),
  };
}
