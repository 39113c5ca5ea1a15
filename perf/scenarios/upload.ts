/**
 * Upload throughput and memory: the SDK (`client.files.upload(readable, { filename, size })`),
 * raw Node `http.request` piping the same multipart body (lib/http/multipart.ts), and
 * @soniox/node's `files.upload(readable)`. Each contender has its own worker process (its RSS is
 * that contender's alone; growth is over the RSS just before each upload, after a GC; sizes go
 * up, so an earlier high-water mark hides at most the smaller size's growth); the mock runs in
 * this process. Contenders alternate round by round.
 * Sizes: 1/10/50/100/500 MB (--quick 1/10/50; --max adds 1 GiB). The `upload.500MB.*` keys come
 * from the largest size that ran (`upload.500MB.from_mb` says which).
 */
import { startMockServer } from '../../lib/mock';
import { forkWorker, type Worker } from '../harness/child';
import { failure } from '../harness/peer';
import {
  median,
  fmt,
  ratio,
  result,
  type PerfContext,
  type ScenarioResult,
  type Series,
} from '../harness';
import { standalone } from '../harness/cli';
import type { UploadInput, UploadOutput } from '../workers/upload-client';

type Contender = UploadInput['contender'];
const CONTENDERS: Contender[] = ['sdk', 'raw', 'peer'];
const NAMES: Record<Contender, string> = {
  sdk: 'soniox-pro-sdk',
  raw: 'raw Node http',
  peer: '@soniox/node',
};

export async function run(ctx: PerfContext): Promise<ScenarioResult> {
  const r = result('upload');
  const sizes = ctx.quick
    ? [1, 10, 50]
    : ctx.max
      ? [1, 10, 50, 100, 500, 1024]
      : [1, 10, 50, 100, 500];
  const server = await startMockServer();
  const timelines: Series[] = [];
  const growthBySize: Record<number, number> = {};
  const workers = {} as Record<Contender, Worker>;
  for (const c of CONTENDERS) workers[c] = forkWorker('upload-client', ['--expose-gc']);
  try {
    for (const size of sizes) {
      const rounds = size > 500 ? 1 : size >= 100 ? 3 : 7;
      const got: Record<Contender, UploadOutput[]> = { sdk: [], raw: [], peer: [] };
      const errors: Partial<Record<Contender, unknown>> = {};
      for (let round = 0; round < rounds; round++) {
        for (let k = 0; k < CONTENDERS.length; k++) {
          const contender = CONTENDERS[(round + k) % CONTENDERS.length]!;
          if (errors[contender]) continue;
          ctx.progress(`${size} MB, round ${round + 1}/${rounds}, ${NAMES[contender]}`);
          try {
            const input: UploadInput = {
              url: server.url,
              apiKey: server.apiKey,
              contender,
              mb: size,
            };
            got[contender].push(await workers[contender].call<UploadOutput>(input, 180_000));
          } catch (error) {
            errors[contender] = error;
            ctx.progress(
              `${NAMES[contender]} failed at ${size} MB: ${String(error).slice(0, 200)}`,
            );
          }
        }
      }
      const mbps = (c: Contender) => median(got[c].map((o) => o.mbps));
      const growth = (c: Contender) => median(got[c].map((o) => o.sample.growthMb));
      const cell = (c: Contender, v: number, digits = 0) =>
        errors[c] && got[c].length === 0 ? failure(errors[c]) : fmt(v, digits);
      const key = `upload.${size}MB`;
      // Ratios pair the contenders round by round (neighbours in time share the machine's mood),
      // then take the median: steadier than a ratio of two medians.
      const paired = (other: Contender) =>
        median(
          got.sdk
            .map((o, i) => {
              const theirs = got[other][i];
              return theirs ? o.mbps / theirs.mbps : NaN;
            })
            .filter(Number.isFinite),
        );
      const vsRaw = paired('raw');
      const vsPeer = paired('peer');
      r.values[`${key}.sdk_mbps`] = mbps('sdk');
      r.values[`${key}.raw_mbps`] = mbps('raw');
      if (got.peer.length) r.values[`${key}.peer_mbps`] = mbps('peer');
      r.values[`${key}.ratio_vs_raw`] = vsRaw;
      if (got.peer.length) r.values[`${key}.ratio_vs_peer`] = vsPeer;
      r.values[`${key}.rss_growth_mb`] = growth('sdk');
      r.values[`${key}.raw_rss_growth_mb`] = growth('raw');
      if (got.peer.length) r.values[`${key}.peer_rss_growth_mb`] = growth('peer');
      growthBySize[size] = growth('sdk');
      const big = size >= 100;
      r.rows.push({
        figure: `upload ${size} MB, MB/s (median of ${rounds})`,
        sdk: cell('sdk', mbps('sdk')),
        raw: cell('raw', mbps('raw')),
        peer: cell('peer', mbps('peer')),
        ratio: `${ratio(vsRaw)} raw, ${ratio(vsPeer)} peer`,
        ...(big
          ? {
              bar: size === 500 ? '>= 0.90x raw, >= 1x peer' : '>= 0.90x raw',
              met: vsRaw >= 0.9 && (size !== 500 || !(vsPeer < 1)),
            }
          : {}),
      });
      r.rows.push({
        figure: `upload ${size} MB, RSS growth MB`,
        sdk: cell('sdk', growth('sdk'), 1),
        raw: cell('raw', growth('raw'), 1),
        peer: cell('peer', growth('peer'), 1),
        ...(size === 500 ? { bar: '< 64 MB', met: growth('sdk') < 64 } : {}),
      });
      if (size === sizes[sizes.length - 1] || size === 500) {
        timelines.length = 0;
        for (const c of CONTENDERS)
          if (got[c][0])
            timelines.push({ name: `${NAMES[c]} (${size} MB)`, points: got[c][0].sample.timeline });
      }
    }
    // The stable keys: 500 MB, or the largest size that ran.
    const gateSize = sizes.includes(500) ? 500 : sizes[sizes.length - 1]!;
    for (const k of ['sdk_mbps', 'ratio_vs_raw', 'ratio_vs_peer', 'rss_growth_mb']) {
      const v = r.values[`upload.${gateSize}MB.${k}`];
      if (v !== undefined) r.values[`upload.500MB.${k}`] = v;
    }
    r.values['upload.500MB.from_mb'] = gateSize;
    r.notes.push(
      'ratios are the median of per-round ratios (contenders alternate round by round), not a ratio of the medians shown',
    );
    if (gateSize !== 500)
      r.notes.push(`upload.500MB.* keys come from the ${gateSize} MB run (--quick)`);
    if (growthBySize[100] !== undefined && growthBySize[500] !== undefined) {
      // Within 10 %, with a 2 MB floor: growths under a few MB are page-level noise, and a
      // ratio of two such numbers (0.7 vs 0.3 MB) says nothing about constancy.
      const g100 = growthBySize[100];
      const g500 = growthBySize[500];
      const constant = Math.abs(g500 - g100) <= Math.max(0.1 * g100, 2);
      r.values['upload.rss_500_vs_100_mb'] = g500 - g100;
      r.rows.push({
        figure: 'RSS growth 500 MB minus 100 MB',
        sdk: `${fmt(g500 - g100, 1)} MB (${fmt(g500, 1)} vs ${fmt(g100, 1)})`,
        bar: 'within 10 % (2 MB floor)',
        met: constant,
      });
    }
    // In --quick this ratio comes from 50 MB uploads of ~130 ms, whose pairs swing 0.8-1.2x on a
    // shared machine (worst run 82 % of the baseline in 5 checks): 35 % still catches what
    // matters, an upload that buffers or copies its body (0.3x, like @soniox/node's).
    r.gates.push({ key: 'upload.500MB.ratio_vs_raw', better: 'higher', tolerance: 0.35 });
    r.charts.push({
      title: 'RSS during the largest upload (a worker process per contender)',
      xLabel: 'ms',
      yLabel: 'RSS MB',
      series: timelines,
    });
  } finally {
    for (const c of CONTENDERS) workers[c].close();
    await server.close();
  }
  return r;
}

if (require.main === module) standalone('upload', run);
