/**
 * Rate limiting: the mock limits REST calls to 100/s per key (token bucket, burst 100) and
 * answers 429 `limit_exceeded` + `Retry-After` (whole seconds). Calls are offered at 10/50/100/500
 * per second for 2 s (--quick 1 s), each a small `files.upload(Buffer)` with a unique filename,
 * on the client's default retry policy. Success rate, the waits the policy chose against the
 * Retry-After sent, and an audit of the mock's stored files: no successful call lost, none
 * stored twice, no failed call stored.
 */
import { SonioxClient } from '../../lib/client';
import { startMockServer } from '../../lib/mock';
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

const LIMIT = { requestsPerSecond: 100, burst: 100 };

export async function run(ctx: PerfContext): Promise<ScenarioResult> {
  const r = result('ratelimit');
  const rates = [10, 50, 100, 500];
  const seconds = ctx.quick ? 1 : 2;
  const server = await startMockServer({ rateLimit: LIMIT });
  let totalOk = 0;
  let totalCalls = 0;
  let totalBad = 0;
  try {
    let previousCalls = 0;
    for (const rate of rates) {
      // A quiet second after a level that used much of the bucket refills it: each level starts from a full burst.
      if (previousCalls > LIMIT.burst / 2)
        await new Promise((resolve) => setTimeout(resolve, 1000));
      server.state.files.clear();
      const retryDelays: number[] = [];
      let attempts = 0;
      const client = new SonioxClient({
        apiKey: server.apiKey,
        baseURL: server.url,
        env: {},
        onRequest: () => (attempts += 1),
        onRetry: (e) => retryDelays.push(e.delayMs),
      });
      const rejectedBefore = server.rateLimiter.counters.rejected;
      const n = rate * seconds;
      previousCalls = n;
      ctx.progress(
        `${rate} calls/s offered for ${seconds} s (${n} calls), limit ${LIMIT.requestsPerSecond}/s`,
      );
      const hist = new LatencyHistogram();
      const outcome: Array<'ok' | 'failed'> = [];
      let firstError: string | undefined;
      const calls: Array<Promise<void>> = [];
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) {
        const due = (i * 1000) / rate - msSince(start);
        if (due > 1) await new Promise((resolve) => setTimeout(resolve, due));
        const t = process.hrtime.bigint();
        calls.push(
          client.files.upload(Buffer.from(`call ${i}`), { filename: `rl-${rate}-${i}.bin` }).then(
            () => {
              outcome[i] = 'ok';
              hist.recordMs(msSince(t));
            },
            (error: unknown) => {
              outcome[i] = 'failed';
              firstError ??=
                error instanceof Error
                  ? `${error.constructor.name}: ${error.message}`
                  : String(error);
            },
          ),
        );
      }
      await withTimeout(Promise.all(calls), 120_000, `ratelimit ${rate}/s`);
      client.close();
      // Audit against what the mock stored.
      const stored = new Map<string, number>();
      for (const f of server.state.files.values())
        stored.set(f.filename, (stored.get(f.filename) ?? 0) + 1);
      let lost = 0;
      let duplicated = 0;
      let ghost = 0;
      for (let i = 0; i < n; i++) {
        const count = stored.get(`rl-${rate}-${i}.bin`) ?? 0;
        if (outcome[i] === 'ok' && count === 0) lost += 1;
        if (count > 1) duplicated += 1;
        if (outcome[i] !== 'ok' && count > 0) ghost += 1;
      }
      const ok = outcome.filter((o) => o === 'ok').length;
      const rejected = server.rateLimiter.counters.rejected - rejectedBefore;
      const meanDelay = retryDelays.length
        ? retryDelays.reduce((a, b) => a + b, 0) / retryDelays.length
        : 0;
      totalOk += ok;
      totalCalls += n;
      totalBad += lost + duplicated + ghost;
      const key = `ratelimit.${rate}rps`;
      r.values[`${key}.success_rate`] = ok / n;
      r.values[`${key}.attempts_per_call`] = attempts / n;
      r.values[`${key}.p99_ms`] = hist.p(99);
      r.values[`${key}.lost_or_duplicated`] = lost + duplicated + ghost;
      // Within the limit every call must succeed. Over it, no retry policy can: 500/s for 2 s
      // against 100/s (burst 100) with 3 retries 1 s apart leaves room for about 600 of 1000
      // calls, so there the figure is reported, and the bars are the audit and the waits.
      const within = rate <= LIMIT.requestsPerSecond;
      r.rows.push({
        figure: `${rate}/s offered: success (429s seen)`,
        sdk: `${pct(ok / n)} (${rejected})`,
        bar: within ? '>= 99 %' : '(over the limit: reported)',
        ...(within ? { met: ok / n >= 0.99 } : {}),
      });
      r.rows.push({
        figure: `${rate}/s: attempts per call; p50 / p99 ms`,
        sdk: `${fmt(attempts / n, 2)}; ${fmt(hist.p(50), 0)} / ${fmt(hist.p(99), 0)}`,
      });
      r.rows.push({
        figure: `${rate}/s: policy wait vs Retry-After (mean, min, max ms)`,
        sdk: retryDelays.length
          ? `${fmt(meanDelay, 0)}, ${fmt(Math.min(...retryDelays), 0)}, ${fmt(Math.max(...retryDelays), 0)} vs 1000 (${retryDelays.length} waits)`
          : 'no retries',
        ...(retryDelays.length
          ? {
              bar: 'every wait = Retry-After',
              met: retryDelays.every((d) => Math.abs(d - 1000) < 1),
            }
          : {}),
      });
      r.rows.push({
        figure: `${rate}/s: lost / stored twice / failed but stored`,
        sdk: `${lost} / ${duplicated} / ${ghost}`,
        bar: '0 / 0 / 0',
        met: lost + duplicated + ghost === 0,
      });
      if (firstError)
        r.notes.push(`${rate}/s: ${n - ok} failed, first: ${firstError.slice(0, 160)}`);
    }
    r.values['ratelimit.success_rate'] = totalOk / totalCalls;
    r.values['ratelimit.lost_or_duplicated'] = totalBad;
    r.gates.push({ key: 'ratelimit.success_rate', better: 'higher' });
  } finally {
    await server.close();
  }
  return r;
}

if (require.main === module) standalone('ratelimit', run);
