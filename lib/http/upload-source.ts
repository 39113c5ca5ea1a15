/**
 * Upload sources: a path, a Buffer/Uint8Array or a Readable, checked before any byte is sent
 * and turned into something the transport can open once per attempt. Paths and buffers can be
 * opened again (retries re-read them); a Readable is one-shot.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { SonioxUploadNotRetryableError, SonioxValidationError } from '../errors';
import { MAX_FILE_SIZE } from '../types';

/** What `files.upload` accepts. */
export type UploadInput = string | Readable | Buffer | Uint8Array;

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

function invalid(message: string): SonioxValidationError {
  return new SonioxValidationError(`files.upload: ${message}`, [{ field: 'source', message }]);
}

function checkSize(size: number): void {
  if (size === 0) throw invalid('the source is empty');
  if (size > MAX_FILE_SIZE) throw invalid(`the source is ${size} bytes, over the API's limit of ${MAX_FILE_SIZE} bytes (1 GiB)`);
}

/** Chunks a buffer into views (no copy), so a large Buffer streams with bounded chunks. */
function bufferStream(buffer: Buffer): Readable {
  const chunk = 64 * 1024;
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= buffer.length) return void this.push(null);
      const end = Math.min(buffer.length, offset + chunk);
      this.push(buffer.subarray(offset, end));
      offset = end;
    },
  });
}

/** Waits for a stream's first chunk (or its end) without losing it. */
async function firstChunk(stream: Readable): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const done = (value: Buffer | null, error?: Error) => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
      if (error) reject(error);
      else resolve(value);
    };
    const onReadable = () => {
      const chunk = stream.read() as Buffer | string | null;
      if (chunk === null) return;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      stream.unshift(bytes);
      done(bytes);
    };
    const onEnd = () => done(null);
    const onError = (error: Error) => done(null, error);
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
    onReadable();
  });
}

/**
 * Checks an upload input and returns an openable source. Rejects with SonioxValidationError
 * (field `source`) before anything is sent: a missing path, a directory, an empty source, a
 * size over 1 GiB, a wrong type, a stream already ended or destroyed, or one that ends empty.
 */
export async function resolveUploadSource(input: UploadInput, opts: { filename?: string; size?: number } = {}): Promise<UploadSource> {
  if (opts.size !== undefined && (!Number.isInteger(opts.size) || opts.size < 0)) throw invalid('size must be a non-negative integer');
  if (typeof input === 'string') {
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(input);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw invalid(code === 'ENOENT' ? `no such file: ${input}` : `cannot read ${input} (${code})`);
    }
    if (stat.isDirectory()) throw invalid(`${input} is a directory`);
    checkSize(stat.size);
    const file = input;
    return { filename: opts.filename ?? path.basename(file), size: stat.size, replayable: true, open: () => fs.createReadStream(file) };
  }
  if (input instanceof Uint8Array) {
    const buffer = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    checkSize(buffer.length);
    return { filename: opts.filename ?? 'audio', size: buffer.length, replayable: true, open: () => bufferStream(buffer) };
  }
  if (input instanceof Readable) {
    if (input.destroyed || input.readableEnded) throw invalid('the stream has already ended or been destroyed');
    if (opts.size !== undefined) checkSize(opts.size);
    const first = await firstChunk(input).catch((error: Error) => {
      throw invalid(`the stream failed before sending: ${error.message}`);
    });
    if (first === null || first.length === 0) throw invalid('the source is empty');
    let opened = false;
    return {
      filename: opts.filename ?? 'audio',
      size: opts.size,
      replayable: false,
      open: () => {
        if (opened) {
          throw new SonioxUploadNotRetryableError('files.upload cannot be retried: the source stream was already consumed; pass a path or a Buffer to allow retries');
        }
        opened = true;
        return input;
      },
    };
  }
  throw invalid('source must be a path, a Readable, a Buffer or a Uint8Array');
}
