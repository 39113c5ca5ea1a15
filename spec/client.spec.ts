import { expect } from 'chai';
import { inspect } from 'node:util';
import { SonioxClient } from '../lib/client';
import {
  SonioxAbortError,
  SonioxConfigError,
  SonioxTranscriptionError,
  SonioxValidationError,
  type SonioxError,
} from '../lib/errors';
import { SECRET_KEY, rejection, until, fixture } from './helpers';

const ROUTE_FILES = 'DELETE /v1/files/:id';
const ROUTE_TX = 'DELETE /v1/transcriptions/:id';

describe('client', () => {
  it('is cheap to construct: no sockets, no schema compilation (< 1 ms on average)', () => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 200; i++) new SonioxClient({ apiKey: 'k', env: {} });
    const avgMs = Number(process.hrtime.bigint() - started) / 1e6 / 200;
    expect(avgMs).to.be.below(1);
  });

  it('throws SonioxConfigError from the constructor when no key is found', () => {
    expect(() => new SonioxClient({ env: {} })).to.throw(SonioxConfigError, /apiKey/);
  });

  it('never shows the key when inspected or serialised', () => {
    const client = new SonioxClient({ apiKey: SECRET_KEY, env: {} });
    expect(inspect(client, { depth: 5 })).not.to.include(SECRET_KEY);
    expect(JSON.stringify(client)).not.to.include(SECRET_KEY);
    expect(client.baseURL).to.equal('https://api.soniox.com');
    expect(client.realtimeURL).to.match(/^wss:/);
  });

  describe('transcribe', () => {
    const t = fixture();

    it('uploads, transcribes, waits, returns the transcript and deletes what it made', async () => {
      const client = t.client;
      const statuses: string[] = [];
      const transcript = await client.transcribe(Buffer.alloc(32_000 * 2), {
        filename: 'two-seconds.raw',
        pollIntervalMs: 5,
        onStatus: (t) => statuses.push(t.status),
      });
      expect(transcript.tokens.length).to.be.greaterThan(0);
      expect(transcript.text).to.equal(transcript.tokens.map((t) => t.text).join(''));
      expect(statuses.at(-1)).to.equal('completed');
      expect((await client.files.list()).files).to.have.length(0);
      expect((await client.transcriptions.list()).transcriptions).to.have.length(0);
    });

    it('transcribes an audio_url and keeps everything when cleanup is false', async () => {
      const client = t.client;
      const transcript = await client.transcribe(
        { audio_url: 'https://example.com/x.mp3' },
        { pollIntervalMs: 5, cleanup: false },
      );
      expect(transcript.tokens.length).to.be.greaterThan(0);
      expect((await client.transcriptions.list()).transcriptions).to.have.length(1);
    });

    it('by default leaves a file_id it was given, and its transcription (deleting that would delete the file)', async () => {
      const client = t.client;
      const file = await client.files.upload(Buffer.alloc(16_000), { filename: 'mine.raw' });
      await client.transcribe({ file_id: file.id }, { pollIntervalMs: 5 });
      expect((await client.files.get(file.id)).id).to.equal(file.id);
      expect((await client.transcriptions.list()).transcriptions).to.have.length(1);
      await client.transcribe(
        { file_id: file.id },
        { pollIntervalMs: 5, cleanup: ['transcription', 'file'] },
      );
      expect((await client.files.list()).files).to.have.length(0);
    });

    it('still cleans up when the transcription fails', async () => {
      const client = t.client;
      const error = await rejection(
        client.transcribe({ audio_url: 'https://example.com/fail.mp3' }, { pollIntervalMs: 5 }),
      );
      expect(error).to.be.instanceOf(SonioxTranscriptionError);
      expect(t.server.state.hits[ROUTE_TX]).to.equal(1);
      expect((await client.transcriptions.list()).transcriptions).to.have.length(0);
    });

    it('still cleans up the upload when aborted while waiting, and reports cleanup failures', async () => {
      const slow = await t.serverWith({ timing: { queuedMs: 1e9, processingMs: 1e9 } });
      const client = t.clientWith({ baseURL: slow.url });
      const controller = new AbortController();
      const failures: Array<[SonioxError, string]> = [];
      const flow = client.transcribe(Buffer.alloc(1000), {
        signal: controller.signal,
        pollIntervalMs: 60_000,
        onCleanupError: (e, t) => failures.push([e, t]),
      });
      await until(() => (slow.state.hits['GET /v1/transcriptions/:id'] ?? 0) === 1);
      controller.abort();
      expect(await rejection(flow)).to.be.instanceOf(SonioxAbortError);
      // The rejection does not wait for the cleanup, which goes on in the background.
      await until(() => slow.state.hits[ROUTE_TX] === 1 && slow.state.hits[ROUTE_FILES] === 1);
      await until(() => slow.state.transcriptions.size === 0 && slow.state.files.size === 0);
      expect(failures).to.deep.equal([]);
    });

    it('rejects an unsupported source', async () => {
      const client = t.client;
      expect(await rejection(client.transcribe({} as never))).to.be.instanceOf(
        SonioxValidationError,
      );
    });
  });
});
