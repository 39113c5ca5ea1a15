/**
 * 20 ms frames at real time (perf/workers/realtime-frames.ts): 100 sessions of the SDK and of raw
 * `ws`, each contender in a fresh worker of its own, both at the same time (a load spike hits
 * both alike), per frame format; their CPU ratio and heap bytes allocated per frame. Part of the
 * realtime scenario (its keys are `realtime.20ms.*`).
 */
import type { MockServer } from '../../lib/mock';
import { forkWorker } from './child';
import { fmt, median, ratio } from './stats';
import type { PerfContext, ScenarioResult } from './types';
import type { FrameFormat, FramesInput, FramesOutput } from '../workers/realtime-frames';

/** One round: each contender's worker output, or the error it failed with. */
type FramesRound = Record<'sdk' | 'raw', FramesOutput | Error>;

/** Each format's key segment and its label. */
const LABELS: Record<FrameFormat, { key: string; label: string }> = {
  pcm16k: { key: 'pcm16k', label: '640 B frames (16 kHz s16le)' },
  mulaw8k: { key: 'mulaw8k', label: '160 B frames (8 kHz mu-law)' },
};

async function callWorker(input: FramesInput, timeoutMs: number): Promise<FramesOutput | Error> {
  const worker = forkWorker('realtime-frames', ['--expose-gc']);
  try {
    return await worker.call<FramesOutput>(input, timeoutMs);
  } catch (error) {
    return error as Error;
  } finally {
    worker.close();
  }
}

/** `rounds` rounds of `sessions` sessions of `seconds` per worker round, per format. */
export async function framesSessions(
  ctx: PerfContext,
  server: MockServer,
  format: FrameFormat,
  sessions: number,
  seconds: number,
  rounds: number,
): Promise<FramesRound[]> {
  const out: FramesRound[] = [];
  for (let round = 0; round < rounds; round++) {
    ctx.progress(
      `${sessions} sessions writing ${LABELS[format].label} at real time (${seconds} s), SDK and raw side by side, round ${round + 1}/${rounds}`,
    );
    const run = (contender: 'sdk' | 'raw') =>
      callWorker(
        {
          url: server.url,
          realtimeURL: server.realtimeURL,
          apiKey: server.apiKey,
          contender,
          sessions,
          format,
          seconds,
        },
        // Two rounds of `seconds` in each worker, and their sessions' handshakes.
        60_000 + 2 * seconds * 1000,
      );
    const [sdk, raw] = await Promise.all([run('sdk'), run('raw')]);
    out.push({ sdk, raw });
  }
  return out;
}

/**
 * The keys and rows of one format's rounds: medians over the rounds both contenders completed.
 * Returns the warm CPU ratio (undefined when no round completed).
 */
export function framesFigures(
  r: ScenarioResult,
  format: FrameFormat,
  rounds: FramesRound[],
  sessions: number,
): number | undefined {
  const { key, label } = LABELS[format];
  const done = rounds.filter(
    (x): x is { sdk: FramesOutput; raw: FramesOutput } =>
      !(x.sdk instanceof Error) && !(x.raw instanceof Error),
  );
  for (const x of rounds)
    for (const which of ['sdk', 'raw'] as const) {
      const o = x[which];
      if (o instanceof Error) r.notes.push(`20 ms ${key}, ${which}: ${o.message.slice(0, 160)}`);
      else if (o.firstError)
        r.notes.push(
          `20 ms ${key}, ${which}: ${o.failed} failed, first: ${o.firstError.slice(0, 160)}`,
        );
    }
  if (!done.length) {
    r.rows.push({ figure: `${sessions} sessions, ${label}: CPU`, sdk: 'FAILED', raw: 'FAILED' });
    return undefined;
  }
  const of = (pick: (x: { sdk: FramesOutput; raw: FramesOutput }) => number) =>
    median(done.map(pick));
  const cpuRatio = of((x) => x.sdk.cpuMs / x.raw.cpuMs);
  const coldRatio = of((x) => x.sdk.coldCpuMs / x.raw.coldCpuMs);
  const heap = { sdk: of((x) => x.sdk.heapBytesPerFrame), raw: of((x) => x.raw.heapBytesPerFrame) };
  const base = `realtime.20ms.${key}`;
  r.values[`${base}.cpu_ratio_vs_raw`] = cpuRatio;
  r.values[`${base}.cold_cpu_ratio_vs_raw`] = coldRatio;
  r.values[`${base}.sdk_cpu_ms`] = of((x) => x.sdk.cpuMs);
  r.values[`${base}.raw_cpu_ms`] = of((x) => x.raw.cpuMs);
  r.values[`${base}.sdk_heap_bytes_per_frame`] = heap.sdk;
  r.values[`${base}.raw_heap_bytes_per_frame`] = heap.raw;
  r.values[`${base}.ok`] = of((x) => x.sdk.ok);
  const ok = done.every((x) => x.sdk.ok === sessions && x.raw.ok === sessions);
  const spread = (pick: (x: { sdk: FramesOutput; raw: FramesOutput }) => number) =>
    done.length > 1
      ? ` (${fmt(Math.min(...done.map(pick)), 2)}-${fmt(Math.max(...done.map(pick)), 2)})`
      : '';
  const first = done[0] as { sdk: FramesOutput; raw: FramesOutput };
  r.rows.push({
    figure: `${sessions} sessions, ${label} at real time (${done.length} runs): CPU, warm`,
    sdk: `${fmt(first.sdk.cpuMs, 0)} ms, ${first.sdk.ok}/${sessions} ok`,
    raw: `${fmt(first.raw.cpuMs, 0)} ms, ${first.raw.ok}/${sessions} ok`,
    ratio: `${ratio(cpuRatio)}${spread((x) => x.sdk.cpuMs / x.raw.cpuMs)}`,
    bar: '<= 1.15x raw',
    met: ok && cpuRatio <= 1.15,
  });
  r.rows.push({
    figure: `  the same, cold (${fmt(coldRatio, 2)}x); heap allocated per frame`,
    sdk: `${fmt(heap.sdk, 0)} B`,
    raw: `${fmt(heap.raw, 0)} B`,
    ratio: `+${fmt(heap.sdk - heap.raw, 0)} B`,
  });
  return cpuRatio;
}
