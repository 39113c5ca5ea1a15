/**
 * Concurrency: N `client.transcribe()` flows at once (upload, create, wait, transcript, cleanup)
 * on one client (100 sockets), for N = 10/50/100/500/1000 (--quick 10/100/1000); the mock
 * answers fast (queued 1 ms, processing 1 ms). Success rate, p50/p95/p99 per flow, flows/s,
 * sockets created and pool reuse. The same load through @soniox/node's `stt.transcribe`
 * (`wait: true`, then `stt.delete`) at the same N. Both poll every 10-50 ms (the defaults would
 * measure the poll interval, not the SDK); --quick runs the peer at 10, 100 and 1000 (the gated
 * `concurrency.1000.ratio_vs_peer_p50`: the SDK's median flow over the peer's, same run). At
 * 500 and 1000 the same N inputs also go through `client.transcribeMany` (at its most
 * concurrent, 100): `concurrency.<n>.many_*`, each input's time from the batch's start. The
 * mock's own quotas apply (100 pending transcriptions -> 429), as the API's would.
 */
import { SonioxClient } from '../../lib/client';
import { startMockServer } from '../../lib/mock';
import { fixtureAudio } from '../harness/audio';
import { failure, loadPeer } from '../harness/peer';
import {
  LatencyHistogram,
  msSince,
  fmt,
  pct,
  result,
  type PerfContext,
  type ScenarioResult,
} from '../harness';
import { withTimeout } from '../harness/bounded';
import { standalone } from '../harness/cli';

/** transcribeMany's highest concurrency (lib/batch: 1..100). */
const MANY_CONCURRENCY = 100;

/**
 * `n` distinct copies of `wav` (transcribeMany skips an input whose content it already has): the
 * last byte of each differs, a sample of the audio's last frame.
 */
function distinct(wav: Buffer, n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => {
    const copy = Buffer.from(wav);
    copy.writeUInt16LE(i, copy.length - 2);
    return copy;
  });
}

/** Each input's time from the start of one `transcribeMany` of `inputs`, as a Level. */
async function many(client: SonioxClient, inputs: Buffer[], limitMs: number): Promise<Level> {
  const hist = new LatencyHistogram();
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  const start = process.hrtime.bigint();
  const run = async () => {
    for await (const r of client.transcribeMany(inputs, {
      concurrency: MANY_CONCURRENCY,
      pollIntervalMs: 10,
      maxPollIntervalMs: 50,
    })) {
      if (r.status === 'done') {
        ok += 1;
        hist.recordMs(msSince(start));
      } else {
        failed += 1;
        firstError ??= r.status === 'failed' ? r.error.message : r.status;
      }
    }
  };
  await withTimeout(run(), limitMs, `transcribeMany of ${inputs.length}`);
  return {
    ok,
    failed,
    ...(firstError === undefined ? {} : { firstError }),
    hist,
    wallMs: msSince(start),
  };
}

interface Level {
  ok: number;
  failed: number;
  firstError?: string;
  hist: LatencyHistogram;
  wallMs: number;
}

async function flows(
  n: number,
  flow: (i: number) => Promise<void>,
  limitMs: number,
): Promise<Level> {
  const hist = new LatencyHistogram();
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  const start = process.hrtime.bigint();
  await withTimeout(
    Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const t = process.hrtime.bigint();
        try {
          await flow(i);
          ok += 1;
          hist.recordMs(msSince(t));
        } catch (error) {
          failed += 1;
          firstError ??=
            error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
        }
      }),
    ),
    limitMs,
    `${n} flows`,
  );
  return {
    ok,
    failed,
    ...(firstError === undefined ? {} : { firstError }),
    hist,
    wallMs: msSince(start),
  };
}

export async function run(ctx: PerfContext): Promise<ScenarioResult> {
  const r = result('concurrency');
  const levels = ctx.quick ? [10, 100, 1000] : [10, 50, 100, 500, 1000];
  const server = await startMockServer({ timing: { queuedMs: 1, processingMs: 1 } });
  const { wav } = fixtureAudio();
  const loaded = loadPeer();
  const p95: Array<[number, number]> = [];
  const peerP95: Array<[number, number]> = [];
  try {
    for (const n of levels) {
      ctx.progress(`${n} concurrent transcribe() flows`);
      const client = new SonioxClient({ apiKey: server.apiKey, baseURL: server.url, env: {} });
      const sdk = await flows(
        n,
        async (i) => {
          const t = await client.transcribe(wav, {
            filename: `c${i}.wav`,
            pollIntervalMs: 10,
            maxPollIntervalMs: 50,
          });
          if (!t.text) throw new Error('empty transcript');
        },
        120_000,
      ).catch((error: unknown) => error as Error);
      const stats = client.poolStats();
      client.close();
      let peer: Level | Error;
      if ('peer' in loaded && !(ctx.quick && n > 100 && n < 1000)) {
        ctx.progress(`${n} concurrent @soniox/node stt.transcribe flows`);
        const pc = new loaded.peer.SonioxNodeClient({
          api_key: server.apiKey,
          base_url: server.url,
        });
        peer = await flows(
          n,
          async (i) => {
            const t = await pc.stt.transcribe({
              model: 'stt-async-v5',
              file: wav,
              filename: `p${i}.wav`,
              wait: true,
              wait_options: { interval_ms: 10 },
            });
            await pc.stt.delete(t.id);
          },
          120_000,
        ).catch((error: unknown) => error as Error);
      } else {
        peer = 'error' in loaded ? loaded.error : new Error('not run in --quick at this N');
      }
      const key = `concurrency.${n}`;
      if (sdk instanceof Error) {
        r.rows.push({ figure: `${n} flows`, sdk: failure(sdk), met: false });
        continue;
      }
      const rate = sdk.ok / n;
      r.values[`${key}.success_rate`] = rate;
      r.values[`${key}.p50_ms`] = sdk.hist.p(50);
      r.values[`${key}.p95_ms`] = sdk.hist.p(95);
      r.values[`${key}.p99_ms`] = sdk.hist.p(99);
      r.values[`${key}.flows_per_s`] = sdk.ok / (sdk.wallMs / 1000);
      // Fairness, a share the machine's load barely moves: the median flow's time over the
      // whole run's. Lockstep (every flow ends near the end) is near 1; flows ending in the order
      // they started at a steady rate, about 0.5.
      r.values[`${key}.p50_over_wall`] = sdk.hist.p(50) / sdk.wallMs;
      r.values[`${key}.sockets_created`] = stats.socketsCreated;
      r.values[`${key}.reuse_ratio`] = stats.reuseRatio;
      p95.push([n, sdk.hist.p(95)]);
      const peerOk = !(peer instanceof Error);
      if (!(peer instanceof Error)) {
        r.values[`${key}.peer_success_rate`] = peer.ok / n;
        r.values[`${key}.peer_p50_ms`] = peer.hist.p(50);
        r.values[`${key}.peer_p95_ms`] = peer.hist.p(95);
        r.values[`${key}.peer_flows_per_s`] = peer.ok / (peer.wallMs / 1000);
        r.values[`${key}.peer_p50_over_wall`] = peer.hist.p(50) / peer.wallMs;
        if (peer.ok) peerP95.push([n, peer.hist.p(95)]);
        // Same run, same mock: the machine's load moves both medians alike. A peer that lost
        // flows (its fetch fails under load) has a median of the survivors: no ratio then.
        if (peer.ok === n) {
          r.values[`${key}.ratio_vs_peer_p50`] = sdk.hist.p(50) / peer.hist.p(50);
          r.values[`${key}.ratio_vs_peer_flows_per_s`] =
            sdk.ok / (sdk.wallMs / 1000) / (peer.ok / (peer.wallMs / 1000));
        }
      }
      // transcribeMany at the same N (not in --quick: the batch scenario measures it there).
      let batch: Level | Error | undefined;
      if (n >= 500 && !ctx.quick) {
        ctx.progress(`${n} inputs through transcribeMany`);
        const client2 = new SonioxClient({ apiKey: server.apiKey, baseURL: server.url, env: {} });
        batch = await many(client2, distinct(wav, n), 120_000).catch(
          (error: unknown) => error as Error,
        );
        client2.close();
        if (!(batch instanceof Error)) {
          r.values[`${key}.many_success_rate`] = batch.ok / n;
          r.values[`${key}.many_p50_ms`] = batch.hist.p(50);
          r.values[`${key}.many_p95_ms`] = batch.hist.p(95);
          r.values[`${key}.many_flows_per_s`] = batch.ok / (batch.wallMs / 1000);
          if (!(peer instanceof Error) && peer.ok)
            r.values[`${key}.many_ratio_vs_peer_p50`] = batch.hist.p(50) / peer.hist.p(50);
        }
      }
      const peerCell = (f: (l: Level) => string) =>
        peer instanceof Error ? failure(peer) : f(peer);
      r.rows.push({
        figure: `${n} flows: success`,
        sdk: pct(rate),
        peer: peerCell((l) => pct(l.ok / n)),
        ...(n === 1000 ? { bar: '100 %', met: rate === 1 } : {}),
      });
      r.rows.push({
        figure: `${n} flows: p50 / p95 / p99 ms`,
        sdk: `${fmt(sdk.hist.p(50), 0)} / ${fmt(sdk.hist.p(95), 0)} / ${fmt(sdk.hist.p(99), 0)}`,
        peer: peerCell(
          (l) => `${fmt(l.hist.p(50), 0)} / ${fmt(l.hist.p(95), 0)} / ${fmt(l.hist.p(99), 0)}`,
        ),
      });
      if (batch !== undefined)
        r.rows.push({
          figure: `${n} inputs, transcribeMany: success; p50 / p95 ms; inputs/s`,
          sdk:
            batch instanceof Error
              ? failure(batch)
              : `${pct(batch.ok / n)}; ${fmt(batch.hist.p(50), 0)} / ${fmt(batch.hist.p(95), 0)}; ${fmt(batch.ok / (batch.wallMs / 1000), 0)}/s`,
          peer: peerCell((l) => `(flows above) p50 ${fmt(l.hist.p(50), 0)}`),
        });
      const ratio = r.values[`${key}.ratio_vs_peer_p50`];
      r.rows.push({
        figure: `${n} flows: p50 over the run's wall time`,
        sdk: fmt(sdk.hist.p(50) / sdk.wallMs, 2),
        peer: peerCell((l) => fmt(l.hist.p(50) / l.wallMs, 2)),
        ...(ratio !== undefined && {
          ratio: `${fmt(ratio, 2)}x p50`,
          ...(n >= 500 ? { bar: '<= 1x', met: ratio <= 1 } : {}),
        }),
      });
      r.rows.push({
        figure: `${n} flows: flows/s; sockets; reuse`,
        sdk: `${fmt(sdk.ok / (sdk.wallMs / 1000), 0)}/s; ${stats.socketsCreated}; ${pct(stats.reuseRatio)}`,
        peer: peerCell((l) => `${fmt(l.ok / (l.wallMs / 1000), 0)}/s`),
      });
      if (sdk.firstError)
        r.notes.push(
          `${n} flows, SDK: ${sdk.failed} failed, first: ${sdk.firstError.slice(0, 160)}`,
        );
      if (peerOk && (peer as Level).firstError)
        r.notes.push(
          `${n} flows, @soniox/node: ${(peer as Level).failed} failed, first: ${(peer as Level).firstError?.slice(0, 160)}`,
        );
    }
    const top = levels[levels.length - 1];
    const sdkThroughput = r.values[`concurrency.${top}.flows_per_s`];
    const peerThroughput = r.values[`concurrency.${top}.peer_flows_per_s`];
    if (sdkThroughput !== undefined && peerThroughput)
      r.values['concurrency.throughput_ratio_vs_peer'] = sdkThroughput / peerThroughput;
    r.gates.push({ key: `concurrency.${top}.success_rate`, better: 'higher' });
    // Fairness of the SDK alone (the peer's fetch loses flows at 1000 on a loaded machine).
    r.gates.push({ key: `concurrency.${top}.p50_over_wall`, better: 'lower' });
    r.charts.push({
      title: 'transcribe() flow p95 vs concurrency',
      xLabel: 'concurrent flows',
      yLabel: 'p95 ms',
      series: [
        { name: 'soniox-pro-sdk', points: p95 },
        ...(peerP95.length ? [{ name: '@soniox/node', points: peerP95 }] : []),
      ],
    });
  } finally {
    await server.close();
  }
  return r;
}

if (require.main === module) standalone('concurrency', run);
