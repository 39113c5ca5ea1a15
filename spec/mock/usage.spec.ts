import { expect } from 'chai';
import { MockHttpError } from '../../lib/mock/api-error';
import { UsageBook, type UsageInput } from '../../lib/mock/usage';

/**
 * The mock's usage records, summary and concurrency history as a client reading
 * `/v1/usage-logs`, `/v1/usage/summary` and `/v1/concurrent-streams-history` sees them (docs/api.md
 * §7b; shapes of the official SDK's types): what one finished request costs and counts, which
 * records a window holds, and the refusals of a bad query, field by field.
 */
const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-10T00:00:00.000Z');

const url = (path: string, query: Record<string, string | number>) => {
  const u = new URL(`http://mock${path}`);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v));
  return u;
};
const iso = (ms: number) => new Date(ms).toISOString();
const input = (over: Partial<UsageInput> = {}): UsageInput => ({
  scope: 'stt_async',
  model: 'stt-async-v5',
  clientReferenceId: undefined,
  startMs: T0,
  endMs: T0 + 1000,
  audioMs: HOUR,
  outputTokens: 7,
  ...over,
});
function refusal(run: () => unknown): { location: string; message: string } {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(MockHttpError);
    const e = error as MockHttpError;
    expect([e.status, e.errorType, e.message]).to.deep.equal([
      400,
      'invalid_request',
      'Invalid request.',
    ]);
    expect(e.validation).to.have.length(1);
    const [item] = e.validation;
    expect(item!.error_type).to.equal('value_error');
    return { location: item!.location, message: item!.message };
  }
  return expect.fail('not refused');
}

describe('mock/usage: records, summary and history as a client reads them', () => {
  let n = 0;
  const book = () => new UsageBook(() => `id-${++n}`);

  it('records an hour of async audio at $0.10 and of realtime at $0.12, all of it input audio', () => {
    const b = book();
    b.record(input({ clientReferenceId: 'order-1' }));
    b.record(input({ scope: 'stt_rt', model: 'stt-rt-v5', audioMs: 1500, outputTokens: 2 }));
    const [async, rt] = b.records;
    expect(async).to.deep.include({
      request_scope: 'stt_async',
      client_reference_id: 'order-1',
      model: 'stt-async-v5',
      start_time: iso(T0),
      end_time: iso(T0 + 1000),
      input_text_tokens: 0,
      input_audio_tokens: 36_000,
      input_audio_duration_ms: HOUR,
      output_text_tokens: 7,
      output_audio_tokens: 0,
      output_audio_duration_ms: 0,
      cost_usd: '0.100000',
      input_cost_usd: '0.100000',
      input_text_cost_usd: '0.000000',
      input_audio_cost_usd: '0.100000',
      output_cost_usd: '0.000000',
      output_text_cost_usd: '0.000000',
      output_audio_cost_usd: '0.000000',
    });
    expect(rt).to.deep.include({
      request_scope: 'stt_rt',
      client_reference_id: null,
      input_audio_tokens: 15,
      cost_usd: (0.12 * (1500 / HOUR)).toFixed(6),
    });
    expect(async!.uuid).to.not.equal(rt!.uuid);
  });

  it('lists the records that ended in the window, its start in and its end out, oldest first', () => {
    const b = book();
    for (const end of [T0 + 3000, T0 - 1, T0, T0 + 2000, T0 + 5000])
      b.record(input({ endMs: end, clientReferenceId: `e${end - T0}` }));
    const window = { start_time: iso(T0), end_time: iso(T0 + 5000) };
    const asc = b.list(url('/v1/usage-logs', window));
    expect(asc.sort).to.equal('end_time_asc');
    expect(asc.usage_logs.map((r) => r.client_reference_id)).to.deep.equal([
      'e0',
      'e2000',
      'e3000',
    ]);
    const desc = b.list(url('/v1/usage-logs', { ...window, sort: 'end_time_desc' }));
    expect(desc.sort).to.equal('end_time_desc');
    expect(desc.usage_logs.map((r) => r.client_reference_id)).to.deep.equal([
      'e3000',
      'e2000',
      'e0',
    ]);
    const explicit = b.list(url('/v1/usage-logs', { ...window, sort: 'end_time_asc' }));
    expect(explicit.usage_logs.map((r) => r.client_reference_id)).to.deep.equal([
      'e0',
      'e2000',
      'e3000',
    ]);
  });

  it('orders records that ended at the same time by their id, the same way each time', () => {
    const ids = ['b', 'c', 'a'];
    const b = new UsageBook(() => ids.shift()!);
    for (let i = 0; i < 3; i++) b.record(input());
    const list = b.list(url('/v1/usage-logs', { start_time: iso(T0), end_time: iso(T0 + DAY) }));
    expect(list.usage_logs.map((r) => r.uuid)).to.deep.equal(['a', 'b', 'c']);
  });

  it('refuses a missing or unreadable time, an end not after the start, and an unknown sort', () => {
    const b = book();
    const list = (q: Record<string, string>) => () => b.list(url('/v1/usage-logs', q));
    expect(refusal(list({ end_time: iso(T0) }))).to.deep.equal({
      location: 'query.start_time',
      message: 'Field required',
    });
    expect(refusal(list({ start_time: iso(T0) }))).to.deep.equal({
      location: 'query.end_time',
      message: 'Field required',
    });
    expect(refusal(list({ start_time: 'yesterday', end_time: iso(T0) }))).to.deep.equal({
      location: 'query.start_time',
      message: 'Input should be a valid datetime',
    });
    expect(refusal(list({ start_time: iso(T0), end_time: 'soon' }))).to.deep.equal({
      location: 'query.end_time',
      message: 'Input should be a valid datetime',
    });
    expect(refusal(list({ start_time: iso(T0), end_time: iso(T0) }))).to.deep.equal({
      location: 'query.end_time',
      message: 'end_time must be after start_time',
    });
    expect(
      refusal(list({ start_time: iso(T0), end_time: iso(T0 + 1), sort: 'newest' })),
    ).to.deep.equal({
      location: 'query.sort',
      message: "Input should be 'end_time_asc' or 'end_time_desc'",
    });
  });

  it('sums the window per whole UTC day, in total and per model sorted by id', () => {
    const b = book();
    b.record(input({ model: 'stt-rt-v5', scope: 'stt_rt', endMs: T0 + HOUR, outputTokens: 1 }));
    b.record(input({ endMs: T0 + 2 * HOUR, outputTokens: 2 }));
    b.record(input({ endMs: T0 + DAY + HOUR, outputTokens: 4 }));
    b.record(input({ endMs: T0 - 1, outputTokens: 100 }));
    b.record(input({ endMs: T0 + 2 * DAY, outputTokens: 100 }));
    // From mid-day to mid-day: the two whole UTC days it touches.
    const s = b.summary(
      url('/v1/usage/summary', { start_time: iso(T0 + HOUR), end_time: iso(T0 + DAY + HOUR) }),
    );
    expect(s.total).to.deep.include({
      model: null,
      days: ['2026-03-10', '2026-03-11'],
      total_cost_usd: '0.320000',
      total_input_cost_usd: '0.320000',
      total_output_cost_usd: '0.000000',
      total_duration_cost_usd: '0.000000',
      cost_usd: ['0.220000', '0.100000'],
      input_cost_usd: ['0.220000', '0.100000'],
      output_cost_usd: ['0.000000', '0.000000'],
      duration_cost_usd: ['0.000000', '0.000000'],
      total_num_requests: 3,
      num_requests: [2, 1],
      total_input_text_tokens: 0,
      total_input_audio_tokens: 108_000,
      total_input_audio_duration_ms: 3 * HOUR,
      total_output_text_tokens: 7,
      total_output_audio_tokens: 0,
      total_output_audio_duration_ms: 0,
      total_duration_ms: 0,
      input_text_tokens: [0, 0],
      input_audio_tokens: [72_000, 36_000],
      input_audio_duration_ms: [2 * HOUR, HOUR],
      output_text_tokens: [3, 4],
      output_audio_tokens: [0, 0],
      output_audio_duration_ms: [0, 0],
      duration_ms: [0, 0],
    });
    expect(s.models.map((m) => [m.model, m.total_num_requests, m.num_requests])).to.deep.equal([
      ['stt-async-v5', 2, [1, 1]],
      ['stt-rt-v5', 1, [1, 0]],
    ]);
  });

  it('sums up to 366 days and refuses a longer window', () => {
    const b = book();
    const days366 = b.summary(
      url('/v1/usage/summary', { start_time: iso(T0), end_time: iso(T0 + 366 * DAY) }),
    );
    expect(days366.total.days).to.have.length(366);
    expect(days366.models).to.deep.equal([]);
    expect(
      refusal(() =>
        b.summary(
          url('/v1/usage/summary', { start_time: iso(T0), end_time: iso(T0 + 366 * DAY + 1) }),
        ),
      ),
    ).to.deep.equal({
      location: 'query.end_time',
      message: 'The window must not cover more than 366 days',
    });
  });

  const history = (b: UsageBook, q: Record<string, string | number>) =>
    b.history(url('/v1/concurrent-streams-history', q));

  it('gives one history entry per period of the window, with the open sessions sampled', () => {
    const b = book();
    b.sample(1, T0 + 10 * 60_000);
    b.sample(3, T0 + 20 * 60_000);
    b.sample(0, T0 + 30 * 60_000);
    b.sample(0, T0 + HOUR + 1);
    b.sample(2, T0 + 2 * HOUR);
    const h = history(b, {
      start_time: iso(T0),
      end_time: iso(T0 + 2 * HOUR + 1),
      period_sec: 3600,
      kind: 'stt',
    });
    expect(h.kind).to.equal('stt');
    expect(h.entries).to.deep.equal([
      {
        period_start: iso(T0),
        period_sec: 3600,
        sample_min: 0,
        sample_max: 3,
        sample_sum: 4,
        // Two minutes had a stream open; at the third the last one had closed.
        sample_count: 2,
        total_count: 60,
      },
      {
        period_start: iso(T0 + HOUR),
        period_sec: 3600,
        sample_min: 0,
        sample_max: 0,
        sample_sum: 0,
        sample_count: 0,
        total_count: 0,
      },
      {
        period_start: iso(T0 + 2 * HOUR),
        period_sec: 3600,
        sample_min: 0,
        sample_max: 2,
        sample_sum: 2,
        sample_count: 1,
        total_count: 60,
      },
    ]);
  });

  it('returns the periods that start in the window, not the one its start falls in', () => {
    // The official SDK: start_time and end_time "Filters by `period_start`".
    const b = book();
    b.sample(5, T0 + 10 * 60_000);
    b.sample(1, T0 + HOUR + 60_000);
    const q = { end_time: iso(T0 + 2 * HOUR + 1), period_sec: 3600, kind: 'stt' };
    const h = history(b, { ...q, start_time: iso(T0 + 5 * 60_000) });
    expect(h.entries.map((e) => [e.period_start, e.sample_max])).to.deep.equal([
      [iso(T0 + HOUR), 1],
      [iso(T0 + 2 * HOUR), 0],
    ]);
    const minutes = history(b, {
      start_time: iso(T0 + 30_000),
      end_time: iso(T0 + 3 * 60_000),
      period_sec: 60,
      kind: 'stt',
    });
    expect(minutes.entries.map((e) => e.period_start)).to.deep.equal([
      iso(T0 + 60_000),
      iso(T0 + 2 * 60_000),
    ]);
    const none = history(b, { ...q, start_time: iso(T0 + 1), end_time: iso(T0 + HOUR) });
    expect(none.entries).to.deep.equal([]);
  });

  it('counts in an hour the minutes that had streams, at most 60, however many sessions a minute saw', () => {
    // sample_count: "For hourly and daily periods it is the number of source periods that had
    // data, at most total_count"; sample_max "Stays exact when periods are rolled up".
    const b = book();
    for (const [open, at] of [
      [1, 0],
      [2, 1000],
      [3, 2000],
      [2, 3000],
      [4, 5 * 60_000],
      [0, 5 * 60_000 + 1],
    ] as const)
      b.sample(open, T0 + at);
    const q = { start_time: iso(T0), end_time: iso(T0 + HOUR), kind: 'stt' };
    const [minute] = history(b, { ...q, end_time: iso(T0 + 60_000), period_sec: 60 }).entries;
    expect(minute).to.include({ sample_max: 3, sample_sum: 8, sample_count: 4, total_count: 1 });
    const [hour] = history(b, { ...q, period_sec: 3600 }).entries;
    // Each minute with a stream counts once, at its mean: (1+2+3+2)/4 and (4+0)/2.
    expect(hour).to.include({ sample_max: 4, sample_sum: 4, sample_count: 2, total_count: 60 });
    const [day] = history(b, { ...q, end_time: iso(T0 + DAY), period_sec: 86400 }).entries;
    // One hour had streams: the mean of its minutes.
    expect(day).to.include({ sample_max: 4, sample_sum: 2, sample_count: 1, total_count: 24 });
    // A stream in the next hour's first minute is that hour's alone.
    b.sample(6, T0 + HOUR);
    const [first, second] = history(b, {
      ...q,
      end_time: iso(T0 + 2 * HOUR),
      period_sec: 3600,
    }).entries;
    expect([first!.sample_count, second!.sample_count, second!.sample_sum]).to.deep.equal([
      2, 1, 6,
    ]);
  });

  it('counts 1 slot a minute and 24 a day, and shows text-to-speech idle', () => {
    const b = book();
    b.sample(2, T0 + 1000);
    const minute = history(b, {
      start_time: iso(T0),
      end_time: iso(T0 + 60_000),
      period_sec: 60,
      kind: 'stt',
    });
    expect(minute.entries).to.have.length(1);
    expect(minute.entries[0]).to.include({ total_count: 1, sample_max: 2 });
    const day = history(b, {
      start_time: iso(T0),
      end_time: iso(T0 + DAY),
      period_sec: 86400,
      kind: 'stt',
    });
    expect(day.entries).to.have.length(1);
    expect(day.entries[0]).to.include({ total_count: 24, sample_count: 1 });
    const tts = history(b, {
      start_time: iso(T0),
      end_time: iso(T0 + DAY),
      period_sec: 86400,
      kind: 'tts',
    });
    expect(tts.kind).to.equal('tts');
    expect(tts.entries[0]).to.include({ sample_max: 0, sample_count: 0, total_count: 0 });
  });

  it('refuses an unknown period or kind, and a window too long for its period', () => {
    const b = book();
    const q = { start_time: iso(T0), end_time: iso(T0 + HOUR), period_sec: 60, kind: 'stt' };
    expect(refusal(() => history(b, { ...q, period_sec: 120 }))).to.deep.equal({
      location: 'query.period_sec',
      message: 'Input should be 60, 3600 or 86400',
    });
    expect(refusal(() => history(b, { ...q, kind: 'all' }))).to.deep.equal({
      location: 'query.kind',
      message: "Input should be 'stt' or 'tts'",
    });
    const tooLong = {
      location: 'query.end_time',
      message: 'The window is too long for its period',
    };
    expect(history(b, { ...q, end_time: iso(T0 + 7 * DAY) }).entries).to.have.length(7 * 24 * 60);
    expect(refusal(() => history(b, { ...q, end_time: iso(T0 + 7 * DAY + 1) }))).to.deep.equal(
      tooLong,
    );
    // An hour's periods: 20,000 entries at most.
    const hours = { ...q, period_sec: 3600 };
    expect(history(b, { ...hours, end_time: iso(T0 + 20_000 * HOUR) }).entries).to.have.length(
      20_000,
    );
    expect(
      refusal(() => history(b, { ...hours, end_time: iso(T0 + 20_000 * HOUR + 1) })),
    ).to.deep.equal(tooLong);
  });
});
