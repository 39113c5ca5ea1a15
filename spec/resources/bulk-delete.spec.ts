/**
 * Counts and bulk cleanup: files.count / transcriptions.count, and deleteAll with filters
 * (status, age, reference), bounded concurrency, progress and a dry run.
 */
import { expect } from 'chai';
import type { BulkDeleteProgress } from '../../lib/resources/bulk';
import { fixture } from '../helpers';

const URL_SOURCE = { audio_url: 'https://example.com/a.mp3' };
const DELETE_FILE = 'DELETE /v1/files/:id';
const DELETE_JOB = 'DELETE /v1/transcriptions/:id';
const HOUR = 3_600_000;

describe('resources: counts and bulk delete', () => {
  let inFlight = 0;
  let most = 0;
  const t = fixture({
    client: {
      onRequest: (e) => {
        if (e.method === 'DELETE') most = Math.max(most, ++inFlight);
      },
      onResponse: (e) => {
        if (e.method === 'DELETE') inFlight--;
      },
    },
  });
  beforeEach(() => {
    inFlight = 0;
    most = 0;
  });

  const upload = (i: number, reference?: string) =>
    t.client.files.upload(Buffer.alloc(100, i), {
      filename: `f${i}.wav`,
      ...(reference === undefined ? {} : { client_reference_id: reference }),
    });
  /** Makes a stored item look `hours` old. */
  const age = (item: { created_at: string }, hours: number) => {
    item.created_at = new Date(Date.now() - hours * HOUR).toISOString();
  };

  it('counts files and transcriptions as the API does', async () => {
    await upload(1);
    await upload(2);
    await t.client.transcriptions.create(URL_SOURCE);
    expect(await t.client.files.count()).to.deep.equal({ total: 2, public_api: 2, playground: 0 });
    expect((await t.client.transcriptions.count()).total).to.equal(1);
  });

  it('deletes every file, at most `concurrency` at a time, telling progress', async () => {
    for (let i = 0; i < 9; i++) await upload(i);
    t.server.setFaults({ http: [{ route: DELETE_FILE, delayMs: 20 }] });
    const seen: BulkDeleteProgress[] = [];
    const result = await t.client.files.deleteAll({
      concurrency: 3,
      onProgress: (p) => seen.push({ ...p }),
    });
    expect(result.matched).to.equal(9);
    expect(result.deleted).to.have.length(9);
    expect(result.failed).to.deep.equal([]);
    expect(t.server.state.files.size).to.equal(0);
    expect(most).to.equal(3);
    expect(seen.at(-1)).to.include({ matched: 9, deleted: 9, failed: 0, done: true });
    expect(seen.filter((p) => !p.done)).to.have.length(9);
  });

  it('filters files by age and reference; a dry run deletes nothing and lists what would go', async () => {
    const old = await upload(1, 'batch-a');
    await upload(2, 'batch-a');
    const oldOther = await upload(3, 'batch-b');
    age(t.server.state.files.get(old.id)!, 48);
    age(t.server.state.files.get(oldOther.id)!, 48);
    const dry = await t.client.files.deleteAll({
      olderThanMs: 24 * HOUR,
      clientReferenceId: 'batch-a',
      dryRun: true,
    });
    expect(dry).to.deep.include({ dryRun: true, matched: 1, deleted: [old.id], failed: [] });
    expect(t.server.state.files.size).to.equal(3);
    expect(t.server.state.hits[DELETE_FILE] ?? 0).to.equal(0);
    const real = await t.client.files.deleteAll({ olderThanMs: 24 * HOUR });
    expect(real.deleted.sort()).to.deep.equal([old.id, oldOther.id].sort());
    expect(t.server.state.files.size).to.equal(1);
  });

  it('filters transcriptions by status; a job that cannot be deleted is reported, the others go', async () => {
    const a = await t.client.transcriptions.create(URL_SOURCE);
    const b = await t.client.transcriptions.create({ audio_url: 'https://example.com/fail.mp3' });
    const c = await t.client.transcriptions.create(URL_SOURCE);
    const jobs = t.server.state.transcriptions;
    for (const job of jobs.values()) for (const timer of job.timers) clearTimeout(timer);
    jobs.get(a.id)!.transcription.status = 'completed';
    jobs.get(b.id)!.transcription.status = 'error';
    jobs.get(c.id)!.transcription.status = 'processing';
    const failedOnly = await t.client.transcriptions.deleteAll({ status: ['error', 'failed'] });
    expect(failedOnly.deleted).to.deep.equal([b.id]);
    const rest = await t.client.transcriptions.deleteAll();
    expect(rest.matched).to.equal(2);
    expect(rest.deleted).to.deep.equal([a.id]);
    expect(rest.failed.map((f) => f.id)).to.deep.equal([c.id]);
    expect(rest.failed[0]!.error.message).to.include('409');
    expect(t.server.state.hits[DELETE_JOB]).to.equal(3);
  });
});
