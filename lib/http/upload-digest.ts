/**
 * What a recording keeps of an upload: the multipart form fields and, for the file part, its
 * name, type, size and SHA-256 of the file's bytes alone (not of the framing, whose boundary is
 * random). A Transform the body passes through on its way to the socket: nothing is buffered
 * but the part headers and the closing boundary's length.
 */

import { Transform, type TransformCallback } from 'node:stream';
import type { RecordedUpload } from '../cassette';
import { nodeCrypto } from '../internal/node-builtins';

/** Part headers longer than this are not looked for: the body is digested whole. */
const MAX_HEAD = 64 * 1024;

/** Passes a multipart body through, digesting its file part; `result()` once it ended. */
export class UploadDigest extends Transform {
  private readonly hash = nodeCrypto().createHash('sha256');
  private head: Buffer | undefined = Buffer.alloc(0);
  private held = Buffer.alloc(0);
  private fileBytes = 0;
  private fields: Record<string, string> = {};
  private filename = '';
  private fileType = '';
  private readonly tailLength: number;

  constructor(private readonly boundary: string) {
    super();
    // The body ends with CRLF, "--", the boundary, "--", CRLF (multipart.ts).
    this.tailLength = boundary.length + 8;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.push(chunk);
    if (this.head !== undefined) {
      this.head = Buffer.concat([this.head, chunk]);
      const end = this.fileStart(this.head);
      if (end === undefined) {
        if (this.head.length > MAX_HEAD) this.digest(this.takeHead(0));
        return done();
      }
      this.digest(this.takeHead(end));
      return done();
    }
    this.digest(chunk);
    done();
  }

  /** What was digested: the fields and the file part. */
  result(): RecordedUpload {
    return {
      fields: this.fields,
      file: {
        filename: this.filename,
        contentType: this.fileType,
        bytes: this.fileBytes,
        sha256: this.hash.copy().digest('hex'),
      },
    };
  }

  /** The rest of the buffered head from `from` on (the file's first bytes); the head is done. */
  private takeHead(from: number): Buffer {
    const rest = (this.head as Buffer).subarray(from);
    this.head = undefined;
    return rest;
  }

  /** Hashes file bytes, holding back the closing boundary's length until more comes. */
  private digest(bytes: Buffer): void {
    const all = this.held.length ? Buffer.concat([this.held, bytes]) : bytes;
    const cut = Math.max(0, all.length - this.tailLength);
    this.hash.update(all.subarray(0, cut));
    this.fileBytes += cut;
    this.held = Buffer.from(all.subarray(cut));
  }

  /**
   * Where the file's bytes start in `head`, once its part headers are all in: after the blank
   * line that ends the part carrying a `filename`. Reads the text fields on the way.
   */
  private fileStart(head: Buffer): number | undefined {
    const text = head.toString('latin1');
    const delimiter = `--${this.boundary}\r\n`;
    let at = 0;
    const fields: Record<string, string> = {};
    for (;;) {
      const part = text.indexOf(delimiter, at);
      if (part < 0) return undefined;
      const headersEnd = text.indexOf('\r\n\r\n', part);
      if (headersEnd < 0) return undefined;
      const headers = text.slice(part + delimiter.length, headersEnd);
      const name = /name="((?:[^"\\]|\\.)*)"/.exec(headers)?.[1] ?? '';
      const filename = /filename="((?:[^"\\]|\\.)*)"/.exec(headers)?.[1];
      if (filename !== undefined) {
        this.fields = fields;
        this.filename = Buffer.from(filename, 'latin1').toString('utf8');
        this.fileType = /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1] ?? '';
        return Buffer.byteLength(text.slice(0, headersEnd + 4), 'latin1');
      }
      const valueEnd = text.indexOf('\r\n', headersEnd + 4);
      if (valueEnd < 0) return undefined;
      fields[name] = Buffer.from(text.slice(headersEnd + 4, valueEnd), 'latin1').toString('utf8');
      at = valueEnd;
    }
  }
}
