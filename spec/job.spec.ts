import { expect } from 'chai';
import { getEventListeners } from 'node:events';
import sinon from 'sinon';
import { Context } from '../lib/cli/context';
import { memoryIO } from '../lib/cli/io';
import {
  SonioxAbortError,
  SonioxConflictError,
  SonioxNotFoundError,
  SonioxServerError,
  SonioxValidationError,
  type SonioxError,
} from '../lib/errors';
import {
  assertCreateParams,
  cleanUp,
  CLEANUP_CALL,
  createStep,
  finishStep,
  uploadGuard,
  uploadStep,
  type CleanupEvent,
  type CleanupPlan,
  type JobAPI,
} from '../lib/job';
import type { Transcriptions } from '../lib/resources/transcriptions';
import type { Transcription } from '../lib/types';
import { fixture, rejection, settle } from './helpers';

describe('job steps: the upload guard', () => {
  // Moved from spec/cli/program.spec.ts, which tested the CLI's own copy of the guard.
  it('an upload is abortable until the whole file is out, then only by a second Ctrl-C', () => {
    const io = memoryIO();
    const ctx = new Context(io);
    const guard = () => uploadGuard(ctx.signal, ctx.cleanupSignal);
    const sending = guard();
    const unknown = guard();
    const sent = guard();
    sending.progress(5, 10);
    unknown.progress(10, undefined);
    sent.progress(10, 10);
    io.interrupt();
    expect([sending.signal.aborted, unknown.signal.aborted, sent.signal.aborted]).to.deep.equal([
      true,
      true,
      false,
    ]);
    expect(guard().signal.aborted).to.equal(true);
    io.interrupt();
    expect(sent.signal.aborted).to.equal(true);
    ctx.close();
  });

  it('release drops its listeners, and a released guard no longer follows either signal', () => {
    const signal = new AbortController();
    const stop = new AbortController();
    const guard = uploadGuard(signal.signal, stop.signal);
    expect(getEventListeners(signal.signal, 'abort')).to.have.length(1);
    expect(getEventListeners(stop.signal, 'abort')).to.have.length(1);
    guard.release();
    expect(getEventListeners(signal.signal, 'abort')).to.have.length(0);
    expect(getEventListeners(stop.signal, 'abort')).to.have.length(0);
    signal.abort();
    stop.abort();
    expect(guard.signal.aborted).to.equal(false);
  });

  it('is aborted from the start when either signal already fired', () => {
    expect(uploadGuard(AbortSignal.abort(), undefined).signal.aborted).to.equal(true);
    expect(uploadGuard(undefined, AbortSignal.abort()).signal.aborted).to.equal(true);
    expect(uploadGuard(undefined, undefined).signal.aborted).to.equal(false);
  });
});

const conflict = () => new SonioxConflictError('busy', { status: 409 });
const notFound = () => new SonioxNotFoundError('gone', { status: 404 });
const serverError = () => new SonioxServerError('down', { status: 500 });

/**
 * Resources whose deletes answer from a script (one answer per call, the last one repeated),
 * recording each call with the fake clock's time: cleanup's arithmetic without a server.
 */
function scripted(transcription: Array<Error | undefined>, file: Array<Error | undefined> = []) {
  const calls: Array<{ what: string; id: string; at: number; options: unknown }> = [];
  const answer = (script: Array<Error | undefined>, n: number) => {
    const e = script[Math.min(n, script.length - 1)];
    return e ? Promise.reject(e) : Promise.resolve();
  };
  const api = {
    transcriptions: {
      delete: (id: string, options: unknown) => {
        const n = calls.filter((c) => c.what === 'transcription').length;
        calls.push({ what: 'transcription', id, at: Date.now(), options });
        return answer(transcription, n);
      },
    },
    files: {
      delete: (id: string, options: unknown) => {
        const n = calls.filter((c) => c.what === 'file').length;
        calls.push({ what: 'file', id, at: Date.now(), options });
        return answer(file.length ? file : [undefined], n);
      },
    },
  } as unknown as JobAPI;
  return { api, calls };
}

describe('job steps: cleanUp', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.restore());

  const plan = (over: Partial<CleanupPlan> = {}) => {
    const events: CleanupEvent[] = [];
    const errors: Array<[SonioxError, string, string]> = [];
    return {
      events,
      errors,
      plan: {
        transcription: 't1',
        file: 'f1',
        signal: undefined,
        waitMs: 10_000,
        pauseMs: 100,
        onCleanup: (e: CleanupEvent) => events.push(e),
        onCleanupError: (e: SonioxError, target: string, id: string) =>
          errors.push([e, target, id]),
        ...over,
      },
    };
  };

  it('deletes the transcription, then the file, each bounded, with the plan signal', async () => {
    const { api, calls } = scripted([undefined]);
    const stop = new AbortController();
    const p = plan({ signal: stop.signal });
    await cleanUp(api, p.plan);
    expect(calls.map((c) => [c.what, c.id])).to.deep.equal([
      ['transcription', 't1'],
      ['file', 'f1'],
    ]);
    for (const c of calls)
      expect(c.options).to.deep.equal({ ...CLEANUP_CALL, signal: stop.signal });
    expect(CLEANUP_CALL).to.deep.equal({ timeoutMs: 10_000, maxRetries: 1 });
    expect(p.events).to.deep.equal([
      { type: 'deleted', target: 'transcription', id: 't1' },
      { type: 'deleted', target: 'file', id: 'f1' },
    ]);
    expect(p.errors).to.deep.equal([]);
  });

  it('deletes nothing it was not given', async () => {
    const { api, calls } = scripted([undefined]);
    const p = plan({ transcription: undefined, file: undefined });
    await cleanUp(api, p.plan);
    expect(calls).to.deep.equal([]);
    expect(p.events).to.deep.equal([]);
  });

  it('takes a transcription or a file already gone for deleted; the file silently', async () => {
    const { api } = scripted([notFound()], [notFound()]);
    const p = plan();
    await cleanUp(api, p.plan);
    expect(p.events).to.deep.equal([{ type: 'deleted', target: 'transcription', id: 't1' }]);
    expect(p.errors).to.deep.equal([]);
  });

  it('waits out a job still processing: pauses growing by half, told once', async () => {
    const { api, calls } = scripted([conflict(), conflict(), conflict(), undefined]);
    const p = plan({ file: undefined });
    await settle(clock, cleanUp(api, p.plan), 60_000, 10);
    const at = calls.map((c) => c.at - calls[0]!.at);
    expect(at).to.deep.equal([0, 100, 250, 475]);
    expect(p.events).to.deep.equal([
      { type: 'waiting', target: 'transcription', id: 't1' },
      { type: 'deleted', target: 'transcription', id: 't1' },
    ]);
  });

  it('pauses at most 5 s apart', async () => {
    const { api, calls } = scripted([conflict(), conflict(), conflict(), undefined]);
    const p = plan({ file: undefined, pauseMs: 4_000, waitMs: 60_000 });
    await settle(clock, cleanUp(api, p.plan), 60_000, 100);
    expect(calls.map((c) => c.at - calls[0]!.at)).to.deep.equal([0, 4_000, 9_000, 14_000]);
  });

  it('gives up after waitMs (the last pause cut to fit) and reports the 409', async () => {
    const { api, calls } = scripted([conflict()]);
    const p = plan({ waitMs: 180 });
    await settle(clock, cleanUp(api, p.plan), 60_000, 10);
    expect(
      calls.filter((c) => c.what === 'transcription').map((c) => c.at - calls[0]!.at),
    ).to.deep.equal([0, 100, 180]);
    expect(p.errors.map(([e, target, id]) => [e.code, target, id])).to.deep.equal([
      ['conflict', 'transcription', 't1'],
    ]);
    // The file is still tried.
    expect(calls.at(-1)?.what).to.equal('file');
  });

  it('waits not at all with waitMs 0, and not past a stop', async () => {
    const none = scripted([conflict()]);
    const p0 = plan({ waitMs: 0, file: undefined });
    await cleanUp(none.api, p0.plan);
    expect(none.calls).to.have.length(1);
    expect(p0.events).to.deep.equal([]);
    const stop = new AbortController();
    const stopped = scripted([conflict()]);
    const p1 = plan({ signal: stop.signal, file: undefined });
    const done = cleanUp(stopped.api, p1.plan);
    await clock.tickAsync(150);
    stop.abort();
    await settle(clock, done, 60_000, 10);
    expect(stopped.calls).to.have.length(2);
    expect(p1.errors.map(([e]) => e.code)).to.deep.equal(['conflict']);
  });

  it('reports any other failure at once, and a throwing callback breaks nothing', async () => {
    const { api, calls } = scripted([serverError()], [serverError()]);
    const errors: string[] = [];
    await cleanUp(api, {
      ...plan().plan,
      onCleanup: () => {
        throw new Error('callback bug');
      },
      onCleanupError: (e, target) => {
        errors.push(`${e.code} ${target}`);
        throw new Error('callback bug');
      },
    });
    expect(calls).to.have.length(2);
    expect(errors).to.deep.equal(['server_error transcription', 'server_error file']);
  });
});

describe('job steps: create, finish, check', () => {
  const fx = fixture({ mock: { timing: { queuedMs: 5, processingMs: 5 } } });

  it('createStep sends no signal, tells of the job, then lets an abort that came meanwhile take effect', async () => {
    const controller = new AbortController();
    const job = { id: 't1' } as Transcription;
    const create = sinon.fake(() => {
      controller.abort();
      return Promise.resolve(job);
    });
    const told: string[] = [];
    const error = await rejection(
      createStep(
        { create } as unknown as Transcriptions,
        { audio_url: 'https://x/a.wav' },
        {
          signal: controller.signal,
          aborted: () => new SonioxAbortError('test: aborted'),
          created: (t) => told.push(t.id),
        },
      ),
    );
    expect(create.firstCall.args).to.deep.equal([{ audio_url: 'https://x/a.wav' }]);
    expect(told).to.deep.equal(['t1']);
    expect(error).to.be.instanceOf(SonioxAbortError);
  });

  it('createStep sends nothing once aborted, and resolves with the job otherwise', async () => {
    const create = sinon.fake.resolves({ id: 't2' });
    const api = { create } as unknown as Transcriptions;
    const step = (signal: AbortSignal | undefined) =>
      createStep(
        api,
        { audio_url: 'https://x/a.wav' },
        {
          signal,
          aborted: () => new SonioxAbortError('test: aborted'),
          created: () => undefined,
        },
      );
    expect(await rejection(step(AbortSignal.abort()))).to.be.instanceOf(SonioxAbortError);
    expect(create.callCount).to.equal(0);
    expect((await step(undefined)).id).to.equal('t2');
    expect((await step(new AbortController().signal)).id).to.equal('t2');
  });

  it('finishStep waits, tells of the ended job, then fetches its transcript', async () => {
    const client = fx.client;
    const created = await client.transcriptions.create({ audio_url: 'https://example.com/a.wav' });
    const order: string[] = [];
    const getTranscript = sinon.spy(client.transcriptions, 'getTranscript');
    const { transcription, transcript } = await finishStep(
      client.transcriptions,
      created.id,
      { pollIntervalMs: 5, signal: undefined },
      (ended) => order.push(`${ended.status} ${getTranscript.callCount}`),
    );
    expect(order).to.deep.equal(['completed 0']);
    expect(transcription.status).to.equal('completed');
    expect(transcript.id).to.equal(created.id);
    expect(getTranscript.firstCall.args[1]).to.deep.equal({ signal: undefined });
  });

  it('assertCreateParams checks for an upload to come with a file id, else the source given', () => {
    const t = fx.client.transcriptions;
    assertCreateParams(t, { language_hints: ['en'] });
    assertCreateParams(t, {}, { audio_url: 'https://example.com/a.wav' });
    assertCreateParams(t, {}, { file_id: '00000000-0000-4000-8000-000000000001' });
    // An upload to come stands for a file id: an audio_url besides is one source too many.
    expect(() => assertCreateParams(t, { audio_url: 'https://example.com/a.wav' })).to.throw(
      SonioxValidationError,
    );
    expect(() => assertCreateParams(t, { language_hints: 'en' as never })).to.throw(
      SonioxValidationError,
    );
    expect(fx.server.state.hits['POST /v1/transcriptions'] ?? 0).to.equal(0);
  });

  it('uploadStep uploads with progress, then leaves no listener behind', async () => {
    const signal = new AbortController();
    const stop = new AbortController();
    const seen: number[] = [];
    const file = await uploadStep(fx.client.files, Buffer.alloc(4_000, 1), {
      filename: 'a.wav',
      signal: signal.signal,
      stop: stop.signal,
      onProgress: (p) => seen.push(p.loaded),
    });
    expect(file.filename).to.equal('a.wav');
    expect(seen.at(-1)).to.equal(4_000);
    expect(getEventListeners(signal.signal, 'abort')).to.have.length(0);
    expect(getEventListeners(stop.signal, 'abort')).to.have.length(0);
    // No progress callback: none needed.
    const quiet = await uploadStep(fx.client.files, Buffer.alloc(4_000, 2), {});
    expect(quiet.size).to.equal(4_000);
    // Stopped at the start: nothing sent.
    const stopped = await rejection(
      uploadStep(fx.client.files, Buffer.alloc(10, 1), { stop: AbortSignal.abort() }),
    );
    expect(stopped).to.be.instanceOf(SonioxAbortError);
    expect(fx.server.state.files.size).to.equal(2);
  });
});
