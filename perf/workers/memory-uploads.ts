/**
 * Many uploads at once from one process (the client side's RSS and CPU alone; the mock runs in
 * the parent): `count` uploads of `mb` MiB each, all started together, by the SDK (its pool:
 * 100 sockets), raw http (an agent with 100 sockets) or @soniox/node.
 */
import http from 'node:http';
import { SonioxClient } from '../../lib/client';
import { encodeMultipart } from '../../lib/http/multipart';
import { workerServe } from '../harness/child';
import { loadPeer } from '../harness/peer';
import { sharedChunkStream as generatedStream } from '../harness/audio';
import { sampleResources, type ResourceSample } from '../harness';

export interface UploadsInput {
  url: string;
  apiKey: string;
  contender: 'sdk' | 'raw' | 'peer';
  count: number;
  mb: number;
}

export interface UploadsOutput {
  ok: number;
  failed: number;
  firstError?: string;
  sample: ResourceSample;
}

function rawUpload(
  agent: http.Agent,
  input: UploadsInput,
  size: number,
  name: string,
): Promise<void> {
  const body = encodeMultipart([], {
    field: 'file',
    filename: name,
    size,
    stream: generatedStream(size),
  });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${input.url}/v1/files`,
      {
        method: 'POST',
        agent,
        headers: {
          Authorization: `Bearer ${input.apiKey}`,
          'Content-Type': body.contentType,
          'Content-Length': String(body.contentLength),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 201 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    body.stream.on('error', reject);
    body.stream.pipe(req);
  });
}

async function main(input: UploadsInput): Promise<UploadsOutput> {
  const size = Math.round(input.mb * 1024 * 1024);
  let one: (i: number) => Promise<unknown>;
  let close = () => undefined as void;
  if (input.contender === 'sdk') {
    const client = new SonioxClient({ apiKey: input.apiKey, baseURL: input.url, env: {} });
    one = (i) => client.files.upload(generatedStream(size), { filename: `m${i}.bin`, size });
    close = () => client.close();
  } else if (input.contender === 'raw') {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 100, maxFreeSockets: 20 });
    one = (i) => rawUpload(agent, input, size, `m${i}.bin`);
    close = () => agent.destroy();
  } else {
    const loaded = loadPeer();
    if ('error' in loaded) throw loaded.error;
    const client = new loaded.peer.SonioxNodeClient({ api_key: input.apiKey, base_url: input.url });
    one = (i) => client.files.upload(generatedStream(size), { filename: `m${i}.bin` });
  }
  global.gc?.();
  const sampler = sampleResources(20);
  const out = await Promise.allSettled(Array.from({ length: input.count }, (_, i) => one(i)));
  const sample = sampler.stop();
  close();
  const failed = out.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
  return {
    ok: out.length - failed.length,
    failed: failed.length,
    ...(failed[0] ? { firstError: String(failed[0].reason) } : {}),
    sample,
  };
}

workerServe(main);
