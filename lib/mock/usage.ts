/**
 * The mock's usage records and concurrency samples (docs/api.md §7b): one record per finished
 * transcription and per realtime session, attributed by `client_reference_id`, at the mock's
 * own prices; a sample of open realtime sessions at each start and end. Answers the usage-logs,
 * usage-summary and concurrent-streams-history routes with the shapes of the official SDK's
 * published types.
 */
import type { ConcurrentStreamsHistory, UsageLog, UsageSummaryEntry } from '../types';
import { MockHttpError } from './api-error';

/** The mock's prices, USD per hour of audio (made up: records need a cost, not a real one). */
const USD_PER_HOUR = { stt_async: 0.1, stt_rt: 0.12 } as const;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** The API's caps: at most 366 days summed; at 60 s periods at most 7 days; 20,000 entries. */
const MAX_SUMMARY_DAYS = 366;
const MAX_MINUTE_WINDOW_MS = 7 * DAY_MS;
const MAX_HISTORY_ENTRIES = 20_000;

/** What one finished request used. */
export interface UsageInput {
  scope: keyof typeof USD_PER_HOUR;
  model: string;
  clientReferenceId: string | null | undefined;
  startMs: number;
  endMs: number;
  audioMs: number;
  outputTokens: number;
}

const usd = (value: number) => value.toFixed(6);

function invalid(location: string, message: string): MockHttpError {
  return new MockHttpError(400, 'invalid_request', 'Invalid request.', [
    { error_type: 'value_error', location, message },
  ]);
}

/** The window of a usage or history query: both times required, ISO 8601, end after start. */
function windowOf(url: URL): { start: number; end: number } {
  const times = ['start_time', 'end_time'].map((name) => {
    const value = url.searchParams.get(name);
    if (value === null) throw invalid(`query.${name}`, 'Field required');
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw invalid(`query.${name}`, 'Input should be a valid datetime');
    return ms;
  });
  const [start, end] = times as [number, number];
  if (end <= start) throw invalid('query.end_time', 'end_time must be after start_time');
  return { start, end };
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Every record and sample the mock made. */
export class UsageBook {
  readonly records: UsageLog[] = [];
  /** Open realtime sessions after each change: [time ms, count]. */
  private readonly samples: Array<[number, number]> = [];

  constructor(private readonly newId: () => string) {}

  /** Records a finished request. */
  record(input: UsageInput): void {
    const cost = usd((input.audioMs / HOUR_MS) * USD_PER_HOUR[input.scope]);
    this.records.push({
      uuid: this.newId(),
      request_scope: input.scope,
      client_reference_id: input.clientReferenceId ?? null,
      model: input.model,
      start_time: new Date(input.startMs).toISOString(),
      end_time: new Date(input.endMs).toISOString(),
      input_text_tokens: 0,
      input_audio_tokens: Math.round(input.audioMs / 100),
      input_audio_duration_ms: input.audioMs,
      output_text_tokens: input.outputTokens,
      output_audio_tokens: 0,
      output_audio_duration_ms: 0,
      cost_usd: cost,
      input_cost_usd: cost,
      input_text_cost_usd: usd(0),
      input_audio_cost_usd: cost,
      output_cost_usd: usd(0),
      output_text_cost_usd: usd(0),
      output_audio_cost_usd: usd(0),
    });
  }

  /** Notes how many realtime sessions are open now. */
  sample(open: number, now = Date.now()): void {
    this.samples.push([now, open]);
  }

  /** `GET /v1/usage-logs`: the records that ended in the window, sorted, with a page cursor. */
  list(url: URL): { usage_logs: UsageLog[]; sort: string } {
    const { start, end } = windowOf(url);
    const sort = url.searchParams.get('sort') ?? 'end_time_asc';
    if (sort !== 'end_time_asc' && sort !== 'end_time_desc')
      throw invalid('query.sort', "Input should be 'end_time_asc' or 'end_time_desc'");
    const inWindow = this.records.filter((r) => {
      const ended = Date.parse(r.end_time);
      return ended >= start && ended < end;
    });
    inWindow.sort((a, b) => a.end_time.localeCompare(b.end_time) || a.uuid.localeCompare(b.uuid));
    if (sort === 'end_time_desc') inWindow.reverse();
    return { usage_logs: inWindow, sort };
  }

  /** `GET /v1/usage/summary`: per whole UTC day of the window, in total and per model. */
  summary(url: URL): { total: UsageSummaryEntry; models: UsageSummaryEntry[] } {
    const { start, end } = windowOf(url);
    const days: string[] = [];
    for (let day = Math.floor(start / DAY_MS) * DAY_MS; day < end; day += DAY_MS)
      days.push(utcDay(day));
    if (days.length > MAX_SUMMARY_DAYS)
      throw invalid(
        'query.end_time',
        `The window must not cover more than ${MAX_SUMMARY_DAYS} days`,
      );
    const inDays = this.records.filter((r) => days.includes(utcDay(Date.parse(r.end_time))));
    const models = [...new Set(inDays.map((r) => r.model))].sort();
    return {
      total: summaryEntry(null, days, inDays),
      models: models.map((m) =>
        summaryEntry(
          m,
          days,
          inDays.filter((r) => r.model === m),
        ),
      ),
    };
  }

  /** `GET /v1/concurrent-streams-history` for speech-to-text (text-to-speech: all idle). */
  history(url: URL): ConcurrentStreamsHistory {
    const { start, end } = windowOf(url);
    const period = Number(url.searchParams.get('period_sec'));
    if (![60, 3600, 86400].includes(period))
      throw invalid('query.period_sec', 'Input should be 60, 3600 or 86400');
    const kind = url.searchParams.get('kind');
    if (kind !== 'stt' && kind !== 'tts')
      throw invalid('query.kind', "Input should be 'stt' or 'tts'");
    const periodMs = period * 1000;
    // The window filters by `period_start` (the official SDK's options): the first period is the
    // first to start at or after start_time, not the one start_time falls in.
    const first = Math.ceil(start / periodMs) * periodMs;
    const count = Math.max(0, Math.ceil((end - first) / periodMs));
    if ((period === 60 && end - start > MAX_MINUTE_WINDOW_MS) || count > MAX_HISTORY_ENTRIES)
      throw invalid('query.end_time', 'The window is too long for its period');
    const slots = period === 60 ? 1 : period === 3600 ? 60 : 24;
    const minutes = kind === 'stt' ? this.activeMinutes() : [];
    const entries = Array.from({ length: count }, (_, i) => {
      const from = first + i * periodMs;
      const raw = kind === 'stt' ? valuesIn(this.samples, from, periodMs) : [];
      const values = period === 60 ? raw : rolledUp(minutes, from, periodMs, period === 86400);
      const active = raw.some((v) => v > 0);
      return {
        period_start: new Date(from).toISOString(),
        period_sec: period,
        sample_min: 0,
        // The peak "stays exact when periods are rolled up": the highest sample itself.
        sample_max: active ? Math.max(...raw) : 0,
        sample_sum: active ? sum(values) : 0,
        sample_count: active ? values.length : 0,
        total_count: active ? slots : 0,
      };
    });
    return { kind, entries };
  }

  /** Each minute with a stream open at one of its samples: [its start, its mean sample]. */
  private activeMinutes(): Array<[number, number]> {
    const byMinute = new Map<number, number[]>();
    for (const [t, v] of this.samples) {
      const minute = Math.floor(t / MINUTE_MS) * MINUTE_MS;
      byMinute.set(minute, [...(byMinute.get(minute) ?? []), v]);
    }
    return [...byMinute]
      .filter(([, values]) => values.some((v) => v > 0))
      .map(([minute, values]) => [minute, sum(values) / values.length]);
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** The values of the [time, value] pairs in [from, from + ms). */
function valuesIn(pairs: Array<[number, number]>, from: number, ms: number): number[] {
  return pairs.filter(([t]) => t >= from && t < from + ms).map(([, v]) => v);
}

/**
 * An hour's or a day's recorded values, rolled up from the minutes (the official SDK: for hourly
 * and daily periods `sample_count` is "the number of source periods that had data, at most
 * `total_count`"): an hour holds one value per active minute, its mean; a day one per active
 * hour, the mean of its minutes' values.
 */
function rolledUp(
  minutes: Array<[number, number]>,
  from: number,
  ms: number,
  byHour: boolean,
): number[] {
  const inPeriod = minutes.filter(([t]) => t >= from && t < from + ms);
  if (!byHour) return inPeriod.map(([, v]) => v);
  const hours = new Set(inPeriod.map(([t]) => Math.floor(t / HOUR_MS) * HOUR_MS));
  return [...hours].map((hour) => {
    const values = valuesIn(inPeriod, hour, HOUR_MS);
    return sum(values) / values.length;
  });
}

/** One summary entry: totals and per-day arrays aligned to `days`. */
function summaryEntry(
  model: string | null,
  days: string[],
  records: UsageLog[],
): UsageSummaryEntry {
  const perDay = (pick: (r: UsageLog) => number) =>
    days.map((day) =>
      records
        .filter((r) => utcDay(Date.parse(r.end_time)) === day)
        .reduce((s, r) => s + pick(r), 0),
    );
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const cost = perDay((r) => Number(r.cost_usd));
  const input = perDay((r) => Number(r.input_cost_usd));
  const output = perDay((r) => Number(r.output_cost_usd));
  const counts = {
    input_text_tokens: perDay((r) => r.input_text_tokens),
    input_audio_tokens: perDay((r) => r.input_audio_tokens),
    input_audio_duration_ms: perDay((r) => r.input_audio_duration_ms),
    output_text_tokens: perDay((r) => r.output_text_tokens),
    output_audio_tokens: perDay((r) => r.output_audio_tokens),
    output_audio_duration_ms: perDay((r) => r.output_audio_duration_ms),
  };
  const zeros = days.map(() => 0);
  return {
    model,
    days,
    total_cost_usd: usd(sum(cost)),
    total_input_cost_usd: usd(sum(input)),
    total_output_cost_usd: usd(sum(output)),
    total_duration_cost_usd: usd(0),
    cost_usd: cost.map(usd),
    input_cost_usd: input.map(usd),
    output_cost_usd: output.map(usd),
    duration_cost_usd: zeros.map(usd),
    total_num_requests: records.length,
    total_input_text_tokens: sum(counts.input_text_tokens),
    total_input_audio_tokens: sum(counts.input_audio_tokens),
    total_input_audio_duration_ms: sum(counts.input_audio_duration_ms),
    total_output_text_tokens: sum(counts.output_text_tokens),
    total_output_audio_tokens: sum(counts.output_audio_tokens),
    total_output_audio_duration_ms: sum(counts.output_audio_duration_ms),
    total_duration_ms: 0,
    num_requests: perDay(() => 1),
    ...counts,
    duration_ms: zeros,
  };
}
