/**
 * client.transcribe cleans up what it created even when the job is still processing (the API
 * answers 409 to a DELETE then): it waits, bounded, for a deletable state, and reports the ids
 * it had to leave. It tells the caller what it created as it goes.
 */
import { expect } from 'chai';
import { SonioxAbortError, SonioxConflictError, type SonioxError } from '../lib/errors';
import type { CleanupEvent, CleanupTarget } from '../lib/transcribe';
import { fixture, rejection, until, type Fixture } from './helpers';

const audio = Buffer.alloc(64_000, 1);
const DELETE_JOB = 'DELETE /v1/transcriptions/:id';
const processing = (t: Fixture) =>
  [...t.server.state.transcriptions.values()].some((j) => j.transcription.status === 'processing');

describe('client.transcribe: cleanup of a job still processing', () => {
  // setTimeout only: setImmediate stays real, so until() and the sockets keep running.
  const t = fixture({
    mock: { timing: { queuedMs: 5, processingMs: 30_000 } },
    clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] },
  });

  /** Advances the fake clock in steps until `condition` holds (real I/O runs between steps). */
  async function tickUntil(condition: () => boolean, stepMs: number, limitMs: number) {
    for (let waited = 0; !condition(); waited += stepMs) {
      if (waited > limitMs) throw new Error('condition not met on the fake clock');
      await t.clock.tickAsync(stepMs);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  it('aborted mid-processing: waits for the job to end, then the mock holds no file and no transcription', async () => {
    const controller = new AbortController();
    const events: CleanupEvent[] = [];
    const errors: SonioxError[] = [];
    const flow = rejection(
      t.client.transcribe(audio, {
        signal: controller.signal,
        pollIntervalMs: 1_000,
        onCleanup: (e) => events.push(e),
        onCleanupError: (e) => errors.push(e),
      }),
    );
    await tickUntil(() => processing(t), 5, 1_000);
    controller.abort();
    expect(await flow).to.be.instanceOf(SonioxAbortError);
    // The first DELETE meets the 409 of a processing job; cleanup waits instead of giving up.
    await until(() => (t.server.state.hits[DELETE_JOB] ?? 0) === 1);
    await until(() => events.some((e) => e.type === 'waiting'));
    expect(t.server.state.transcriptions.size).to.equal(1);
    await tickUntil(() => t.server.state.transcriptions.size === 0, 1_000, 60_000);
    await until(() => t.server.state.files.size === 0);
    expect(errors).to.deep.equal([]);
    const [job] = events.filter((e) => e.type === 'deleted');
    expect(job).to.include({ type: 'deleted', target: 'transcription' });
  });

  it('reports the ids it left through onCleanupError when the job outlasts cleanupWaitMs', async () => {
    const controller = new AbortController();
    const left: Array<[SonioxError, CleanupTarget, string]> = [];
    let created: { file?: string; transcription?: string } = {};
    const flow = rejection(
      t.client.transcribe(audio, {
        signal: controller.signal,
        awaitCleanup: true,
        cleanupWaitMs: 5_000,
        onUploaded: (f) => (created = { ...created, file: f.id }),
        onCreated: (tr) => (created = { ...created, transcription: tr.id }),
        onCleanupError: (e, target, id) => left.push([e, target, id]),
      }),
    );
    await tickUntil(() => processing(t), 5, 1_000);
    controller.abort();
    // awaitCleanup: the flow rejects once cleanup is over, which takes the bounded wait.
    await tickUntil(() => left.length > 0, 500, 10_000);
    expect(await flow).to.be.instanceOf(SonioxAbortError);
    expect(left).to.have.length(1);
    const [[error, target, id]] = left as [[SonioxError, CleanupTarget, string]];
    expect(error).to.be.instanceOf(SonioxConflictError);
    expect(target).to.equal('transcription');
    expect(id).to.equal(created.transcription);
    expect(created.file).to.be.a('string');
    expect(t.server.state.transcriptions.has(id)).to.equal(true);
  });

  it('a second signal (cleanupSignal) stops the wait and reports what is left', async () => {
    const controller = new AbortController();
    const stopCleanup = new AbortController();
    const left: CleanupTarget[] = [];
    const flow = rejection(
      t.client.transcribe(audio, {
        signal: controller.signal,
        cleanupSignal: stopCleanup.signal,
        awaitCleanup: true,
        onCleanupError: (_e, target) => left.push(target),
      }),
    );
    await tickUntil(() => processing(t), 5, 1_000);
    controller.abort();
    await until(() => (t.server.state.hits[DELETE_JOB] ?? 0) === 1);
    stopCleanup.abort();
    expect(await flow).to.be.instanceOf(SonioxAbortError);
    // Stopped: the file is not tried either (it would fail the same way); both are reported.
    expect(left).to.deep.equal(['transcription', 'file']);
    expect(t.server.state.transcriptions.size).to.equal(1);
    expect(t.server.state.files.size).to.equal(1);
  });
});
