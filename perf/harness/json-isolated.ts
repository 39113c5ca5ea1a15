/**
 * The JSON call's latency with each contender in a process of its own (perf/workers/json-calls.ts),
 * the mock in this one: what a user's process sees, where the collections run on its own garbage
 * alone. In the shared process of the micro scenario every scavenge copies what any contender
 * keeps young (issue 31). Batches of calls alternate between the workers in a shuffled order.
 */
import { forkWorker } from './child';
import { roundOrder } from './ab';
import { LatencyHistogram } from './histogram';
import { msSince } from './stats';
import type { JsonCallsInput, JsonCallsOutput } from '../workers/json-calls';

const CONTENDERS = ['sdk', 'raw', 'peer'] as const;
type Contender = (typeof CONTENDERS)[number];

/** One contender's figures: its latencies, and the collections in its timed calls. */
export interface Isolated {
  hist: LatencyHistogram;
  gc?: NonNullable<JsonCallsOutput['gc']>;
  error?: unknown;
}

/** `calls` timed calls per contender (batches of `batch`), each contender in its own process. */
export async function isolatedJson(
  server: { url: string; apiKey: string },
  calls: number,
  maxMs: number,
  batch = 20,
): Promise<Record<Contender, Isolated>> {
  const workers = CONTENDERS.map(() => forkWorker('json-calls'));
  const out = Object.fromEntries(
    CONTENDERS.map((c) => [c, { hist: new LatencyHistogram() }]),
  ) as Record<Contender, Isolated>;
  const ask = async (at: number, n: number, report: boolean) => {
    const contender = CONTENDERS[at]!;
    const figures = out[contender];
    if (figures.error) return;
    const input: JsonCallsInput = { url: server.url, apiKey: server.apiKey, contender, calls: n };
    if (report) input.report = true;
    try {
      const answer = await workers[at]!.call<JsonCallsOutput>(input, 120_000);
      for (const ms of answer.ms) figures.hist.recordMs(ms);
      if (answer.gc) figures.gc = answer.gc;
    } catch (error) {
      figures.error = error;
    }
  };
  try {
    const start = process.hrtime.bigint();
    const rounds = Math.ceil(calls / batch);
    for (let i = 0; i < rounds && msSince(start) < maxMs; i++)
      for (const at of roundOrder(i, CONTENDERS.length)) await ask(at, batch, false);
    for (let at = 0; at < CONTENDERS.length; at++) await ask(at, 0, true);
  } finally {
    for (const worker of workers) worker.close();
  }
  return out;
}
