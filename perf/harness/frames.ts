/**
 * 20 ms frames at real time (perf/workers/realtime-frames.ts): 100 sessions of the SDK and of raw
 * `ws`, each contender in a fresh worker of its own, both at the same time (a load spike hits
 * both alike), per frame format; their CPU ratio and heap bytes allocated per frame. Each round's
 * sessions open in both workers first, then both measured windows start together: the SDK's
 * worker loads more code and would otherwise start later, its window beside other work than
 * raw's. Part of the realtime scenario (its keys are `realtime.20ms.*`).
 */
import type { MockServer } from '../../lib/mock';
import { forkWorker, type Worker } from './child';
import { fmt, median, ratio } from './stats';
import type { PerfContext, ScenarioResult } from './types';
import type {
  FrameFormat,
  FramesInput,
  FramesOutput,
  FramesRequest,
} from '../workers/realtime-frames';

/** One round: each contender's worker output, or the error it failed with. */
export type FramesRound = Record<'sdk' | 'raw', FramesOutput | Error>;

/** Each format's key segment and its label. */
const LABELS: Record<FrameFormat, { key: string; label: string }> = {
  pcm16k: { key: 'pcm16k', label: '640 B frames (16 kHz s16le)' },
  mulaw8k: { key: 'mulaw8k', label: '160 B frames (8 kHz mu-law)' },
};

/**
 * One run: a fresh worker per contender, two rounds each (cold, warm), every step of the two
 * started together (see the file comment). A contender that failed a step is out of the run.
 */
export async function runPair(
  input: Omit<FramesInput, 'contender'>,
  timeoutMs: number,
  fork: () => Worker = () => forkWorker('realtime-frames', ['--expose-gc']),
): Promise<FramesRound> {
  const contenders = ['sdk', 'raw'] as const;
  const workers = contenders.map(() => fork());
  const out: Array<FramesOutput | Error | null> = [null, null];
  const step = (step: FramesRequest['step']) =>
    Promise.all(
      contenders.map(async (contender, i) => {
        if (out[i] instanceof Error) return;
        const request: FramesRequest = { ...input, contender, step };
        try {
          out[i] = await workers[i]!.call<FramesOutput | null>(request, timeoutMs);
        } catch (error) {
          out[i] = error as Error;
        }
      }),
    );
  try {
    for (let round = 0; round < 2; round++) {
      await step('open');
      await step('run');
    }
  } finally {
    for (const worker of workers) worker.close();
  }
  const result = (o: FramesOutput | Error | null) =>
    o ?? new Error('the worker returned no figures');
  return { sdk: result(out[0] ?? null), raw: result(out[1] ?? null) };
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
    // Each step's deadline: one round of `seconds`, or the sessions' handshakes.
    const { sdk, raw } = await runPair(
      {
        url: server.url,
        realtimeURL: server.realtimeURL,
        apiKey: server.apiKey,
        sessions,
        format,
        seconds,
      },
      60_000 + seconds * 1000,
    );
    out.push({ sdk, raw });
  }
  return out;
}

/**
 * The keys and rows of one format's rounds: medians over the rounds both contenders completed.
 * Returns the warm CPU ratio and the heap ratio (undefined when no round completed).
 */
export function framesFigures(
  r: ScenarioResult,
  format: FrameFormat,
  rounds: FramesRound[],
  sessions: number,
): { cpu: number; heap: number } | undefined {
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
  // Load-steady figures beside the CPU ratio: the heap ratio is a count's, and the CPU the SDK
  // adds per frame is a difference taken in one pair of windows (so the load's share cancels).
  const heapRatio = of((x) => x.sdk.heapBytesPerFrame / x.raw.heapBytesPerFrame);
  r.values[`${base}.heap_ratio_vs_raw`] = heapRatio;
  const addedUs = of((x) => ((x.sdk.cpuMs - x.raw.cpuMs) * 1000) / x.sdk.frames);
  r.values[`${base}.added_cpu_us_per_frame`] = addedUs;
  r.values[`${base}.raw_cpu_us_per_frame`] = of((x) => (x.raw.cpuMs * 1000) / x.raw.frames);
  const mains = done.map((x) =>
    x.sdk.mainCpuMs === undefined || x.raw.mainCpuMs === undefined
      ? undefined
      : x.sdk.mainCpuMs / x.raw.mainCpuMs,
  );
  if (mains.every((v) => v !== undefined))
    r.values[`${base}.main_cpu_ratio_vs_raw`] = median(mains);
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
    ratio: `+${fmt(heap.sdk - heap.raw, 0)} B (${ratio(heapRatio)})`,
  });
  r.rows.push({
    figure: '  the same: CPU per frame, raw / added by the SDK',
    raw: `${fmt(r.values[`${base}.raw_cpu_us_per_frame`] ?? NaN, 1)} µs`,
    sdk: `+${fmt(addedUs, 1)} µs`,
  });
  return { cpu: cpuRatio, heap: heapRatio };
}
