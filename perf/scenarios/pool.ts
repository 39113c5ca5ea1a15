/**
 * The connection pool (maxSockets 100, maxFreeSockets 20): 1000 `models.list()` calls at once
 * (sockets never above the cap), a second burst after a short idle (recovery: what was kept,
 * what had to be reopened), then steady load of 100 callers in turn (reuse at steady state:
 * after a ramp of 1000 calls, until the last 100 calls start, when callers begin to drain).
 */
import { SonioxClient } from '../../lib/client';
import { startMockServer } from '../../lib/mock';
import { msSince, fmt, pct, result, type PerfContext, type ScenarioResult } from '../harness';
import { pool, withTimeout } from '../harness/bounded';
import { standalone } from '../harness/cli';

export async function run(ctx: PerfContext): Promise<ScenarioResult> {
  const r = result('pool');
  const server = await startMockServer();
  const client = new SonioxClient({
    apiKey: server.apiKey,
    baseURL: server.url,
    env: {},
    maxSockets: 100,
    maxFreeSockets: 20,
  });
  try {
    await client.models.list();
    let peakActive = 0;
    const watch = setInterval(
      () => (peakActive = Math.max(peakActive, client.poolStats().activeSockets)),
      1,
    );
    const burst = async (label: string) => {
      const before = client.poolStats();
      const t = process.hrtime.bigint();
      const out = await withTimeout(
        Promise.allSettled(Array.from({ length: 1000 }, () => client.models.list())),
        60_000,
        label,
      );
      const after = client.poolStats();
      return {
        ms: msSince(t),
        failed: out.filter((o) => o.status === 'rejected').length,
        created: after.socketsCreated - before.socketsCreated,
        requests: after.requests - before.requests,
        freeAfter: after.freeSockets,
      };
    };
    ctx.progress('burst of 1000 calls at once');
    const first = await burst('first burst');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const kept = client.poolStats().freeSockets;
    ctx.progress('second burst after 200 ms idle');
    const second = await burst('second burst');
    clearInterval(watch);
    const steadyCalls = ctx.quick ? 5000 : 20000;
    ctx.progress(`steady load: ${steadyCalls} calls by 100 callers`);
    // One continuous run; the first 1000 calls ramp the pool up (from the 20 kept sockets) and
    // are not counted: steady state is measured from call 1000 to the end, while all 100 callers run.
    const warm = 1000;
    let before = client.poolStats();
    let t = process.hrtime.bigint();
    let after = before;
    const steady = await pool(steadyCalls + warm, 100, async (i) => {
      if (i === warm) {
        before = client.poolStats();
        t = process.hrtime.bigint();
      }
      if (i === steadyCalls + warm - 100) after = client.poolStats();
      await client.models.list();
    });
    const steadyMs = msSince(t);
    const steadyCreated = after.socketsCreated - before.socketsCreated;
    const steadyRequests = after.requests - before.requests;
    const reuse = steadyRequests ? 1 - steadyCreated / steadyRequests : NaN;
    const failedSteady = steady.filter((o) => o instanceof Error).length;
    r.values['pool.peak_active_sockets'] = peakActive;
    r.values['pool.burst_sockets_created'] = first.created;
    r.values['pool.burst_failed'] = first.failed;
    r.values['pool.kept_free_sockets'] = kept;
    r.values['pool.recovery_sockets_created'] = second.created;
    r.values['pool.recovery_ms_ratio'] = second.ms / first.ms;
    r.values['pool.reuse_ratio'] = reuse;
    r.values['pool.overall_reuse_ratio'] = client.poolStats().reuseRatio;
    r.values['pool.steady_calls_per_s'] = steadyCalls / (steadyMs / 1000);
    r.rows.push({
      figure: '1000 at once: sockets opened / peak active',
      sdk: `${first.created} / ${peakActive}`,
      bar: '<= 100',
      met: first.created <= 100 && peakActive <= 100,
    });
    r.rows.push({
      figure: '1000 at once: failed calls; ms',
      sdk: `${first.failed}; ${fmt(first.ms, 0)}`,
      bar: '0 failed',
      met: first.failed === 0,
    });
    r.rows.push({
      figure: 'after 200 ms idle: free sockets kept',
      sdk: String(kept),
      bar: '<= 20 (maxFreeSockets)',
      met: kept <= 20,
    });
    r.rows.push({
      figure: 'second burst: sockets reopened; ms (vs first)',
      sdk: `${second.created}; ${fmt(second.ms, 0)} (${fmt(second.ms / first.ms, 2)}x)`,
      bar: '<= 80 reopened, 0 failed',
      met: second.created <= 80 && second.failed === 0,
    });
    r.rows.push({
      figure: `steady (${steadyCalls} calls, 100 callers): reuse`,
      sdk: `${pct(reuse, 2)} (${steadyCreated} opened, ${failedSteady} failed)`,
      bar: '>= 99 %',
      met: reuse >= 0.99 && failedSteady === 0,
    });
    r.rows.push({ figure: 'steady: calls/s', sdk: fmt(steadyCalls / (steadyMs / 1000), 0) });
    r.gates.push({ key: 'pool.reuse_ratio', better: 'higher' });
    r.notes.push(`${client.poolStats().socketsCreated} sockets opened over the scenario`);
  } finally {
    client.close();
    await server.close();
  }
  return r;
}

if (require.main === module) standalone('pool', run);
