/**
 * The SDK's own heap bytes per frame written and per result read, over a stub socket
 * (perf/harness/per-frame.ts), in a fresh process of its own: in the runner's process, the
 * mock's work would land in the measured window.
 */
import { SonioxClient } from '../../lib/client';
import { workerServe } from '../harness/child';
import { perFrameAllocations } from '../harness/per-frame';

export interface PerFrameOutput {
  writeBytes: number;
  resultBytes: number;
  finals: number;
}

async function main(input: { turns: number }): Promise<PerFrameOutput> {
  // The stub socket is the only socket: no server is reached.
  const client = new SonioxClient({ apiKey: 'stub', realtimeURL: 'ws://127.0.0.1:9', env: {} });
  try {
    return await perFrameAllocations(client, input.turns);
  } finally {
    client.close();
  }
}

workerServe(main);
