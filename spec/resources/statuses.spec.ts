/**
 * transcriptions.wait and the statuses a job can end in: `error` and `failed` are failures with
 * the API's error fields; a status the SDK does not know is reported and polled past.
 */
import { expect } from 'chai';
import { SonioxTranscriptionError } from '../../lib/errors';
import type { Transcription } from '../../lib/types';
import { fixture, rejection, until } from '../helpers';

const GET = 'GET /v1/transcriptions/:id';
const URL_SOURCE = { audio_url: 'https://example.com/a.mp3' };

/** A transcription as the API would show it, with some fields changed. */
const as = (base: Transcription, fields: Partial<Transcription>) => ({ ...base, ...fields });

describe('resources/transcriptions.wait: statuses', () => {
  const t = fixture({ mock: { timing: { queuedMs: 3_600_000, processingMs: 1 } } });

  for (const status of ['error', 'failed']) {
    it(`rejects with SonioxTranscriptionError carrying the API's error fields when the job ends "${status}"`, async () => {
      const job = await t.client.transcriptions.create(URL_SOURCE);
      t.server.setFaults({
        http: [
          {
            route: GET,
            json: as(job, {
              status,
              error_type: 'audio_decode_error',
              error_message: 'The audio could not be decoded.',
            }),
          },
        ],
      });
      const error = (await rejection(
        t.client.transcriptions.wait(job.id, { pollIntervalMs: 10 }),
      )) as SonioxTranscriptionError;
      expect(error).to.be.instanceOf(SonioxTranscriptionError);
      expect(error.transcriptionId).to.equal(job.id);
      expect(error.status).to.equal(status);
      expect(error.errorType).to.equal('audio_decode_error');
      expect(error.errorMessage).to.equal('The audio could not be decoded.');
      expect(error.message).to.include('The audio could not be decoded.');
      expect(t.server.state.hits[GET]).to.equal(1);
    });
  }

  it('says "no reason given" when a failed job carries no error fields', async () => {
    const job = await t.client.transcriptions.create(URL_SOURCE);
    t.server.setFaults({ http: [{ route: GET, json: as(job, { status: 'failed' }) }] });
    const error = (await rejection(
      t.client.transcriptions.wait(job.id),
    )) as SonioxTranscriptionError;
    expect(error.errorType).to.equal(undefined);
    expect(error.errorMessage).to.equal(undefined);
    expect(error.message).to.include('no reason given');
  });
});

describe('resources/transcriptions.wait: unknown statuses', () => {
  const t = fixture({
    mock: { timing: { queuedMs: 3_600_000, processingMs: 1 } },
    clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] },
  });

  it('passes an unknown status to onStatus and keeps polling until the job completes', async () => {
    const job = await t.client.transcriptions.create(URL_SOURCE);
    t.server.setFaults({
      http: [
        { route: GET, json: as(job, { status: 'retrying' }), times: 2 },
        { route: GET, json: as(job, { status: 'completed', audio_duration_ms: 5000 }) },
      ],
    });
    const seen: string[] = [];
    const waiting = t.client.transcriptions.wait(job.id, {
      pollIntervalMs: 1_000,
      onStatus: (tr) => seen.push(tr.status),
    });
    await until(() => seen.length === 1);
    expect(seen).to.deep.equal(['retrying']);
    await t.clock.tickAsync(1_000);
    await until(() => t.server.state.hits[GET] === 2);
    // The second poll saw the same status: onStatus is told of changes only.
    await t.clock.tickAsync(1_500);
    const done = await waiting;
    expect(done.status).to.equal('completed');
    expect(seen).to.deep.equal(['retrying', 'completed']);
    expect(t.server.state.hits[GET]).to.equal(3);
  });
});
