/**
 * Many realtime sessions at once from one process (its RSS and CPU are the client side's
 * alone; the mock runs in the parent): the SDK or raw `ws`, `sessions` of `seconds` of audio
 * each, in `chunkBytes` chunks.
 */
import { SonioxClient } from '../../lib/client';
import { syntheticPcm } from '../harness/audio';
import { workerServe } from '../harness/child';
import { rawSession, sdkSession } from '../harness/realtime';
import { tally } from '../harness/tally';
import { sampleResources, type ResourceSample } from '../harness';

export interface StreamsInput {
  url: string;
  realtimeURL: string;
  apiKey: string;
  contender: 'sdk' | 'raw';
  sessions: number;
  seconds: number;
  chunkBytes: number;
}

export interface StreamsOutput {
  ok: number;
  failed: number;
  firstError?: string;
  finals: number;
  sample: ResourceSample;
}

async function main(input: StreamsInput): Promise<StreamsOutput> {
  const audio = syntheticPcm(input.seconds);
  const client = new SonioxClient({
    apiKey: input.apiKey,
    baseURL: input.url,
    realtimeURL: input.realtimeURL,
    env: {},
  });
  global.gc?.();
  const sampler = sampleResources(20);
  const out = await Promise.allSettled(
    Array.from({ length: input.sessions }, () =>
      input.contender === 'sdk'
        ? sdkSession(client, audio, input.chunkBytes)
        : rawSession(input.realtimeURL, input.apiKey, audio, input.chunkBytes),
    ),
  );
  const sample = sampler.stop();
  client.close();
  return {
    ...tally(out, (o) => o.finals.length),
    sample,
  };
}

workerServe(main);
