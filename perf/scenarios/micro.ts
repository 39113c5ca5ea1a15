/**
 * Micro figures: package load time (`require` in a fresh process) vs @soniox/node; client
 * construction and the first call (lazy schema compile) in a fresh process; and the SDK's
 * overhead per JSON call over a raw keep-alive GET + JSON.parse (5000 calls, alternated).
 */
import http from 'node:http';
import { SonioxClient } from '../../lib/client';
import { startMockServer } from '../../lib/mock';
import { ROOT, runNode } from '../harness/child';
import { ensureDist } from '../harness/dist';
import {
  alternate,
  roundOrder,
  LatencyHistogram,
  msSince,
  fmt,
  ratio,
  result,
  type PerfContext,
  type ScenarioResult,
} from '../harness';
import { rawGetJson } from '../harness/raw';
import { failure, loadPeer } from '../harness/peer';
import { standalone } from '../harness/cli';
import { GcWatch, collections, type Window } from '../harness/gc';
import { isolatedJson, type Isolated } from '../harness/json-isolated';

/** A fresh process: time require, construction, a warm construction average, and the first call. */
const FRESH = `
const t0 = process.hrtime.bigint();
const { SonioxClient } = require(process.env.PERF_PKG);
const t1 = process.hrtime.bigint();
const c = new SonioxClient({ apiKey: process.env.PERF_KEY, baseURL: process.env.PERF_URL, env: {} });
const t2 = process.hrtime.bigint();
c.models.list().then(() => {
  const t3 = process.hrtime.bigint();
  const w0 = process.hrtime.bigint();
  for (let i = 0; i < 1000; i++) new SonioxClient({ apiKey: 'k', env: {} });
  const warm = Number(process.hrtime.bigint() - w0) / 1e6 / 1000;
  c.close();
  console.log(JSON.stringify({ require_ms: Number(t1 - t0) / 1e6, construct_ms: Number(t2 - t1) / 1e6, first_call_ms: Number(t3 - t2) / 1e6, construct_warm_ms: warm }));
}, (e) => { console.error(e); process.exit(1); });
`;

/** The peer's cold start in a fresh process: require, construct, first models.list(). */
const FRESH_PEER = `
const t0 = process.hrtime.bigint();
const { SonioxNodeClient } = require('@soniox/node');
const c = new SonioxNodeClient({ api_key: process.env.PERF_KEY, base_url: process.env.PERF_URL });
c.models.list().then(() => {
  console.log(JSON.stringify({ cold_ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
}, (e) => { console.error(e); process.exit(1); });
`;

/** Raw Node's first call in a fresh process: a keep-alive GET of /v1/models and JSON.parse, timed from the agent's creation (the baseline of the SDK's first call). */
const FRESH_RAW = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true });
const t0 = process.hrtime.bigint();
http.get(process.env.PERF_URL + '/v1/models', { agent, headers: { authorization: 'Bearer ' + process.env.PERF_KEY } }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (d) => (body += d));
  res.on('end', () => {
    JSON.parse(body);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    agent.destroy();
    console.log(JSON.stringify({ first_call_ms: ms }));
  });
}).on('error', (e) => { console.error(e); process.exit(1); });
`;

/**
 * The libraries the SDK is built on, bare, in a fresh process: loading axios, axios-retry and
 * agentkeepalive (what the first \`new SonioxClient()\` pays), then axios's first GET through a
 * keep-alive agent. The part of the SDK's first construction and first call that is not its own.
 */
const FRESH_AXIOS = `
const t0 = process.hrtime.bigint();
const axios = require('axios');
require('axios-retry');
const Agent = require('agentkeepalive');
const t1 = process.hrtime.bigint();
const agent = new Agent({ keepAlive: true });
const http = axios.create({ baseURL: process.env.PERF_URL, httpAgent: agent, maxRedirects: 0, headers: { authorization: 'Bearer ' + process.env.PERF_KEY } });
http.get('/v1/models').then(() => {
  const t2 = process.hrtime.bigint();
  agent.destroy();
  console.log(JSON.stringify({ load_ms: Number(t1 - t0) / 1e6, first_call_ms: Number(t2 - t1) / 1e6 }));
}, (e) => { console.error(e); process.exit(1); });
`;

const LOAD = `const t0 = process.hrtime.bigint(); const c0 = process.cpuUsage(); require(process.env.PERF_PKG); const c = process.cpuUsage(c0); console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - t0) / 1e6, cpu_ms: (c.user + c.system) / 1e3 }));`;

/** The JSON line a child script above printed last: the numbers it names in its `console.log`. */
async function childJson<K extends string>(
  code: string,
  env: Record<string, string>,
): Promise<Record<K, number>> {
  const out = await runNode(['-e', code], { timeoutMs: 30_000, env });
  if (out.code !== 0) throw new Error(`child failed: ${out.stderr.slice(-300)}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1) as string) as Record<K, number>;
}

/** The middle element of `values` once sorted (the upper median); undefined for none. */
function middle(values: readonly number[]): number | undefined {
  return [...values].sort((a, b) => a - b)[values.length >> 1];
}

type FreshKey = 'require_ms' | 'construct_ms' | 'first_call_ms' | 'construct_warm_ms';
type BareKey = 'load_ms' | 'first_call_ms';

export async function run(ctx: PerfContext): Promise<ScenarioResult> {
  const r = result('micro');
  await ensureDist(ctx.progress);
  const server = await startMockServer({ timing: { queuedMs: 1, processingMs: 1 } });
  try {
    // Package load: alternate our package and the peer, fresh process each time.
    const rounds = 11;
    ctx.progress(`require() in fresh processes, ${rounds} rounds`);
    // CPU time of the require beside its wall time: on a shared machine the wall time moves
    // with the neighbours' load, the CPU time much less.
    const cpu = { sdk: [] as number[], peer: [] as number[] };
    const loadOnce = async (who: 'sdk' | 'peer', pkg: string) => {
      const out = await childJson<'ms' | 'cpu_ms'>(LOAD, { PERF_PKG: pkg });
      cpu[who].push(out.cpu_ms);
      return out.ms;
    };
    const load = await alternate(
      { sdk: () => loadOnce('sdk', ROOT), peer: () => loadOnce('peer', '@soniox/node') },
      { rounds, maxMs: 30_000, better: 'lower' },
    );
    r.values['load.require_ms'] = load.sdk.median;
    r.values['load.peer_require_ms'] = load.peer.median;
    r.values['load.ratio_vs_peer'] = load.sdk.median / load.peer.median;
    const [sdkCpu, peerCpu] = [middle(cpu.sdk), middle(cpu.peer)];
    if (sdkCpu !== undefined && peerCpu !== undefined && peerCpu > 0) {
      r.values['load.require_cpu_ms'] = sdkCpu;
      r.values['load.peer_require_cpu_ms'] = peerCpu;
      r.values['load.cpu_ratio_vs_peer'] = sdkCpu / peerCpu;
      r.rows.push({
        figure: 'package load (require), median CPU ms',
        sdk: fmt(sdkCpu, 1),
        peer: fmt(peerCpu, 1),
        ratio: ratio(sdkCpu / peerCpu),
        bar: '<= 2x the peer',
        met: sdkCpu <= 2 * peerCpu,
      });
    }
    r.rows.push({
      figure: 'package load (require), median ms',
      sdk: fmt(load.sdk.median, 1),
      peer: load.peer.error ? failure(load.peer.error) : fmt(load.peer.median, 1),
      ratio: ratio(load.sdk.median / load.peer.median),
      bar: '<= 60 ms (half of 80-120)',
      met: load.sdk.median <= 60,
    });

    // Construction and first call, fresh process.
    const freshRounds = ctx.quick ? 5 : rounds;
    ctx.progress(`construction and first call in fresh processes, ${freshRounds} rounds`);
    const fresh: Array<Record<FreshKey, number>> = [];
    const rawFirst: number[] = [];
    const bare: Array<Record<BareKey, number>> = [];
    for (let i = 0; i < freshRounds; i++) {
      fresh.push(
        await childJson<FreshKey>(FRESH, {
          PERF_PKG: ROOT,
          PERF_KEY: server.apiKey,
          PERF_URL: server.url,
        }),
      );
      rawFirst.push(
        (
          await childJson<'first_call_ms'>(FRESH_RAW, {
            PERF_KEY: server.apiKey,
            PERF_URL: server.url,
          })
        ).first_call_ms,
      );
      bare.push(
        await childJson<BareKey>(FRESH_AXIOS, { PERF_KEY: server.apiKey, PERF_URL: server.url }),
      );
    }
    // freshRounds >= 5 rounds ran, each pushing to all three arrays or throwing: none is empty.
    const bareMed = (k: BareKey) => middle(bare.map((f) => f[k]))!;
    const med = (k: FreshKey) => middle(fresh.map((f) => f[k]))!;
    const rawFirstMs = middle(rawFirst)!;
    r.values['client.construct_ms'] = med('construct_ms');
    r.values['client.construct_warm_ms'] = med('construct_warm_ms');
    r.values['client.first_call_ms'] = med('first_call_ms');
    r.values['client.raw_first_call_ms'] = rawFirstMs;
    r.values['client.first_call_ratio_vs_raw'] = med('first_call_ms') / rawFirstMs;
    r.values['client.axios_load_ms'] = bareMed('load_ms');
    r.values['client.axios_first_call_ms'] = bareMed('first_call_ms');
    r.rows.push({
      figure: 'client construction, first in process, ms',
      sdk: fmt(med('construct_ms'), 3),
      bar: '< 1 ms',
      met: med('construct_ms') < 1,
    });
    r.rows.push({
      figure: '  bare: require axios + axios-retry + agentkeepalive, ms',
      sdk: fmt(bareMed('load_ms'), 1),
    });
    r.rows.push({
      figure: 'client construction, warm average, ms',
      sdk: fmt(med('construct_warm_ms'), 4),
      bar: '< 1 ms',
      met: med('construct_warm_ms') < 1,
    });
    r.rows.push({
      figure: 'first call in a fresh process (models.list), ms',
      sdk: fmt(med('first_call_ms'), 1),
      raw: fmt(rawFirstMs, 1),
      ratio: ratio(med('first_call_ms') / rawFirstMs),
      bar: '< 20 ms',
      met: med('first_call_ms') < 20,
    });
    r.rows.push({
      figure: "  bare: axios's first GET (keep-alive agent), ms",
      sdk: fmt(bareMed('first_call_ms'), 1),
      raw: fmt(rawFirstMs, 1),
      ratio: ratio(bareMed('first_call_ms') / rawFirstMs),
    });
    // What a user waits for in a new process, wherever the loading lands: require + first construction + first call.
    const cold = middle(fresh.map((f) => f.require_ms + f.construct_ms + f.first_call_ms))!;
    const peerCold: number[] = [];
    let peerColdError: unknown;
    for (let i = 0; i < freshRounds && !peerColdError; i++) {
      await childJson<'cold_ms'>(FRESH_PEER, {
        PERF_KEY: server.apiKey,
        PERF_URL: server.url,
      }).then(
        (o) => peerCold.push(o.cold_ms),
        (e: unknown) => (peerColdError = e),
      );
    }
    // Without an error every round pushed one figure, so there is a middle one.
    const peerColdMs = peerColdError ? undefined : middle(peerCold);
    // The floor the design's dependencies set: bare axios + axios-retry + agentkeepalive loaded
    // and making their first GET, in fresh processes of the same rounds (issue 31's bar: the
    // SDK's cold start within 1.1x of it).
    const bareCold = middle(bare.map((f) => f.load_ms + f.first_call_ms))!;
    r.values['client.cold_start_ms'] = cold;
    r.values['client.bare_cold_start_ms'] = bareCold;
    r.values['client.cold_start_ratio_vs_bare'] = cold / bareCold;
    if (peerColdMs !== undefined) r.values['client.peer_cold_start_ms'] = peerColdMs;
    r.rows.push({
      figure: 'cold start: require + first client + first call, ms',
      sdk: fmt(cold, 1),
      peer: peerColdError ? failure(peerColdError) : fmt(peerColdMs, 1),
      ...(peerColdMs === undefined ? {} : { ratio: ratio(cold / peerColdMs) }),
    });
    r.rows.push({
      figure: '  vs bare: axios + axios-retry + agentkeepalive load + first GET, ms',
      sdk: fmt(cold, 1),
      raw: fmt(bareCold, 1),
      ratio: ratio(cold / bareCold),
      bar: '<= 1.1x bare',
      met: cold <= 1.1 * bareCold,
    });

    // JSON call overhead: SDK, raw keep-alive GET, peer; one call each in turn, 5000 rounds.
    const calls = ctx.quick ? 2000 : 5000;
    ctx.progress(`JSON call overhead, ${calls} calls per contender, alternated`);
    const client = new SonioxClient({
      apiKey: server.apiKey,
      baseURL: server.url,
      env: {},
      maxSockets: 1,
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const loaded = loadPeer();
    const peerClient =
      'peer' in loaded
        ? new loaded.peer.SonioxNodeClient({ api_key: server.apiKey, base_url: server.url })
        : undefined;
    let peerError: unknown = 'error' in loaded ? loaded.error : undefined;
    const url = `${server.url}/v1/models`;
    const h = {
      sdk: new LatencyHistogram(),
      raw: new LatencyHistogram(),
      peer: new LatencyHistogram(),
    };
    // Each call's span too, to tell afterwards which calls a collection ran in.
    const spans = { sdk: [] as Window[], raw: [] as Window[], peer: [] as Window[] };
    const time = async (
      hist: LatencyHistogram,
      windows: Window[],
      call: () => Promise<unknown>,
    ) => {
      const start = performance.now();
      const t = process.hrtime.bigint();
      await call();
      hist.recordMs(msSince(t));
      windows.push({ start, end: performance.now() });
    };
    // The same warm-up for each contender (its code compiled, its socket open).
    for (let i = 0; i < 200 && !peerError; i++) {
      await client.models.list();
      await rawGetJson(agent, url, server.apiKey);
      if (peerClient) await peerClient.models.list().catch((e: unknown) => (peerError = e));
    }
    const socketsBefore = client.poolStats().socketsCreated;
    const gc = new GcWatch();
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls && msSince(start) < 60_000; i++) {
      for (const which of roundOrder(i, 3)) {
        if (which === 0) await time(h.sdk, spans.sdk, () => client.models.list());
        else if (which === 1)
          await time(h.raw, spans.raw, () => rawGetJson(agent, url, server.apiKey));
        else if (peerClient && !peerError)
          await time(h.peer, spans.peer, () => peerClient.models.list()).catch(
            (e: unknown) => (peerError = e),
          );
      }
    }
    await gc.stop();
    const newSockets = client.poolStats().socketsCreated - socketsBefore;
    const inCalls = {
      sdk: gc.inCalls(spans.sdk),
      raw: gc.inCalls(spans.raw),
      peer: gc.inCalls(spans.peer),
    };
    // Bytes allocated per call (the mock answering in this process included, the same for each
    // contender): what the SDK adds over raw Node is a figure the machine's load does not move.
    // 1000 calls: about ten scavenges each, for their survivors.
    const allocCalls = 1000;
    const alone = (call: () => Promise<unknown>) =>
      collections(async () => {
        for (let i = 0; i < allocCalls; i++) await call();
      });
    const sdkGc = await alone(() => client.models.list());
    const rawGc = await alone(() => rawGetJson(agent, url, server.apiKey));
    const peerGc =
      peerClient && !peerError ? await alone(() => peerClient.models.list()) : undefined;
    const alloc = {
      sdk: sdkGc.allocated / allocCalls,
      raw: rawGc.allocated / allocCalls,
      peer: peerGc && peerGc.allocated / allocCalls,
    };
    r.values['json.alloc_kb_per_call'] = alloc.sdk / 1024;
    r.values['json.raw_alloc_kb_per_call'] = alloc.raw / 1024;
    r.values['json.alloc_kb_over_raw'] = (alloc.sdk - alloc.raw) / 1024;
    r.values['json.alloc_ratio_vs_raw'] = alloc.sdk / alloc.raw;
    if (alloc.peer !== undefined) r.values['json.peer_alloc_kb_per_call'] = alloc.peer / 1024;
    r.rows.push({
      figure: 'JSON call: heap allocated per call, KB (mock included)',
      sdk: fmt(alloc.sdk / 1024, 1),
      raw: fmt(alloc.raw / 1024, 1),
      peer: alloc.peer === undefined ? failure(peerError) : fmt(alloc.peer / 1024, 1),
      ratio: ratio(alloc.sdk / alloc.raw),
    });
    // The tail (issue 31): sockets opened and collections inside the timed calls. A p99 reads
    // the tenth-slowest call in 1000: above 10 calls in 1000 holding a collection, it is one.
    r.values['json.new_sockets_per_1000'] = (newSockets * 1000) / Math.max(1, h.sdk.count);
    r.values['json.gc_calls_per_1000'] = inCalls.sdk.anyPer1000;
    r.values['json.raw_gc_calls_per_1000'] = inCalls.raw.anyPer1000;
    r.values['json.gc_mark_compact_per_1000'] = inCalls.sdk.markCompactPer1000;
    r.values['json.scavenge_survivor_kb'] = sdkGc.survivorBytes / 1024;
    r.values['json.raw_scavenge_survivor_kb'] = rawGc.survivorBytes / 1024;
    if (spans.peer.length) {
      r.values['json.peer_gc_calls_per_1000'] = inCalls.peer.anyPer1000;
      r.values['json.peer_gc_mark_compact_per_1000'] = inCalls.peer.markCompactPer1000;
    }
    if (peerGc) r.values['json.peer_scavenge_survivor_kb'] = peerGc.survivorBytes / 1024;
    r.rows.push({
      figure: 'JSON calls holding a GC, per 1000 (p99 is one above 10)',
      sdk: fmt(inCalls.sdk.anyPer1000, 1),
      raw: fmt(inCalls.raw.anyPer1000, 1),
      peer: spans.peer.length ? fmt(inCalls.peer.anyPer1000, 1) : failure(peerError),
      bar: '< 10',
      met: inCalls.sdk.anyPer1000 < 10,
    });
    r.rows.push({
      figure: '  of them mark-compacts, per 1000',
      sdk: fmt(inCalls.sdk.markCompactPer1000, 1),
      raw: fmt(inCalls.raw.markCompactPer1000, 1),
      peer: spans.peer.length ? fmt(inCalls.peer.markCompactPer1000, 1) : failure(peerError),
    });
    r.rows.push({
      figure: '  young survivors per scavenge, each alone, KB (its cost)',
      sdk: fmt(sdkGc.survivorBytes / 1024, 0),
      raw: fmt(rawGc.survivorBytes / 1024, 0),
      peer: peerGc ? fmt(peerGc.survivorBytes / 1024, 0) : failure(peerError),
    });
    r.rows.push({
      figure: 'JSON call: sockets opened per 1000 timed calls',
      sdk: fmt(r.values['json.new_sockets_per_1000'], 2),
      bar: '0',
      met: newSockets === 0,
    });
    client.close();
    agent.destroy();
    // The same calls with each contender in a process of its own (its collections on its own
    // garbage, as in a user's process); the mock stays in this one. Full mode only: three
    // more processes, and perf:check (--quick) gates the counts above.
    if (!ctx.quick) await ownProcess(r, ctx, server, calls);
    const over50 = (h.sdk.p(50) - h.raw.p(50)) * 1000;
    const over99 = (h.sdk.p(99) - h.raw.p(99)) * 1000;
    r.values['json.overhead_us_p50'] = over50;
    r.values['json.overhead_us_p99'] = over99;
    r.values['json.sdk_p50_ms'] = h.sdk.p(50);
    r.values['json.raw_p50_ms'] = h.raw.p(50);
    r.values['json.ratio_vs_raw_p50'] = h.sdk.p(50) / h.raw.p(50);
    r.values['json.ratio_vs_raw_p99'] = h.sdk.p(99) / h.raw.p(99);
    if (h.peer.count) {
      r.values['json.peer_p50_ms'] = h.peer.p(50);
      // The bars of the JSON path: at most the official SDK's p50, at most 2x raw Node's p99.
      r.values['json.ratio_vs_peer_p50'] = h.sdk.p(50) / h.peer.p(50);
      r.values['json.peer_p99_ms'] = h.peer.p(99);
      r.values['json.ratio_vs_peer_p99'] = h.sdk.p(99) / h.peer.p(99);
    }
    const peerCell = (q: number) => (peerError ? failure(peerError) : fmt(h.peer.p(q), 3));
    r.rows.push({
      figure: `JSON call p50, ms (${h.sdk.count} calls)`,
      sdk: fmt(h.sdk.p(50), 3),
      raw: fmt(h.raw.p(50), 3),
      peer: peerCell(50),
      ratio: ratio(h.sdk.p(50) / h.raw.p(50)),
    });
    r.rows.push({
      figure: 'JSON call p99, ms',
      sdk: fmt(h.sdk.p(99), 3),
      raw: fmt(h.raw.p(99), 3),
      peer: peerCell(99),
      ratio: ratio(h.sdk.p(99) / h.raw.p(99)),
      bar: '<= 2x raw',
      met: h.sdk.p(99) <= 2 * h.raw.p(99),
    });
    if (h.peer.count && !peerError) {
      r.rows.push({
        figure: 'JSON call p50 vs @soniox/node',
        sdk: fmt(h.sdk.p(50), 3),
        peer: fmt(h.peer.p(50), 3),
        ratio: ratio(h.sdk.p(50) / h.peer.p(50)),
        bar: '<= 1x peer',
        met: h.sdk.p(50) <= h.peer.p(50),
      });
    }
    r.rows.push({
      figure: 'SDK overhead per JSON call over raw, p50 / p99 µs',
      sdk: `${fmt(over50, 0)} / ${fmt(over99, 0)}`,
      bar: 'p50 < 500 µs',
      met: over50 < 500,
    });
    // Both loads are now a few ms, so process noise is a large share of their ratio: a wider
    // tolerance here still catches the regression that matters (axios or ajv loaded at require
    // time again is 5-10x), and spec/package.spec.ts pins what loads exactly.
    r.gates.push(
      { key: 'json.ratio_vs_raw_p50', better: 'lower' },
      // Three --quick runs on the shared 2-core machine: 0.99-1.05. The p99 ratio is printed, not
      // gated: a p99 of 2000 calls under load swings by more than the tolerance.
      { key: 'json.ratio_vs_peer_p50', better: 'lower' },
      { key: 'load.ratio_vs_peer', better: 'lower', tolerance: 0.6 },
      // Figures the machine's load moves little: the require's CPU time against the peer's, and
      // the heap a JSON call allocates against raw Node's (a count: a tight tolerance). The cold
      // start against bare axios is wall time in fresh processes: a wide one.
      { key: 'load.cpu_ratio_vs_peer', better: 'lower', tolerance: 0.4 },
      { key: 'json.alloc_ratio_vs_raw', better: 'lower', tolerance: 0.05 },
      // Counts of the tail (issue 31). Sockets opened during sequential calls on a kept-alive
      // pool: 0, and any one fails the gate. The calls holding a collection follow the bytes
      // allocated, with a count's noise (about 20 events in --quick): 50 % catches a doubling.
      { key: 'json.new_sockets_per_1000', better: 'lower' },
      { key: 'json.gc_calls_per_1000', better: 'lower', tolerance: 0.5 },
      { key: 'client.cold_start_ratio_vs_bare', better: 'lower', tolerance: 0.3 },
    );
    r.charts.push({
      title: 'JSON call latency distribution (models.list)',
      xLabel: 'percentile',
      yLabel: 'ms',
      xScale: 'percentile',
      series: [
        { name: 'soniox-pro-sdk', points: h.sdk.curve() },
        { name: 'raw Node http', points: h.raw.curve() },
        ...(h.peer.count ? [{ name: '@soniox/node', points: h.peer.curve() }] : []),
      ],
    });
  } finally {
    await server.close();
  }
  return r;
}

/** The JSON calls again, each contender in a process of its own (perf/harness/json-isolated.ts). */
async function ownProcess(
  r: ScenarioResult,
  ctx: PerfContext,
  server: { url: string; apiKey: string },
  calls: number,
): Promise<void> {
  ctx.progress(`JSON calls, each contender in its own process, ${calls} calls each`);
  const own = await isolatedJson(server, calls, 60_000);
  const ownCell = (who: 'sdk' | 'raw' | 'peer', value: (i: (typeof own)['sdk']) => number) =>
    own[who].error ? failure(own[who].error) : fmt(value(own[who]), 3);
  if (!own.sdk.error && !own.raw.error && own.sdk.hist.count && own.raw.hist.count) {
    r.values['json.own_process.sdk_p99_ms'] = own.sdk.hist.p(99);
    r.values['json.own_process.raw_p99_ms'] = own.raw.hist.p(99);
    r.values['json.own_process.ratio_vs_raw_p99'] = own.sdk.hist.p(99) / own.raw.hist.p(99);
    if (own.sdk.gc) r.values['json.own_process.gc_calls_per_1000'] = own.sdk.gc.anyPer1000;
    if (own.raw.gc) r.values['json.own_process.raw_gc_calls_per_1000'] = own.raw.gc.anyPer1000;
    if (!own.peer.error && own.peer.hist.count) {
      r.values['json.own_process.peer_p99_ms'] = own.peer.hist.p(99);
      r.values['json.own_process.ratio_vs_peer_p99'] = own.sdk.hist.p(99) / own.peer.hist.p(99);
      r.values['json.own_process.ratio_vs_peer_p50'] = own.sdk.hist.p(50) / own.peer.hist.p(50);
      if (own.peer.gc) r.values['json.own_process.peer_gc_calls_per_1000'] = own.peer.gc.anyPer1000;
    }
  }
  r.rows.push(
    {
      figure: `JSON call p50, each in its own process, ms (${own.sdk.hist.count} calls)`,
      sdk: ownCell('sdk', (i) => i.hist.p(50)),
      raw: ownCell('raw', (i) => i.hist.p(50)),
      peer: ownCell('peer', (i) => i.hist.p(50)),
    },
    {
      figure: 'JSON call p99, each in its own process, ms',
      sdk: ownCell('sdk', (i) => i.hist.p(99)),
      raw: ownCell('raw', (i) => i.hist.p(99)),
      peer: ownCell('peer', (i) => i.hist.p(99)),
      bar: '<= 2x raw, <= peer',
      met:
        own.sdk.hist.p(99) <= 2 * own.raw.hist.p(99) &&
        (own.peer.hist.count === 0 || own.sdk.hist.p(99) <= own.peer.hist.p(99)),
    },
    {
      // A process that allocates little keeps a small young generation: more scavenges, each
      // copying little. The count alone is no cost here.
      figure: '  calls holding a GC in their own process, per 1000 / survivors KB',
      sdk: ownGc(own.sdk),
      raw: ownGc(own.raw),
      peer: ownGc(own.peer),
    },
  );
}

/** A worker's collections: calls holding one per 1000, and the young survivors of a scavenge. */
function ownGc(figures: Isolated): string {
  if (figures.error) return failure(figures.error);
  return figures.gc ? `${fmt(figures.gc.anyPer1000, 1)} / ${fmt(figures.gc.survivorKb, 0)}` : '';
}

if (require.main === module) standalone('micro', run);
