/**
 * Issue 28: `autoClientReferenceId: false` leaves an untagged create's client_reference_id to
 * the caller (the raw API leaves it null; usage logs attribute by it). Exactly-once then rests
 * on the caller's own reference; without one, a create that may have taken effect is never
 * resent (at most once) and the error says why.
 */
import { expect } from 'chai';
import { SonioxConfigError, SonioxConnectionError } from '../../lib/errors';
import type { SonioxClientOptions } from '../../lib/config';
import { fixture, rejection } from '../helpers';

const CREATE = 'POST /v1/transcriptions';
const UPLOAD = 'POST /v1/files';
const LIST_JOBS = 'GET /v1/transcriptions';
const audio_url = 'https://example.com/a.mp3';

describe('autoClientReferenceId: false (no sdk-<uuid> on untagged creates)', () => {
  const t = fixture();
  const hits = (route: string) => t.server.state.hits[route] ?? 0;
  const warmClient = async (options: SonioxClientOptions = {}) => {
    const client = t.clientWith({ maxSockets: 1, autoClientReferenceId: false, ...options });
    await client.models.list();
    return client;
  };

  it('sends untagged creates and uploads with no client_reference_id', async () => {
    const client = await warmClient();
    const job = await client.transcriptions.create({ audio_url });
    expect(job.client_reference_id ?? null).to.equal(null);
    const file = await client.files.upload(Buffer.alloc(512, 1), { filename: 'a.raw' });
    expect(file.client_reference_id ?? null).to.equal(null);
    expect(t.server.received.transcriptions.at(-1)?.request).to.not.have.property(
      'client_reference_id',
    );
  });

  it('keeps the caller’s own reference, and exactly-once with it', async () => {
    const client = await warmClient();
    t.server.setFaults({ http: [{ route: CREATE, reset: 'after-handler', times: 1 }] });
    const job = await client.transcriptions.create({ audio_url, client_reference_id: 'order-1' });
    expect(job.client_reference_id).to.equal('order-1');
    expect(hits(CREATE)).to.equal(1);
    expect(hits(LIST_JOBS)).to.equal(1);
    expect(t.server.state.transcriptions.size).to.equal(1);
  });

  it('never resends an untagged create that may have taken effect: one job, an error saying why', async () => {
    const client = await warmClient();
    t.server.setFaults({ http: [{ route: CREATE, reset: 'after-handler', times: 1 }] });
    const error = await rejection(client.transcriptions.create({ audio_url }));
    expect(error).to.be.instanceOf(SonioxConnectionError);
    expect(error.message).to.match(/may have taken effect.*autoClientReferenceId is false/);
    expect(hits(CREATE)).to.equal(1);
    expect(hits(LIST_JOBS)).to.equal(0);
    expect(t.server.state.transcriptions.size).to.equal(1);
  });

  it('never resends an untagged upload that may have taken effect', async () => {
    const client = await warmClient();
    t.server.setFaults({ http: [{ route: UPLOAD, reset: 'after-handler', times: 1 }] });
    const error = await rejection(client.files.upload(Buffer.alloc(512, 1), { filename: 'a.raw' }));
    expect(error).to.be.instanceOf(SonioxConnectionError);
    expect(hits(UPLOAD)).to.equal(1);
    expect(t.server.state.files.size).to.equal(1);
  });

  it('refuses a value that is not a boolean', () => {
    expect(() => t.clientWith({ autoClientReferenceId: 'no' as never })).to.throw(
      SonioxConfigError,
      'autoClientReferenceId must be true or false',
    );
  });
});
