/**
 * Fair queues in a batch: each transcribeMany input is a flow of its own, so with few sockets an
 * input further along (its create, polls, transcript) is not queued behind the uploads of the
 * inputs started after it, and results come in the order the inputs started.
 */
import { expect } from 'chai';
import { drive, fixture } from '../helpers';
import { buffers } from './helpers';

const UPLOAD = 'POST /v1/files';

describe('transcribeMany: fair queues', () => {
  const t = fixture({
    clock: true,
    mock: { timing: { queuedMs: 1, processingMs: 1 } },
    client: { maxSockets: 2 },
  });

  it('ends inputs in the order they started, the first long before the last one uploaded', async () => {
    const n = 16;
    const indexes: number[] = [];
    let uploadsAtFirst: number | undefined;
    const running = (async () => {
      for await (const result of t.client.transcribeMany(buffers(n, 16_000), {
        pollIntervalMs: 10,
        concurrency: n,
      })) {
        uploadsAtFirst ??= t.server.state.hits[UPLOAD] ?? 0;
        indexes.push(result.index);
      }
    })();
    let done = false;
    void running.finally(() => (done = true));
    await drive(t.clock, 600_000, () => done, 5);
    await running;
    expect(indexes).to.deep.equal(Array.from({ length: n }, (_, i) => i));
    // FIFO served every upload before the first input's create: all inputs ended together.
    expect(uploadsAtFirst).to.be.below(n / 2);
  });
});
