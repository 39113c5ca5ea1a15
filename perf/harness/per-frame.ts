/**
 * The SDK's own allocations per audio frame and per result message, apart from the socket's:
 * a stream over a stub socket (a `webSocketFactory` whose send only calls back) against the same
 * loop calling the stub's send directly (write path), and against a bare `JSON.parse` of the same
 * result (read path). Heap bytes allocated (v8.GCProfiler: what each collection freed plus the
 * growth), a count that the machine's load does not move: the proof of per-frame work removed.
 */
import { EventEmitter } from 'node:events';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { SonioxClient } from '../../lib/client';

/** A socket that is open at once and whose send calls back at once (nothing else). */
class StubSocket extends EventEmitter {
  readonly readyState = 1;
  readonly bufferedAmount = 0;
  send(_data: string | Buffer, _options: { binary: boolean }, done?: () => void): void {
    done?.();
  }
  ping(): void {}
  pause(): void {}
  resume(): void {}
  close(): void {}
  terminate(): void {}
}

/**
 * A full collection, with or without --expose-gc: the runner's own process has no `gc`, and
 * garbage left from before a measurement would be counted as allocated when collected in it.
 */
function collect(): void {
  if (global.gc) return global.gc();
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** Heap bytes allocated while `run` runs. */
async function allocated(run: () => Promise<void>): Promise<number> {
  collect();
  const profiler = new v8.GCProfiler();
  const used0 = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  await run();
  const used1 = v8.getHeapStatistics().used_heap_size;
  const { statistics } = profiler.stop() as {
    statistics: Array<{
      beforeGC: { heapStatistics: { usedHeapSize: number } };
      afterGC: { heapStatistics: { usedHeapSize: number } };
    }>;
  };
  let freed = 0;
  for (const s of statistics)
    freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
  return used1 - used0 + freed;
}

/** Calls `step(i)` `n` times, one per event-loop turn (as frames come: one write a turn). */
function turns(n: number, step: (i: number) => void): Promise<void> {
  return new Promise((resolve) => {
    let i = 0;
    const next = () => {
      step(i);
      if (++i < n) setImmediate(next);
      else resolve();
    };
    next();
  });
}

/** A result like the unpaced mock's: one final token and one non-final one. */
function result(i: number): Buffer {
  const token = (text: string, at: number, isFinal: boolean) => ({
    text,
    start_ms: at,
    end_ms: at + 10,
    confidence: 0.9,
    is_final: isFinal,
  });
  return Buffer.from(
    JSON.stringify({
      tokens: [token(' alpha', i * 20, true), token(' beta', i * 20 + 10, false)],
      final_audio_proc_ms: i * 20 + 10,
      total_audio_proc_ms: i * 20 + 20,
    }),
  );
}

/**
 * Heap bytes the SDK allocates per 640-byte frame written, and per result read, over the bare
 * loops (`n` turns each, after as many to warm up).
 */
export async function perFrameAllocations(
  client: SonioxClient,
  n: number,
): Promise<{ writeBytes: number; resultBytes: number; finals: number }> {
  const socket = new StubSocket();
  const stream = client.realtime({
    model: 'stt-rt-v5',
    audio_format: 'pcm_s16le',
    sample_rate: 16000,
    num_channels: 1,
    acceptanceWindowMs: 0,
    webSocketFactory: () => socket,
  });
  stream.on('data', () => undefined);
  const frame = Buffer.alloc(640);
  const results = Array.from({ length: 100 }, (_, i) => result(i));
  const bare = new StubSocket();
  let finals = 0;
  const write = (): void => void stream.write(frame);
  const send = (): void => bare.send(frame, { binary: true });
  const read = (i: number): boolean => socket.emit('message', results[i % 100], false);
  const parse = (i: number): void => {
    const m = JSON.parse((results[i % 100] as Buffer).toString('utf8')) as {
      tokens: Array<{ is_final: boolean }>;
    };
    for (const t of m.tokens) if (t.is_final) finals += 1;
  };
  try {
    await stream.connect();
    // Warm every path first (V8 optimizes them), then measure each over `n` turns.
    for (const step of [write, send, read, parse]) await turns(n, step);
    const writeBytes =
      (await allocated(() => turns(n, write))) - (await allocated(() => turns(n, send)));
    const resultBytes =
      (await allocated(() => turns(n, read))) - (await allocated(() => turns(n, parse)));
    // `finals` keeps the bare loop's work from being optimized away (and shows it ran).
    return { writeBytes: writeBytes / n, resultBytes: resultBytes / n, finals };
  } finally {
    stream.destroy();
  }
}
