/**
 * JSON call worker: one process per contender, so that a collection in it runs on its own
 * garbage alone, as in a user's process (issue 31: in one shared process every contender's
 * scavenges copy what the others keep young). Each request runs `calls` sequential
 * `models.list()` (or raw Node's keep-alive GET + JSON.parse) and answers their times; the
 * last one (`report`) also answers how many of all the timed calls a collection ran in. The
 * mock runs in the parent process.
 */
import http from 'node:http';
import { SonioxClient } from '../../lib/client';
import { workerServe } from '../harness/child';
import { rawGetJson } from '../harness/raw';
import { loadPeer } from '../harness/peer';
import { GcWatch, collections, type GcInCalls, type Window } from '../harness/gc';

export interface JsonCallsInput {
  url: string;
  apiKey: string;
  contender: 'sdk' | 'raw' | 'peer';
  calls: number;
  /** Answer the collections of every timed call so far (and of 1000 calls alone, untimed). */
  report?: boolean;
}

export interface JsonCallsOutput {
  ms: number[];
  gc?: GcInCalls & { survivorKb: number; allocKb: number };
}

let call: (() => Promise<unknown>) | undefined;
let watch: GcWatch | undefined;
const windows: Window[] = [];

async function main(input: JsonCallsInput): Promise<JsonCallsOutput> {
  if (!call) {
    call = setUp(input);
    // The same warm-up as the in-process measurement: code compiled, socket open.
    for (let i = 0; i < 200; i++) await call();
    watch = new GcWatch();
  }
  const ms: number[] = [];
  for (let i = 0; i < input.calls; i++) {
    const start = performance.now();
    await call();
    const end = performance.now();
    ms.push(end - start);
    windows.push({ start, end });
  }
  if (!input.report || !watch) return { ms };
  await watch.stop();
  const inCalls = watch.inCalls(windows);
  const run = call;
  const alone = await collections(async () => {
    for (let i = 0; i < 1000; i++) await run();
  });
  return {
    ms,
    gc: {
      ...inCalls,
      survivorKb: alone.survivorBytes / 1024,
      allocKb: alone.allocated / 1024 / 1000,
    },
  };
}

function setUp(input: JsonCallsInput): () => Promise<unknown> {
  if (input.contender === 'sdk') {
    const client = new SonioxClient({
      apiKey: input.apiKey,
      baseURL: input.url,
      env: {},
      maxSockets: 1,
    });
    return () => client.models.list();
  }
  if (input.contender === 'raw') {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const url = `${input.url}/v1/models`;
    return () => rawGetJson(agent, url, input.apiKey);
  }
  const loaded = loadPeer();
  if ('error' in loaded) throw loaded.error;
  const client = new loaded.peer.SonioxNodeClient({ api_key: input.apiKey, base_url: input.url });
  return () => client.models.list();
}

workerServe(main);
