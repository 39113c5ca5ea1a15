import { expect } from 'chai';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import sinon from 'sinon';
import { Lifecycle } from '../../lib/mock/lifecycle';
import type { AudioAnalysis } from '../../lib/mock/recognizer';
import { MockState, type StoredTranscription } from '../../lib/mock/state';
import type { Transcription, TranscriptToken } from '../../lib/types';

/**
 * A transcription's life in the mock as a client polling it sees (docs/api.md §5: queued,
 * processing, then completed or error with `error_type` and `error_message`), on the mock's
 * timing and sinon's clock: when each status shows, what a finished job holds, and the usage
 * record a completed one leaves.
 */
const TOKENS: TranscriptToken[] = [
  { text: 'Hello', start_ms: 0, end_ms: 400, confidence: 0.9 },
  { text: ' world', start_ms: 400, end_ms: 900, confidence: 0.9 },
];

function newJob(state: MockState): StoredTranscription {
  const transcription = {
    id: state.newId(),
    status: 'queued',
    model: 'stt-async-v5',
    created_at: new Date().toISOString(),
    audio_duration_ms: null,
    client_reference_id: 'order-3',
    webhook_url: null,
  } as unknown as Transcription;
  const job: StoredTranscription = { transcription, tokens: undefined, timers: [] };
  state.transcriptions.set(transcription.id, job);
  return job;
}

describe('mock/lifecycle: queued, processing, then completed or error', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers({ now: Date.parse('2026-03-10T00:00:00Z') })));
  afterEach(() => clock.restore());

  const run = (analysis: () => AudioAnalysis) => {
    const state = new MockState('k');
    const lifecycle = new Lifecycle(state, { queuedMs: 100, processingMs: 300 });
    const job = newJob(state);
    lifecycle.start(job, analysis, undefined);
    return { state, job, t: job.transcription };
  };

  it('stays queued for queuedMs, processes for processingMs, then completes with its words', () => {
    let analysed = 0;
    const { state, job, t } = run(() => {
      analysed++;
      return { durationMs: 900, tokens: TOKENS };
    });
    clock.tick(99);
    expect([t.status, analysed]).to.deep.equal(['queued', 0]);
    clock.tick(1);
    expect([t.status, t.audio_duration_ms, analysed]).to.deep.equal(['processing', 900, 1]);
    expect(job.tokens).to.equal(undefined);
    clock.tick(299);
    expect(t.status).to.equal('processing');
    expect(state.usage.records).to.have.length(0);
    clock.tick(1);
    expect(t.status).to.equal('completed');
    expect(job.tokens).to.deep.equal(TOKENS);
    expect(t.error_type ?? null).to.equal(null);
  });

  it('leaves one usage record for a completed job: its model, reference, times and audio', () => {
    const { state, t } = run(() => ({ durationMs: 900, tokens: TOKENS }));
    clock.tick(400);
    expect(state.usage.records).to.have.length(1);
    expect(state.usage.records[0]).to.deep.include({
      request_scope: 'stt_async',
      model: 'stt-async-v5',
      client_reference_id: 'order-3',
      start_time: t.created_at,
      end_time: new Date(Date.parse(t.created_at) + 400).toISOString(),
      input_audio_duration_ms: 900,
      output_text_tokens: 2,
    });
  });

  it('fails a job whose audio cannot be read with its error type and message, and records no usage', () => {
    const { state, job, t } = run(() => ({
      durationMs: 0,
      tokens: [],
      error: { type: 'audio_decode_error', message: 'Could not decode the audio.' },
    }));
    clock.tick(100);
    expect(t.status).to.equal('processing');
    clock.tick(300);
    expect(t).to.include({
      status: 'error',
      error_type: 'audio_decode_error',
      error_message: 'Could not decode the audio.',
    });
    expect(job.tokens).to.equal(undefined);
    expect(state.usage.records).to.have.length(0);
  });

  it('fails a job whose analysis throws as an internal error, instead of crashing the mock', () => {
    const { t } = run(() => {
      throw new Error('a bug');
    });
    clock.tick(100);
    expect([t.status, t.audio_duration_ms]).to.deep.equal(['processing', 0]);
    clock.tick(300);
    expect(t).to.include({
      status: 'error',
      error_type: 'internal_error',
      error_message: 'Internal error while processing the audio.',
    });
  });

  it('keeps its timers on the job, so a deleted or closed job can stop them', () => {
    const { state, t } = run(() => ({ durationMs: 900, tokens: TOKENS }));
    clock.tick(100);
    state.clearTimers();
    clock.tick(1000);
    expect(t.status).to.equal('processing');
  });
});

/**
 * The webhook a finished job posts (docs/testing.md: loopback URLs only, 3 attempts 200 ms
 * apart, `webhook_status_code` recorded), to a real loopback server, on a clock that fakes the
 * timers only (the sockets' I/O stays real).
 */
describe('mock/lifecycle: the webhook of a finished job', () => {
  let clock: sinon.SinonFakeTimers;
  let hook: http.Server;
  let port: number;
  let answers: number[];
  let hits: Array<{
    body: string;
    headers: http.IncomingHttpHeaders;
    method: string;
    url: string;
  }>;
  beforeEach(async () => {
    hits = [];
    answers = [];
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        hits.push({ body, headers: req.headers, method: req.method ?? '', url: req.url ?? '' });
        res.writeHead(answers.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    port = (hook.address() as AddressInfo).port;
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(async () => {
    clock.restore();
    hook.closeAllConnections();
    await new Promise((resolve) => hook.close(resolve));
  });

  /** Lets real I/O run until `done` holds (the clock does not move). */
  const settle = async (done: () => boolean) => {
    for (let i = 0; i < 20_000 && !done(); i++) await new Promise((r) => setImmediate(r));
    expect(done(), `settled ${JSON.stringify(hits.map((h) => h.url))}`).to.equal(true);
  };
  /**
   * Lets real I/O run for as long as `settle` would wait at most, so that a delivery nobody
   * expects would have arrived (the clock does not move).
   */
  const idle = async () => {
    for (let i = 0; i < 20_000; i++) await new Promise((r) => setImmediate(r));
  };

  const start = (webhook: Partial<Transcription>, secret?: string) => {
    const state = new MockState('k');
    const lifecycle = new Lifecycle(state, { queuedMs: 10, processingMs: 10 });
    const job = newJob(state);
    Object.assign(job.transcription, webhook);
    lifecycle.start(job, () => ({ durationMs: 900, tokens: TOKENS }), secret);
    clock.tick(20);
    return { state, lifecycle, t: job.transcription };
  };

  it('posts the id and status with the auth header, once, when answered 2xx', async () => {
    answers = [204];
    const { t } = start(
      {
        webhook_url: `http://127.0.0.1:${port}/hook?ref=1`,
        webhook_auth_header_name: 'X-Secret',
      },
      'hush',
    );
    await settle(() => t.webhook_status_code === 204);
    expect(hits).to.have.length(1);
    expect(hits[0]!.method).to.equal('POST');
    expect(hits[0]!.url).to.equal('/hook?ref=1');
    expect(JSON.parse(hits[0]!.body)).to.deep.equal({ id: t.id, status: 'completed' });
    expect(hits[0]!.headers).to.include({
      'content-type': 'application/json',
      'x-secret': 'hush',
      'content-length': String(hits[0]!.body.length),
    });
    clock.tick(1000);
    await idle();
    expect(hits).to.have.length(1);
  });

  it('tries 3 times, 200 ms apart, while answered 5xx or 3xx, and records the last status', async () => {
    answers = [500, 300, 503, 200];
    const { t } = start({ webhook_url: `http://localhost:${port}/h` });
    await settle(() => t.webhook_status_code === 500);
    clock.tick(199);
    await idle();
    expect(hits).to.have.length(1);
    clock.tick(1);
    await settle(() => t.webhook_status_code === 300);
    expect(hits).to.have.length(2);
    clock.tick(200);
    await settle(() => t.webhook_status_code === 503);
    clock.tick(1000);
    await idle();
    expect(hits).to.have.length(3);
    expect(hits[0]!.headers['x-secret']).to.equal(undefined);
  });

  it('does not retry for a job deleted meanwhile, nor once the mock closed', async () => {
    answers = [500, 500];
    const deleted = start({ webhook_url: `http://127.0.0.1:${port}/a` });
    // Deleted while its first delivery is in flight (the delete route also clears its timers).
    deleted.state.transcriptions.delete(deleted.t.id);
    await settle(() => deleted.t.webhook_status_code === 500);
    clock.tick(200);
    await idle();
    expect(hits).to.have.length(1);

    const closed = start({ webhook_url: `http://127.0.0.1:${port}/b` });
    await settle(() => closed.t.webhook_status_code === 500);
    closed.lifecycle.close();
    clock.tick(200);
    await idle();
    expect(hits).to.have.length(2);
  });

  it('sends the auth header only when both its name and its value were given', async () => {
    const named = start({
      webhook_url: `http://127.0.0.1:${port}/named`,
      webhook_auth_header_name: 'X-Secret',
    });
    await settle(() => named.t.webhook_status_code === 200);
    const valued = start({ webhook_url: `http://127.0.0.1:${port}/valued` }, 'hush');
    await settle(() => valued.t.webhook_status_code === 200);
    expect(hits.map((h) => [h.url, h.headers['x-secret'], h.headers.null])).to.deep.equal([
      ['/named', undefined, undefined],
      ['/valued', undefined, undefined],
    ]);
  });

  it('retries a receiver that drops the connection, 3 attempts in all, and stays up', async () => {
    let connections = 0;
    const dropper = net.createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
    try {
      const dropPort = (dropper.address() as AddressInfo).port;
      const { t } = start({ webhook_url: `http://127.0.0.1:${dropPort}/h` });
      // The clock moves while the I/O runs: each drop is heard before its retry is due.
      const ticking = (n: number) => () => {
        if (connections < n) clock.tick(10);
        return connections === n;
      };
      for (const n of [1, 2, 3]) await settle(ticking(n));
      clock.tick(1000);
      await idle();
      expect(connections).to.equal(3);
      expect(t.webhook_status_code ?? null).to.equal(null);
    } finally {
      await new Promise((resolve) => dropper.close(resolve));
    }
  });

  it('posts to the IPv6 loopback too', async function () {
    const six = http.createServer((req, res) => {
      hits.push({ body: '', headers: req.headers, method: req.method ?? '', url: req.url ?? '' });
      req.resume();
      res.writeHead(202).end();
    });
    const listening = await new Promise<boolean>((resolve) => {
      six.once('error', () => resolve(false));
      six.listen(0, '::1', () => resolve(true));
    });
    // Skipped where the machine has no IPv6 loopback: nothing to post to.
    if (!listening) return this.skip();
    try {
      const sixPort = (six.address() as AddressInfo).port;
      const { t } = start({ webhook_url: `http://[::1]:${sixPort}/six` });
      await settle(() => t.webhook_status_code === 202);
      expect(hits.map((h) => h.url)).to.deep.equal(['/six']);
    } finally {
      six.closeAllConnections();
      await new Promise((resolve) => six.close(resolve));
    }
  });

  it('delivers nothing for a job that ends after the mock closed', async () => {
    const state = new MockState('k');
    const lifecycle = new Lifecycle(state, { queuedMs: 10, processingMs: 10 });
    const job = newJob(state);
    job.transcription.webhook_url = `http://127.0.0.1:${port}/late`;
    lifecycle.start(job, () => ({ durationMs: 900, tokens: TOKENS }), undefined);
    lifecycle.close();
    clock.tick(20);
    expect(job.transcription.status).to.equal('completed');
    await idle();
    expect(hits).to.have.length(0);
  });

  it('never posts to a host off the machine, over https, or to a URL it cannot read', async () => {
    for (const url of [
      `http://example.com:${port}/h`,
      `https://127.0.0.1:${port}/h`,
      'not a url',
    ]) {
      const { t } = start({ webhook_url: url });
      expect(t.status).to.equal('completed');
      clock.tick(1000);
      await idle();
      expect(t.webhook_status_code ?? null, url).to.equal(null);
    }
    expect(hits).to.have.length(0);
  });
});
