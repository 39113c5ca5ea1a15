/**
 * Batch: 1,000 small files (--quick 200) through `client.transcribeMany` vs a plain pool of
 * `client.transcribe()` calls at the same concurrency (32), on the mock with its quotas on
 * (queued 1 ms, processing 1 ms; both poll every 10-50 ms). Success rates and the files/s ratio.
 * Then RSS with 1,000 vs 10,000 lazily generated `audio_url` inputs (--quick 500 vs 2,000):
 * flat means the inputs and results do not pile up.
 */
import { SonioxClient } from '../../lib/client';
import { startMockServer } from '../../lib/mock';
import { fmt, mb, msSince, pct, pool, ratio, result, withTimeout } from '../harness';
import type { PerfContext, ScenarioResult } from '../harness';
import { standalone } from '../harness/cli';

const CONCURRENCY = 32;
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
  const [rssAt, rssEnd] = ctx.quick ? [500, 2_000] : [1_000, 10_000];
  const server = await startMockServer({ timing: { queuedMs: 1, processingMs: 1 } });
  const client = new SonioxClient({ apiKey: server.apiKey, baseURL: server.url, env: {} });
  try {
    const inputs = smallFiles(files);
    // Warm-up (module loading, sockets, the mock's JIT), so neither contender pays it alone.
    ctx.progress('warm-up');
    await pool(CONCURRENCY, CONCURRENCY, (i) => client.transcribe(inputs[i] as Buffer, POLL));

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

    ctx.progress(`RSS over ${rssEnd} lazy inputs`);
    let rssMid = 0;
    let pulled = 0;
    function* lazy(): Generator<{ audio_url: string }> {
      for (let i = 0; i < rssEnd; i++) {
        pulled++;
        yield { audio_url: `https://audio.example.com/${i}.wav` };
      }
    }
    await withTimeout(
      (async () => {
        for await (const res of client.transcribeMany(lazy(), { concurrency: 50, ...POLL })) {
          void res;
          if (pulled >= rssAt && rssMid === 0) rssMid = process.memoryUsage().rss;
        }
      })(),
      600_000,
      'lazy batch',
    );
    const rssLast = process.memoryUsage().rss;
    r.values['batch.10000inputs.rss_mb'] = mb(rssLast);
    r.values['batch.1000inputs.rss_mb'] = mb(rssMid);
    r.values['batch.rss_growth_mb'] = mb(rssLast - rssMid);
    r.rows.push({
      figure: `RSS at ${rssAt} / ${rssEnd} lazy inputs (MB)`,
      sdk: `${fmt(mb(rssMid), 0)} / ${fmt(mb(rssLast), 0)}`,
      bar: 'flat',
      met: rssLast - rssMid < 32 * 1024 * 1024,
    });
  } finally {
    client.close();
    await server.close();
  }
  return r;
}

if (require.main === module) standalone('batch', run);
