/**
 * client.transcribeMany on a machine's bad day: a journal that cannot be written (a full disk)
 * fails the batch as a typed error, never an unhandled rejection; a result the caller could not
 * save is kept for the next run, which fetches it without transcribing it again; two batches on
 * one journal at once are refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import sinon from 'sinon';
import { SonioxJournalError, SonioxJournalLockedError } from '../../lib/errors';
import type { BatchResult } from '../../lib/batch/types';
import { SECRET_KEY, fixture, rejection } from '../helpers';
import { collect, urls } from './helpers';

const CREATE = 'POST /v1/transcriptions';

/** A full disk from the `after`-th journal record on: writeSync fails with ENOSPC. */
function diskFullAfter(after: number): sinon.SinonStub {
  const real = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
  let records = 0;
  return sinon.stub(fs, 'writeSync').callsFake((...args: unknown[]) => {
    const [, data] = args;
    const text = Buffer.isBuffer(data) ? data.toString() : data;
    if (typeof text === 'string' && text.startsWith('{"event"') && ++records > after)
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
        code: 'ENOSPC',
        errno: -28,
        syscall: 'write',
      });
    return real(...args);
  });
}

/** Journal lines, parsed. */
function lines(journal: string): Array<Record<string, string>> {
  return fs
    .readFileSync(journal, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, string>);
}

describe('client.transcribeMany on a full disk and with two runs at once', () => {
  const t = fixture();
  let dir: string;
  let journal: string;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-safety-'));
    journal = path.join(dir, 'batch.jsonl');
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    sinon.restore();
    process.removeListener('unhandledRejection', onUnhandled);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Lets every settled promise's handlers run (an unhandled rejection is reported by then). */
  const drain = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

  it('fails the batch with SonioxJournalError when a journal write fails: no unhandled rejection, nothing journaled done that was not, the rest kept for the next run', async () => {
    const sources = urls(6);
    diskFullAfter(7);
    const delivered: Array<BatchResult<{ audio_url: string }>> = [];
    const error = await rejection(
      (async () => {
        for await (const result of t.client.transcribeMany(sources, {
          journal,
          concurrency: 2,
          pollIntervalMs: 5,
        }))
          delivered.push(result);
      })(),
    );
    await drain();
    expect(unhandled).to.deep.equal([]);
    expect(error).to.be.instanceOf(SonioxJournalError);
    const journalError = error as SonioxJournalError;
    expect(journalError.code).to.equal('journal_error');
    expect(journalError.errno).to.equal('ENOSPC');
    expect(journalError.path).to.equal(journal);
    expect(journalError.message).to.match(/cannot write the journal .*batch\.jsonl: ENOSPC/);
    expect(JSON.stringify(journalError)).not.to.include(SECRET_KEY);
    // Stopped short: not every input was delivered, none failed for the journal's sake.
    expect(delivered.length).to.be.below(sources.length);
    expect(delivered.every((r) => r.status === 'done')).to.equal(true);
    // Only delivered inputs can be journaled done.
    const deliveredHashes = new Set(delivered.map((r) => (r.status === 'done' ? r.hash : '')));
    for (const line of lines(journal).filter((l) => l.event === 'done'))
      expect(deliveredHashes.has(line.hash ?? '')).to.equal(true);
    // The lock is released on the way out.
    expect(fs.existsSync(`${journal}.lock`)).to.equal(false);

    // Room again: the next run finishes the batch, creating each input once overall.
    sinon.restore();
    const again = await collect(
      t.client.transcribeMany(sources, { journal, concurrency: 2, pollIntervalMs: 5 }),
    );
    expect(again.map((r) => r.status).filter((s) => s === 'failed')).to.deep.equal([]);
    expect(t.server.state.hits[CREATE]).to.equal(sources.length);
  });

  it('rejects a return() whose last result could not be journaled, with no unhandled rejection', async () => {
    diskFullAfter(2);
    const error = await rejection(
      (async () => {
        // creating, created: written; done: fails as the caller leaves the loop.
        for await (const result of t.client.transcribeMany(urls(1), {
          journal,
          pollIntervalMs: 5,
        })) {
          expect(result.status).to.equal('done');
          break;
        }
      })(),
    );
    await drain();
    expect(unhandled).to.deep.equal([]);
    expect(error).to.be.instanceOf(SonioxJournalError);
    expect(lines(journal).map((l) => l.event)).to.deep.equal(['creating', 'created']);
    // Not journaled done, so not deleted: the next run delivers it again from the server.
    expect(t.server.state.transcriptions.size).to.equal(1);
  });

  it('keepForNextRun(): an unsaved result is journaled kept, its transcription kept; the next run fetches it with no new create', async () => {
    const sources = urls(3);
    let keptId: string | undefined;
    for await (const result of t.client.transcribeMany(sources, {
      journal,
      concurrency: 1,
      pollIntervalMs: 5,
    })) {
      if (result.status === 'done' && result.index === 1) {
        keptId = result.transcriptionId;
        result.keepForNextRun();
      }
    }
    expect(keptId).to.be.a('string');
    expect(t.server.state.hits[CREATE]).to.equal(3);
    expect([...t.server.state.transcriptions.keys()]).to.deep.equal([keptId]);
    const kept = lines(journal).filter((l) => l.event === 'kept');
    expect(kept).to.have.length(1);
    expect(kept[0]).to.include({ transcription_id: keptId });
    expect(lines(journal).filter((l) => l.event === 'done')).to.have.length(2);

    const again = await collect(t.client.transcribeMany(sources, { journal, pollIntervalMs: 5 }));
    const byIndex = [...again].sort((a, b) => a.index - b.index);
    expect(byIndex.map((r) => r.status)).to.deep.equal(['skipped', 'done', 'skipped']);
    expect(byIndex[1]?.status === 'done' && byIndex[1].transcriptionId).to.equal(keptId);
    expect(byIndex[1]?.status === 'done' && byIndex[1].transcript.text).to.be.a('string');
    // No new create; now journaled done and cleaned up.
    expect(t.server.state.hits[CREATE]).to.equal(3);
    expect(t.server.state.transcriptions.size).to.equal(0);
    expect(lines(journal).at(-2)).to.include({ event: 'done', transcription_id: keptId });
  });

  it('keepForNextRun() without a journal keeps the transcription on the server', async () => {
    const [result] = await (async () => {
      const all = [];
      for await (const r of t.client.transcribeMany(urls(1), { pollIntervalMs: 5 })) {
        if (r.status === 'done') r.keepForNextRun();
        all.push(r);
      }
      return all;
    })();
    expect(result?.status).to.equal('done');
    expect(Object.keys(result ?? {})).not.to.include('keepForNextRun');
    expect(t.server.state.transcriptions.size).to.equal(1);
  });

  it('refuses a second batch on a journal in use, naming the run that holds it; the first goes on', async () => {
    const sources = urls(4);
    const first = t.client.transcribeMany(sources, { journal, concurrency: 1, pollIntervalMs: 5 });
    const firstResult = await first.next();
    expect(firstResult.done).to.equal(false);
    const error = await rejection(collect(t.client.transcribeMany(sources, { journal })));
    expect(error).to.be.instanceOf(SonioxJournalLockedError);
    const locked = error as SonioxJournalLockedError;
    expect(locked.code).to.equal('journal_locked');
    expect(locked.pid).to.equal(process.pid);
    expect(locked.hostname).to.equal(os.hostname());
    expect(locked.message).to.include(`pid ${process.pid}`);
    expect(locked.message).to.include('one run at a time per journal');
    const rest = await collect(first);
    expect(rest).to.have.length(3);
    expect(t.server.state.hits[CREATE]).to.equal(4);
    expect(fs.existsSync(`${journal}.lock`)).to.equal(false);
  });

  it('releases the lock when the batch is aborted', async () => {
    const controller = new AbortController();
    const results = t.client.transcribeMany(urls(3), {
      journal,
      pollIntervalMs: 5,
      signal: controller.signal,
    });
    await results.next();
    expect(fs.existsSync(`${journal}.lock`)).to.equal(true);
    controller.abort();
    await rejection(collect(results));
    expect(fs.existsSync(`${journal}.lock`)).to.equal(false);
  });
});
