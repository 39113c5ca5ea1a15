/**
 * Identity of a batch input: the sha256 of its content (of the URL for `audio_url`), so that a
 * renamed or moved file is still the same input, and the client reference derived from it.
 */

import fs from 'node:fs';
import { SonioxValidationError } from '../errors';
import type { BatchSource } from './types';
import { nodeCrypto } from '../internal/node-builtins';

/** What the batch knows about an input once it has been read. */
export interface InputIdentity {
  /** sha256, hex. */
  hash: string;
  /** `batch:` and the first 32 hex digits of the hash: sent as `client_reference_id`. */
  reference: string;
  /** `url` inputs are created from their URL; the others are uploaded. */
  kind: 'local' | 'url';
}

/** The `client_reference_id` of an input (at most 256 characters, as the API requires). */
export function referenceOf(hash: string): string {
  return `batch:${hash.slice(0, 32)}`;
}

function invalid(message: string): SonioxValidationError {
  return new SonioxValidationError(`transcribeMany: ${message}`, [{ field: 'source', message }]);
}

async function hashFile(file: string): Promise<string> {
  const hash = nodeCrypto().createHash('sha256');
  // Streamed: a large file is never held in memory to be hashed.
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- reading a path the caller gave is the feature
  const stream = fs.createReadStream(file);
  try {
    for await (const chunk of stream) hash.update(chunk as Buffer);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw invalid(code === 'ENOENT' ? `no such file: ${file}` : `cannot read ${file} (${code})`);
  }
  return hash.digest('hex');
}

/** Reads an input's identity; rejects with SonioxValidationError for what cannot be an input. */
export async function identify(source: BatchSource): Promise<InputIdentity> {
  let hash: string;
  let kind: InputIdentity['kind'] = 'local';
  if (typeof source === 'string') {
    if (source === '') throw invalid('the path is empty');
    hash = await hashFile(source);
  } else if (source instanceof Uint8Array) {
    hash = nodeCrypto().createHash('sha256').update(source).digest('hex');
  } else if (
    source !== null &&
    typeof source === 'object' &&
    typeof (source as { audio_url?: unknown }).audio_url === 'string'
  ) {
    kind = 'url';
    hash = nodeCrypto().createHash('sha256').update(source.audio_url).digest('hex');
  } else {
    throw invalid('an input must be a path, a Buffer, a Uint8Array or { audio_url }');
  }
  return { hash, reference: referenceOf(hash), kind };
}
