/**
 * Exactly-once creates over the wire: a create transcription or a file upload that fails with no
 * answer after the server may have read it is settled by asking the server (the list endpoints,
 * matched on the call's client_reference_id), then returned or resent, never doubled.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  SonioxConnectionError,
  SonioxOutcomeUnknownError,
  SonioxServerError,
} from '../../lib/errors';
import type { SonioxClientOptions } from '../../lib/config';
import { fixture, rejection } from '../helpers';

const CREATE = 'POST /v1/transcriptions';
const UPLOAD = 'POST /v1/files';
const LIST_JOBS = 'GET /v1/transcriptions';
const LIST_FILES = 'GET /v1/files';
const audio_url = 'https://example.com/a.mp3';

describe('exactly-once creates (against the mock server)', () => {
  const t = fixture();
  const hits = (route: string) => t.server.state.hits[route] ?? 0;
  /** A client whose pool holds one socket, already used once: the next call goes out on a reused socket. */
  const warmClient = async (options: SonioxClientOptions = {}) => {
    const client = t.clientWith({ maxSockets: 1, ...options });
    await client.models.list();
    expect(client.poolStats().socketsCreated).to.equal(1);
    return client;
  };

  it('resends a create whose reused socket was reset before the server read it, and one job exists', async () => {
    const client = await warmClient();
    t.server.setFaults({ http: [{ route: CREATE, reset: 'before', times: 1 }] });
    const job = await client.transcriptions.create({ audio_url });
    expect(hits(CREATE)).to.equal(2);
    expect(hits(LIST_JOBS)).to.equal(1);
    expect([...t.server.state.transcriptions.keys()]).to.deep.equal([job.id]);
  });

  for (const reset of ['after-handler', 'mid-response'] as const) {
    it(`returns the job the server created when the connection ended before its answer (${reset})`, async () => {
      const client = await warmClient();
      t.server.setFaults({ http: [{ route: CREATE, reset, times: 1 }] });
      const job = await client.transcriptions.create({ audio_url });
      expect(hits(CREATE)).to.equal(1);
      expect([...t.server.state.transcriptions.keys()]).to.deep.equal([job.id]);
      expect(job.audio_url).to.equal(audio_url);
    });
  }

  it('finds the job by the caller’s own client_reference_id and leaves it as given', async () => {
    const client = await warmClient();
    t.server.setFaults({ http: [{ route: CREATE, reset: 'after-handler', times: 1 }] });
    const job = await client.transcriptions.create({ audio_url, client_reference_id: 'order-42' });
    expect(job.client_reference_id).to.equal('order-42');
    expect(t.server.state.transcriptions.size).to.equal(1);
  });

  it('sets a client_reference_id of its own on a create that has none', async () => {
    const client = await warmClient();
    const a = await client.transcriptions.create({ audio_url });
    const b = await client.transcriptions.create({ audio_url });
    expect(a.client_reference_id).to.be.a('string').and.not.equal(b.client_reference_id);
  });

  it('does not take another job with the same reference but other fields for its own', async () => {
    const client = await warmClient();
    await client.transcriptions.create({
      audio_url: 'https://example.com/other.mp3',
      client_reference_id: 'batch-1',
    });
    t.server.setFaults({ http: [{ route: CREATE, reset: 'before', times: 1 }] });
    const job = await client.transcriptions.create({ audio_url, client_reference_id: 'batch-1' });
    expect(job.audio_url).to.equal(audio_url);
    expect(t.server.state.transcriptions.size).to.equal(2);
  });

  it('returns the file the server stored when the connection ended before its answer', async () => {
    const client = await warmClient();
    t.server.setFaults({ http: [{ route: UPLOAD, reset: 'after-handler', times: 1 }] });
    const file = await client.files.upload(Buffer.alloc(4096, 1), { filename: 'a.raw' });
    expect(hits(UPLOAD)).to.equal(1);
    expect(hits(LIST_FILES)).to.equal(1);
    expect([...t.server.state.files.keys()]).to.deep.equal([file.id]);
  });

  it('resends a Buffer upload the server cut mid-body and stores it once, bytes intact', async () => {
    const client = await warmClient();
    const body = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 1) body[i] = (i * 31) & 0xff;
    t.server.setFaults({ http: [{ route: UPLOAD, reset: 'mid-request', times: 1 }] });
    const file = await client.files.upload(body, { filename: 'cut.raw' });
    expect(file.size).to.equal(body.length);
    expect(hits(UPLOAD)).to.equal(2);
    const stored = [...t.server.state.files.values()];
    expect(stored.map((f) => f.id)).to.deep.equal([file.id]);
    expect(stored[0]?.sha256).to.equal(createHash('sha256').update(body).digest('hex'));
  });

  it('returns the file a one-shot stream upload stored, though the stream cannot be resent', async () => {
    const client = await warmClient();
    t.server.setFaults({ http: [{ route: UPLOAD, reset: 'after-handler', times: 1 }] });
    const file = await client.files.upload(Readable.from([Buffer.alloc(2048, 3)]), {
      filename: 's.raw',
    });
    expect(hits(UPLOAD)).to.equal(1);
    expect([...t.server.state.files.keys()]).to.deep.equal([file.id]);
  });

  it('says the outcome is unknown, with the reference, when the lookup itself fails', async () => {
    const client = await warmClient({ maxRetries: 1 });
    t.server.setFaults({
      http: [
        { route: CREATE, reset: 'after-handler', times: 1 },
        { route: LIST_JOBS, status: 500 },
      ],
    });
    const error = await rejection(
      client.transcriptions.create({ audio_url, client_reference_id: 'order-7' }),
    );
    expect(error).to.be.instanceOf(SonioxOutcomeUnknownError);
    const unknown = error as SonioxOutcomeUnknownError;
    expect(unknown.code).to.equal('outcome_unknown');
    expect(unknown.reference).to.equal('order-7');
    expect(unknown.message).to.include('order-7');
    // What went wrong is kept: the lookup's own failure as the cause, the create's socket error.
    expect(unknown.cause).to.be.instanceOf(SonioxServerError);
    expect(unknown.errno)
      .to.be.a('string')
      .and.match(/^E[A-Z]+$/);
    expect(hits(CREATE)).to.equal(1);
    expect(t.server.state.transcriptions.size).to.equal(1);
  });

  it('says the outcome is unknown when the caller’s reference matches more than one job', async () => {
    const client = await warmClient();
    await client.transcriptions.create({ audio_url, client_reference_id: 'same' });
    t.server.setFaults({ http: [{ route: CREATE, reset: 'after-handler', times: 1 }] });
    const error = await rejection(
      client.transcriptions.create({ audio_url, client_reference_id: 'same' }),
    );
    expect(error).to.be.instanceOf(SonioxOutcomeUnknownError);
    expect(error.message).to.include('2 items match the reference');
    expect(t.server.state.transcriptions.size).to.equal(2);
  });

  it('does not resend past the call’s retries when the lookup finds nothing', async () => {
    const client = await warmClient({ maxRetries: 0 });
    t.server.setFaults({ http: [{ route: CREATE, reset: 'before', times: 1 }] });
    const error = await rejection(client.transcriptions.create({ audio_url }));
    expect(error).to.be.instanceOf(SonioxConnectionError);
    expect(hits(CREATE)).to.equal(1);
    expect(hits(LIST_JOBS)).to.equal(1);
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('never resends a temporary key (nothing lists keys): one key, an error', async () => {
    const client = await warmClient();
    t.server.setFaults({
      http: [{ route: 'POST /v1/auth/temporary-api-key', reset: 'after-handler', times: 1 }],
    });
    const error = await rejection(
      client.auth.createTemporaryKey({
        usage_type: 'transcribe_websocket',
        expires_in_seconds: 60,
      }),
    );
    expect(error).to.be.instanceOf(SonioxConnectionError);
    expect(hits('POST /v1/auth/temporary-api-key')).to.equal(1);
  });
});
