/**
 * Upload worker: one process per contender (its RSS is that contender's alone), kept for the
 * whole scenario. Each request: a warm-up upload on first use, a GC, then one measured upload
 * of `mb` MiB while sampling RSS; answers MB/s, RSS growth over the RSS just before, and the
 * RSS timeline. The mock runs in the parent process.
 */
import { SonioxClient } from '../../lib/client';
import { generatedStream } from '../../fixtures/generated-stream';
import { workerServe } from '../harness/child';
import { rawDelete, rawUpload } from '../harness/raw';
import { loadPeer } from '../harness/peer';
import { sampleResources, mb, msSince, type ResourceSample } from '../harness';

export interface UploadInput {
  url: string;
  apiKey: string;
  contender: 'sdk' | 'raw' | 'peer';
  mb: number;
}

export interface UploadOutput {
  mbps: number;
  ms: number;
  sample: ResourceSample;
}

let upload: ((bytes: number, name: string) => Promise<string>) | undefined;

async function main(input: UploadInput): Promise<UploadOutput> {
  const size = Math.round(input.mb * 1024 * 1024);
  if (!upload) {
    upload = setUp(input);
    // Warm-up: the same path, small, so lazy loading and the first connection are not measured.
    await rawDelete(input.url, input.apiKey, `/v1/files/${await upload(1024 * 1024, 'warm.bin')}`);
  }
  global.gc?.();
  const sampler = sampleResources(10);
  const start = process.hrtime.bigint();
  const id = await upload(size, `${input.contender}.bin`);
  const ms = msSince(start);
  const sample = sampler.stop();
  await rawDelete(input.url, input.apiKey, `/v1/files/${id}`);
  return { mbps: mb(size) / (ms / 1000), ms, sample };
}

function setUp(input: UploadInput): (bytes: number, name: string) => Promise<string> {
  let fn: (bytes: number, name: string) => Promise<string>;
  if (input.contender === 'sdk') {
    const client = new SonioxClient({ apiKey: input.apiKey, baseURL: input.url, env: {} });
    fn = async (bytes, name) =>
      (await client.files.upload(generatedStream(bytes), { filename: name, size: bytes })).id;
  } else if (input.contender === 'raw') {
    fn = async (bytes, name) =>
      (await rawUpload(input.url, input.apiKey, generatedStream(bytes), bytes, name)).id;
  } else {
    const loaded = loadPeer();
    if ('error' in loaded) throw loaded.error;
    const client = new loaded.peer.SonioxNodeClient({ api_key: input.apiKey, base_url: input.url });
    fn = async (bytes, name) =>
      (await client.files.upload(generatedStream(bytes), { filename: name })).id;
  }
  return fn;
}

workerServe(main);
