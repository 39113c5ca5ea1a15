/**
 * What a command touches of the outside world, injected so specs run commands in-process:
 * stdout/stderr (with their TTY-ness and width), stdin, the environment and Ctrl-C. Every byte
 * written to stdout or stderr goes through `redact`, so the API key can never be printed.
 */
import { PassThrough, type Readable } from 'node:stream';
import { redact } from '../errors';

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
  /** Calls `handler` on each Ctrl-C (SIGINT, or SIGTERM) until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

/** The real process: stdout, stderr, stdin, process.env, SIGINT and SIGTERM. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
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
}

function memoryOutput(isTTY: boolean, columns: number): MemoryOutput {
  const out: MemoryOutput = {
    text: '',
    isTTY,
    columns,
    write(chunk, callback) {
      out.text += chunk;
      callback?.();
      return true;
    },
  };
  return out;
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
  const stdin = new PassThrough();
  if (options.stdin) stdin.end(options.stdin);
  return {
    stdout: memoryOutput(options.isTTY ?? false, options.columns ?? 80),
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
