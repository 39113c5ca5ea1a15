/**
 * What every command shares: the injected io (its outputs redacted), the client (made on first
 * use, closed by main), Ctrl-C as AbortSignals, colours, `--verbose` logging, and the mapping
 * of errors to one stderr line and an exit code.
 *
 * Exit codes: 0 ok; 1 the API or the network failed (an API error, a connection failure, a
 * timeout, a failed transcription, a realtime session error); 2 the command cannot be run as
 * given and nothing was sent (a bad flag or argument, a missing API key, a missing or
 * unreadable input file, parameters the SDK rejects before sending); 130 interrupted (Ctrl-C).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import pc from 'picocolors';
import { SonioxClient } from '../client';
import type { SonioxClientOptions } from '../config';
import {
  SonioxAPIError,
  SonioxConfigError,
  SonioxValidationError,
  SonioxWebSocketError,
} from '../errors';
import { redacting, type CliIO, type Output } from './io';
import { shownName } from './render/name';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** The command line cannot be acted upon (exit 2). */
export class UsageError extends Error {}

/**
 * Throws one UsageError naming every problem of the command line, if there are any: the CLI's
 * `…Problems` functions collect them (as lib/internal/issues.ts does for the SDK), so one run
 * tells the user all that is wrong.
 */
export function rejectUsage(problems: readonly string[]): void {
  if (problems.length > 0) throw new UsageError(problems.join('; '));
}

/** Ctrl-C stopped the command (exit 130); its message was printed already. */
export class InterruptedError extends Error {
  constructor() {
    super('interrupted');
  }
}

/**
 * A failure the command has printed already (one line per failed item): main adds no line of
 * its own, which would repeat it, and exits with the code `failure` calls for.
 */
export class ReportedError extends Error {
  constructor(readonly failure: unknown) {
    super(`reported: ${failure instanceof Error ? failure.message : String(failure)}`);
  }
}

/** Terminal colours, off when the output is not a TTY or NO_COLOR is set. */
export type Colors = ReturnType<typeof pc.createColors>;

/** The paths whose POST makes something (a file, a transcription). */
const CREATE_PATHS = ['/v1/files', '/v1/transcriptions'];

/** Why a cleanup's DELETE of `url` answered 404, for --verbose. */
function alreadyGone(url: string): string {
  const [, kind, id] = /^\/v1\/(files|transcriptions)\/([^/]+)$/.exec(url) ?? [];
  if (kind === 'files')
    return `file ${id} was already gone (deleting its transcription deleted it): nothing left to delete`;
  if (kind === 'transcriptions')
    return `transcription ${id} was already gone: nothing left to delete`;
  return `${url} was already gone: nothing left to delete`;
}

/** Shared state of one CLI run. */
export class Context {
  /** stdout and stderr, with the API key redacted from every write. */
  readonly stdout: Output;
  readonly stderr: Output;
  /** Colours for stderr. */
  readonly color: Colors;
  /** Aborted by the first Ctrl-C: the command's calls. */
  readonly signal: AbortSignal;
  /** Aborted by the second Ctrl-C: the cleanup after the first. */
  readonly cleanupSignal: AbortSignal;
  verbose = false;
  private readonly interrupt = new AbortController();
  private readonly cleanupInterrupt = new AbortController();
  private made: SonioxClient | undefined;
  private readonly stopListening: () => void;
  private readonly stopWatchingStdout: () => void;
  private stdoutGone = false;
  /** Creates sent whose answer has not come (a lost one makes the SDK look the create up). */
  private readonly unanswered = new Set<string>();
  /** Cleanups running (see `cleaning`): a 404 to their DELETE means already gone. */
  private cleanups = 0;

  constructor(readonly io: CliIO) {
    const secrets = [io.env.SONIOX_API_KEY];
    this.stdout = redacting(io.stdout, secrets);
    this.stderr = redacting(io.stderr, secrets);
    this.color = pc.createColors(io.stderr.isTTY === true && !io.env.NO_COLOR);
    this.signal = this.interrupt.signal;
    this.cleanupSignal = this.cleanupInterrupt.signal;
    this.stopListening = io.onInterrupt(() => {
      if (!this.interrupt.signal.aborted) this.interrupt.abort();
      else this.cleanupInterrupt.abort();
    });
    // A reader that closed stdout (`| head -1`) wants no more output: stop as on Ctrl-C
    // (abort the calls, clean up what was made), but quietly and with exit 0.
    this.stopWatchingStdout = io.onStdoutClosed(() => {
      this.stdoutGone = true;
      if (!this.interrupt.signal.aborted) this.interrupt.abort();
    });
  }

  /** Whether the command was stopped: Ctrl-C, or stdout closed by its reader. */
  get interrupted(): boolean {
    return this.signal.aborted;
  }

  /** Whether stdout's reader went away (EPIPE): the command stops quietly and exits 0. */
  get outputClosed(): boolean {
    return this.stdoutGone;
  }

  /** The client, made on first use from the environment (SONIOX_API_KEY, ...). */
  client(options: SonioxClientOptions = {}): SonioxClient {
    if (this.made) return this.made;
    if (!this.io.env.SONIOX_API_KEY && options.apiKey === undefined) {
      throw new UsageError(
        'no API key: set SONIOX_API_KEY (`soniox mock` prints one for a local mock server)',
      );
    }
    this.made = new SonioxClient({
      env: this.io.env,
      onRequest: (e) => {
        // A list of what a create makes, while that create has no answer: the exactly-once lookup.
        if (e.method === 'POST' && CREATE_PATHS.includes(e.url)) this.unanswered.add(e.url);
        else if (e.method === 'GET' && this.unanswered.delete(e.url))
          this.debug(`POST ${e.url} got no answer: looking up whether the create went through`);
        this.debug(`-> ${e.method} ${e.url}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`);
      },
      onResponse: (e) => {
        if (e.method === 'POST') this.unanswered.delete(e.url);
        this.debug(`<- ${e.status} ${e.method} ${e.url} ${e.durationMs.toFixed(0)} ms`);
        if (e.status === 404 && e.method === 'DELETE' && this.cleanups > 0)
          this.debug(alreadyGone(e.url));
      },
      onRetry: (e) =>
        this.debug(
          `retry ${e.attempt - 1} of ${e.method} ${e.url} in ${e.delayMs} ms: ${describe(e.error)}`,
        ),
      ...options,
    });
    return this.made;
  }

  /** Runs a cleanup: with --verbose, a 404 to its DELETEs is explained as "already gone". */
  async cleaning<T>(work: () => Promise<T>): Promise<T> {
    this.cleanups += 1;
    try {
      return await work();
    } finally {
      this.cleanups -= 1;
    }
  }

  /** A line on stderr, shown with --verbose only. */
  debug(line: string): void {
    if (this.verbose) this.stderr.write(`${this.color.dim(line)}\n`);
  }

  /** A line on stderr, always. */
  note(line: string): void {
    this.stderr.write(`${line}\n`);
  }

  /** Whether progress and status belong on stderr: a terminal, or --verbose. */
  get chatty(): boolean {
    return this.io.stderr.isTTY === true || this.verbose;
  }

  /** stdin as an audio source (`-`); a terminal is refused, it would wait for typed audio. */
  stdinSource(): Readable {
    if ((this.io.stdin as { isTTY?: boolean }).isTTY)
      throw new UsageError(
        'stdin is a terminal: pipe audio into it (cat call.wav | soniox ... -) or pass a file',
      );
    return this.io.stdin;
  }

  /** Writes a command's result to stdout, or to `out` when given (see writeOutput). */
  result(text: string, out?: string): void {
    const body = text.endsWith('\n') || text === '' ? text : `${text}\n`;
    if (out === undefined) this.stdout.write(body);
    else writeOutput(out, body);
  }

  /** Closes the client and stops listening for Ctrl-C and a closed stdout. */
  close(): void {
    this.made?.close();
    this.stopListening();
    this.stopWatchingStdout();
  }
}

/** A Node file-system error as a clear UsageError naming the path. */
export function fileError(e: unknown, path: string, verb: 'read' | 'write'): Error {
  const file = shownName(path);
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return new UsageError(
      verb === 'read'
        ? `no such file: ${file}`
        : `cannot write ${file}: its directory does not exist`,
    );
  if (code === 'EISDIR') return new UsageError(`${file} is a directory, not a file`);
  if (code === 'EACCES' || code === 'EPERM')
    return new UsageError(`cannot ${verb} ${file}: permission denied`);
  return new UsageError(`cannot ${verb} ${file}: ${(e as Error).message}`);
}

/**
 * Throws a UsageError unless `file` is a readable regular file (checked before anything is
 * sent); returns its size. A missing one that
 * looks like a URL is named as one: `http` when the command takes http(s) URLs (`transcribe`),
 * so that another scheme (ftp://) is said to be unsupported rather than "no such file".
 */
export function assertInputFile(file: string, urls: 'http' | 'none' = 'none'): number {
  let stat: fs.Stats;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the input path the user gave
    stat = fs.statSync(file);
  } catch (e) {
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(file)?.[1]?.toLowerCase();
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && scheme !== undefined)
      throw new UsageError(
        urls === 'http'
          ? `${file}: ${scheme} URLs are not supported: pass an http(s) URL (sent as audio_url) or a local file`
          : `${file} is a URL: this command reads a local file, or stdin (-)`,
      );
    throw fileError(e, file, 'read');
  }
  if (stat.isDirectory())
    throw fileError(Object.assign(new Error('EISDIR'), { code: 'EISDIR' }), file, 'read');
  return stat.size;
}

/** Why `file` cannot be created, in the CLI's words, from the error of a trial create. */
function createError(e: unknown, file: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const dir = path.dirname(path.resolve(file));
  if (code === 'EISDIR')
    return new UsageError(
      `cannot write ${shownName(file)}: a file name cannot end with ${path.sep}`,
    );
  if (code === 'ENOTDIR') {
    // Some ancestor is a file: name the first one that exists.
    let up = dir;
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- ancestors of the output path the user gave
    while (!fs.existsSync(up) && path.dirname(up) !== up) up = path.dirname(up);
    return new UsageError(
      `cannot write ${shownName(file)}: ${shownName(up)} is a file, not a directory`,
    );
  }
  if (code === 'ENOENT')
    return new UsageError(
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the directory of the output path the user gave
      fs.existsSync(dir)
        ? `cannot write ${shownName(file)}: ${shownName(dir)} does not take new files`
        : `cannot write ${shownName(file)}: its directory does not exist`,
    );
  if (code === 'EROFS')
    return new UsageError(`cannot write ${shownName(file)}: read-only file system`);
  return fileError(e, file, 'write');
}

/**
 * Throws a UsageError unless `file` can be written (checked before anything is sent): an existing one must be a
 * writable non-directory; a new one is created and removed again, which catches what a stat
 * cannot (a missing or read-only directory, a parent that is a file, a name ending in "/").
 */
export function assertOutputFile(file: string): void {
  let stat: fs.Stats | undefined;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the output path the user gave
    stat = fs.statSync(file, { throwIfNoEntry: false });
  } catch (e) {
    throw createError(e, file);
  }
  if (stat?.isDirectory())
    throw new UsageError(`cannot write ${shownName(file)}: it is a directory`);
  try {
    if (stat) {
      // An existing file (or /dev/stdout, a FIFO): opening it could block or truncate it.
      fs.accessSync(file, fs.constants.W_OK);
      return;
    }
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the output path the user gave
    fs.closeSync(fs.openSync(file, 'wx'));
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the trial file just made
    fs.unlinkSync(file);
  } catch (e) {
    // Made by someone else in between: it exists, so it is theirs to keep and ours to write.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw createError(e, file);
  }
}

/** What a failed write's code means, for a one-line message. */
const WRITE_FAILURES: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
};

/** `arg` as one shell word, quoted only when it needs to be (for commands printed to rerun). */
export function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Writes `text` to `file` (a result the API was paid for); a write that fails part-way (a full
 * disk) removes the partial file, unless `file` is not a regular one (/dev/full, a FIFO), and
 * throws a plain Error (exit 1: the command had been run, unlike a UsageError).
 */
export function writeOutput(file: string, text: string): void {
  let fd: number | undefined;
  try {
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the --out path the user gave
      fd = fs.openSync(file, 'w');
    } catch (e) {
      // Checked before sending, so this is a race (or a command without the check): say why.
      throw new Error(createError(e, file).message, { cause: e });
    }
    const bytes = Buffer.from(text);
    // A write may land partly (a disk filling up); the next one then fails with the reason.
    for (let at = 0; at < bytes.length;) {
      const wrote = fs.writeSync(fd, bytes, at, bytes.length - at);
      if (wrote <= 0) throw Object.assign(new Error('nothing was written'), { code: 'EIO' });
      at += wrote;
    }
    fs.closeSync(fd);
  } catch (e) {
    if (fd === undefined) throw e;
    try {
      fs.closeSync(fd);
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the --out path the user gave
      if (fs.statSync(file).isFile()) fs.unlinkSync(file);
    } catch {
      // Already gone, or not ours to remove: the error below says what failed.
    }
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code !== undefined && Object.hasOwn(WRITE_FAILURES, code) ? WRITE_FAILURES[code] : undefined;
    throw new Error(
      `cannot write ${shownName(file)}: ${why ? `${why} (${code})` : (e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}

/**
 * One line describing an error: the message plus the API's details, the request id and, for a
 * full quota, how to free it.
 */
export function describe(e: unknown): string {
  if (e instanceof SonioxAPIError || e instanceof SonioxWebSocketError) {
    const id =
      e.requestId && !e.message.includes(e.requestId) ? ` (request id ${e.requestId})` : '';
    const hint = e instanceof SonioxAPIError && e.hint ? ` (${e.hint})` : '';
    return `${e.message}${id}${hint}`;
  }
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The exit code an error ends the run with. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof ReportedError) return exitCodeOf(e.failure);
  if (e instanceof InterruptedError) return EXIT_INTERRUPTED;
  if (e instanceof UsageError || e instanceof SonioxConfigError) return EXIT_USAGE;
  // Checked before sending: bad parameters or options. (An answer that breaks the API's contract
  // is a SonioxResponseError: the API, not the command line, is at fault.)
  if (e instanceof SonioxValidationError) return EXIT_USAGE;
  return EXIT_FAILURE;
}
