/** Realtime drivers shared by the realtime, memory and reconnect scenarios: one session through the SDK or a raw `ws` client. */
import { once } from 'node:events';
import WebSocket from 'ws';
import type { SonioxClient } from '../../lib/client';
import type { RealtimeToken } from '../../lib/types';
import { PCM } from './audio';

/** What one session produced. */
export interface SessionOutcome {
  finals: string[];
  messages: number;
  ms: number;
}

/** A `ws` message as text: a Buffer by default, fragments or an ArrayBuffer by `binaryType`. */
export function messageText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString();
  return (Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString();
}

function chunks(audio: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < audio.length; at += size) out.push(audio.subarray(at, at + size));
  return out;
}

/**
 * Streams `audio` through `client.realtime()` in `chunkBytes` writes (waiting for 'drain' when
 * write() says so), then end() and waits for the stream's end. `onResult`/`onData` observe events.
 */
export async function sdkSession(
  client: SonioxClient,
  audio: Buffer,
  chunkBytes: number,
  hooks: {
    onResult?: () => void;
    onData?: (token: RealtimeToken) => void;
    reconnect?: { maxAttempts: number; baseDelayMs?: number; maxDelayMs?: number };
  } = {},
): Promise<SessionOutcome> {
  const start = process.hrtime.bigint();
  const stream = client.realtime({
    model: 'stt-rt-v5',
    ...PCM,
    ...(hooks.reconnect ? { reconnect: hooks.reconnect } : {}),
  });
  const finals: string[] = [];
  let messages = 0;
  stream.on('result', () => {
    messages += 1;
    hooks.onResult?.();
  });
  stream.on('data', (token: RealtimeToken) => {
    hooks.onData?.(token);
    if (token.is_final) finals.push(token.text);
  });
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  for (const chunk of chunks(audio, chunkBytes)) {
    if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), ended]);
  }
  stream.end();
  await ended;
  return { finals, messages, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

/**
 * The same session with a raw `ws` client: Authorization header, start message, binary chunks
 * (waiting while bufferedAmount is over 64 KiB, the SDK's default highWaterMark), the empty
 * frame, then the close. `onMessage` sees each parsed message.
 */
export async function rawSession(
  url: string,
  apiKey: string,
  audio: Buffer,
  chunkBytes: number,
  onMessage?: (message: { tokens?: RealtimeToken[] }) => void,
): Promise<SessionOutcome> {
  const start = process.hrtime.bigint();
  const ws = new WebSocket(url, {
    headers: { Authorization: `Bearer ${apiKey}` },
    perMessageDeflate: false,
  });
  const finals: string[] = [];
  let messages = 0;
  ws.on('message', (data) => {
    const message = JSON.parse(messageText(data)) as {
      tokens?: RealtimeToken[];
      error_code?: number;
      error_message?: string;
    };
    messages += 1;
    onMessage?.(message);
    for (const t of message.tokens ?? []) if (t.is_final) finals.push(t.text);
  });
  const closed = once(ws, 'close');
  await once(ws, 'open');
  ws.send(JSON.stringify({ model: 'stt-rt-v5', ...PCM }));
  for (const chunk of chunks(audio, chunkBytes)) {
    ws.send(chunk);
    for (let spin = 0; ws.bufferedAmount > 64 * 1024 && spin < 100_000; spin++)
      await new Promise((resolve) => setImmediate(resolve));
  }
  ws.send('');
  await closed;
  return { finals, messages, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

/**
 * Lockstep delivery: write one chunk, wait until the client has delivered that chunk's result
 * (`delivered()` resolves with the latency the caller measured), then the next. With nothing
 * queued anywhere, this is the client's own path from socket to event. Chunks must be large
 * enough (>= 400 ms of audio) that each produces a result message.
 */
export async function lockstep(
  send: (chunk: Buffer) => void,
  delivered: () => Promise<number>,
  audio: Buffer,
  chunkBytes: number,
  steps: number,
  record: (ms: number) => void,
): Promise<void> {
  for (let i = 0; i < steps; i++) {
    const chunk = audio.subarray(i * chunkBytes, (i + 1) * chunkBytes);
    if (chunk.length < chunkBytes) break;
    const wait = delivered();
    send(chunk);
    record(await wait);
  }
}

/**
 * Untimed rounds before a flood's timed ones, per audio length: short sessions are mostly the
 * session's own code (the SDK's config check, opening, ending), which one warm-up session left
 * cold on the SDK's side while raw's code, `ws`, is warmed by both contenders' sessions. Long
 * ones carry enough chunks to warm themselves.
 */
export function floodWarmupRounds(seconds: number): number {
  return seconds <= 1 ? 10 : seconds <= 10 ? 1 : 0;
}

/** Runs `rounds` untimed rounds of both contenders, alternated as the timed rounds are. */
export async function warmBoth(
  rounds: number,
  sdk: () => Promise<unknown>,
  raw: () => Promise<unknown>,
): Promise<void> {
  for (let round = 0; round < rounds; round++)
    for (const which of round % 2 ? [raw, sdk] : [sdk, raw]) await which();
}
