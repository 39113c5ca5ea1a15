/**
 * transcribeMany's driver (lib/batch/run.ts) as its user meets it: the options it takes and
 * refuses, the sources it pulls (sync, async, hand-made iterators), how it stops (an abort, the
 * caller leaving the loop, a source that throws) and what it keeps in memory on the way.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { SonioxAbortError, SonioxValidationError } from '../../lib/errors';
import type { BatchSource } from '../../lib/batch/types';
import { fixture, rejection } from '../helpers';
import { buffers, collect, leaveAfterFirstResult, retainedBytes, urls } from './helpers';

const CREATE = 'POST /v1/transcriptions';

/** The SonioxValidationError `call` throws (fails the spec when it throws none). */
function refusal(call: () => unknown): SonioxValidationError {
  try {
    call();
  } catch (e) {
    expect(e).to.be.instanceOf(SonioxValidationError);
    return e as SonioxValidationError;
  }
  throw new Error('expected a SonioxValidationError');
}

/** A hand-made async iterator over `items` with no return(), counting the calls of next(). */
function bareAsync<T>(items: T[]): AsyncIterable<T> & { nexts: number } {
  const source = {
    nexts: 0,
    [Symbol.asyncIterator]: () => {
      let at = 0;
      return {
        next: (): Promise<IteratorResult<T>> => {
          source.nexts++;
          return Promise.resolve(
            at < items.length
              ? { done: false, value: items[at++]! }
              : { done: true, value: undefined },
          );
        },
      };
    },
  };
  return source;
}

describe('transcribeMany: its options', () => {
  const t = fixture();

  it('takes a concurrency of 100, and refuses 101 saying the range', async () => {
    expect(await collect(t.client.transcribeMany([], { concurrency: 100 }))).to.deep.equal([]);
    const error = refusal(() => t.client.transcribeMany([], { concurrency: 101 }));
    expect(error.issues).to.deep.equal([
      { field: 'concurrency', message: 'must be an integer from 1 to 100' },
    ]);
    expect(error.message).to.equal(
      'transcribeMany: invalid parameters: concurrency must be an integer from 1 to 100',
    );
  });

  it('refuses a journal that is not a path, a total that is not a whole number and each bad quota wait, all in one error saying why', () => {
    const error = refusal(() =>
      t.client.transcribeMany([], {
        journal: 5 as never,
        total: 1.5,
        cleanup: 'yes' as never,
        quotaWaitMs: 0,
        maxQuotaWaitMs: -1,
        quotaTimeoutMs: Number.NaN,
      }),
    );
    expect(error.issues.slice(0, 3)).to.deep.equal([
      { field: 'journal', message: 'must be a non-empty path' },
      { field: 'total', message: 'must be a non-negative integer' },
      { field: 'cleanup', message: 'must be true or false' },
    ]);
    expect(error.issues.slice(3).map((i) => i.field)).to.deep.equal([
      'quotaWaitMs',
      'maxQuotaWaitMs',
      'quotaTimeoutMs',
    ]);
  });

  it('takes a total of 0', async () => {
    expect(await collect(t.client.transcribeMany([], { total: 0 }))).to.deep.equal([]);
  });

  it('refuses options that are not an object at the call, as transcribe() does', () => {
    for (const bad of [null, 'fast', 4]) {
      const error = refusal(() => t.client.transcribeMany([], bad as never));
      expect(error.issues).to.deep.equal([{ field: 'options', message: 'must be an object' }]);
    }
  });

  it('counts the inputs of an array as its total, and leaves a generator’s unknown unless told', async () => {
    const totals = async (sources: Iterable<BatchSource>, total?: number) => {
      const seen: Array<number | undefined> = [];
      await collect(
        t.client.transcribeMany(sources, {
          pollIntervalMs: 5,
          ...(total !== undefined && { total }),
          onProgress: (p) => seen.push(p.total),
        }),
      );
      return [...new Set(seen)];
    };
    function* two() {
      yield* urls(2);
    }
    expect(await totals(urls(2))).to.deep.equal([2]);
    expect(await totals(two())).to.deep.equal([undefined]);
    expect(await totals(two(), 7)).to.deep.equal([7]);
  });
});

describe('transcribeMany: its sources', () => {
  const t = fixture();

  it('pulls an async iterable lazily, and closes it when the caller leaves the loop', async () => {
    let pulled = 0;
    let closed = false;
    async function* many(): AsyncGenerator<{ audio_url: string }> {
      try {
        for (let i = 0; i < 1_000; i++) {
          pulled++;
          // A listing that awaits each name (a bucket, a database).
          yield await Promise.resolve({ audio_url: `https://audio.example.com/async-${i}.wav` });
        }
      } finally {
        closed = true;
      }
    }
    let taken = 0;
    for await (const result of t.client.transcribeMany(many(), {
      concurrency: 2,
      pollIntervalMs: 5,
    })) {
      expect(result.status).to.equal('done');
      if (++taken === 3) break;
    }
    expect(pulled).to.be.at.most(3 + 2);
    expect(closed).to.equal(true);
  });

  it('asks a source that said it is done no more', async () => {
    const source = bareAsync(urls(2));
    const results = await collect(
      t.client.transcribeMany(source, { concurrency: 2, pollIntervalMs: 5 }),
    );
    expect(results).to.have.length(2);
    expect(source.nexts).to.equal(3);
  });

  it('lets the caller leave the loop early on an iterator that has no return()', async () => {
    for await (const result of t.client.transcribeMany(bareAsync(urls(3)), {
      concurrency: 1,
      pollIntervalMs: 5,
    })) {
      expect(result.status).to.equal('done');
      break;
    }
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('rejects with the error of a source that throws, once the inputs in flight are cleaned up', async () => {
    const broken = new Error('the listing of the bucket failed');
    function* inputs(): Generator<{ audio_url: string }> {
      yield* urls(2);
      throw broken;
    }
    const error = await rejection(
      collect(t.client.transcribeMany(inputs(), { concurrency: 3, pollIntervalMs: 5 })),
    );
    expect(error).to.equal(broken);
    expect(t.server.state.transcriptions.size).to.equal(0);
  });
});

describe('transcribeMany: stopping', () => {
  const t = fixture();

  it('pulls nothing and creates nothing when its signal is already aborted', async () => {
    let pulled = 0;
    function* inputs(): Generator<{ audio_url: string }> {
      for (const input of urls(4)) {
        pulled++;
        yield input;
      }
    }
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(
      collect(t.client.transcribeMany(inputs(), { signal: controller.signal })),
    );
    expect(error).to.be.instanceOf(SonioxAbortError);
    expect(pulled).to.equal(0);
    expect(t.server.state.hits[CREATE] ?? 0).to.equal(0);
  });

  it('creates no transcription for an input still uploading when the caller leaves the loop', async () => {
    // The second upload is held 15 s by the server; the caller leaves after the first result.
    // The upload is let answer (its file is deleted), but its input goes no further: a create
    // sent then would be billed for a result nobody takes.
    await leaveAfterFirstResult(t, 'POST /v1/files', buffers(2));
    expect(t.server.state.hits[CREATE]).to.equal(1);
    expect(t.server.state.files.size).to.equal(0);
  });

  it('journals each input done once, the last one included', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-run-'));
    t.defer(() => fs.rmSync(dir, { recursive: true, force: true }));
    const journal = path.join(dir, 'batch.jsonl');
    await collect(t.client.transcribeMany(urls(3), { journal, pollIntervalMs: 5 }));
    const done = fs
      .readFileSync(journal, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { event: string; hash: string })
      .filter((record) => record.event === 'done')
      .map((record) => record.hash);
    expect(done).to.have.length(3);
    expect(new Set(done).size).to.equal(3);
  });
});

describe('transcribeMany: memory', () => {
  const t = fixture();

  it('keeps nothing of the inputs it has finished, however many went through one batch', async function () {
    this.timeout(60_000);
    // Inputs that fail at once (not audio): no request, so thousands go by in seconds.
    const count = 4_000;
    function* inputs(): Generator<BatchSource> {
      for (let i = 0; i < count; i++) yield 42 as never;
    }
    let early = 0;
    let late = 0;
    let seen = 0;
    for await (const result of t.client.transcribeMany(inputs(), { concurrency: 50 })) {
      expect(result.status).to.equal('failed');
      seen++;
      if (seen === 300) early = retainedBytes();
      if (seen === count - 100) late = retainedBytes();
    }
    expect(seen).to.equal(count);
    // 3,600 inputs between the two readings: a few bytes each at most, not a controller each
    // (about 800 bytes an input when each one's controller was kept).
    expect(late - early).to.be.below(3_600 * 300);
  });

  it('leaves nothing on a signal shared by many batches', async function () {
    this.timeout(60_000);
    const controller = new AbortController();
    const batches = async (n: number) => {
      for (let i = 0; i < n; i++)
        await collect(t.client.transcribeMany([], { signal: controller.signal }));
    };
    await batches(300);
    const before = retainedBytes();
    await batches(600);
    expect(retainedBytes() - before).to.be.below(600 * 1_000);
  });
});
