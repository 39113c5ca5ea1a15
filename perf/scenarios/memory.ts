/**
 * Memory and CPU under load, client side only (each run in its own worker process, the mock in
 * this one): 1000 uploads of 1 MB started at once (SDK, raw http with a 100-socket agent,
 * @soniox/node), and 100 concurrent realtime sessions (SDK, raw ws). Peak RSS, growth, CPU.
 * --quick: 1000 x 256 KB uploads by the SDK and raw http only.
 */
import { startMockServer } from '../../lib/mock';
import { forkWorker } from '../harness/child';
import { fmt, ratio, result, type PerfContext, type ScenarioResult, type Series } from '../harness';
import { standalone } from '../harness/cli';
import type { UploadsInput, UploadsOutput } from '../workers/memory-uploads';
import { concurrentSessions } from '../harness/sessions';

const NAMES = { sdk: 'soniox-pro-sdk', raw: 'raw Node', peer: '@soniox/node' } as const;

function cell(
  o: { ok: number; sample: { peakRssMb: number; growthMb: number; cpuCores: number } } | Error,
  total: number,
): string {
  if (o instanceof Error)
    return o.message.startsWith('not run')
      ? `(${o.message})`
      : `FAILED (${o.message.slice(0, 60)})`;
  return `${fmt(o.sample.peakRssMb, 0)} MB (+${fmt(o.sample.growthMb, 0)}), ${fmt(o.sample.cpuCores * 100, 0)} % CPU, ${o.ok}/${total} ok`;
}

export async function run(ctx: PerfContext): Promise<ScenarioResult> {
  const r = result('memory');
  const count = 1000;
  const mb = ctx.quick ? 0.25 : 1;
  const server = await startMockServer();
  const timeline: Series[] = [];
  try {
    const uploads: Partial<Record<'sdk' | 'raw' | 'peer', UploadsOutput | Error>> = {};
    // --quick leaves out @soniox/node (it buffers every upload whole: 10+ s) and the realtime
    // sessions (the realtime scenario measures those too).
    for (const contender of ctx.quick
      ? (['sdk', 'raw'] as const)
      : (['sdk', 'raw', 'peer'] as const)) {
      server.state.files.clear();
      ctx.progress(`${count} uploads of ${mb} MB at once, ${NAMES[contender]}`);
      const worker = forkWorker('memory-uploads', ['--expose-gc']);
      try {
        const input: UploadsInput = {
          url: server.url,
          apiKey: server.apiKey,
          contender,
          count,
          mb,
        };
        uploads[contender] = await worker.call<UploadsOutput>(input, 180_000);
      } catch (error) {
        uploads[contender] = error as Error;
      } finally {
        worker.close();
      }
      const o = uploads[contender];
      if (o && !(o instanceof Error)) {
        timeline.push({ name: NAMES[contender], points: o.sample.timeline });
        if (o.firstError)
          r.notes.push(
            `${count} uploads, ${NAMES[contender]}: ${o.failed} failed, first: ${o.firstError.slice(0, 160)}`,
          );
      }
    }
    server.state.files.clear();
    const s = uploads.sdk as UploadsOutput | Error;
    const w = uploads.raw as UploadsOutput | Error;
    const p = uploads.peer ?? new Error('not run in --quick');
    if (!(s instanceof Error)) {
      r.values['memory.1000uploads.peak_rss_mb'] = s.sample.peakRssMb;
      r.values['memory.1000uploads.rss_growth_mb'] = s.sample.growthMb;
      r.values['memory.1000uploads.cpu_cores'] = s.sample.cpuCores;
      r.values['memory.1000uploads.ok'] = s.ok;
    }
    if (!(w instanceof Error)) r.values['memory.1000uploads.raw_peak_rss_mb'] = w.sample.peakRssMb;
    if (!(p instanceof Error)) r.values['memory.1000uploads.peer_peak_rss_mb'] = p.sample.peakRssMb;
    const vsPeer =
      s instanceof Error || p instanceof Error
        ? undefined
        : s.sample.peakRssMb / p.sample.peakRssMb;
    r.rows.push({
      figure: `${count} uploads of ${mb} MB at once: peak RSS, CPU`,
      sdk: cell(s, count),
      raw: cell(w, count),
      peer: cell(p, count),
      ...(vsPeer === undefined ? {} : { ratio: `${ratio(vsPeer)} peer` }),
      bar: 'a fraction of @soniox/node',
      ...(vsPeer === undefined
        ? {}
        : { met: vsPeer < 1 && !(s instanceof Error) && s.ok === count }),
    });
    if (!(s instanceof Error) && !(p instanceof Error))
      r.values['memory.1000uploads.rss_ratio_vs_peer'] = s.sample.peakRssMb / p.sample.peakRssMb;

    r.charts.push({
      title: `RSS during ${count} uploads of ${mb} MB at once (worker process per contender)`,
      xLabel: 'ms',
      yLabel: 'RSS MB',
      series: timeline,
    });
    if (ctx.quick) return r;
    const sessions = 100;
    const seconds = 30;
    const { sdk: ss, raw: sw } = await concurrentSessions(ctx, server, sessions, seconds);
    if (!(ss instanceof Error)) {
      r.values['memory.100streams.peak_rss_mb'] = ss.sample.peakRssMb;
      r.values['memory.100streams.cpu_cores'] = ss.sample.cpuCores;
    }
    r.rows.push({
      figure: `${sessions} realtime sessions (${seconds} s each): peak RSS, CPU`,
      sdk: cell(ss, sessions),
      raw: cell(sw, sessions),
      ...(ss instanceof Error || sw instanceof Error
        ? {}
        : { ratio: ratio(ss.sample.peakRssMb / sw.sample.peakRssMb) }),
      bar: '< 300 MB',
      met: ss instanceof Error ? false : ss.sample.peakRssMb < 300 && ss.ok === sessions,
    });
  } finally {
    await server.close();
  }
  return r;
}

if (require.main === module) standalone('memory', run);
