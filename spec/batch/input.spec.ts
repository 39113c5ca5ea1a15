/**
 * What one input of a batch reports: its result's figures, the quota waits it counts in the
 * progress, and the error it fails with when the quota stays full (over the mock).
 */
import { expect } from 'chai';
import { SonioxBadRequestError, SonioxRateLimitError, SonioxTimeoutError } from '../../lib/errors';
import type { BatchProgress, BatchResult } from '../../lib/batch/types';
import { drive, fixture, until } from '../helpers';
import { buffers, collect, occupyFiles, occupyPending, urls } from './helpers';

const CREATE = 'POST /v1/transcriptions';

describe('batch input results', () => {
  const t = fixture();

  it('a done result carries its transcription, the audio length and the transcript', async () => {
    const [result] = await collect(
      t.client.transcribeMany(urls(1), { pollIntervalMs: 5, cleanup: false }),
    );
    expect(result?.status).to.equal('done');
    const done = result as Extract<BatchResult<unknown>, { status: 'done' }>;
    const [job] = [...t.server.state.transcriptions.values()];
    expect(done.transcriptionId).to.equal(job?.transcription.id);
    // The mock gives an audio URL 5 s of audio.
    expect(done.audioDurationMs).to.equal(5_000);
    expect(done.transcript.text).to.be.a('string').and.not.equal('');
  });

  it("a failed input's result is not ok and keeps the API's typed error", async () => {
    t.server.setFaults({
      http: [
        {
          route: CREATE,
          status: 400,
          json: { error_type: 'invalid_request', message: 'Invalid audio URL.' },
        },
      ],
    });
    const [result] = await collect(t.client.transcribeMany(urls(1), { pollIntervalMs: 5 }));
    expect({ status: result?.status, ok: result?.ok }).to.deep.equal({
      status: 'failed',
      ok: false,
    });
    const failed = result as Extract<BatchResult<unknown>, { status: 'failed' }>;
    expect(failed.error).to.be.instanceOf(SonioxBadRequestError);
    expect(failed.error.message).to.include('Invalid audio URL.');
  });

  it('the bytes of a file count once in the progress, however many attempts sent them', async () => {
    const seen: BatchProgress[] = [];
    await collect(
      t.client.transcribeMany(buffers(1, 500_000), {
        pollIntervalMs: 5,
        onProgress: (p) => seen.push({ ...p }),
      }),
    );
    expect(seen[seen.length - 1]?.bytesUploaded).to.equal(500_000);
    expect(seen.every((p) => p.bytesUploaded >= 0 && p.bytesUploaded <= 500_000)).to.equal(true);
  });
});

describe('batch input quota waits (fake clock)', function () {
  const q = fixture({
    clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] },
    client: { maxRetries: 0 },
  });

  it('counts each quota answer waited on in the progress figures', async () => {
    const release = occupyPending(q.server, 100);
    const seen: BatchProgress[] = [];
    let ended = false;
    const run = collect(
      q.client.transcribeMany(urls(1), { onProgress: (p) => seen.push({ ...p }) }),
    ).finally(() => (ended = true));
    await until(() => (q.server.state.hits[CREATE] ?? 0) >= 1);
    await drive(q.clock, 10_000);
    const refused = q.server.state.hits[CREATE] ?? 0;
    expect(refused).to.be.greaterThan(1);
    expect(seen[seen.length - 1]?.quotaWaits).to.equal(refused);
    release();
    await drive(q.clock, 600_000, () => ended);
    const [result] = await run;
    expect(result?.status).to.equal('done');
  });

  it('an input whose quota stays full fails with SonioxTimeoutError naming the quota and the wait', async () => {
    occupyPending(q.server, 100);
    const results: Array<BatchResult<unknown>> = [];
    let ended = false;
    const run = (async () => {
      for await (const r of q.client.transcribeMany(urls(1), { quotaTimeoutMs: 20_000 }))
        results.push(r);
    })().finally(() => (ended = true));
    await until(() => (q.server.state.hits[CREATE] ?? 0) >= 1);
    // Fails at its deadline, not at some later wake-up (fake time may run ahead of the
    // loopback round trips: a small margin).
    await drive(q.clock, 25_000, () => ended);
    expect(ended).to.equal(true);
    await run;
    const [failed] = results;
    expect(failed?.status).to.equal('failed');
    const error = (failed as Extract<BatchResult<unknown>, { status: 'failed' }>).error;
    expect(error).to.be.instanceOf(SonioxTimeoutError);
    expect((error as SonioxTimeoutError).timeoutMs).to.equal(20_000);
    expect(error.message).to.match(/the transcriptions quota.* stayed full for 20000 ms/);
  });

  it('an input refused by the quota at its deadline fails with that answer as the cause', async () => {
    occupyPending(q.server, 100);
    let ended = false;
    const run = collect(
      q.client.transcribeMany(urls(1), { quotaWaitMs: 1_000, quotaTimeoutMs: 3_000 }),
    ).finally(() => (ended = true));
    await until(() => (q.server.state.hits[CREATE] ?? 0) >= 1);
    // Refused at 0, 1 and 3 s: the last answer comes at the deadline.
    await drive(q.clock, 10_000, () => ended);
    const [failed] = await run;
    const error = (failed as Extract<BatchResult<unknown>, { status: 'failed' }>).error;
    expect(error).to.be.instanceOf(SonioxTimeoutError);
    expect(error.cause).to.be.instanceOf(SonioxRateLimitError);
    expect(error.message).to.match(/the transcriptions quota stayed full for 3000 ms/);
  });

  it('counts the bytes of an upload refused for storage once they are sent again', async () => {
    // Someone else's file fills the storage: the upload is refused once its bytes are in (an
    // upload of 2.5 MB reports its progress three times).
    const [big] = occupyFiles(q.server, 1);
    q.server.state.files.get(big!)!.size = 10 * 1000 ** 3;
    const seen: BatchProgress[] = [];
    let ended = false;
    const run = collect(
      q.client.transcribeMany(buffers(1, 2_500_000), { onProgress: (p) => seen.push({ ...p }) }),
    ).finally(() => (ended = true));
    await until(() => (q.server.state.hits['POST /v1/files'] ?? 0) >= 1);
    await drive(q.clock, 500, () => seen.some((p) => p.quotaWaits > 0));
    q.server.state.files.delete(big!);
    await drive(q.clock, 600_000, () => ended);
    const [result] = await run;
    expect(result?.status).to.equal('done');
    expect(seen.at(-1)?.quotaWaits).to.equal(1);
    expect(seen.at(-1)?.bytesUploaded).to.equal(2_500_000);
  });
});
