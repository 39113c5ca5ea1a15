/**
 * A streaming multipart/form-data encoder: text fields and one file part, whose bytes are
 * piped through with backpressure (nothing buffers the file). The framing is computed up front
 * so the exact Content-Length is known whenever the file's size is.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable, Transform } from 'node:stream';

/** A text field. */
export interface MultipartField {
  name: string;
  value: string;
}

/** The file part. */
export interface MultipartFile {
  field: string;
  filename: string;
  contentType?: string;
  size: number | undefined;
  stream: Readable;
}

/** An encoded body. */
export interface MultipartBody {
  stream: Readable;
  contentType: string;
  contentLength: number | undefined;
}

/** Progress of the file part. */
export interface MultipartProgress {
  loaded: number;
  total: number | undefined;
}

/** Progress is reported at least this often (in file bytes), and once at the end. */
export const PROGRESS_STEP = 1024 * 1024;

/** Escapes a header parameter value (quotes, backslashes, line breaks). */
export function escapeParam(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Counts file bytes, checks the declared size and reports progress. */
function meter(size: number | undefined, onProgress?: (p: MultipartProgress) => void): Transform {
  let loaded = 0;
  let reported = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      loaded += chunk.length;
      if (size !== undefined && loaded > size) return done(new Error(`declared size ${size} but read more bytes (${loaded})`));
      if (onProgress && loaded - reported >= PROGRESS_STEP) {
        reported = loaded;
        onProgress({ loaded, total: size });
      }
      done(null, chunk);
    },
    flush(done) {
      if (size !== undefined && loaded !== size) return done(new Error(`declared size ${size} but read ${loaded} bytes`));
      if (onProgress && reported !== loaded) onProgress({ loaded, total: size });
      done();
    },
  });
}

/** Encodes `fields` and `file` as a multipart/form-data stream. */
export function encodeMultipart(fields: MultipartField[], file: MultipartFile, onProgress?: (p: MultipartProgress) => void): MultipartBody {
  const boundary = `----soniox-${randomBytes(12).toString('hex')}`;
  let head = '';
  for (const f of fields) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${escapeParam(f.name)}"\r\n\r\n${f.value}\r\n`;
  }
  head += `--${boundary}\r\nContent-Disposition: form-data; name="${escapeParam(file.field)}"; filename="${escapeParam(file.filename)}"\r\n` +
    `Content-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const headBytes = Buffer.from(head);
  const tailBytes = Buffer.from(tail);
  const out = new PassThrough({ highWaterMark: 64 * 1024 });
  const counter = meter(file.size, onProgress);
  const fail = (error: Error) => {
    file.stream.unpipe(counter);
    counter.unpipe(out);
    out.destroy(error);
  };
  file.stream.once('error', fail);
  counter.once('error', fail);
  // If the consumer goes away (request failed), stop reading the source.
  out.once('close', () => {
    if (!file.stream.readableEnded) file.stream.destroy();
  });
  out.write(headBytes);
  counter.on('end', () => out.end(tailBytes));
  file.stream.pipe(counter).pipe(out, { end: false });
  return {
    stream: out,
    contentType: `multipart/form-data; boundary=${boundary}`,
    contentLength: file.size === undefined ? undefined : headBytes.length + file.size + tailBytes.length,
  };
}
