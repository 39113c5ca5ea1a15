/**
 * Pre-connect: time from the first audio byte written to the first token read, for a session
 * that opens its socket at that write (cold) and one that starts on a socket `client.preconnect()`
 * opened beforehand (warm). Rounds alternate cold and warm, one session at a time, against the
 * mock (pacing off, so the first token is due as soon as its word's audio arrives); the pool is
 * warm again before each warm round. On loopback the handshake is a TCP connect and an HTTP
 * upgrade; over the internet DNS and TLS come on top, so the saving here is the least one.
 * Keys: `realtime.preconnect.first_token_ms_cold` / `_warm` (medians),
 * `realtime.preconnect.first_token_ms_saved` (the median of each round's cold minus warm: a
 * loaded machine drifts, and a pair shares the drift) and `realtime.preconnect.open_ms_saved`
 * (the same to the open socket), reported, not gated (times, not ratios). Rounds: 80 (--quick 30).
 */
import { SonioxClient } from '../../lib/client';
import { startMockServer } from '../../lib/mock';
import { fixtureAudio, PCM } from '../harness/audio';
import { fmt, median, result, type PerfContext, type ScenarioResult } from '../harness';
import { withTimeout } from '../harness/bounded';
import { standalone } from '../harness/cli';

/** ms from the first write to the session's open socket and to its first token (read to its end). */
async function firstTokenMs(
  client: SonioxClient,
  pcm: Buffer,
): Promise<{ open: number; token: number }> {
  const stream = client.realtime({ model: 'stt-rt-v5', ...PCM });
  let first: number | undefined;
  let opened: number | undefined;
  const done = new Promise<void>((resolve, reject) => {
    stream.once('open', () => (opened = performance.now()));
    stream.on('data', () => (first ??= performance.now()));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const start = performance.now();
  stream.end(pcm);
  await withTimeout(done, 30_000, 'realtime session');
  if (first === undefined || opened === undefined) throw new Error('the session gave no token');
  return { open: opened - start, token: first - start };
}

export async function run(ctx: PerfContext): Promise<ScenarioResult> {
  const r = result('preconnect');
  const rounds = ctx.quick ? 30 : 80;
  const server = await startMockServer({ realtimePacing: false, seed: 7 });
  const options = {
    apiKey: server.apiKey,
    baseURL: server.url,
    realtimeURL: server.realtimeURL,
    env: {},
  };
  const cold = new SonioxClient(options);
  const warm = new SonioxClient(options);
  try {
    const { pcm } = fixtureAudio('hello-world.wav');
    const pool = warm.preconnect({ size: 1 });
    const coldMs: number[] = [];
    const warmMs: number[] = [];
    const saved: number[] = [];
    const openSaved: number[] = [];
    ctx.progress(`${rounds} rounds of a cold and a pre-connected session`);
    // One of each first, unmeasured: the first session of a process loads ws and the mock's fixtures.
    await firstTokenMs(cold, pcm);
    await pool.ready();
    await firstTokenMs(warm, pcm);
    for (let i = 0; i < rounds; i++) {
      await pool.ready();
      // Alternated, the order flipping each round, so neither always follows the other.
      const order = i % 2 === 0 ? ['cold', 'warm'] : ['warm', 'cold'];
      const got: Record<string, { open: number; token: number }> = {};
      for (const which of order) {
        if (which === 'warm') await pool.ready();
        got[which] = await firstTokenMs(which === 'warm' ? warm : cold, pcm);
      }
      const { cold: c, warm: w } = got as Record<'cold' | 'warm', { open: number; token: number }>;
      coldMs.push(c.token);
      warmMs.push(w.token);
      // Paired by round: the machine's drift (other processes) weighs on both alike.
      saved.push(c.token - w.token);
      openSaved.push(c.open - w.open);
    }
    const c = median(coldMs);
    const w = median(warmMs);
    const s = median(saved);
    r.values['realtime.preconnect.first_token_ms_cold'] = c;
    r.values['realtime.preconnect.first_token_ms_warm'] = w;
    r.values['realtime.preconnect.first_token_ms_saved'] = s;
    r.values['realtime.preconnect.open_ms_saved'] = median(openSaved);
    r.rows.push({
      figure: 'first audio byte -> first token, median ms (cold socket)',
      sdk: fmt(c, 2),
    });
    r.rows.push({
      figure: 'first audio byte -> first token, median ms (client.preconnect())',
      sdk: fmt(w, 2),
    });
    r.rows.push({
      figure: 'first token sooner by, median of rounds (loopback: no DNS, no TLS)',
      sdk: `${fmt(s, 2)} ms`,
      bar: '> 0',
      met: s > 0,
    });
    r.rows.push({
      figure: 'first audio byte -> open socket sooner by, median of rounds',
      sdk: `${fmt(median(openSaved), 2)} ms`,
    });
  } finally {
    cold.close();
    warm.close();
    await server.close();
  }
  return r;
}

if (require.main === module) standalone('preconnect', run);
