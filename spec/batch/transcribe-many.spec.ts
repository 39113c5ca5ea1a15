/**
 * client.transcribeMany: lazy inputs, bounded concurrency, failures isolated, quota waits,
 * cleanup as it goes, progress and cancellation.
 */
import path from 'node:path';
import { expect } from 'chai';
import sinon from 'sinon';
import { SonioxAbortError, SonioxValidationError } from '../../lib/errors';
import type { BatchProgress, BatchSource } from '../../lib/batch/types';
import { fixture as audio } from '../audio';
import { drive, fixture, rejection, settle, until } from '../helpers';
import {
  buffers,
  collect,
  leaveAfterFirstResult,
  occupyFiles,
  occupyPending,
  urls,
} from './helpers';

const CREATE = 'POST /v1/transcriptions';
const UPLOAD = 'POST /v1/files';

describe('client.transcribeMany', () => {
  const t = fixture();

  it('transcribes paths, Buffers and audio URLs, one result per input', async () => {
    const hello = audio('hello-world.wav');
    const inputs: BatchSource[] = [hello.path, buffers(1)[0]!, ...urls(1)];
    const results = await collect(t.client.transcribeMany(inputs, { pollIntervalMs: 5 }));
    expect(results.map((r) => r.status)).to.deep.equal(['done', 'done', 'done']);
    const byIndex = [...results].sort((a, b) => a.index - b.index);
    expect(byIndex.map((r) => r.input)).to.deep.equal(inputs);
    const first = byIndex[0];
    if (first?.status !== 'done') throw new Error('expected a transcript');
    expect(first.transcript.text.toLowerCase()).to.contain('hello');
  });

  it('pulls the next input only when a slot frees: 100,000 lazy inputs, a dozen pulled', async () => {
    let pulled = 0;
    let closed = false;
    function* many(): Generator<{ audio_url: string }> {
      try {
        for (let i = 0; i < 100_000; i++) {
          pulled++;
          yield { audio_url: `https://audio.example.com/${i}.wav` };
        }
      } finally {
        closed = true;
      }
    }
    let taken = 0;
    for await (const result of t.client.transcribeMany(many(), {
      concurrency: 3,
      pollIntervalMs: 5,
    })) {
      expect(result.ok).to.equal(true);
      if (++taken === 10) break;
    }
    expect(pulled).to.be.at.most(10 + 3);
    expect(closed, 'the source is closed when the caller stops').to.equal(true);
  });

  it('never has more inputs in flight than its concurrency', async () => {
    let most = 0;
    const results = await collect(
      t.client.transcribeMany(urls(9), {
        concurrency: 3,
        pollIntervalMs: 5,
        onProgress: (p) => {
          most = Math.max(most, p.inFlight);
        },
      }),
    );
    expect(results).to.have.length(9);
    expect(most).to.equal(3);
  });

  it('isolates failures: a missing path and undecodable audio fail, the others are transcribed', async () => {
    const broken = Buffer.concat([Buffer.from('RIFF\x00\x00\x00\x00WAVEjunk'), Buffer.alloc(64)]);
    const missing = path.join(__dirname, 'no-such-file.wav');
    const inputs: BatchSource[] = [buffers(1)[0]!, missing, broken, ...urls(1)];
    const results = await collect(t.client.transcribeMany(inputs, { pollIntervalMs: 5 }));
    const byIndex = [...results].sort((a, b) => a.index - b.index);
    expect(byIndex.map((r) => r.status)).to.deep.equal(['done', 'failed', 'failed', 'done']);
    const [, noFile, badAudio] = byIndex;
    if (noFile?.status !== 'failed' || badAudio?.status !== 'failed')
      throw new Error('unreachable');
    expect(noFile.error).to.be.instanceOf(SonioxValidationError);
    expect(badAudio.error.code).to.equal('transcription_failed');
  });

  it('deletes each input’s file and transcription as it goes, failed ones included', async () => {
    const broken = Buffer.concat([Buffer.from('RIFF\x00\x00\x00\x00WAVEjunk'), Buffer.alloc(64)]);
    await collect(
      t.client.transcribeMany([...buffers(3), broken, ...urls(2)], { pollIntervalMs: 5 }),
    );
    expect(t.server.state.files.size).to.equal(0);
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('keeps them all with cleanup: false', async () => {
    await collect(t.client.transcribeMany(buffers(2), { pollIntervalMs: 5, cleanup: false }));
    expect(t.server.state.files.size).to.equal(2);
    expect(t.server.state.transcriptions.size).to.equal(2);
  });

  it('transcribes the same content once: a second input with the same bytes is skipped', async () => {
    const [same] = buffers(1);
    const results = await collect(
      t.client.transcribeMany([same!, Buffer.from(same!)], { pollIntervalMs: 5, concurrency: 1 }),
    );
    expect(results.map((r) => r.status)).to.deep.equal(['done', 'skipped']);
    expect(t.server.state.hits[CREATE]).to.equal(1);
  });

  it('reports progress: done, failed, in flight, bytes uploaded, audio hours and an ETA', async () => {
    const seen: BatchProgress[] = [];
    const bufs = buffers(2, 32_000);
    await collect(
      t.client.transcribeMany([...bufs, '/nonexistent/a.wav', ...urls(1)], {
        pollIntervalMs: 5,
        concurrency: 2,
        onProgress: (p) => seen.push({ ...p }),
      }),
    );
    const last = seen[seen.length - 1]!;
    expect(last).to.include({ started: 4, done: 3, failed: 1, skipped: 0, inFlight: 0, total: 4 });
    expect(last.bytesUploaded).to.equal(64_000);
    // 32 000 raw bytes are 1 s each for the mock; an audio URL is 5 s.
    expect(last.audioHours).to.be.closeTo(7 / 3600, 1e-9);
    expect(last.etaMs).to.equal(0);
    expect(
      seen.some((p) => p.etaMs !== undefined && p.etaMs > 0 && p.done + p.failed < 4),
    ).to.equal(true);
  });

  it('refuses bad options before pulling any input', () => {
    let pulled = 0;
    function* one() {
      pulled++;
      yield Buffer.alloc(10, 1);
    }
    for (const bad of [{ concurrency: 0 }, { concurrency: 1.5 }, { language_hints: 'en' }]) {
      expect(() => t.client.transcribeMany(one(), bad as never)).to.throw(SonioxValidationError);
    }
    expect(pulled).to.equal(0);
  });

  describe('cancellation', () => {
    const slow = fixture({ mock: { timing: { queuedMs: 3_600_000, processingMs: 1 } } });

    it('stops on abort: rejects with SonioxAbortError, closes the source and cleans up what was in flight', async () => {
      const controller = new AbortController();
      let closed = false;
      function* inputs(): Generator<Buffer> {
        try {
          yield* buffers(10);
        } finally {
          closed = true;
        }
      }
      const run = collect(
        slow.client.transcribeMany(inputs(), { concurrency: 3, signal: controller.signal }),
      );
      await until(() => slow.server.state.transcriptions.size === 3);
      controller.abort();
      expect(await rejection(run)).to.be.instanceOf(SonioxAbortError);
      expect(closed).to.equal(true);
      await until(
        () => slow.server.state.transcriptions.size === 0 && slow.server.state.files.size === 0,
      );
      expect(slow.server.state.hits[CREATE]).to.equal(3);
    });
  });

  describe('cancellation while jobs are processing', () => {
    // Jobs process for 400 ms, on a fake clock driven between the real round trips.
    const busy = fixture({
      mock: { timing: { queuedMs: 1, processingMs: 400 } },
      clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] },
    });

    it('waits out a job still processing to delete it, as transcribe() does', async () => {
      const controller = new AbortController();
      const run = collect(
        busy.client.transcribeMany(urls(2), {
          concurrency: 2,
          pollIntervalMs: 5,
          signal: controller.signal,
        }),
      );
      await drive(
        busy.clock,
        10_000,
        () =>
          [...busy.server.state.transcriptions.values()].filter(
            (j) => j.transcription.status === 'processing',
          ).length === 2,
      );
      controller.abort();
      expect(await settle(busy.clock, rejection(run))).to.be.instanceOf(SonioxAbortError);
      expect(busy.server.state.transcriptions.size).to.equal(0);
      expect(busy.server.state.hits['DELETE /v1/transcriptions/:id']).to.be.greaterThan(2);
    });
  });

  describe('quotas (fake clock)', function () {
    // maxRetries 0: the quota answer reaches the batch at once; its own waits are under test.
    const q = fixture({
      clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] },
      client: { maxRetries: 0 },
    });

    it('waits on the pending-transcriptions quota (429) instead of failing, and goes on when jobs end', async () => {
      const release = occupyPending(q.server, 100);
      const results: unknown[] = [];
      let ended = false;
      const run = (async () => {
        for await (const r of q.client.transcribeMany(urls(3), { concurrency: 2 })) results.push(r);
      })().finally(() => (ended = true));
      await until(() => (q.server.state.hits[CREATE] ?? 0) >= 2);
      await drive(q.clock, 10_000);
      expect(results).to.have.length(0);
      const refusedCreates = q.server.state.hits[CREATE] ?? 0;
      expect(refusedCreates).to.be.greaterThan(2);
      // Backoff, not a busy loop: 10 s of waiting is a handful of attempts per slot.
      expect(refusedCreates).to.be.at.most(2 * 6);
      release();
      await drive(q.clock, 600_000, () => ended);
      await run;
      expect(results.map((r) => (r as { status: string }).status)).to.deep.equal([
        'done',
        'done',
        'done',
      ]);
    });

    it('waits on the stored-files quota (400) and resumes once files are deleted', async () => {
      const others = occupyFiles(q.server, 1000);
      const results: unknown[] = [];
      let ended = false;
      const run = (async () => {
        for await (const r of q.client.transcribeMany(buffers(2), { concurrency: 2 }))
          results.push(r);
      })().finally(() => (ended = true));
      await until(() => (q.server.state.hits[UPLOAD] ?? 0) >= 2);
      await drive(q.clock, 5_000);
      expect(results).to.have.length(0);
      q.server.state.files.delete(others[0]!);
      q.server.state.files.delete(others[1]!);
      await drive(q.clock, 600_000, () => ended);
      await run;
      expect(results.map((r) => (r as { status: string }).status)).to.deep.equal(['done', 'done']);
    });

    it('fails an input whose quota wait outlasts quotaTimeoutMs, and goes on with the next', async () => {
      const release = occupyPending(q.server, 100);
      const results: Array<{ status: string }> = [];
      let ended = false;
      const run = (async () => {
        for await (const r of q.client.transcribeMany(urls(2), {
          concurrency: 1,
          quotaTimeoutMs: 20_000,
        }))
          results.push(r);
      })().finally(() => (ended = true));
      await until(() => (q.server.state.hits[CREATE] ?? 0) >= 1);
      // Fake time may run ahead of the loopback round trips: a generous bound, stopped early.
      await drive(q.clock, 60_000, () => results.length === 1);
      expect(results.map((r) => r.status)).to.deep.equal(['failed']);
      release();
      await drive(q.clock, 600_000, () => ended);
      await run;
      expect(results.map((r) => r.status)).to.deep.equal(['failed', 'done']);
    });
  });
});

describe('client.transcribeMany: edges', () => {
  const t = fixture();

  it('refuses sources that are not an iterable (a lone path string included)', () => {
    for (const bad of [42, null, 'one.wav', { audio_url: 'https://a.example/x.wav' }]) {
      expect(() => t.client.transcribeMany(bad as never)).to.throw(SonioxValidationError);
    }
  });

  it('refuses each malformed option by name', () => {
    for (const [field, bad] of [
      ['journal', { journal: '' }],
      ['total', { total: -1 }],
      ['cleanup', { cleanup: 'yes' }],
      ['onProgress', { onProgress: 'log' }],
      ['quotaWaitMs', { quotaWaitMs: 0 }],
      ['pollIntervalMs', { pollIntervalMs: 0 }],
    ] as const) {
      const error = (() => {
        try {
          t.client.transcribeMany([], bad as never);
        } catch (e) {
          return e as SonioxValidationError;
        }
        throw new Error(`accepted ${field}`);
      })();
      expect(error).to.be.instanceOf(SonioxValidationError);
      expect(error.issues.map((i) => i.field)).to.include(field);
    }
  });

  it('fails an input of the wrong type and goes on with the next', async () => {
    const results = await collect(
      t.client.transcribeMany([42 as never, ...urls(1)], { pollIntervalMs: 5, concurrency: 1 }),
    );
    expect(results.map((r) => r.status)).to.deep.equal(['failed', 'done']);
    expect(results[0]?.status === 'failed' && results[0].error).to.be.instanceOf(
      SonioxValidationError,
    );
  });

  it('goes on when onProgress throws', async () => {
    const results = await collect(
      t.client.transcribeMany(urls(2), {
        pollIntervalMs: 5,
        onProgress: () => {
          throw new Error('renderer bug');
        },
      }),
    );
    expect(results.map((r) => r.status)).to.deep.equal(['done', 'done']);
  });

  it('deletes the work of inputs whose results were never taken when the caller leaves the loop', async () => {
    for await (const result of t.client.transcribeMany(urls(4), {
      concurrency: 4,
      pollIntervalMs: 5,
    })) {
      expect(result.status).to.equal('done');
      break;
    }
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('lets a create already sent finish when the caller leaves the loop, then deletes its job', async () => {
    // The first create to arrive is held 300 ms by the server; the other input's result comes
    // first and the caller leaves while the held create is on the wire. Cut off, the server
    // would make that job after the cleanup had looked for it, and leave it behind.
    t.server.setFaults({ http: [{ route: 'POST /v1/transcriptions', delayMs: 300, times: 1 }] });
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    t.defer(() => clock.restore());
    const loop = async () => {
      for await (const result of t.client.transcribeMany(urls(2), {
        concurrency: 2,
        pollIntervalMs: 5,
      })) {
        expect(result.status).to.equal('done');
        break;
      }
    };
    await settle(clock, loop());
    // The held create is settled by then (the server has made its job), and the job deleted.
    expect(t.server.received.transcriptions).to.have.length(2);
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('lets a create answer however long it takes after a stop, so its job is known and deleted', async () => {
    // Held 15 s: longer than any grace. Cut off, a server may make the job after the cleanup
    // had looked for it by reference, and leave it behind (and unknown). (The mock drops a
    // request cut off; that it received both shows the create was let answer.)
    // Past the server's hold, whatever the loop did: a job it made then would be left.
    await leaveAfterFirstResult(t, 'POST /v1/transcriptions', urls(2));
    expect(t.server.received.transcriptions).to.have.length(2);
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('lets an upload whose bytes are all out answer after a stop, then deletes its file', async () => {
    // The second upload is held by the server after its (small) body is sent: a stop then
    // must not cut it off, since the server may store the file and only its answer names it.
    await leaveAfterFirstResult(t, 'POST /v1/files', buffers(2));
    // Each input's file deleted: the held one too, named by the upload's answer.
    expect(t.server.state.hits['DELETE /v1/files/:id']).to.equal(2);
    expect(t.server.state.files.size).to.equal(0);
  });

  it('uses the job of a create cut off after the server made it, found by its reference', async () => {
    t.server.setFaults({
      http: [{ route: 'POST /v1/transcriptions', reset: 'after-handler', times: 1 }],
    });
    const results = await collect(t.client.transcribeMany(urls(1), { pollIntervalMs: 5 }));
    expect(results.map((r) => r.status)).to.deep.equal(['done']);
    expect(t.server.state.hits[CREATE]).to.equal(1);
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('fails the input when a cut-off create left no job, creating nothing', async () => {
    t.server.setFaults({
      http: [{ route: 'POST /v1/transcriptions', reset: 'before', times: 1 }],
    });
    const client = t.clientWith({ maxRetries: 0 });
    const results = await collect(client.transcribeMany(urls(1), { pollIntervalMs: 5 }));
    expect(results.map((r) => r.status)).to.deep.equal(['failed']);
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('finishes a batch when a cleanup delete fails', async () => {
    t.server.setFaults({ http: [{ route: 'DELETE /v1/transcriptions/:id', status: 500 }] });
    const results = await collect(t.client.transcribeMany(buffers(2), { pollIntervalMs: 5 }));
    expect(results.map((r) => r.status)).to.deep.equal(['done', 'done']);
  });
});

describe('client.transcribeMany: quota waits, more (fake clock)', function () {
  const q = fixture({
    clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] },
    client: { maxRetries: 0 },
  });

  it('honours a Retry-After longer than the transport would wait, and longer than its own backoff', async () => {
    q.server.setFaults({
      http: [{ route: 'POST /v1/transcriptions', status: 429, retryAfter: 5, times: 1 }],
    });
    // Past its cap the transport fails at once with the server's wait: the batch waits it out.
    const client = q.clientWith({ maxRetries: 3, retry: { maxRetryAfterMs: 1_000 } });
    const results: unknown[] = [];
    let ended = false;
    const run = (async () => {
      for await (const r of client.transcribeMany(urls(1))) results.push(r);
    })().finally(() => (ended = true));
    await until(() => (q.server.state.hits[CREATE] ?? 0) === 1);
    await drive(q.clock, 4_500);
    expect(q.server.state.hits[CREATE]).to.equal(1);
    await drive(q.clock, 600_000, () => ended);
    await run;
    expect(q.server.state.hits[CREATE]).to.equal(2);
  });

  it('rejects with SonioxAbortError when aborted during a quota wait', async () => {
    const release = occupyPending(q.server, 100);
    const controller = new AbortController();
    const run = collect(
      q.client.transcribeMany(urls(2), { signal: controller.signal, concurrency: 2 }),
    );
    await until(() => (q.server.state.hits[CREATE] ?? 0) >= 2);
    await drive(q.clock, 500);
    controller.abort();
    expect(await rejection(run)).to.be.instanceOf(SonioxAbortError);
    release();
    expect(q.server.state.transcriptions.size).to.equal(0);
  });
});
