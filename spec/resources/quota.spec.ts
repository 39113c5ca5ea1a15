/**
 * Quota errors (too many files, too much storage, too many transcriptions, too many pending)
 * carry the quota hit as `error.quota` and how to free it as `error.hint` (the message stays the
 * API's). The mock's answers here; the API's documented ones in spec/quota.spec.ts.
 */
import { expect } from 'chai';
import { SonioxAPIError } from '../../lib/errors';
import type { StoredTranscription } from '../../lib/mock/state';
import { fixture, rejection } from '../helpers';

const URL_SOURCE = { audio_url: 'https://example.com/a.mp3' };

describe('resources: quota errors', () => {
  const t = fixture({ client: { maxRetries: 0 } });

  const fillFiles = (n: number, size = 1) => {
    for (let i = 0; i < n; i++)
      t.server.state.files.set(`f-${i}`, {
        id: `f-${i}`,
        filename: 'x.wav',
        size,
        created_at: new Date().toISOString(),
        sha256: '',
        head: Buffer.alloc(0),
      });
  };
  const fillJobs = (n: number, status: string) => {
    for (let i = 0; i < n; i++)
      t.server.state.transcriptions.set(`t-${i}`, {
        transcription: { id: `t-${i}`, status, created_at: new Date().toISOString() },
        tokens: undefined,
        timers: [],
      } as unknown as StoredTranscription);
  };

  it('an upload past the 1,000-file quota names the quota and how to free it', async () => {
    fillFiles(1000);
    const error = (await rejection(t.client.files.upload(Buffer.alloc(10)))) as SonioxAPIError;
    expect(error).to.be.instanceOf(SonioxAPIError);
    expect(error.status).to.equal(400);
    expect(error.quota).to.equal('files');
    expect(error.message).to.match(/Maximum number of files \(1000\) reached/);
    expect(error.hint).to.include('files quota');
    expect(error.hint).to.include('files.deleteAll()');
    expect(error.hint).to.include('soniox files rm --all');
  });

  it('an upload past the storage quota names it', async () => {
    fillFiles(2, 5 * 1000 ** 3);
    const error = (await rejection(t.client.files.upload(Buffer.alloc(10)))) as SonioxAPIError;
    expect(error.quota).to.equal('storage');
    expect(error.hint).to.include('storage quota');
  });

  it('a create past the 2,000-transcription quota names it and how to free it', async () => {
    fillJobs(2000, 'completed');
    const error = (await rejection(t.client.transcriptions.create(URL_SOURCE))) as SonioxAPIError;
    expect(error.quota).to.equal('transcriptions');
    expect(error.hint).to.include('transcriptions.deleteAll()');
    expect(error.hint).to.include('soniox transcriptions rm --all');
  });

  it('a create past the 100-pending quota says to wait for pending jobs', async () => {
    fillJobs(100, 'queued');
    const error = (await rejection(t.client.transcriptions.create(URL_SOURCE))) as SonioxAPIError;
    expect(error.status).to.equal(429);
    expect(error.quota).to.equal('pending_transcriptions');
    expect(error.message).to.include('pending');
    expect(error.hint).to.match(/wait for .* to finish/);
  });

  it('other API errors carry no quota', async () => {
    const error = (await rejection(
      t.client.files.get('00000000-0000-4000-8000-000000000000'),
    )) as SonioxAPIError;
    expect(error.quota).to.equal(undefined);
  });
});
