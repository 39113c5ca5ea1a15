/**
 * What every REST route of the mock reads and answers with: a JSON body read and checked
 * against the API's request schema, a page of a list, the public form of a stored file. The
 * answers are the API's (docs/api.md §3-§5): 400 `invalid_request` with its validation errors.
 */
import type { IncomingMessage } from 'node:http';
import { validate, type RequestSchemaName } from '../schemas';
import { MockHttpError } from './api-error';
import { languageIssues, type FeatureOptions } from './features';
import type { StoredFile } from './state';
import { validationItems } from './validation-items';

/** Largest JSON body the mock reads. */
const MAX_JSON_BYTES = 1024 * 1024;

/** The request's JSON body (`{}` when empty); 413 past 1 MiB, 400 when cut or not JSON. */
export function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_JSON_BYTES)
        reject(new MockHttpError(413, 'payload_too_large', 'Request body too large.'));
      else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete)
        reject(
          new MockHttpError(
            400,
            'invalid_request',
            'The request ended before its body was complete.',
          ),
        );
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text === '' ? {} : JSON.parse(text));
      } catch {
        reject(
          new MockHttpError(400, 'invalid_request', 'Invalid JSON body.', [
            { error_type: 'json_invalid', location: 'body', message: 'Invalid JSON' },
          ]),
        );
      }
    });
  });
}

/** Refuses a body that breaks the API's request schema, field by field (400). */
export function checkBody(schema: RequestSchemaName, body: unknown): void {
  const issues = validate(schema, body);
  if (issues.length === 0) return;
  throw new MockHttpError(400, 'invalid_request', 'Invalid request.', validationItems(issues));
}

/** Refuses hints and translation languages the model does not list, as the API does (400). */
export function checkLanguages(model: string, body: FeatureOptions): void {
  const issues = languageIssues(model, body);
  if (issues.length === 0) return;
  throw new MockHttpError(
    400,
    'invalid_request',
    'Invalid request.',
    issues.map((i) => ({
      error_type: 'value_error',
      location: `body.payload.${i.field}`,
      message: i.message,
    })),
  );
}

/** One page of `items` by the `limit` and `cursor` of `url` (400 for a bad one). */
export function page<T>(items: T[], url: URL): { items: T[]; next: string | null } {
  const rawLimit = url.searchParams.get('limit');
  const limit = rawLimit === null ? 1000 : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new MockHttpError(400, 'invalid_request', 'Invalid request.', [
      {
        error_type: 'value_error',
        location: 'query.limit',
        message: 'Input should be between 1 and 1000',
      },
    ]);
  }
  let offset = 0;
  const cursor = url.searchParams.get('cursor');
  if (cursor !== null) {
    const match = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!match) throw new MockHttpError(400, 'invalid_cursor', 'Invalid cursor parameter.');
    offset = Number(match[1]);
  }
  const slice = items.slice(offset, offset + limit);
  const next =
    offset + limit < items.length ? Buffer.from(`o:${offset + limit}`).toString('base64url') : null;
  return { items: slice, next };
}

/** Lists answer newest first. */
export const newestFirst = <T>(values: Iterable<T>): T[] => [...values].reverse();

/** A stored file as the API shows it. */
export function publicFile(f: StoredFile) {
  return {
    id: f.id,
    filename: f.filename,
    size: f.size,
    created_at: f.created_at,
    client_reference_id: f.client_reference_id ?? null,
  };
}

/** The file name an `audio_url` gives a transcription. */
export function filenameOfUrl(audioUrl: string): string {
  try {
    return decodeURIComponent(new URL(audioUrl).pathname.split('/').pop() || 'audio');
  } catch {
    return 'audio';
  }
}
