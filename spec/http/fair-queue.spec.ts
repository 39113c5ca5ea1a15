/**
 * Fair queues over the mock on loopback: with few sockets and many transcribe() flows started one
 * after another, a flow further along is not queued behind the first request of a flow that
 * just started, so flows finish in the order they started rather than all near the end; a call
 * without a flow is not starved; an abort while queued rejects and frees the place; the
 * exactly-once create and the upload keep their guarantees. Fake time drives the mock's job
 * lifecycle and the polls.
 */
import { expect } from 'chai';
import { SonioxAbortError, SonioxConnectionError } from '../../lib/errors';
import { fixture, rejection, settle, drive } from '../helpers';

const UPLOAD = 'POST /v1/files';
const CREATE = 'POST /v1/transcriptions';
const LIST_JOBS = 'GET /v1/transcriptions';

describe('fair queues: requests waiting for a socket are served oldest flow first', () => {
  const t = fixture({
    clock: true,
    mock: { timing: { queuedMs: 1, processingMs: 1 } },
    client: { maxSockets: 2 },
  });

  /** Starts `n` transcribe() flows one after another; resolves with the order they finished in. */
  async function flows(
    n: number,
    seen: { uploaded: number; firstDoneAfterUploads?: number },
  ): Promise<number[]> {
    const finished: number[] = [];
    const runs = Array.from({ length: n }, (_, i) =>
      t.client
        .transcribe(Buffer.alloc(16_000, 1), {
          pollIntervalMs: 10,
          onUploaded: () => seen.uploaded++,
        })
        .then(() => {
          if (finished.length === 0) seen.firstDoneAfterUploads = seen.uploaded;
          finished.push(i);
        }),
    );
    await settle(t.clock, Promise.all(runs), 600_000, 5);
    return finished;
  }

  it('finishes flows in the order they started, the first long before the last one uploaded', async () => {
    const n = 16;
    const seen: { uploaded: number; firstDoneAfterUploads?: number } = { uploaded: 0 };
    const finished = await flows(n, seen);
    expect(finished).to.deep.equal(Array.from({ length: n }, (_, i) => i));
    // FIFO served every upload before the first flow's create: all flows ended together.
    expect(seen.firstDoneAfterUploads).to.be.below(n / 2);
    // Never more sockets than the pool's.
    expect(t.client.poolStats().socketsCreated).to.be.at.most(2);
  });

  it('does not starve a call without a flow: it goes before flows started after it', async () => {
    const client = t.client;
    const order: string[] = [];
    const start = (name: string) =>
      client
        .transcribe(Buffer.alloc(16_000, 1), { pollIntervalMs: 10 })
        .then(() => order.push(name));
    const early = Array.from({ length: 4 }, (_, i) => start(`early ${i}`));
    const call = client.files.list().then(() => order.push('call'));
    const late = Array.from({ length: 4 }, (_, i) => start(`late ${i}`));
    await settle(t.clock, Promise.all([...early, call, ...late]), 600_000, 5);
    const at = order.indexOf('call');
    expect(at).to.be.at.least(0);
    expect(order.slice(0, at).filter((name) => name.startsWith('late'))).to.deep.equal([]);
  });

  it('rejects a call aborted while it waits for a socket, and frees its place', async () => {
    t.server.setFaults({ http: [{ route: 'GET /v1/models', delayMs: 1_000, times: 2 }] });
    const client = t.client;
    const holding = [client.models.list(), client.models.list()];
    // Both sockets busy: the server holds both requests.
    await drive(t.clock, 500, () => t.server.state.inFlight === 2, 1);
    expect(t.server.state.inFlight).to.equal(2);
    const controller = new AbortController();
    const queued = rejection(client.files.list({}, { signal: controller.signal }));
    const next = client.files.list();
    await drive(t.clock, 50, () => client.poolStats().queued === 2, 1);
    expect(client.poolStats().queued).to.equal(2);
    controller.abort();
    const error = await queued;
    expect(error).to.be.instanceOf(SonioxAbortError);
    expect(client.poolStats().queued).to.equal(1);
    expect(t.server.state.hits['GET /v1/files'] ?? 0).to.equal(0);
    await settle(t.clock, Promise.all([...holding, next]), 10_000, 50);
    expect(t.server.state.hits['GET /v1/files']).to.equal(1);
    expect(client.poolStats().queued).to.equal(0);
  });

  it('close() rejects the calls waiting for a socket at once, with the client’s closed error', async () => {
    t.server.setFaults({ http: [{ route: 'GET /v1/models', delayMs: 1_000, times: 2 }] });
    const client = t.client;
    const holding = [client.models.list(), client.models.list()].map((p) => rejection(p));
    await drive(t.clock, 500, () => t.server.state.inFlight === 2, 1);
    const waiting = [
      client.files.list(),
      client.files.list({}, { signal: new AbortController().signal }),
    ];
    const errors = waiting.map((p) => rejection(p));
    await drive(t.clock, 50, () => client.poolStats().queued === 2, 1);
    expect(client.poolStats().queued).to.equal(2);
    client.close();
    for (const error of await Promise.all(errors)) {
      expect(error).to.be.instanceOf(SonioxConnectionError);
      expect(error.message).to.match(/closed/);
    }
    await Promise.all(holding);
    expect(t.server.state.hits['GET /v1/files'] ?? 0).to.equal(0);
  });

  it('keeps the exactly-once create and upload: cut answers are looked up, one job and one file each', async () => {
    t.server.setFaults({
      http: [
        { route: UPLOAD, reset: 'after-handler', times: 2 },
        { route: CREATE, reset: 'after-handler', times: 2 },
      ],
    });
    const created: string[] = [];
    const uploaded: string[] = [];
    const runs = Array.from({ length: 6 }, () =>
      t.client.transcribe(Buffer.alloc(16_000, 1), {
        pollIntervalMs: 10,
        cleanup: false,
        onUploaded: (file) => uploaded.push(file.id),
        onCreated: (job) => created.push(job.id),
      }),
    );
    await settle(t.clock, Promise.all(runs), 600_000, 5);
    await drive(t.clock, 100);
    expect(t.server.state.hits[UPLOAD]).to.equal(6);
    expect(t.server.state.hits[CREATE]).to.equal(6);
    expect(t.server.state.hits[LIST_JOBS]).to.be.at.least(2);
    expect([...t.server.state.transcriptions.keys()].sort()).to.deep.equal(created.sort());
    expect([...t.server.state.files.keys()].sort()).to.deep.equal(uploaded.sort());
  });
});
