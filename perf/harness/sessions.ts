/**
 * Many concurrent realtime sessions, SDK and raw `ws`, each contender in a worker process of its
 * own so that its RSS and CPU are its alone (the mock stays in this process). Shared by the
 * realtime scenario (RSS of 100 streams; CPU and pacing of 100 paced sessions) and the memory
 * scenario (peak RSS and CPU).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wavHeader } from '../../lib/audio';
import type { MockServer } from '../../lib/mock';
import { PCM_BYTES_PER_SECOND, syntheticPcm } from './audio';
import { forkWorker } from './child';
import type { PerfContext } from './types';
import type { StreamsInput, StreamsOutput } from '../workers/realtime-streams';
import type { PacedInput, PacedOutput } from '../workers/realtime-paced';

/** The synthetic audio's WAV format (16 kHz s16le mono, as `syntheticPcm`). */
const WAV_FORMAT = { sampleRate: 16_000, numChannels: 1, bitsPerSample: 16 };

/** What each contender's worker reported, or the error it failed with. */
export type SessionsByContender = Record<'sdk' | 'raw', StreamsOutput | Error>;

/** The mock's addresses and key, as a worker's input carries them. */
const endpoints = (server: MockServer) => ({
  url: server.url,
  realtimeURL: server.realtimeURL,
  apiKey: server.apiKey,
});

/** One call to a fresh `perf/workers/NAME.ts` worker (with --expose-gc): its answer or its error. */
async function callWorker<O>(name: string, input: unknown, timeoutMs: number): Promise<O | Error> {
  const worker = forkWorker(name, ['--expose-gc']);
  try {
    return await worker.call<O>(input, timeoutMs);
  } catch (error) {
    return error as Error;
  } finally {
    worker.close();
  }
}

/** Runs `sessions` sessions of `seconds` of audio at once for each contender in turn (bounded: 180 s per worker). */
export async function concurrentSessions(
  ctx: PerfContext,
  server: MockServer,
  sessions: number,
  seconds: number,
): Promise<SessionsByContender> {
  const out: Partial<SessionsByContender> = {};
  for (const contender of ['sdk', 'raw'] as const) {
    ctx.progress(
      `${sessions} concurrent realtime sessions of ${seconds} s, ${contender}, own process`,
    );
    const input: StreamsInput = {
      ...endpoints(server),
      contender,
      sessions,
      seconds,
      chunkBytes: 3200,
    };
    out[contender] = await callWorker<StreamsOutput>('realtime-streams', input, 180_000);
  }
  return out as SessionsByContender;
}

/** One round of paced sessions: each contender's worker output, or the error it failed with. */
export type PacedRound = Record<'sdk' | 'raw', PacedOutput | Error>;

/**
 * `sessions` sessions at once, each a `seconds`-long WAV file sent at real time (SDK: the file
 * piped into the stream; raw: the same file read the same way, sent from a timer loop), `rounds`
 * rounds. Each round runs both contenders
 * at the same time, each in a fresh worker process: their CPU times are their own, and a load
 * spike on a shared machine hits both alike (bounded: 60 s + the audio per round).
 */
export async function pacedSessions(
  ctx: PerfContext,
  server: MockServer,
  sessions: number,
  seconds: number,
  rounds: number,
): Promise<PacedRound[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-paced-'));
  const write = (name: string, s: number) => {
    const pcm = syntheticPcm(s);
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.concat([wavHeader(WAV_FORMAT, pcm.length), pcm]));
    return file;
  };
  const file = write(`${seconds}s.wav`, seconds);
  const warmup = write('warmup.wav', 0.5);
  const out: PacedRound[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      ctx.progress(
        `${sessions} sessions paced at real time (${seconds} s of audio), SDK and raw side by side, round ${round + 1}/${rounds}`,
      );
      const run = (contender: 'sdk' | 'raw') => {
        const input: PacedInput = {
          ...endpoints(server),
          contender,
          sessions,
          file,
          warmup,
          bytesPerSecond: PCM_BYTES_PER_SECOND,
        };
        // Two rounds of `seconds` each (see the worker).
        return callWorker<PacedOutput>('realtime-paced', input, 60_000 + 2 * seconds * 1000);
      };
      const [sdk, raw] = await Promise.all([run('sdk'), run('raw')]);
      out.push({ sdk, raw });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
