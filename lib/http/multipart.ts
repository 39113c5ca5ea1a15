/**
 * A streaming multipart/form-data encoder: text fields and one file part, whose bytes are
 * piped through with backpressure (nothing buffers the file). The framing is computed up front
 * so the exact Content-Length is known whenever the file's size is.
 */

import { Readable, Transform, pipeline, type TransformCallback } from 'node:stream';
import { SonioxError, SonioxUploadError, SonioxValidationError } from '../errors';
import { nodeCrypto } from '../internal/node-builtins';

/** A text field. */
export interface MultipartField {
  name: string;
  value: string;
}

/** The file part. */
export interface MultipartFile {
  field: string;
  filename: string;
  /** MIME type of the part (default application/octet-stream). */
  contentType?: string | undefined;
  /** Declared size; when given, the body has a Content-Length and a short or long source fails. */
  size: number | undefined;
  stream: Readable;
}

/** An encoded body. */
export interface MultipartBody {
  stream: Readable;
  contentType: string;
  /** Exact byte length of `stream`, when the file's size is known. */
  contentLength: number | undefined;
}

/** Progress of the file part: file bytes passed on so far, and the declared size. */
export interface MultipartProgress {
  loaded: number;
  total: number | undefined;
}

/** Progress is reported at least this often (in file bytes), and once at the end. */
export const PROGRESS_STEP = 1024 * 1024;

/** Buffer size of the body stream: big enough that piping to a socket is not chatty. */
const HIGH_WATER_MARK = 64 * 1024;

/**
 * Escapes a quoted header parameter value: backslash and quote are backslash-escaped (RFC 7578
 * quoted-string), CR and LF are percent-encoded as browsers do, so no value can end the header.
 */
export function escapeParam(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A');
}

/**
 * The body: pushes the head, passes the file through (counting it, checking the declared size,
 * reporting progress), and pushes the tail when the file ends. Being one Transform, a consumer
 * that stops reading stops the source, with no extra stream hop to slow large uploads.
 */
class MultipartStream extends Transform {
  private loaded = 0;
  private reported = 0;

  constructor(
    head: Buffer,
    private readonly tail: Buffer,
    private readonly size: number | undefined,
    private readonly onProgress: ((p: MultipartProgress) => void) | undefined,
  ) {
    super({ readableHighWaterMark: HIGH_WATER_MARK, writableHighWaterMark: HIGH_WATER_MARK });
    this.push(head);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    // Slicing (views, no copy) chunks larger than a step keeps progress at least every step.
    for (let at = 0; at < chunk.length; at += PROGRESS_STEP) {
      const piece = chunk.length <= PROGRESS_STEP ? chunk : chunk.subarray(at, at + PROGRESS_STEP);
      this.loaded += piece.length;
      if (this.size !== undefined && this.loaded > this.size) return done(this.sizeError());
      this.push(piece);
      if (this.loaded - this.reported >= PROGRESS_STEP) {
        const error = this.report();
        if (error) return done(error);
      }
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.size !== undefined && this.loaded !== this.size) return done(this.sizeError());
    const error = this.reported === this.loaded ? undefined : this.report();
    if (error) return done(error);
    this.push(this.tail);
    done();
  }

  private sizeError(): Error {
    return new SonioxUploadError(
      `files.upload: declared size ${this.size} but read ${this.loaded} bytes`,
    );
  }

  /** Calls onProgress; a callback that throws fails the upload instead of crashing the process. */
  private report(): Error | undefined {
    this.reported = this.loaded;
    try {
      this.onProgress?.({ loaded: this.loaded, total: this.size });
      return undefined;
    } catch (error) {
      return new SonioxUploadError(
        `files.upload: onProgress threw: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
  }
}

/**
 * Encodes `fields` and `file` as a multipart/form-data stream. The returned stream fails with
 * a SonioxUploadError around the source's error when the source fails (an SDK error as itself),
 * with the pipeline's premature-close error when it closes early, and with "declared size N but read
 * M bytes" when a declared size is wrong. Destroying it destroys the source.
 */
export function encodeMultipart(
  fields: MultipartField[],
  file: MultipartFile,
  onProgress?: (p: MultipartProgress) => void,
): MultipartBody {
  const contentType = file.contentType ?? 'application/octet-stream';
  // A user-supplied type with a line break would inject headers into the part.
  if (/[\r\n]/.test(contentType)) {
    file.stream.destroy();
    throw new SonioxValidationError('files.upload: contentType must not contain line breaks', [
      { field: 'contentType', message: 'must not contain line breaks' },
    ]);
  }
  const boundary = `----soniox-${nodeCrypto().randomBytes(12).toString('hex')}`;
  let head = '';
  for (const f of fields) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${escapeParam(f.name)}"\r\n\r\n${f.value}\r\n`;
  }
  head +=
    `--${boundary}\r\nContent-Disposition: form-data; name="${escapeParam(file.field)}"; filename="${escapeParam(file.filename)}"\r\n` +
    `Content-Type: ${contentType}\r\n\r\n`;
  const headBytes = Buffer.from(head);
  const tailBytes = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = new MultipartStream(headBytes, tailBytes, file.size, onProgress);
  // The source's own failure (a disk error, the caller's destroy(err)) is the body's reason, kept
  // as a SonioxUploadError around it: otherwise it reaches the caller as a bare "network error".
  // Registered before pipeline's listener, so it is the error the body is destroyed with; when
  // the body was destroyed first (the request failed), it changes nothing.
  file.stream.once('error', (error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    body.destroy(
      error instanceof SonioxError
        ? error
        : new SonioxUploadError(`files.upload: the source stream failed: ${reason}`, {
            cause: error,
          }),
    );
  });
  // pipeline propagates a source error (or early close) to the body, and destroys the source
  // when the body is destroyed (the request failed); its own report is redundant with that.
  pipeline(file.stream, body, () => undefined);
  return {
    stream: body,
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength:
      file.size === undefined ? undefined : headBytes.length + file.size + tailBytes.length,
  };
}
