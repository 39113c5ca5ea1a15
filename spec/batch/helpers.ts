/**
 * Helpers of the batch specs: the account's quotas filled by jobs and files of "someone else",
 * retained memory, and result collection.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import type { MockServer } from '../../lib/mock';
import type { BatchResult, BatchSource } from '../../lib/batch/types';
import { occupyTranscriptions } from '../../fixtures/occupy';
import { settle, type Fixture } from '../helpers';

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

/**
 * Runs a batch of two inputs at concurrency 2 whose `route` the server holds 15 s once, leaves
 * the loop after the first result, then lets 20 s pass on fake time (past the server's hold):
 * what the held input did after the stop is then on the server's record.
 */
export async function leaveAfterFirstResult(
  t: Fixture,
  route: string,
  sources: BatchSource[],
): Promise<void> {
  t.server.setFaults({ http: [{ route, delayMs: 15_000, times: 1 }] });
  const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  t.defer(() => clock.restore());
  const loop = async () => {
    for await (const result of t.client.transcribeMany(sources, {
      concurrency: 2,
      pollIntervalMs: 5,
    })) {
      expect(result.status).to.equal('done');
      break;
    }
  };
  await settle(clock, loop());
  await clock.tickAsync(20_000);
}
