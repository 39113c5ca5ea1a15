/**
 * Many realtime sessions at once, each a WAV file sent at real time (its CPU is the client
 * side's alone; the mock runs in the parent). The SDK side is the file idiom,
 * `fs.createReadStream(file).pipe(client.realtime({ audio_format: 'auto' }))`, paced by the
 * stream itself; the raw side reads the same file the same way (fs.createReadStream) and sends
 * it from a timer loop at the same pace (the pacer's slice and lead, lib/realtime/pacer.ts).
 * Each worker runs the sessions twice: a first round in the fresh process, then a second,
 * warmed one (see main). Both record each audio frame's send time against the ideal audio
 * clock: a frame of byte offset `b` is due at `t0 + b / rate - LEAD_MS`, `t0` being when the
 * first frame went (the socket is open by then: the handshake is the network's time, not the
 * pacer's).
 */
import { once } from 'node:events';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { SonioxClient } from '../../lib/client';
import { LEAD_MS, SLICE_MS } from '../../lib/realtime/pacer';
import type { RealtimeSocket } from '../../lib/realtime/connection';
import { workerServe } from '../harness/child';
import { messageText } from '../harness/realtime';
import { tallyRounds } from '../harness/tally';
import { mainThreadCpuMs, percentile, sampleResources } from '../harness';

export interface PacedInput {
  url: string;
  realtimeURL: string;
  apiKey: string;
  contender: 'sdk' | 'raw';
  sessions: number;
  /** The WAV file every session sends. */
  file: string;
  /** A short WAV file for one warm-up session before measuring. */
  warmup: string;
  /** The file's byte rate (bytes per second of audio). */
  bytesPerSecond: number;
}

export interface PacedOutput {
  ok: number;
  failed: number;
  firstError?: string;
  finals: number;
  /** Audio frames sent in both rounds, and how late each was over the ideal clock (ms). */
  frames: number;
  lateP50: number;
  lateP99: number;
  lateMax: number;
  /** CPU (user + system) of the second round, in a warmed process: the steady state. */
  cpuMs: number;
  /** CPU of the first round, in the fresh worker: it pays V8 compiling the code it runs. */
  coldCpuMs: number;
  /** Of each round's CPU, what threads other than the main one spent (Linux only). */
  helperCpuMs?: number;
  coldHelperCpuMs?: number;
  wallMs: number;
}

/** Lateness of each frame over the ideal clock (see the file comment). */
class Lateness {
  private offset = 0;
  private t0: number | undefined;
  constructor(
    private readonly rate: number,
    private readonly out: number[],
  ) {}

  frame(bytes: number): void {
    const now = performance.now();
    this.t0 ??= now;
    const due = Math.max(this.t0, this.t0 + (this.offset / this.rate) * 1000 - LEAD_MS);
    this.out.push(now - due);
    this.offset += bytes;
  }
}

async function sdkSession(
  client: SonioxClient,
  input: PacedInput,
  file: string,
  late: number[],
): Promise<number> {
  const clock = new Lateness(input.bytesPerSecond, late);
  const stream = client.realtime({
    audio_format: 'auto',
    webSocketFactory: (url, options) => {
      const ws = new WebSocket(url, options);
      const send = ws.send.bind(ws);
      const timed: RealtimeSocket['send'] = (data, opts, done) => {
        if (opts.binary) clock.frame(data.length);
        send(data, opts, done);
      };
      return Object.assign(ws, { send: timed });
    },
  });
  let finals = 0;
  stream.on('data', (token) => {
    if (token.is_final) finals += 1;
  });
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  fs.createReadStream(file).pipe(stream);
  await ended;
  return finals;
}

/**
 * Raw `ws` sending the file as a careful hand-written client would: read with the same
 * fs.createReadStream the SDK side uses (so the file's reads cost both sides alike), cut into
 * frames of one slice, each chunk's short tail joined to the next chunk's head (as the pacer does).
 */
async function rawSession(input: PacedInput, file: string, late: number[]): Promise<number> {
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
  ws.send(JSON.stringify({ model: 'stt-rt-v5', audio_format: 'auto' }));
  const slice = Math.round((input.bytesPerSecond * SLICE_MS) / 1000 / 2) * 2;
  const clock = new Lateness(input.bytesPerSecond, late);
  let t0: number | undefined;
  let sent = 0;
  /** How long until `sent` is due (the clock starts with the first frame). */
  const wait = () => {
    t0 ??= performance.now();
    return t0 + (sent / input.bytesPerSecond) * 1000 - LEAD_MS - performance.now();
  };
  const put = (frame: Buffer) => {
    clock.frame(frame.length);
    ws.send(frame);
    sent += frame.length;
  };
  let carry: Buffer | undefined;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    let at = 0;
    if (carry) {
      // The short tail and this chunk's first bytes make one frame (only that frame is copied).
      at = Math.min(slice - carry.length, chunk.length);
      const joined = Buffer.concat([carry, chunk.subarray(0, at)]);
      if (joined.length < slice) {
        carry = joined;
        continue;
      }
      const ms = wait();
      if (ms > 0) await sleep(ms);
      put(joined);
    }
    const whole = at + (chunk.length - at - ((chunk.length - at) % slice));
    for (; at < whole; at += slice) {
      const ms = wait();
      if (ms > 0) await sleep(ms);
      put(chunk.subarray(at, at + slice));
    }
    carry = at < chunk.length ? chunk.subarray(at) : undefined;
  }
  if (carry) {
    const ms = wait();
    if (ms > 0) await sleep(ms);
    put(carry);
  }
  ws.send('');
  await closed;
  return finals;
}

async function main(input: PacedInput): Promise<PacedOutput> {
  const client = new SonioxClient({
    apiKey: input.apiKey,
    baseURL: input.url,
    realtimeURL: input.realtimeURL,
    env: {},
  });
  const session = (file: string, late: number[]) =>
    input.contender === 'sdk'
      ? sdkSession(client, input, file, late)
      : rawSession(input, file, late);
  await session(input.warmup, []);
  const late: number[] = [];
  /** One round: every session at once; its CPU and wall time, and how many sessions ended well. */
  const round = async () => {
    global.gc?.();
    const main0 = mainThreadCpuMs();
    const sampler = sampleResources(50);
    const out = await Promise.allSettled(
      Array.from({ length: input.sessions }, () => session(input.file, late)),
    );
    const sample = sampler.stop();
    const main1 = mainThreadCpuMs();
    const helpers =
      main0 === undefined || main1 === undefined ? undefined : sample.cpuMs - (main1 - main0);
    return { out, sample, helpers };
  };
  // Two rounds of the same sessions: the first in the fresh worker, where V8 is still compiling
  // each side's hot code on its helper threads (more code on the SDK side), the second warmed,
  // as a server that has been running is. Lateness counts the frames of both.
  const cold = await round();
  const warm = await round();
  client.close();
  return {
    ...tallyRounds(cold.out, warm.out),
    frames: late.length,
    lateP50: percentile(late, 50),
    lateP99: percentile(late, 99),
    lateMax: percentile(late, 100),
    cpuMs: warm.sample.cpuMs,
    coldCpuMs: cold.sample.cpuMs,
    ...(warm.helpers !== undefined && { helperCpuMs: warm.helpers }),
    ...(cold.helpers !== undefined && { coldHelperCpuMs: cold.helpers }),
    wallMs: warm.sample.wallMs,
  };
}

workerServe(main);
