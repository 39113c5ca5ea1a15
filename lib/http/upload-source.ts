/**
 * Upload sources: a path, a Buffer/Uint8Array or a Readable, checked before any byte is sent
 * and turned into something the transport can open once per attempt. Paths and buffers can be
 * opened again (retries re-read them); a Readable is one-shot.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  SonioxAbortError,
  SonioxTimeoutError,
  SonioxUploadNotRetryableError,
  SonioxValidationError,
} from '../errors';
import { MAX_FILE_SIZE } from '../types';

/** What `files.upload` accepts. */
export type UploadInput = string | Readable | Buffer | Uint8Array;

/** Options of `resolveUploadSource`. */
export interface UploadSourceOptions {
  /** Name sent with the file (default: the path's base name, else `audio`). */
  filename?: string | undefined;
  /** Size of a Readable in bytes, when the caller knows it (ignored for paths and buffers). */
  size?: number | undefined;
  /** Aborts the wait for a Readable's first chunk. */
  signal?: AbortSignal | undefined;
  /** Longest wait for a Readable's first chunk, in ms (the upload's inactivity timeout). */
  firstChunkTimeoutMs?: number | undefined;
}

/** A checked source. */
export interface UploadSource {
  filename: string;
  /** Known size in bytes (paths, buffers, streams with a declared size). */
  size: number | undefined;
  /** Whether `open()` may be called again after a failed attempt. */
  replayable: boolean;
  /** A stream of the content: fresh for paths and buffers; the stream itself, once, for a Readable. */
  open(): Readable;
}

/** Chunk size of buffer sources: the same as a file stream's, so both pace alike. */
const BUFFER_CHUNK = 64 * 1024;

function invalid(message: string, field = 'source'): SonioxValidationError {
  return new SonioxValidationError(`files.upload: ${message}`, [{ field, message }]);
}

/** Throws unless `size` is one the API takes; `what` names the source in messages: its path, "the buffer", "the stream". */
function assertSize(size: number, what: string, empty = `${what} is empty`): void {
  if (size === 0) throw invalid(empty);
  if (size > MAX_FILE_SIZE)
    throw invalid(
      `${what} is ${size} bytes, over the API's limit of ${MAX_FILE_SIZE} bytes (1 GiB)`,
    );
}

/** A URL's scheme (`ftp`), when `text` looks like one (`scheme://`). */
function urlScheme(text: string): string | undefined {
  return /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
}

/** A path that does not exist: a URL is named as one (it is no file), else "no such file". */
function missingPath(file: string): string {
  const scheme = urlScheme(file);
  if (scheme === 'http' || scheme === 'https')
    return `${file} is a URL, not a local path: transcribe it as { audio_url }`;
  if (scheme !== undefined)
    return `${file}: ${scheme} URLs are not supported: upload a local path, or transcribe an http(s) URL as { audio_url }`;
  return `no such file: ${file}`;
}

/** Streams a buffer as views of it (no copy), in bounded chunks. */
function bufferStream(buffer: Buffer): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= buffer.length) return void this.push(null);
      const end = Math.min(buffer.length, offset + BUFFER_CHUNK);
      this.push(buffer.subarray(offset, end));
      offset = end;
    },
  });
}

function byteLength(chunk: unknown): number | undefined {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk);
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return undefined;
}

/**
 * Waits for a stream's first non-empty chunk (or its end) and puts it back, untouched, so the
 * upload still sends it. Resolves with its length, or 0 when the stream ended empty.
 */
async function peek(
  stream: Readable,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const settle = (error: Error | undefined, length = 0) => {
      clearTimeout(timer);
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(length);
    };
    const onReadable = () => {
      for (;;) {
        const chunk: unknown = stream.read();
        if (chunk === null) return;
        const length = byteLength(chunk);
        if (length === undefined)
          return settle(invalid('the stream must yield Buffers, Uint8Arrays or strings'));
        if (length === 0) continue; // an empty chunk says nothing about emptiness: look further
        stream.unshift(chunk); // a Buffer, a Uint8Array or a string: byteLength said so
        return settle(undefined, length);
      }
    };
    const onEnd = () => settle(undefined, 0);
    const onError = (error: Error) =>
      settle(invalid(`the stream failed before sending: ${error.message}`));
    const onAbort = () => settle(new SonioxAbortError('files.upload was aborted'));
    // The global setTimeout, so fake timers drive it in specs.
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(
            () =>
              settle(
                new SonioxTimeoutError(
                  `files.upload: no data from the source stream for ${timeoutMs} ms`,
                  timeoutMs,
                ),
              ),
            timeoutMs,
          );
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
    signal?.addEventListener('abort', onAbort);
    onReadable();
  });
}

async function fromPath(file: string, filename: string | undefined): Promise<UploadSource> {
  let stat: fs.Stats;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- uploading a path the caller gave is the feature
    stat = await fs.promises.stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw invalid(code === 'ENOENT' ? missingPath(file) : `cannot read ${file} (${code})`);
  }
  if (stat.isDirectory()) throw invalid(`${file} is a directory`);
  // A pipe or device has no size and cannot be re-read: it is a stream, not a file.
  if (!stat.isFile())
    throw invalid(
      `${file} is not a regular file; pass fs.createReadStream(path) to upload from a pipe or device`,
    );
  assertSize(stat.size, file);
  return {
    filename: filename ?? path.basename(file),
    size: stat.size,
    replayable: true,
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- uploading a path the caller gave is the feature
    open: () => fs.createReadStream(file),
  };
}

async function fromStream(stream: Readable, opts: UploadSourceOptions): Promise<UploadSource> {
  if (stream.destroyed || stream.readableEnded)
    throw invalid('the stream has already ended or been destroyed');
  if (opts.size !== undefined) assertSize(opts.size, 'the stream', 'the stream is empty (size: 0)');
  if ((await peek(stream, opts.signal, opts.firstChunkTimeoutMs)) === 0)
    throw invalid('the stream is empty');
  // Until the upload takes the stream, an error it emits must not crash the process; the
  // stream keeps the error and the upload reports it when it starts reading.
  const guard = () => undefined;
  stream.on('error', guard);
  let opened = false;
  return {
    filename: opts.filename ?? 'audio',
    size: opts.size,
    replayable: false,
    open: () => {
      if (opened) {
        throw new SonioxUploadNotRetryableError(
          'files.upload cannot be retried: the source stream was already consumed; pass a path or a Buffer to allow retries',
        );
      }
      opened = true;
      stream.off('error', guard);
      return stream;
    },
  };
}

/**
 * Checks an upload input and returns an openable source. Rejects with SonioxValidationError
 * (field `source`) before anything is sent: a missing path, a directory or other non-file, an
 * empty source, a size over 1 GiB, a wrong type, a stream already ended or destroyed, or one
 * that ends empty (its first chunk is peeked, and kept).
 */
export async function resolveUploadSource(
  input: UploadInput,
  opts: UploadSourceOptions = {},
): Promise<UploadSource> {
  if (opts.signal?.aborted) throw new SonioxAbortError('files.upload was aborted');
  if (opts.size !== undefined && (!Number.isSafeInteger(opts.size) || opts.size < 0))
    throw invalid('size must be a non-negative integer', 'size');
  if (opts.filename !== undefined && (typeof opts.filename !== 'string' || opts.filename === '')) {
    throw invalid('filename must be a non-empty string', 'filename');
  }
  if (typeof input === 'string') {
    if (input === '') throw invalid('the path is empty');
    return fromPath(input, opts.filename);
  }
  if (input instanceof Uint8Array) {
    // A Buffer view over the same memory: nothing is copied, however large the input.
    const buffer = Buffer.isBuffer(input)
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    assertSize(buffer.length, 'the buffer');
    return {
      filename: opts.filename ?? 'audio',
      size: buffer.length,
      replayable: true,
      open: () => bufferStream(buffer),
    };
  }
  if (input instanceof Readable) return fromStream(input, opts);
  throw invalid('source must be a path, a Readable, a Buffer or a Uint8Array');
}
