/**
 * How a resumed batch finds what an earlier run (or a cut-off request) created for an input: by
 * its client reference, among the items made since the request was sent, over the mock's list
 * endpoints.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { SonioxAbortError, SonioxOutcomeUnknownError } from '../../lib/errors';
import { findFileByReference, findTranscriptionByReference } from '../../lib/batch/lookup';
import { occupyTranscriptions } from '../../fixtures/occupy';
import { fixture, rejection } from '../helpers';
import { occupyFiles } from './helpers';

const REF = 'batch:0123456789abcdef0123456789abcdef';
const URL = 'https://audio.example.com/lookup.wav';
const HOUR = 3_600_000;

describe('batch lookup by client reference', () => {
  const t = fixture();
  const findJob = (sentAt: number | undefined, reference = REF) =>
    findTranscriptionByReference(t.client.transcriptions, reference, sentAt, undefined);
  const findFile = (sentAt: number | undefined, reference = REF) =>
    findFileByReference(t.client.files, reference, sentAt, undefined);
  const upload = (reference: string) =>
    t.client.files.upload(Buffer.alloc(2_000, 3), {
      filename: 'a.raw',
      client_reference_id: reference,
    });

  it("finds the job made for the input's reference, and nothing for another input", async () => {
    await t.client.transcriptions.create({ audio_url: URL, client_reference_id: 'batch:other' });
    const mine = await t.client.transcriptions.create({ audio_url: URL, client_reference_id: REF });
    expect((await findJob(Date.now()))?.id).to.equal(mine.id);
    expect(await findJob(Date.now(), 'batch:nobody')).to.equal(undefined);
  });

  it("finds the file an upload stored for the input's reference, and nothing for another", async () => {
    await upload('batch:other');
    const mine = await upload(REF);
    expect((await findFile(Date.now()))?.id).to.equal(mine.id);
    expect(await findFile(Date.now(), 'batch:nobody')).to.equal(undefined);
  });

  it('takes the newest when several carry the reference (the same content, each a transcription of it)', async () => {
    const older = await upload(REF);
    const newer = await upload(REF);
    t.server.state.files.get(older.id)!.created_at = new Date(Date.now() - 60_000).toISOString();
    expect((await findFile(undefined))?.id).to.equal(newer.id);
    const first = await t.client.transcriptions.create({
      audio_url: URL,
      client_reference_id: REF,
    });
    const second = await t.client.transcriptions.create({
      audio_url: URL,
      client_reference_id: REF,
    });
    t.server.state.transcriptions.get(first.id)!.transcription.created_at = new Date(
      Date.now() - 60_000,
    ).toISOString();
    expect((await findJob(undefined))?.id).to.equal(second.id);
  });

  it('looks only among those made since the request was sent; an undated request, at any time', async () => {
    const job = await t.client.transcriptions.create({ audio_url: URL, client_reference_id: REF });
    const file = await upload(REF);
    const dayAgo = new Date(Date.now() - 24 * HOUR).toISOString();
    t.server.state.transcriptions.get(job.id)!.transcription.created_at = dayAgo;
    t.server.state.files.get(file.id)!.created_at = dayAgo;
    expect(await findJob(Date.now() - HOUR)).to.equal(undefined);
    expect(await findFile(Date.now() - HOUR)).to.equal(undefined);
    expect((await findJob(undefined))?.id).to.equal(job.id);
    expect((await findFile(undefined))?.id).to.equal(file.id);
  });

  it('reads past the first page of newer jobs to find it', async () => {
    const mine = await t.client.transcriptions.create({ audio_url: URL, client_reference_id: REF });
    occupyTranscriptions(t.server, 150, 'completed', new Date(Date.now() + 1_000));
    expect((await findJob(Date.now() - 1_000))?.id).to.equal(mine.id);
  });

  it('reads the newest first, 100 a page, each page after the last: no item read twice', async () => {
    const job = await t.client.transcriptions.create({ audio_url: URL, client_reference_id: REF });
    const file = await upload(REF);
    occupyTranscriptions(t.server, 150, 'completed', new Date(Date.now() + 1_000));
    const later = new Date(Date.now() + 1_000).toISOString();
    for (const id of occupyFiles(t.server, 150)) t.server.state.files.get(id)!.created_at = later;
    const jobPages = sinon.spy(t.client.transcriptions, 'list');
    const filePages = sinon.spy(t.client.files, 'list');
    t.defer(() => sinon.restore());
    expect((await findJob(Date.now() - HOUR))?.id).to.equal(job.id);
    expect((await findFile(Date.now() - HOUR))?.id).to.equal(file.id);
    const ids = async (spy: sinon.SinonSpy, key: 'transcriptions' | 'files') => {
      const pages = (await Promise.all(spy.returnValues)) as Array<
        Record<typeof key, Array<{ id: string }>>
      >;
      return pages.map((p) => p[key].map((item) => item.id));
    };
    for (const pages of [await ids(jobPages, 'transcriptions'), await ids(filePages, 'files')]) {
      expect(pages.map((p) => p.length)).to.deep.equal([100, 51]);
      const read = pages.flat();
      expect(new Set(read).size, 'an item read twice').to.equal(read.length);
    }
  });

  it('an aborted run stops its lookups: they reject with the abort, finding nothing', async () => {
    await t.client.transcriptions.create({ audio_url: URL, client_reference_id: REF });
    await upload(REF);
    const controller = new AbortController();
    controller.abort();
    const { signal } = controller;
    const job = await rejection(
      findTranscriptionByReference(t.client.transcriptions, REF, undefined, signal),
    );
    const file = await rejection(findFileByReference(t.client.files, REF, undefined, signal));
    expect(job).to.be.instanceOf(SonioxAbortError);
    expect(file).to.be.instanceOf(SonioxAbortError);
  });

  it('says the outcome is unknown, naming the reference, when more jobs were made than it reads', async () => {
    occupyTranscriptions(t.server, 1_001, 'completed', new Date());
    const error = await rejection(findJob(Date.now() - 1_000));
    expect(error).to.be.instanceOf(SonioxOutcomeUnknownError);
    expect(error.message).to.equal(
      `transcribeMany: whether ${REF} was created is unknown: more than 1000 items were created in the window`,
    );
  });
});
