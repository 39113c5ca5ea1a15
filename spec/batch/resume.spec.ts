/**
 * Resuming a journaled batch in one process: inputs done are skipped (by content, not name),
 * inputs stopped half-way are picked up where they were, and nothing is created twice.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { SonioxAbortError, SonioxOutcomeUnknownError } from '../../lib/errors';
import { referenceOf } from '../../lib/batch/identity';
import { Journal } from '../../lib/batch/journal';
import { occupyTranscriptions } from '../../fixtures/occupy';
import { drive, fixture, rejection, settle } from '../helpers';
import { buffers, collect, urls } from './helpers';

const CREATE = 'POST /v1/transcriptions';
const UPLOAD = 'POST /v1/files';

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('client.transcribeMany with a journal', () => {
  const t = fixture();
  let dir: string;
  let journal: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-resume-'));
    journal = path.join(dir, 'batch.jsonl');
    const made = dir;
    t.defer(() => fs.rmSync(made, { recursive: true, force: true }));
  });

  it('skips the inputs a previous run finished, known by content even when renamed', async () => {
    const contents = buffers(3);
    const first = contents.map((c, i) => {
      const file = path.join(dir, `first-${i}.raw`);
      fs.writeFileSync(file, c);
      return file;
    });
    await collect(t.client.transcribeMany(first, { journal, pollIntervalMs: 5 }));
    expect(t.server.state.hits[CREATE]).to.equal(3);
    // Renamed, reordered, and one new input.
    const renamed = first.map((file, i) => {
      const to = path.join(dir, `renamed-${i}.raw`);
      fs.renameSync(file, to);
      return to;
    });
    const extra = path.join(dir, 'extra.raw');
    fs.writeFileSync(extra, buffers(1, 8_000, 9)[0]!);
    const results = await collect(
      t.client.transcribeMany([extra, ...renamed.reverse()], { journal, pollIntervalMs: 5 }),
    );
    const statuses = results.map(
      (r) => `${r.status}${r.status === 'skipped' ? `:${r.reason}` : ''}`,
    );
    expect(statuses.sort()).to.deep.equal([
      'done',
      'skipped:journaled',
      'skipped:journaled',
      'skipped:journaled',
    ]);
    expect(t.server.state.hits[CREATE]).to.equal(4);
    const skipped = results.find((r) => r.status === 'skipped');
    expect(skipped?.status === 'skipped' && skipped.transcriptionId).to.be.a('string');
  });

  it('picks up an input journaled as creating by its client reference, creating nothing again', async () => {
    const [source] = urls(1);
    const hash = sha256(source!.audio_url);
    const existing = await t.client.transcriptions.create({
      audio_url: source!.audio_url,
      client_reference_id: referenceOf(hash),
    });
    const j = Journal.open(journal);
    j.write({ event: 'started', hash });
    j.write({ event: 'creating', hash });
    j.close();
    const results = await collect(
      t.client.transcribeMany([source!], { journal, pollIntervalMs: 5 }),
    );
    expect(results.map((r) => r.status)).to.deep.equal(['done']);
    expect(results[0]?.status === 'done' && results[0].transcriptionId).to.equal(existing.id);
    expect(t.server.state.hits[CREATE]).to.equal(1);
  });

  it('takes the newest job when several carry the input’s reference', async () => {
    const [source] = urls(1);
    const hash = sha256(source!.audio_url);
    const made = [];
    for (let i = 0; i < 2; i++)
      made.push(
        await t.client.transcriptions.create({
          audio_url: source!.audio_url,
          client_reference_id: referenceOf(hash),
        }),
      );
    const j = Journal.open(journal);
    j.write({ event: 'creating', hash, at: Date.now() });
    j.close();
    const results = await collect(
      t.client.transcribeMany([source!], { journal, pollIntervalMs: 5, cleanup: false }),
    );
    expect(results[0]?.status === 'done' && results[0].transcriptionId).to.equal(made[1]!.id);
    expect(t.server.state.hits[CREATE]).to.equal(2);
  });

  it('fails an input journaled as creating when the lookup cannot decide, creating nothing', async () => {
    // More jobs than the lookup reads, none with the input's reference, all after the request.
    occupyTranscriptions(t.server, 1_001, 'completed', new Date());
    const [source] = urls(1);
    const j = Journal.open(journal);
    j.write({ event: 'creating', hash: sha256(source!.audio_url) });
    j.close();
    const results = await collect(
      t.client.transcribeMany([source!], { journal, pollIntervalMs: 5 }),
    );
    expect(results.map((r) => r.status)).to.deep.equal(['failed']);
    const [failed] = results;
    expect(failed?.status === 'failed' && failed.error).to.be.instanceOf(SonioxOutcomeUnknownError);
    expect(t.server.state.hits[CREATE] ?? 0).to.equal(0);
  });

  it('looks for a job journaled as creating only among those made since then', async () => {
    const [source] = urls(1);
    const hash = sha256(source!.audio_url);
    // A job with the input's reference, but made well before the journal says it was sent.
    await t.client.transcriptions.create({
      audio_url: source!.audio_url,
      client_reference_id: referenceOf(hash),
    });
    const j = Journal.open(journal);
    j.write({ event: 'creating', hash, at: Date.now() + 3_600_000 });
    j.close();
    const results = await collect(
      t.client.transcribeMany([source!], { journal, pollIntervalMs: 5, cleanup: false }),
    );
    expect(results.map((r) => r.status)).to.deep.equal(['done']);
    expect(t.server.state.hits[CREATE]).to.equal(2);
  });

  it('creates an input journaled as creating when the server has no job with its reference', async () => {
    const [source] = urls(1);
    const hash = sha256(source!.audio_url);
    // Someone else's job, with another reference, is not taken for it.
    await t.client.transcriptions.create({
      audio_url: source!.audio_url,
      client_reference_id: 'batch:someone-else',
    });
    const j = Journal.open(journal);
    j.write({ event: 'creating', hash });
    j.close();
    const results = await collect(
      t.client.transcribeMany([source!], { journal, pollIntervalMs: 5 }),
    );
    expect(results.map((r) => r.status)).to.deep.equal(['done']);
    expect(t.server.state.hits[CREATE]).to.equal(2);
  });

  it('resumes an input journaled as uploaded from its stored file, without uploading again', async () => {
    const [content] = buffers(1);
    const hash = sha256(content!);
    const file = await t.client.files.upload(content!);
    const j = Journal.open(journal);
    j.write({ event: 'uploaded', hash, file_id: file.id });
    j.close();
    const results = await collect(
      t.client.transcribeMany([content!], { journal, pollIntervalMs: 5 }),
    );
    expect(results.map((r) => r.status)).to.deep.equal(['done']);
    expect(t.server.state.hits[UPLOAD]).to.equal(1);
    expect(t.server.state.files.size).to.equal(0);
  });

  it('uploads again when the journaled file is gone, and reuses a file stored by a cut-off upload', async () => {
    const [gone, stored] = buffers(2);
    const orphan = await t.client.files.upload(stored!, {
      client_reference_id: referenceOf(sha256(stored!)),
    });
    const j = Journal.open(journal);
    j.write({
      event: 'uploaded',
      hash: sha256(gone!),
      file_id: '0b6c1a34-8a43-4c55-9d55-000000000000',
    });
    j.write({ event: 'started', hash: sha256(stored!) });
    j.close();
    const results = await collect(
      t.client.transcribeMany([gone!, stored!], { journal, pollIntervalMs: 5, concurrency: 1 }),
    );
    expect(results.map((r) => r.status)).to.deep.equal(['done', 'done']);
    // One upload for the orphan (before the batch), one for the file that was gone.
    expect(t.server.state.hits[UPLOAD]).to.equal(2);
    expect(t.server.state.files.has(orphan.id)).to.equal(false);
  });

  it('uploads an input journaled as started when the server has no file with its reference', async () => {
    const [content] = buffers(1);
    const j = Journal.open(journal);
    j.write({ event: 'started', hash: sha256(content!) });
    j.close();
    const results = await collect(
      t.client.transcribeMany([content!], { journal, pollIntervalMs: 5 }),
    );
    expect(results.map((r) => r.status)).to.deep.equal(['done']);
    expect(t.server.state.hits[UPLOAD]).to.equal(1);
  });

  it('waits on the job of an input journaled as created, creating nothing', async () => {
    const [source] = urls(1);
    const existing = await t.client.transcriptions.create({ audio_url: source!.audio_url });
    const j = Journal.open(journal);
    j.write({ event: 'created', hash: sha256(source!.audio_url), transcription_id: existing.id });
    j.close();
    const results = await collect(
      t.client.transcribeMany([source!], { journal, pollIntervalMs: 5 }),
    );
    expect(results[0]?.status === 'done' && results[0].transcriptionId).to.equal(existing.id);
    expect(t.server.state.hits[CREATE]).to.equal(1);
  });

  it('tries a failed input again on the next run', async () => {
    const broken = Buffer.concat([Buffer.from('RIFF\x00\x00\x00\x00WAVEjunk'), Buffer.alloc(64)]);
    const first = await collect(t.client.transcribeMany([broken], { journal, pollIntervalMs: 5 }));
    expect(first.map((r) => r.status)).to.deep.equal(['failed']);
    const second = await collect(t.client.transcribeMany([broken], { journal, pollIntervalMs: 5 }));
    expect(second.map((r) => r.status)).to.deep.equal(['failed']);
    expect(t.server.state.hits[CREATE]).to.equal(2);
  });

  it('deletes on the next run what a finished input left when its cleanup did not happen', async () => {
    // As if stopped between journaling the result and deleting its job (a SIGKILL there left
    // a job and its file behind for good: the next run skipped the input as done).
    const DELETES = ['DELETE /v1/transcriptions/:id', 'DELETE /v1/files/:id'];
    t.server.setFaults({ http: DELETES.map((route) => ({ route, status: 500 })) });
    const inputs = buffers(2);
    const first = await collect(t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5 }));
    expect(first.map((r) => r.status)).to.deep.equal(['done', 'done']);
    expect(t.server.state.transcriptions.size, 'left by the first run').to.equal(2);
    t.server.setFaults({});

    const second = await collect(t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5 }));
    expect(second.map((r) => r.status)).to.deep.equal(['skipped', 'skipped']);
    expect(second.map((r) => r.status === 'skipped' && r.transcriptionId)).to.deep.equal(
      first.map((r) => r.status === 'done' && r.transcriptionId),
    );
    expect(t.server.state.transcriptions.size).to.equal(0);
    expect(t.server.state.files.size).to.equal(0);
    expect(t.server.state.hits[CREATE]).to.equal(2);

    // Journaled as cleaned: a third run asks the server nothing.
    const deletes = () => DELETES.reduce((n, route) => n + (t.server.state.hits[route] ?? 0), 0);
    const before = deletes();
    const third = await collect(t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5 }));
    expect(third.map((r) => r.status)).to.deep.equal(['skipped', 'skipped']);
    expect(deletes()).to.equal(before);
  });

  it('deletes what a failed input’s attempt left before trying it again', async () => {
    const DELETES = ['DELETE /v1/transcriptions/:id', 'DELETE /v1/files/:id'];
    t.server.setFaults({ http: DELETES.map((route) => ({ route, status: 500 })) });
    const broken = Buffer.concat([Buffer.from('RIFF\x00\x00\x00\x00WAVEjunk'), Buffer.alloc(64)]);
    const first = await collect(t.client.transcribeMany([broken], { journal, pollIntervalMs: 5 }));
    expect(first.map((r) => r.status)).to.deep.equal(['failed']);
    expect(t.server.state.transcriptions.size, 'left by the first run').to.equal(1);
    t.server.setFaults({});
    const second = await collect(t.client.transcribeMany([broken], { journal, pollIntervalMs: 5 }));
    expect(second.map((r) => r.status)).to.deep.equal(['failed']);
    expect(t.server.state.hits[CREATE]).to.equal(2);
    expect(t.server.state.transcriptions.size).to.equal(0);
    expect(t.server.state.files.size).to.equal(0);
  });

  it('keeps a finished input’s job when the next run is told not to clean up', async () => {
    t.server.setFaults({ http: [{ route: 'DELETE /v1/transcriptions/:id', status: 500 }] });
    const inputs = buffers(1);
    await collect(t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5 }));
    t.server.setFaults({});
    const second = await collect(
      t.client.transcribeMany(inputs, { journal, pollIntervalMs: 5, cleanup: false }),
    );
    expect(second.map((r) => r.status)).to.deep.equal(['skipped']);
    expect(t.server.state.transcriptions.size).to.equal(1);
  });
  describe('stopped', () => {
    // Jobs queue for 300 ms, on a fake clock driven between the real round trips.
    const slow = fixture({
      mock: { timing: { queuedMs: 300, processingMs: 10 } },
      clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] },
    });

    it('keeps in-flight jobs on abort, journaled, and the next run finishes them without creating again', async () => {
      const controller = new AbortController();
      const inputs = buffers(4);
      const run = collect(
        slow.client.transcribeMany(inputs, {
          journal,
          concurrency: 2,
          pollIntervalMs: 5,
          signal: controller.signal,
        }),
      );
      await drive(slow.clock, 10_000, () => slow.server.state.transcriptions.size === 2);
      controller.abort();
      expect(await settle(slow.clock, rejection(run))).to.be.instanceOf(SonioxAbortError);
      expect(slow.server.state.transcriptions.size, 'kept for the next run').to.equal(2);
      const results = await settle(
        slow.clock,
        collect(slow.client.transcribeMany(inputs, { journal, concurrency: 2, pollIntervalMs: 5 })),
      );
      expect(results.map((r) => r.status)).to.deep.equal(['done', 'done', 'done', 'done']);
      expect(slow.server.state.hits[CREATE]).to.equal(4);
      expect(slow.server.state.transcriptions.size).to.equal(0);
      expect(slow.server.state.files.size).to.equal(0);
    });

    it('delivers again a result the caller never took: the job is fetched again, not created again', async () => {
      const inputs = buffers(2);
      const first = (async () => {
        for await (const result of slow.client.transcribeMany(inputs, {
          journal,
          concurrency: 2,
          pollIntervalMs: 5,
        })) {
          expect(result.status).to.equal('done');
          break; // the other input's result, maybe ready, was never taken
        }
      })();
      await settle(slow.clock, first);
      const again = await settle(
        slow.clock,
        collect(slow.client.transcribeMany(inputs, { journal, concurrency: 2, pollIntervalMs: 5 })),
      );
      expect(again.map((r) => r.status).sort()).to.deep.equal(['done', 'skipped']);
      expect(slow.server.state.hits[CREATE]).to.equal(2);
    });
  });
});
