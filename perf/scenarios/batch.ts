/**
 * Batch: 1,000 small files (--quick 200) through `client.transcribeMany` vs a plain pool of
 * `client.transcribe()` calls at the same concurrency (32), on the mock with its quotas on and
 * biting: the account already has 84 jobs pending (another application's, never ending), so 16
 * of the 100 pending slots are free (queued 1 ms, processing 1 ms; both poll every 10-50 ms).
 * Success rates and the files/s ratio. Then memory with 1,000 vs 10,000 lazily generated
 * `audio_url` inputs (--quick 1,000 vs 4,000), journaled, in a worker process of its own (the
 * mock stays here): flat means neither the inputs, the results nor the journal's index pile up.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SonioxClient } from '../../lib/client';
import { occupyTranscriptions } from '../../fixtures/occupy';
import { startMockServer } from '../../lib/mock';
import { fmt, mb, msSince, pct, pool, ratio, result, withTimeout } from '../harness';
import type { PerfContext, ScenarioResult } from '../harness';
import { forkWorker } from '../harness/child';
import { standalone } from '../harness/cli';
import type { BatchMemoryInput, BatchMemoryOutput } from '../workers/batch-client';

const CONCURRENCY = 32;
/** Jobs of another application holding pending slots: 16 of the 100 are left. */
const OTHERS_PENDING = 84;
const POLL = { pollIntervalMs: 10, maxPollIntervalMs: 50 } as const;

/** Distinct 0.1 s raw-audio buffers (the mock transcribes them as placeholder words). */
function smallFiles(count: number): Buffer[] {
  return Array.from({ length: count }, (_, i) => {
    const b = Buffer.alloc(3_200, 1);
    b.writeUInt32LE(i, 0);
    return b;
  });
}

export async function run(ctx: PerfContext): Promise<ScenarioResult> {
  const r = result('batch');
  const files = ctx.quick ? 200 : 1000;
  const [rssAt, rssEnd] = ctx.quick ? [1_000, 4_000] : [1_000, 10_000];
  const server = await startMockServer({ timing: { queuedMs: 1, processingMs: 1 } });
  const client = new SonioxClient({ apiKey: server.apiKey, baseURL: server.url, env: {} });
  try {
    const inputs = smallFiles(files);
    // Warm-up (module loading, sockets, the mock's JIT), so neither contender pays it alone.
    ctx.progress('warm-up');
    await pool(CONCURRENCY, CONCURRENCY, (i) => client.transcribe(inputs[i] as Buffer, POLL));
    const release = occupyTranscriptions(server, OTHERS_PENDING, 'queued', new Date());

    ctx.progress(`${files} files: plain transcribe() pool of ${CONCURRENCY}`);
    let start = process.hrtime.bigint();
    const naive = await withTimeout(
      pool(files, CONCURRENCY, (i) => client.transcribe(inputs[i] as Buffer, POLL)),
      300_000,
      'naive pool',
    );
    const naiveMs = msSince(start);
    const naiveOk = naive.filter((x) => !(x instanceof Error)).length;

    ctx.progress(`${files} files: transcribeMany, concurrency ${CONCURRENCY}`);
    start = process.hrtime.bigint();
    let batchOk = 0;
    await withTimeout(
      (async () => {
        for await (const res of client.transcribeMany(inputs, {
          concurrency: CONCURRENCY,
          ...POLL,
        }))
          if (res.ok) batchOk++;
      })(),
      300_000,
      'batch',
    );
    const batchMs = msSince(start);

    const batchRate = batchOk / (batchMs / 1000);
    const naiveRate = naiveOk / (naiveMs / 1000);
    r.values['batch.1000files.success_rate'] = batchOk / files;
    r.values['batch.1000files.naive_success_rate'] = naiveOk / files;
    r.values['batch.1000files.files_per_s'] = batchRate;
    r.values['batch.1000files.naive_files_per_s'] = naiveRate;
    r.values['batch.1000files.ratio_vs_naive'] = batchRate / naiveRate;
    r.rows.push({
      figure: `${files} files: success`,
      sdk: pct(batchOk / files),
      raw: pct(naiveOk / files),
      bar: '100 %',
      met: batchOk === files,
    });
    r.rows.push({
      figure: `${files} files: files/s (raw = transcribe() pool)`,
      sdk: fmt(batchRate, 0),
      raw: fmt(naiveRate, 0),
      ratio: ratio(batchRate / naiveRate),
      bar: '>= 1x',
      met: batchRate >= naiveRate,
    });
    const firstError = naive.find((x): x is Error => x instanceof Error);
    if (firstError) r.notes.push(`transcribe() pool: first failure: ${firstError.message}`);

    release();

    ctx.progress(`memory over ${rssEnd} lazy inputs (a worker process)`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-perf-batch-'));
    const worker = forkWorker('batch-client', ['--expose-gc']);
    let memory: BatchMemoryOutput;
    try {
      const input: BatchMemoryInput = {
        url: server.url,
        apiKey: server.apiKey,
        inputs: rssEnd,
        at: rssAt,
        concurrency: 50,
        journal: path.join(dir, 'batch.jsonl'),
      };
      memory = await worker.call<BatchMemoryOutput>(input, 600_000);
    } finally {
      worker.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const perInput = (memory.retainedEnd - memory.retainedAt) / (rssEnd - rssAt);
    r.values['batch.10000inputs.rss_mb'] = mb(memory.rssEnd);
    r.values['batch.1000inputs.rss_mb'] = mb(memory.rssAt);
    r.values['batch.rss_growth_mb'] = mb(memory.rssEnd - memory.rssAt);
    r.values['batch.retained_bytes_per_input'] = perInput;
    r.rows.push({
      figure: `RSS at ${rssAt} / ${rssEnd} lazy inputs (MB)`,
      sdk: `${fmt(mb(memory.rssAt), 0)} / ${fmt(mb(memory.rssEnd), 0)}`,
      bar: 'flat',
      met: memory.rssEnd - memory.rssAt < 16 * 1024 * 1024,
    });
    r.rows.push({
      figure: `retained memory growth, ${rssAt} to ${rssEnd} inputs (KB; per input, B)`,
      sdk: `${fmt((memory.retainedEnd - memory.retainedAt) / 1024, 0)}; ${fmt(perInput, 0)}`,
      bar: '< 100 B',
      met: perInput < 100,
    });
    // Gated: both held steady over three --quick runs; the files/s ratio did not (see README).
    r.gates.push(
      { key: 'batch.1000files.success_rate', better: 'higher' },
      { key: 'batch.10000inputs.rss_mb', better: 'lower' },
    );
    if (memory.ok !== rssEnd) r.notes.push(`lazy batch: ${rssEnd - memory.ok} inputs failed`);
  } finally {
    client.close();
    await server.close();
  }
  return r;
}

if (require.main === module) standalone('batch', run);
