/** The mock's upload receiver: a multipart body parsed as a stream, its file part hashed and counted. */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { MAX_FILE_SIZE } from '../types';
import { MockHttpError } from './api-error';
import { MultipartParser, boundaryOf } from './multipart';
import type { MockState, StoredFile } from './state';

/** Bytes of each upload kept for WAV header parsing. */
const HEAD_BYTES = 64 * 1024;

/** Streams a multipart upload: hashes and counts the file part, never keeps it. */
export function receiveUpload(req: IncomingMessage, state: MockState): Promise<StoredFile> {
  const boundary = boundaryOf(req.headers['content-type']);
  if (!boundary) {
    return Promise.reject(
      new MockHttpError(400, 'invalid_request', 'Invalid request.', [
        { error_type: 'missing', location: 'file.file', message: 'Field required' },
      ]),
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_FILE_SIZE + 64 * 1024) {
    return Promise.reject(
      new MockHttpError(
        400,
        'invalid_request',
        `Exceeded maximum file size (maximum is ${MAX_FILE_SIZE} bytes).`,
      ),
    );
  }
  return new Promise((resolve, reject) => {
    let current = '';
    let fileSeen = false;
    let size = 0;
    let filename = 'file';
    let reference: string | undefined;
    let text = '';
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let headBytes = 0;
    const parser = new MultipartParser(boundary, {
      onPart: (info) => {
        current = info.name;
        text = '';
        if (current === 'file') {
          fileSeen = true;
          filename = info.filename || 'file';
        }
      },
      onData: (chunk) => {
        if (current === 'file') {
          size += chunk.length;
          if (size > MAX_FILE_SIZE)
            throw new MockHttpError(
              400,
              'invalid_request',
              `Exceeded maximum file size (maximum is ${MAX_FILE_SIZE} bytes).`,
            );
          hash.update(chunk);
          if (headBytes < HEAD_BYTES) {
            const part = Buffer.from(chunk.subarray(0, HEAD_BYTES - headBytes));
            head.push(part);
            headBytes += part.length;
          }
        } else if (text.length < 4096) {
          text += chunk.toString('utf8');
        }
      },
      onPartEnd: () => {
        if (current === 'client_reference_id') reference = text;
      },
    });
    parser.on('error', (error) => {
      req.unpipe(parser);
      reject(
        error instanceof MockHttpError
          ? error
          : new MockHttpError(400, 'invalid_request', `Malformed multipart body: ${error.message}`),
      );
    });
    parser.on('finish', () => {
      if (!fileSeen) {
        return reject(
          new MockHttpError(400, 'invalid_request', 'Invalid request.', [
            { error_type: 'missing', location: 'file.file', message: 'Field required' },
          ]),
        );
      }
      if (reference !== undefined && reference.length > 256) {
        return reject(
          new MockHttpError(400, 'invalid_request', 'Invalid request.', [
            {
              error_type: 'string_too_long',
              location: 'body.client_reference_id',
              message: 'String should have at most 256 characters',
            },
          ]),
        );
      }
      resolve({
        id: state.newId(),
        filename,
        size,
        created_at: new Date().toISOString(),
        client_reference_id: reference ?? null,
        sha256: hash.digest('hex'),
        head: Buffer.concat(head),
      });
    });
    // A client that goes away mid-body: settle (a destroyed parser emits neither 'finish' nor 'error').
    req.on('close', () => {
      if (req.complete) return;
      parser.destroy();
      reject(
        new MockHttpError(400, 'invalid_request', 'The upload ended before its body was complete.'),
      );
    });
    req.pipe(parser);
  });
}
