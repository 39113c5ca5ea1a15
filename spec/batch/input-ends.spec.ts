/**
 * How one input of transcribeMany ends, as its user sees it (over the mock on loopback): the
 * error of an input that throws something else than a SonioxError, the result of a skipped
 * input, the journal's record of each step, and what a failed or finished input leaves owed
 * to the next run (deleted by it, never billed twice, never what the user asked to keep).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { SonioxAbortError, SonioxError, SonioxOutcomeUnknownError } from '../../lib/errors';
import { referenceOf } from '../../lib/batch/identity';
import { Journal } from '../../lib/batch/journal';
import type { BatchResult } from '../../lib/batch/types';
import { occupyTranscriptions } from '../../fixtures/occupy';
import { drive, fixture, rejection, settle, until } from '../helpers';
import { buffers, collect, leaveAfterFirstResult, urls } from './helpers';

const CREATE = 'POST /v1/transcriptions';
const UPLOAD = 'POST /v1/files';
const DELETE_FILE = 'DELETE /v1/files/:id';
const DELETE_JOB = 'DELETE /v1/transcriptions/:id';

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

type Failed = Extract<BatchResult<unknown>, { status: 'failed' }>;

/** The journal's records, parsed, in the order written. */
function records(journal: string): Array<Record<string, unknown>> {
  return fs
    .readFileSync(journal, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('transcribeMany: how an input ends', () => {
  const t = fixture();
  let journal: string;
  beforeEach(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-input-ends-'));
    journal = path.join(dir, 'batch.jsonl');
    t.defer(() => fs.rmSync(dir, { recursive: true, force: true }));
  });

  it('an input that throws when read fails with a SonioxError naming what it threw, kept as the cause; the journal gets no line without an input', async () => {
    const boom = new Error('the share went away');
    const unreadable = {
      get audio_url(): string {
        throw boom;
      },
    };
    const odd = {
      get audio_url(): string {
        // What some libraries throw: not an Error at all.
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the case under test
        throw 'offline';
      },
    };
    const results = await collect(
      t.client.transcribeMany([unreadable, odd, ...urls(1)], {
        journal,
        concurrency: 1,
        pollIntervalMs: 5,
      }),
    );
    expect(results.map((r) => r.status)).to.deep.equal(['failed', 'failed', 'done']);
    const [first, second] = results as Failed[];
    expect(first!.error).to.be.instanceOf(SonioxError);
    expect(first!.error.message).to.equal('transcribeMany: the share went away');
    expect(first!.error.cause).to.equal(boom);
    expect(first!.hash).to.equal(undefined);
    expect(second!.error).to.be.instanceOf(SonioxError);
    expect(second!.error.message).to.equal('transcribeMany: offline');
    // Each line is a state change of an input, named by its hash.
    expect(records(journal).every((r) => typeof r.hash === 'string')).to.equal(true);
  });

  it('journals each step in order: dated before an upload or a create is sent, with the ids the server gave', async () => {
    const [content] = buffers(1);
    const [url] = urls(1);
    const results = await collect(
      t.client.transcribeMany([content!, url!], { journal, concurrency: 1, pollIntervalMs: 5 }),
    );
    expect(results.map((r) => r.status)).to.deep.equal(['done', 'done']);
    const all = records(journal);
    const of = (hash: string) => all.filter((r) => r.hash === hash);
    const [fileResult, urlResult] = results as Array<
      Extract<BatchResult<unknown>, { status: 'done' }>
    >;
    const file = of(sha256(content!));
    expect(file.map((r) => r.event)).to.deep.equal([
      'started',
      'uploaded',
      'creating',
      'created',
      'done',
      'cleaned',
    ]);
    expect(file[0]!.at).to.be.a('number');
    expect(file[1]!.file_id).to.be.a('string');
    expect(file[2]!.at).to.be.a('number');
    expect(file[3]!.transcription_id).to.equal(fileResult!.transcriptionId);
    expect(file[4]).to.deep.include({
      transcription_id: fileResult!.transcriptionId,
      cleanup: true,
    });
    const job = of(sha256(url!.audio_url));
    expect(job.map((r) => r.event)).to.deep.equal(['creating', 'created', 'done', 'cleaned']);
    expect(job[1]!.transcription_id).to.equal(urlResult!.transcriptionId);
  });

  it('journals a failed input as owing a cleanup only when it holds something, and as cleaned once deleted', async () => {
    const [content] = buffers(1, 8_000, 5);
    const [url] = urls(1, 'refused');
    // Both creates refused before the server acts.
    t.server.setFaults({ http: [{ route: CREATE, status: 400, times: 2 }] });
    const results = await collect(
      t.client.transcribeMany([content!, url!], { journal, concurrency: 1, pollIntervalMs: 5 }),
    );
    expect(results.map((r) => r.status)).to.deep.equal(['failed', 'failed']);
    const all = records(journal);
    const steps = (hash: string) =>
      all
        .filter((r) => r.hash === hash)
        .map((r) => `${String(r.event)}${r.cleanup ? '+cleanup' : ''}`);
    expect(steps(sha256(content!))).to.deep.equal([
      'started',
      'uploaded',
      'creating',
      'failed+cleanup',
      'cleaned',
    ]);
    expect(steps(sha256(url!.audio_url))).to.deep.equal(['creating', 'failed']);
    expect(t.server.state.files.size).to.equal(0);
  });

  it('fails an input whose journaled file the server cannot answer for, rather than uploading it again', async () => {
    const inputs = buffers(1);
    const [first] = await collect(
      t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5, cleanup: false }),
    );
    if (first?.status !== 'done') throw new Error(`first run: ${first?.status}`);
    // Journaled as uploaded, as a run stopped before its create would have left it.
    fs.writeFileSync(journal, '');
    const [fileId] = [...t.server.state.files.keys()];
    const j = Journal.open(journal);
    j.write({ event: 'uploaded', hash: first.hash, file_id: fileId! });
    j.close();
    t.server.setFaults({ http: [{ route: 'GET /v1/files/:id', status: 500 }] });
    const uploads = t.server.state.hits[UPLOAD];
    const second = await collect(t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5 }));
    expect(second.map((r) => r.status)).to.deep.equal(['failed']);
    expect(t.server.state.hits[UPLOAD]).to.equal(uploads);
  });

  it('a duplicate is skipped with its own index and hash, and names no transcription, even when the journal knows its twin’s job', async () => {
    const [a] = urls(1);
    const twin = { audio_url: a!.audio_url };
    const hash = sha256(a!.audio_url);
    const existing = await t.client.transcriptions.create({
      audio_url: a!.audio_url,
      client_reference_id: referenceOf(hash),
    });
    // A previous run stopped while this content's job was processing.
    const j = Journal.open(journal);
    j.write({ event: 'creating', hash, at: Date.now() });
    j.write({ event: 'created', hash, transcription_id: existing.id });
    j.close();
    const results = await collect(
      t.client.transcribeMany([a!, twin], { journal, concurrency: 2, pollIntervalMs: 5 }),
    );
    const done = results.find((r) => r.status === 'done');
    const skipped = results.find((r) => r.status === 'skipped');
    expect(done?.status === 'done' && done.transcriptionId).to.equal(existing.id);
    expect(skipped).to.deep.equal({
      status: 'skipped',
      ok: true,
      input: done?.index === 0 ? twin : a,
      index: done?.index === 0 ? 1 : 0,
      hash,
      reason: 'duplicate',
      transcriptionId: undefined,
    });
    expect(t.server.state.hits[CREATE]).to.equal(1);
  });

  it('a journaled skip names the job the earlier run made; a run that cleans up leaves alone what an earlier one kept (cleanup: false)', async () => {
    const inputs = buffers(1);
    const [first] = await collect(
      t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5, cleanup: false }),
    );
    if (first?.status !== 'done') throw new Error(`first run: ${first?.status}`);
    const second = await collect(t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5 }));
    expect(second).to.deep.equal([
      {
        status: 'skipped',
        ok: true,
        input: inputs[0],
        index: 0,
        hash: first.hash,
        reason: 'journaled',
        transcriptionId: first.transcriptionId,
      },
    ]);
    expect([...t.server.state.transcriptions.keys()]).to.deep.equal([first.transcriptionId]);
    expect(t.server.state.files.size).to.equal(1);
    expect(t.server.state.hits[DELETE_JOB] ?? 0).to.equal(0);
  });

  it('the file of an input whose create was refused is deleted; one the server would not delete then is deleted by the next run, which uploads afresh', async () => {
    // Refused before the server acts (a status alone: the route does not run).
    const refuse = { route: CREATE, status: 400, times: 1 };
    // Without a journal: deleted as it fails.
    await collect(t.client.transcribeMany(buffers(1, 8_000, 2), { pollIntervalMs: 5 }));
    t.server.setFaults({ http: [refuse] });
    const plain = await collect(
      t.client.transcribeMany(buffers(1, 8_000, 3), { pollIntervalMs: 5 }),
    );
    expect(plain.map((r) => r.status)).to.deep.equal(['failed']);
    expect(t.server.state.files.size).to.equal(0);

    // With a journal, the delete refused: the file stays, owed to the next run.
    const inputs = buffers(1);
    t.server.setFaults({ http: [refuse, { route: DELETE_FILE, status: 500 }] });
    const first = await collect(t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5 }));
    expect(first.map((r) => r.status)).to.deep.equal(['failed']);
    const [left] = [...t.server.state.files.keys()];
    expect(left, 'left by the first run').to.be.a('string');
    t.server.setFaults({});
    const uploads = t.server.state.hits[UPLOAD] ?? 0;
    const second = await collect(t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5 }));
    expect(second.map((r) => r.status)).to.deep.equal(['done']);
    expect(t.server.state.files.has(left!)).to.equal(false);
    expect(t.server.state.hits[UPLOAD], 'uploaded afresh').to.equal(uploads + 1);
    expect(t.server.state.files.size).to.equal(0);
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('the file of a failed input kept with cleanup: false is left alone by a later run that cleans up', async () => {
    const inputs = buffers(1);
    t.server.setFaults({
      http: [{ route: CREATE, status: 400, times: 1 }],
    });
    const first = await collect(
      t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5, cleanup: false }),
    );
    expect(first.map((r) => r.status)).to.deep.equal(['failed']);
    const [kept] = [...t.server.state.files.keys()];
    const second = await collect(t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5 }));
    expect(second.map((r) => r.status)).to.deep.equal(['done']);
    expect([...t.server.state.files.keys()]).to.deep.equal([kept]);
  });

  it('a cleanup owed by a finished input stays owed through a run that keeps (cleanup: false), and the next run that cleans up does it', async () => {
    const inputs = buffers(1);
    t.server.setFaults({ http: [{ route: DELETE_JOB, status: 500 }] });
    const [first] = await collect(t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5 }));
    if (first?.status !== 'done') throw new Error(`first run: ${first?.status}`);
    t.server.setFaults({});
    await collect(t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5, cleanup: false }));
    expect(t.server.state.transcriptions.has(first.transcriptionId), 'kept').to.equal(true);
    const third = await collect(t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5 }));
    expect(third.map((r) => r.status)).to.deep.equal(['skipped']);
    expect(t.server.state.transcriptions.size).to.equal(0);
    expect(t.server.state.files.size).to.equal(0);
  });

  it('deletes the job of a result that was ready but never taken when the caller leaves the loop', async () => {
    for await (const result of t.client.transcribeMany(urls(2), {
      concurrency: 2,
      pollIntervalMs: 5,
    })) {
      expect(result.status).to.equal('done');
      // The other input's transcript is in: its result is ready, and never taken.
      await until(() => (t.server.state.hits['GET /v1/transcriptions/:id/transcript'] ?? 0) >= 2);
      await new Promise((resolve) => setImmediate(resolve));
      break;
    }
    expect(t.server.state.hits[CREATE]).to.equal(2);
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('stopped once its upload answers, an input sends no create and looks none up at cleanup', async () => {
    // The second upload is held by the server after its bytes are in: the caller leaves the
    // loop meanwhile, and the upload is let answer (its file is then deleted).
    await leaveAfterFirstResult(t, UPLOAD, buffers(2));
    expect(t.server.state.hits[CREATE]).to.equal(1);
    expect(t.server.state.hits['GET /v1/transcriptions'] ?? 0).to.equal(0);
    expect(t.server.state.files.size).to.equal(0);
  });

  it('a create whose outcome no lookup could settle stays journaled as creating: the next run finds its job instead of creating again', async () => {
    const [source] = urls(1);
    // The create is cut off after the server made the job, and every lookup by reference
    // fails: the transport's, then the cleanup's.
    t.server.setFaults({
      http: [
        { route: CREATE, reset: 'after-handler', times: 1 },
        { route: 'GET /v1/transcriptions', status: 500 },
      ],
    });
    const first = await collect(t.client.transcribeMany([source!], { journal, pollIntervalMs: 5 }));
    expect(first.map((r) => r.status)).to.deep.equal(['failed']);
    expect((first[0] as Failed).error).to.be.instanceOf(SonioxOutcomeUnknownError);
    const [made] = [...t.server.state.transcriptions.keys()];
    expect(made, 'made by the cut-off create').to.be.a('string');
    t.server.setFaults({});
    const second = await collect(
      t.client.transcribeMany([source!], { journal, pollIntervalMs: 5 }),
    );
    expect(second.map((r) => r.status)).to.deep.equal(['done']);
    expect(second[0]?.status === 'done' && second[0].transcriptionId).to.equal(made);
    expect(t.server.state.hits[CREATE], 'never created twice').to.equal(1);
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('an input journaled as creating whose lookup cannot decide stays so: a later run finds its job instead of creating again', async () => {
    const [source] = urls(1);
    const hash = sha256(source!.audio_url);
    const j = Journal.open(journal);
    j.write({ event: 'creating', hash, at: Date.now() - 1_000 });
    j.close();
    const existing = await t.client.transcriptions.create({
      audio_url: source!.audio_url,
      client_reference_id: referenceOf(hash),
    });
    // More jobs made since than a lookup reads: it cannot reach this one.
    const release = occupyTranscriptions(
      t.server,
      1_001,
      'completed',
      new Date(Date.now() + 1_000),
    );
    const second = await collect(
      t.client.transcribeMany([source!], { journal, pollIntervalMs: 5 }),
    );
    expect(second.map((r) => r.status)).to.deep.equal(['failed']);
    release();
    const third = await collect(t.client.transcribeMany([source!], { journal, pollIntervalMs: 5 }));
    expect(third.map((r) => r.status)).to.deep.equal(['done']);
    expect(third[0]?.status === 'done' && third[0].transcriptionId).to.equal(existing.id);
    expect(t.server.state.hits[CREATE], 'never created twice').to.equal(1);
  });

  it('without a journal, the job an undecided create made is found at cleanup and deleted', async () => {
    // The create is cut off after the server made the job, and the transport's lookup fails
    // (its four list calls): the outcome is unknown until the cleanup's own lookup.
    t.server.setFaults({
      http: [
        { route: CREATE, reset: 'after-handler', times: 1 },
        { route: 'GET /v1/transcriptions', status: 500, times: 4 },
      ],
    });
    const results = await collect(t.client.transcribeMany(urls(1), { pollIntervalMs: 5 }));
    expect((results[0] as Failed).error).to.be.instanceOf(SonioxOutcomeUnknownError);
    expect(t.server.state.hits[CREATE]).to.equal(1);
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('a failed job found by the reference of an input journaled as creating is deleted like any other', async () => {
    const broken = Buffer.concat([Buffer.from('RIFF\x00\x00\x00\x00WAVEjunk'), Buffer.alloc(64)]);
    const hash = sha256(broken);
    const j = Journal.open(journal);
    j.write({ event: 'creating', hash, at: Date.now() - 1_000 });
    j.close();
    // What the cut-off create of a previous run made: a job on audio that cannot be decoded.
    const file = await t.client.files.upload(broken, { client_reference_id: referenceOf(hash) });
    await t.client.transcriptions.create({
      file_id: file.id,
      client_reference_id: referenceOf(hash),
    });
    const results = await collect(
      t.client.transcribeMany([broken], { journal, pollIntervalMs: 5 }),
    );
    expect(results.map((r) => r.status)).to.deep.equal(['failed']);
    expect(t.server.state.hits[CREATE], 'nothing created again').to.equal(1);
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('journals the job found for an input journaled as creating before it waits on it', async () => {
    const [source] = urls(1);
    const hash = sha256(source!.audio_url);
    const j = Journal.open(journal);
    j.write({ event: 'creating', hash, at: Date.now() - 1_000 });
    j.close();
    const existing = await t.client.transcriptions.create({
      audio_url: source!.audio_url,
      client_reference_id: referenceOf(hash),
    });
    await collect(t.client.transcribeMany([source!], { journal, pollIntervalMs: 5 }));
    const steps = records(journal).map((r) => [r.event, r.transcription_id]);
    expect(steps).to.deep.equal([
      ['creating', undefined],
      ['created', existing.id],
      ['done', existing.id],
      ['cleaned', undefined],
    ]);
  });
});

describe('transcribeMany: how an input ends, quotas (fake clock)', function () {
  const q = fixture({
    clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] },
    client: { maxRetries: 0 },
  });

  it('an input waiting on the stored-transcriptions quota goes as soon as the batch deletes a job, not at the end of its wait', async () => {
    // One job short of the 2,000 kept: of two inputs, one is created and the other refused.
    occupyTranscriptions(q.server, 1_999, 'completed');
    const start = Date.now();
    let ended = false;
    const run = collect(
      q.client.transcribeMany(urls(2), {
        concurrency: 2,
        pollIntervalMs: 5,
        quotaWaitMs: 60_000,
        maxQuotaWaitMs: 60_000,
      }),
    ).finally(() => (ended = true));
    await until(() => (q.server.state.hits[CREATE] ?? 0) >= 2);
    await drive(q.clock, 600_000, () => ended);
    const results = await run;
    expect(results.map((r) => r.status)).to.deep.equal(['done', 'done']);
    expect(Date.now() - start).to.be.below(30_000);
  });
});

describe('transcribeMany: how an input ends, stopped while its job processes (fake clock)', () => {
  // Jobs process for 400 ms, on a fake clock driven between the real round trips.
  const busy = fixture({
    mock: { timing: { queuedMs: 1, processingMs: 400 } },
    clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] },
  });

  it('tries the delete again at the poll interval, so a stopped batch ends soon after the job does', async () => {
    const controller = new AbortController();
    const run = collect(
      busy.client.transcribeMany(urls(1), { pollIntervalMs: 5, signal: controller.signal }),
    );
    await drive(busy.clock, 10_000, () =>
      [...busy.server.state.transcriptions.values()].some(
        (j) => j.transcription.status === 'processing',
      ),
    );
    const stoppedAt = Date.now();
    controller.abort();
    expect(await settle(busy.clock, rejection(run), 600_000, 10)).to.be.instanceOf(
      SonioxAbortError,
    );
    expect(busy.server.state.transcriptions.size).to.equal(0);
    // The job ends 400 ms after it started processing; a pause of a second would show.
    expect(Date.now() - stoppedAt).to.be.below(800);
  });
});
