/**
 * Benchmarks, side by side in one run against the local mock server (loopback), printed as
 * ratios to a baseline measured in the same run: raw Node `http` for REST. Not part of
 * `npm test` (shared machines are noisy); run with `npm run perf` (PERF_UPLOAD_MB to resize).
 */
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { SonioxClient } from '../lib/client';
import { encodeMultipart } from '../lib/http/multipart';
import { startMockServer, type MockServer } from '../lib/mock';
import { generatedStream as generated } from '../fixtures/generated-stream';

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))];
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

async function rawUpload(server: MockServer, size: number): Promise<void> {
  const body = encodeMultipart([], { field: 'file', filename: 'raw.bin', size, stream: generated(size) });
  await new Promise<void>((resolve, reject) => {
    const req = http.request(`${server.url}/v1/files`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': body.contentType, 'Content-Length': String(body.contentLength) },
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`raw upload: ${res.statusCode}`))));
    });
    req.on('error', reject);
    void pipeline(body.stream, req).catch(reject);
  });
}

function rawGet(agent: http.Agent, server: MockServer): Promise<void> {
  return new Promise((resolve, reject) => {
    http.get(`${server.url}/v1/models`, { agent, headers: { Authorization: `Bearer ${server.apiKey}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        JSON.parse(Buffer.concat(chunks).toString());
        resolve();
      });
    }).on('error', reject);
  });
}

async function main(): Promise<void> {
  const server = await startMockServer({ timing: { queuedMs: 1, processingMs: 1 } });
  const client = new SonioxClient({ apiKey: server.apiKey, baseURL: server.url, realtimeURL: server.realtimeURL, env: {} });
  const rows: string[] = [];

  // Client construction, and the first call including the lazy schema compile.
  let start = process.hrtime.bigint();
  for (let i = 0; i < 1000; i++) new SonioxClient({ apiKey: 'k', env: {} });
  rows.push(`client construction: ${(ms(start) / 1000).toFixed(3)} ms per client (bar < 1 ms)`);
  const fresh = new SonioxClient({ apiKey: server.apiKey, baseURL: server.url, env: {} });
  start = process.hrtime.bigint();
  await fresh.models.list();
  rows.push(`first call incl. schema compile: ${ms(start).toFixed(1)} ms (bar < 20 ms)`);
  fresh.close();

  // Upload throughput and memory: SDK vs raw http piping the same multipart body.
  const mb = Number(process.env.PERF_UPLOAD_MB ?? 500);
  const size = mb * 1024 * 1024;
  // Warm both paths (JIT, sockets) so neither pays for being first.
  await rawUpload(server, 16 * 1024 * 1024);
  await client.files.upload(generated(16 * 1024 * 1024), { filename: 'warm.bin', size: 16 * 1024 * 1024 });
  start = process.hrtime.bigint();
  await rawUpload(server, size);
  const rawMs = ms(start);
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  start = process.hrtime.bigint();
  await client.files.upload(generated(size), { filename: 'sdk.bin', size });
  const sdkMs = ms(start);
  clearInterval(sampler);
  rows.push(`upload ${mb} MB: SDK ${(mb / (sdkMs / 1000)).toFixed(0)} MB/s, raw http ${(mb / (rawMs / 1000)).toFixed(0)} MB/s, ratio ${(rawMs / sdkMs * 100).toFixed(0)} % (bar >= 90 %)`);
  rows.push(`upload ${mb} MB: RSS growth ${((peak - rssBefore) / 1024 / 1024).toFixed(1)} MB (bar < 64 MB)`);

  // Per-call overhead: SDK models.list vs raw keep-alive GET + JSON.parse, same server.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const raw: number[] = [];
  const sdk: number[] = [];
  for (let i = 0; i < 200; i++) {
    await rawGet(agent, server);
    await client.models.list();
  }
  for (let i = 0; i < 2000; i++) {
    start = process.hrtime.bigint();
    await rawGet(agent, server);
    raw.push(ms(start));
    start = process.hrtime.bigint();
    await client.models.list();
    sdk.push(ms(start));
  }
  agent.destroy();
  const overhead = percentile(sdk, 50) - percentile(raw, 50);
  rows.push(`JSON call p50: SDK ${percentile(sdk, 50).toFixed(3)} ms, raw ${percentile(raw, 50).toFixed(3)} ms, overhead ${overhead.toFixed(3)} ms (bar < 0.5 ms); p99 ${percentile(sdk, 99).toFixed(3)} vs ${percentile(raw, 99).toFixed(3)} ms`);
  const stats = client.poolStats();
  rows.push(`pool: ${stats.requests} requests on ${stats.socketsCreated} sockets, reuse ${(stats.reuseRatio * 100).toFixed(2)} % (bar >= 99 %)`);

  client.close();
  await server.close();
  console.log(rows.join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
