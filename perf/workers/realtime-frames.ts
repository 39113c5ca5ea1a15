/**
 * Many realtime sessions at once, each written 20 ms frames at real time, as a voice app's
 * audio source does (640 bytes of 16 kHz s16le, or 160 bytes of 8 kHz mu-law): the SDK as
 * `stream.write(frame)`, raw `ws` as `ws.send(frame)`. One timer drives every session of the
 * process (each tick writes the frames that are due, catching up when a tick was late), so
 * both contenders pay the same for the source. The client side alone: the mock runs in the
 * parent. Like realtime-paced, two rounds: a fresh process's first, then a warmed one, whose
 * CPU is the figure; and the JavaScript heap bytes allocated per frame over the warmed round
 * (v8.GCProfiler: what each collection freed plus what is still in use), a figure that does not
 * move with the machine's load.
 *
 * Each round is two requests, `open` (the sessions, off the clock) and `run` (the frames and
 * the ends, measured), so that the parent starts the SDK's and raw's measured windows together
 * (perf/harness/frames.ts): a worker that loads more code would otherwise start its rounds
 * later, beside another load than its rival's.
 */
import { once } from 'node:events';
import v8 from 'node:v8';
import WebSocket from 'ws';
import { SonioxClient } from '../../lib/client';
import { workerServe } from '../harness/child';
import { messageText } from '../harness/realtime';
import { tallyRounds } from '../harness/tally';
import { mainThreadCpuMs } from '../harness/sampler';

/** A frame format: 20 ms of it is `frameBytes`. */
export type FrameFormat = 'pcm16k' | 'mulaw8k';

export interface FramesInput {
  url: string;
  realtimeURL: string;
  apiKey: string;
  contender: 'sdk' | 'raw';
  sessions: number;
  format: FrameFormat;
  /** Audio per session per round, in seconds. */
  seconds: number;
}

/** One request of the parent: open the round's sessions, or run the round on them. */
export type FramesRequest = FramesInput & { step: 'open' | 'run' };

export interface FramesOutput {
  ok: number;
  failed: number;
  firstError?: string;
  finals: number;
  /** Frames written in the warmed round. */
  frames: number;
  /** CPU (user + system) of the warmed round, ms; `coldCpuMs` the fresh process's first. */
  cpuMs: number;
  coldCpuMs: number;
  /** Of the warmed round's CPU, the main thread's (Linux only). */
  mainCpuMs?: number;
  /** JavaScript heap bytes allocated per frame in the warmed round (results included). */
  heapBytesPerFrame: number;
  wallMs: number;
}

/** The start message's audio fields and 20 ms frame size of each format. */
export const FORMATS: Record<FrameFormat, { start: object; frameBytes: number }> = {
  pcm16k: {
    start: { audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 },
    frameBytes: 640,
  },
  mulaw8k: {
    start: { audio_format: 'mulaw', sample_rate: 8000, num_channels: 1 },
    frameBytes: 160,
  },
};

const FRAME_MS = 20;

/** 10 s of loud synthetic audio in the format, cut into 20 ms frames (views, no copies). */
function framesOf(format: FrameFormat): Buffer[] {
  const size = FORMATS[format].frameBytes;
  const audio = Buffer.alloc(size * 500);
  if (format === 'pcm16k')
    for (let i = 0; i + 1 < audio.length; i += 2)
      audio.writeInt16LE(((i * 37) % 20_000) - 10_000, i);
  // mu-law: a loud sawtooth of codes on both sides of zero (bytes 0x00-0x7f and 0x80-0xff).
  else for (let i = 0; i < audio.length; i++) audio[i] = (i * 7) % 2 ? i % 32 : 0x80 + (i % 32);
  const out: Buffer[] = [];
  for (let at = 0; at < audio.length; at += size) out.push(audio.subarray(at, at + size));
  return out;
}

/** One session's sink for frames, and a promise of its final tokens once ended. */
interface Sink {
  write(frame: Buffer): void;
  end(): Promise<number>;
}

async function sdkSink(client: SonioxClient, input: FramesInput): Promise<Sink> {
  const stream = client.realtime({ model: 'stt-rt-v5', ...FORMATS[input.format].start });
  let finals = 0;
  stream.on('data', (token) => {
    if (token.is_final) finals += 1;
  });
  const ended = new Promise<number>((resolve, reject) => {
    stream.on('end', () => resolve(finals));
    stream.on('error', reject);
  });
  ended.catch(() => undefined);
  await stream.connect();
  return {
    // A live source does not wait for 'drain': 20 ms frames never fill a loopback socket.
    write: (frame) => void stream.write(frame),
    end: () => {
      stream.end();
      return ended;
    },
  };
}

async function rawSink(input: FramesInput): Promise<Sink> {
  const ws = new WebSocket(input.realtimeURL, {
    headers: { Authorization: `Bearer ${input.apiKey}` },
    perMessageDeflate: false,
  });
  let finals = 0;
  ws.on('message', (data) => {
    const m = JSON.parse(messageText(data)) as { tokens?: Array<{ is_final?: boolean }> };
    for (const t of m.tokens ?? []) if (t.is_final) finals += 1;
  });
  const closed = once(ws, 'close');
  await once(ws, 'open');
  ws.send(JSON.stringify({ model: 'stt-rt-v5', ...FORMATS[input.format].start }));
  return {
    write: (frame) => ws.send(frame),
    end: async () => {
      ws.send('');
      await closed;
      return finals;
    },
  };
}

/** Writes `count` frames to every sink at real time from one timer; resolves when all went. */
function drive(sinks: Sink[], frames: Buffer[], count: number): Promise<void> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let written = 0;
    const tick = () => {
      const due = Math.min(count, Math.floor((performance.now() - t0) / FRAME_MS) + 1);
      for (; written < due; written++) {
        const frame = frames[written % frames.length] as Buffer;
        for (const sink of sinks) sink.write(frame);
      }
      if (written >= count) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, FRAME_MS);
    tick();
  });
}

/** Heap bytes allocated between `start()` and `stop()`: freed by each collection plus growth. */
function heapAllocations(): { stop(): number } {
  const profiler = new v8.GCProfiler();
  const used0 = v8.getHeapStatistics().used_heap_size;
  profiler.start();
  return {
    stop() {
      const used1 = v8.getHeapStatistics().used_heap_size;
      const data = profiler.stop() as {
        statistics: Array<{
          beforeGC: { heapStatistics: { usedHeapSize: number } };
          afterGC: { heapStatistics: { usedHeapSize: number } };
        }>;
      };
      let freed = 0;
      for (const s of data.statistics)
        freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
      return used1 - used0 + freed;
    },
  };
}

/** One round's figures. */
interface RoundFigures {
  out: Array<PromiseSettledResult<number>>;
  cpuMs: number;
  mainCpuMs?: number;
  wallMs: number;
  heapBytesPerFrame: number;
}

let client: SonioxClient | undefined;
/** The sessions opened for the next round. */
let sinks: Sink[] = [];
/** The fresh process's first round, once run. */
let cold: RoundFigures | undefined;

/** `open`: every session of the round open (off the clock); `run`: the round, measured. */
async function main(input: FramesRequest): Promise<FramesOutput | null> {
  client ??= new SonioxClient({
    apiKey: input.apiKey,
    baseURL: input.url,
    realtimeURL: input.realtimeURL,
    env: {},
  });
  const sdk = client;
  if (input.step === 'open') {
    // Sessions open before the clock starts: the handshake is the network's, not the write
    // path's (the realtime scenario measures the paced idiom with it).
    const open = () => (input.contender === 'sdk' ? sdkSink(sdk, input) : rawSink(input));
    sinks = await Promise.all(Array.from({ length: input.sessions }, open));
    global.gc?.();
    return null;
  }
  const count = Math.round((input.seconds * 1000) / FRAME_MS);
  const round = await run(sinks, framesOf(input.format), count);
  sinks = [];
  if (!cold) {
    cold = round;
    return null;
  }
  sdk.close();
  return {
    ...tallyRounds(cold.out, round.out),
    frames: count * input.sessions,
    cpuMs: round.cpuMs,
    coldCpuMs: cold.cpuMs,
    ...(round.mainCpuMs !== undefined && { mainCpuMs: round.mainCpuMs }),
    heapBytesPerFrame: round.heapBytesPerFrame,
    wallMs: round.wallMs,
  };
}

/** One round on open sessions: `count` frames each at real time, then all ended. */
async function run(sinks: Sink[], frames: Buffer[], count: number): Promise<RoundFigures> {
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  const wall0 = performance.now();
  const heap = heapAllocations();
  await drive(sinks, frames, count);
  const out = await Promise.allSettled(sinks.map((s) => s.end()));
  const allocated = heap.stop();
  const cpu = process.cpuUsage(cpu0);
  const main1 = mainThreadCpuMs();
  return {
    out,
    cpuMs: (cpu.user + cpu.system) / 1000,
    ...(main0 !== undefined && main1 !== undefined && { mainCpuMs: main1 - main0 }),
    wallMs: performance.now() - wall0,
    heapBytesPerFrame: allocated / (count * sinks.length),
  };
}

workerServe(main);
