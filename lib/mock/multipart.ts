/**
 * A streaming multipart/form-data parser for the mock's uploads. It holds at most one chunk
 * plus a delimiter's worth of bytes, so a 1 GiB upload does not raise the server's memory.
 */
import { Writable } from 'node:stream';

/** A part's disposition. */
export interface PartInfo {
  name: string;
  filename?: string;
  contentType?: string;
}

/** Callbacks of the parser, in order for each part: onPart, onData*, onPartEnd. */
export interface MultipartHandlers {
  onPart(info: PartInfo): void;
  onData(chunk: Buffer): void;
  onPartEnd(): void;
}

/** The boundary of a `multipart/form-data` Content-Type, if it is one. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match ? (match[1] ?? match[2]) : undefined;
}

const MAX_HEADER_BYTES = 16 * 1024;

function parseHeaders(block: string): PartInfo {
  const info: PartInfo = { name: '' };
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') {
      const name = /\bname="((?:[^"\\]|\\.)*)"/i.exec(value)?.[1];
      const filename = /\bfilename="((?:[^"\\]|\\.)*)"/i.exec(value)?.[1];
      if (name !== undefined) info.name = name.replace(/\\(.)/g, '$1');
      if (filename !== undefined) info.filename = filename.replace(/\\(.)/g, '$1');
    } else if (key === 'content-type') {
      info.contentType = value;
    }
  }
  return info;
}

type Phase = 'preamble' | 'headers' | 'body' | 'after-delimiter' | 'done';

/** Write the request body into it; it calls the handlers as parts stream by. */
export class MultipartParser extends Writable {
  private readonly delimiter: Buffer;
  private buffer: Buffer = Buffer.alloc(0);
  private phase: Phase = 'preamble';

  constructor(
    boundary: string,
    private readonly handlers: MultipartHandlers,
  ) {
    super();
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  /** Whether the closing delimiter was seen. */
  get complete(): boolean {
    return this.phase === 'done';
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    try {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.consume();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    callback(
      this.phase === 'done' ? null : new Error('multipart body ended before its closing boundary'),
    );
  }

  private consume(): void {
    while (true) {
      if (this.phase === 'preamble') {
        // The first delimiter may come without the leading CRLF.
        const first = this.delimiter.subarray(2);
        const at = this.buffer.indexOf(first);
        if (at < 0) {
          this.keepTail(first.length);
          return;
        }
        this.buffer = this.buffer.subarray(at + first.length);
        this.phase = 'after-delimiter';
      } else if (this.phase === 'after-delimiter') {
        if (this.buffer.length < 2) return;
        const next = this.buffer.subarray(0, 2).toString('latin1');
        if (next === '--') {
          this.phase = 'done';
          this.buffer = Buffer.alloc(0);
          return;
        }
        if (next !== '\r\n') throw new Error('malformed multipart delimiter');
        this.buffer = this.buffer.subarray(2);
        this.phase = 'headers';
      } else if (this.phase === 'headers') {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) {
          if (this.buffer.length > MAX_HEADER_BYTES)
            throw new Error('multipart part headers too large');
          return;
        }
        this.handlers.onPart(parseHeaders(this.buffer.subarray(0, end).toString('utf8')));
        this.buffer = this.buffer.subarray(end + 4);
        this.phase = 'body';
      } else if (this.phase === 'body') {
        const at = this.buffer.indexOf(this.delimiter);
        if (at < 0) {
          // Everything but a possible delimiter prefix at the end is part data.
          const safe = Math.max(0, this.buffer.length - (this.delimiter.length - 1));
          if (safe > 0) this.handlers.onData(this.buffer.subarray(0, safe));
          this.buffer = this.buffer.subarray(safe);
          return;
        }
        if (at > 0) this.handlers.onData(this.buffer.subarray(0, at));
        this.handlers.onPartEnd();
        this.buffer = this.buffer.subarray(at + this.delimiter.length);
        this.phase = 'after-delimiter';
      } else {
        // After the closing delimiter: the epilogue is ignored.
        this.buffer = Buffer.alloc(0);
        return;
      }
    }
  }

  private keepTail(n: number): void {
    if (this.buffer.length > n) this.buffer = this.buffer.subarray(this.buffer.length - n);
  }
}
