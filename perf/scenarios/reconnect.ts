/**
 * Reconnection: N realtime sessions of fixture audio (sent unpaced, mock pacing off), each
 * dropped abruptly (TCP destroy, no close frame) once or twice at random audio offsets
 * (seeded), through `client.realtime({ reconnect })`. Each session's final tokens (text and
 * start_ms) must equal those of a run without drops; recovery time is from the 'reconnect'
 * event to the next 'open'. N = 100 (--quick 30).
 */
import { once } from 'node:events';
import { SonioxClient } from '../../lib/client';
import { startMockServer, type WsFault } from '../../lib/mock';
import { seededRandom } from '../../lib/mock/state';
import { fixtureAudio, PCM } from '../harness/audio';
import {
  LatencyHistogram,
  fmt,
  pct,
  result,
  type PerfContext,
  type ScenarioResult,
} from '../harness';
import { withTimeout } from '../harness/bounded';
import { standalone } from '../harness/cli';
import type { RealtimeToken } from '../../lib/types';

const FIXTURES = ['two-phrases.wav', 'hello-world.wav', 'weather.wav'];
const RECONNECT = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 100 };

interface Run {
  tokens: Array<[string, number | undefined]>;
  reconnects: number;
  recoveries: number[];
  ms: number;
}

async function session(client: SonioxClient, pcm: Buffer, reconnect: boolean): Promise<Run> {
  const start = performance.now();
  const stream = client.realtime({
    model: 'stt-rt-v5',
    ...PCM,
    tokens: 'final',
    ...(reconnect ? { reconnect: RECONNECT } : {}),
  });
  const tokens: Array<[string, number | undefined]> = [];
  const recoveries: number[] = [];
  let reconnects = 0;
  let droppedAt: number | undefined;
  stream.on('reconnect', () => {
    reconnects += 1;
    droppedAt ??= performance.now();
  });
  stream.on('open', () => {
    if (droppedAt !== undefined) recoveries.push(performance.now() - droppedAt);
    droppedAt = undefined;
  });
  stream.on('data', (t: RealtimeToken) => tokens.push([t.text, t.start_ms]));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  for (let at = 0; at < pcm.length; at += 3200)
    if (!stream.write(pcm.subarray(at, at + 3200))) await once(stream, 'drain');
  stream.end();
  await withTimeout(done, 30_000, 'realtime session');
  return { tokens, reconnects, recoveries, ms: performance.now() - start };
}

export async function run(ctx: PerfContext): Promise<ScenarioResult> {
  const r = result('reconnect');
  const n = ctx.quick ? 30 : 100;
  const server = await startMockServer({ realtimePacing: false, seed: 7 });
  const client = new SonioxClient({
    apiKey: server.apiKey,
    baseURL: server.url,
    realtimeURL: server.realtimeURL,
    env: {},
  });
  const random = seededRandom(1234);
  try {
    const audio = FIXTURES.map((name) => fixtureAudio(name).pcm);
    const expected: Run[] = [];
    for (const pcm of audio) expected.push(await session(client, pcm, false));
    const recovery = new LatencyHistogram();
    let equal = 0;
    let failed = 0;
    let drops = 0;
    let reconnects = 0;
    let firstError: string | undefined;
    let firstDiff: string | undefined;
    const slowdown: number[] = [];
    ctx.progress(`${n} sessions with random abrupt closes`);
    for (let i = 0; i < n; i++) {
      const k = i % audio.length;
      // k is an index of audio, and expected has one run per audio.
      const pcm = audio[k]!;
      const want = expected[k]!;
      const durationMs = (pcm.length / 32_000) * 1000;
      const faults: WsFault[] = [];
      const count = random() < 0.5 ? 1 : 2;
      // Each connection counts audio from its own start: a second drop comes after the replayed part.
      for (let d = 0; d < count; d++)
        faults.push({
          abruptClose: true,
          afterAudioMs: Math.round(200 + random() * (durationMs * 0.6)),
          times: 1,
        });
      drops += count;
      server.setFaults({ ws: faults });
      try {
        const got = await session(client, pcm, true);
        reconnects += got.reconnects;
        for (const ms of got.recoveries) recovery.recordMs(ms);
        slowdown.push(got.ms / want.ms);
        if (JSON.stringify(got.tokens) === JSON.stringify(want.tokens)) equal += 1;
        else
          firstDiff ??= `session ${i}: ${JSON.stringify(got.tokens.map((t) => t[0]).join(''))} vs ${JSON.stringify(want.tokens.map((t) => t[0]).join(''))}`;
      } catch (error) {
        failed += 1;
        firstError ??=
          error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
      }
    }
    server.setFaults({});
    r.values['reconnect.transcript_equal_rate'] = equal / n;
    r.values['reconnect.failed_sessions'] = failed;
    r.values['reconnect.recovery_ms_p50'] = recovery.p(50);
    r.values['reconnect.recovery_ms_p99'] = recovery.p(99);
    r.rows.push({
      figure: `${n} sessions, ${drops} drops injected: transcript equal`,
      sdk: `${pct(equal / n)} (${failed} failed, ${reconnects} reconnects)`,
      bar: '100 %',
      met: equal === n,
    });
    r.rows.push({
      figure: 'recovery (reconnect -> open) p50 / p99 ms',
      sdk: `${fmt(recovery.p(50), 1)} / ${fmt(recovery.p(99), 1)}`,
    });
    r.rows.push({
      figure: 'session time vs no-drop run (median)',
      sdk: `${fmt([...slowdown].sort((a, b) => a - b)[slowdown.length >> 1], 2)}x`,
    });
    if (firstError) r.notes.push(`first failure: ${firstError.slice(0, 200)}`);
    if (firstDiff) r.notes.push(`first difference: ${firstDiff.slice(0, 200)}`);
    r.gates.push({ key: 'reconnect.transcript_equal_rate', better: 'higher' });
  } finally {
    client.close();
    await server.close();
  }
  return r;
}

if (require.main === module) standalone('reconnect', run);
