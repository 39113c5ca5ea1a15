/**
 * Helpers of the batch specs: the account's quotas filled by jobs and files of "someone else",
 * retained memory, and result collection.
 */
import type { MockServer } from '../../lib/mock';
import type { BatchResult } from '../../lib/batch/types';
import { occupyTranscriptions } from '../../fixtures/occupy';

export { retainedBytes } from '../retained-memory';

/** Fills the pending-transcriptions quota with jobs that never end (until `release`). */
export function occupyPending(server: MockServer, count: number): () => void {
  return occupyTranscriptions(server, count);
}

/** Fills the stored-files quota with files of someone else; returns their ids. */
export function occupyFiles(server: MockServer, count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = server.state.newId();
    ids.push(id);
    server.state.files.set(id, {
      id,
      filename: `other-${i}.wav`,
      size: 1,
      created_at: new Date(0).toISOString(),
      client_reference_id: null,
      sha256: '',
      head: Buffer.alloc(0),
    });
  }
  return ids;
}

/** Every result of a batch, in the order they came. */
export async function collect<S>(
  results: AsyncIterable<BatchResult<S>>,
): Promise<BatchResult<S>[]> {
  const all: BatchResult<S>[] = [];
  for await (const result of results) all.push(result);
  return all;
}

/** `count` public audio URLs, distinct. */
export function urls(count: number, prefix = 'u'): Array<{ audio_url: string }> {
  return Array.from({ length: count }, (_, i) => ({
    audio_url: `https://audio.example.com/${prefix}-${i}.wav`,
  }));
}

/** Distinct non-WAV audio-ish buffers (the mock transcribes them as placeholder words). */
export function buffers(count: number, size = 8_000, seed = 1): Buffer[] {
  return Array.from({ length: count }, (_, i) => Buffer.alloc(size, (seed * 31 + i) % 251));
}
