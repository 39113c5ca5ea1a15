/**
 * Many concurrent realtime sessions, SDK and raw `ws`, each contender in a worker process of its
 * own so that its RSS and CPU are its alone (the mock stays in this process). Shared by the
 * realtime scenario (RSS of 100 streams) and the memory scenario (peak RSS and CPU).
 */
import type { MockServer } from '../../lib/mock';
import { forkWorker } from './child';
import type { PerfContext } from './types';
import type { StreamsInput, StreamsOutput } from '../workers/realtime-streams';

/** What each contender's worker reported, or the error it failed with. */
export type SessionsByContender = Record<'sdk' | 'raw', StreamsOutput | Error>;

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
    const worker = forkWorker('realtime-streams', ['--expose-gc']);
    try {
      const input: StreamsInput = {
        url: server.url,
        realtimeURL: server.realtimeURL,
        apiKey: server.apiKey,
        contender,
        sessions,
        seconds,
        chunkBytes: 3200,
      };
      out[contender] = await worker.call<StreamsOutput>(input, 180_000);
    } catch (error) {
      out[contender] = error as Error;
    } finally {
      worker.close();
    }
  }
  return out as SessionsByContender;
}
