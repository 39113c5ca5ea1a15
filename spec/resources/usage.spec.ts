/**
 * `client.usageLogs` and `client.concurrencyLimits` against the mock, over the wire: per-request
 * usage records made by the mock's own transcriptions and realtime sessions, attributed by
 * `client_reference_id`, listed page by page and summed per day; live counts of open realtime
 * sessions against the configured limit. Shapes: the official SDK's published types.
 */
import { expect } from 'chai';
import { SonioxValidationError } from '../../lib/errors';
import type { UsageLog } from '../../lib';
import { fixture, rejection, until } from '../helpers';

const HELLO = 'fixtures/audio/hello-world.wav';
const DAY = 86_400_000;
const window = () => ({
  start_time: new Date(Date.now() - DAY).toISOString(),
  end_time: new Date(Date.now() + DAY).toISOString(),
});

describe('usage logs and concurrency limits', () => {
  const t = fixture({
    mock: {
      timing: { queuedMs: 1, processingMs: 1 },
      rateLimit: { realtimeConcurrentSessions: 3 },
    },
  });

  it('lists one usage record per finished transcription, attributed by client_reference_id', async () => {
    await t.client.transcribe(HELLO, { client_reference_id: 'order-1', pollIntervalMs: 10 });
    await t.client.transcribe(HELLO, { client_reference_id: 'order-2', pollIntervalMs: 10 });
    const { usage_logs, next_page_cursor } = await t.client.usageLogs.list(window());
    expect(next_page_cursor).to.equal(null);
    expect(usage_logs.map((u) => u.client_reference_id)).to.deep.equal(['order-1', 'order-2']);
    const [first] = usage_logs as [UsageLog];
    expect(first.request_scope).to.equal('stt_async');
    expect(first.input_audio_duration_ms).to.be.above(0);
    expect(Number(first.cost_usd)).to.be.above(0);
    expect(Date.parse(first.end_time)).to.be.at.least(Date.parse(first.start_time));
  });

  it('pages with limit and cursor, newest first with sort end_time_desc, and iterates them all', async () => {
    for (let i = 0; i < 3; i++)
      await t.client.transcribe(HELLO, { client_reference_id: `r${i}`, pollIntervalMs: 10 });
    const first = await t.client.usageLogs.list({ ...window(), limit: 2, sort: 'end_time_desc' });
    expect(first.usage_logs.map((u) => u.client_reference_id)).to.deep.equal(['r2', 'r1']);
    expect(first.next_page_cursor).to.be.a('string');
    const rest = await t.client.usageLogs.list({
      ...window(),
      limit: 2,
      sort: 'end_time_desc',
      cursor: first.next_page_cursor!,
    });
    expect(rest.usage_logs.map((u) => u.client_reference_id)).to.deep.equal(['r0']);
    const all: string[] = [];
    for await (const u of t.client.usageLogs.iterate({ ...window(), limit: 1 }))
      all.push(u.client_reference_id ?? '');
    expect(all).to.deep.equal(['r0', 'r1', 'r2']);
  });

  it('leaves out records that ended outside the window', async () => {
    await t.client.transcribe(HELLO, { pollIntervalMs: 10 });
    const past = { start_time: '2020-01-01T00:00:00Z', end_time: '2020-01-02T00:00:00Z' };
    expect((await t.client.usageLogs.list(past)).usage_logs).to.deep.equal([]);
  });

  it('sums usage per UTC day and per model in the summary', async () => {
    await t.client.transcribe(HELLO, { pollIntervalMs: 10 });
    await t.client.transcribe(HELLO, { pollIntervalMs: 10 });
    const today = new Date().toISOString().slice(0, 10);
    const summary = await t.client.usageLogs.getSummary({
      start_time: `${today}T00:00:00Z`,
      end_time: new Date(Date.parse(`${today}T00:00:00Z`) + DAY).toISOString(),
    });
    expect(summary.total.model).to.equal(null);
    expect(summary.total.days).to.deep.equal([today]);
    expect(summary.total.total_num_requests).to.equal(2);
    expect(summary.total.num_requests).to.deep.equal([2]);
    expect(summary.models.map((m) => m.model)).to.have.length(1);
    const logs = (await t.client.usageLogs.list(window())).usage_logs;
    const audio = logs.reduce((sum, u) => sum + u.input_audio_duration_ms, 0);
    expect(summary.total.total_input_audio_duration_ms).to.equal(audio);
  });

  it('counts open realtime sessions against the configured limit, and records each session when it ends', async () => {
    const before = await t.client.concurrencyLimits.get();
    expect(before.project.current.transcribe_concurrent).to.equal(0);
    expect(before.project.limits.transcribe_concurrent).to.equal(3);
    expect(before.organization.limits.transcribe_concurrent).to.equal(3);
    const stream = t.client.realtime({
      audio_format: 'pcm_s16le',
      sample_rate: 16_000,
      num_channels: 1,
      client_reference_id: 'live-1',
    });
    await stream.connect();
    const during = await t.client.concurrencyLimits.get();
    expect(during.project.current.transcribe_concurrent).to.equal(1);
    stream.end(Buffer.alloc(32_000));
    stream.resume();
    await new Promise<void>((resolve) => stream.once('close', () => resolve()));
    await until(() => t.server.rateLimiter.totalActiveSessions() === 0);
    const after = await t.client.concurrencyLimits.get();
    expect(after.project.current.transcribe_concurrent).to.equal(0);
    const logs = (await t.client.usageLogs.list(window())).usage_logs;
    expect(logs.map((u) => [u.request_scope, u.client_reference_id])).to.deep.equal([
      ['stt_rt', 'live-1'],
    ]);
    expect(logs[0]!.input_audio_duration_ms).to.equal(1_000);
  });

  it('gives the history of concurrent streams, one entry per period with no gaps', async () => {
    const start = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const history = await t.client.concurrencyLimits.getHistory({
      start_time: start.toISOString(),
      end_time: new Date(start.getTime() + 3 * 3_600_000).toISOString(),
      period_sec: 3600,
      kind: 'stt',
    });
    expect(history.kind).to.equal('stt');
    expect(history.entries.map((e) => e.period_start)).to.deep.equal(
      [0, 1, 2].map((h) => new Date(start.getTime() + h * 3_600_000).toISOString()),
    );
    expect(history.entries.every((e) => e.period_sec === 3600 && e.sample_min === 0)).to.equal(
      true,
    );
  });

  for (const [what, call, message] of [
    [
      'a window without its start',
      (c: typeof t.client) => c.usageLogs.list({ end_time: '2026-01-01T00:00:00Z' } as never),
      /start_time is required/,
    ],
    [
      'an end before the start',
      (c: typeof t.client) =>
        c.usageLogs.getSummary({
          start_time: '2026-01-02T00:00:00Z',
          end_time: '2026-01-01T00:00:00Z',
        }),
      /end_time must be after start_time/,
    ],
    [
      'a time that is not ISO 8601',
      (c: typeof t.client) =>
        c.usageLogs.list({ start_time: 'yesterday', end_time: '2026-01-01T00:00:00Z' }),
      /start_time must be an ISO 8601 time/,
    ],
    [
      'a limit of 0',
      (c: typeof t.client) => c.usageLogs.list({ ...window(), limit: 0 }),
      /limit must be an integer from 1 to 1000/,
    ],
    [
      'an unknown sort',
      (c: typeof t.client) => c.usageLogs.list({ ...window(), sort: 'newest' as never }),
      /sort must be end_time_asc or end_time_desc/,
    ],
    [
      'a period that is not 60, 3600 or 86400',
      (c: typeof t.client) =>
        c.concurrencyLimits.getHistory({ ...window(), period_sec: 30 as never, kind: 'stt' }),
      /period_sec must be 60, 3600 or 86400/,
    ],
  ] as const) {
    it(`refuses ${what} before any request, naming the field`, async () => {
      const error = await rejection(call(t.client));
      expect(error).to.be.instanceOf(SonioxValidationError);
      expect(error.message).to.match(message);
      expect(t.server.state.hits['GET /v1/usage-logs'] ?? 0).to.equal(0);
    });
  }

  it('takes Date objects for the times', async () => {
    const { usage_logs } = await t.client.usageLogs.list({
      start_time: new Date(Date.now() - DAY),
      end_time: new Date(Date.now() + DAY),
    });
    expect(usage_logs).to.deep.equal([]);
  });
});
