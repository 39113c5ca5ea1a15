/** Raw async and realtime flows against the mock for its own specs (no SDK in between). */
import { once } from 'node:events';
import WebSocket from 'ws';
import type { MockServer } from '../../lib/mock';
import type { RealtimeMessage, Transcript, TranscriptToken } from '../../lib/types';
import { PCM, fixture } from '../audio';
import { until } from '../helpers';

/** Uploads `name`'s WAV, transcribes it with `params`, and returns the transcript tokens. */
export async function transcribeFixture(
  server: MockServer,
  name: string,
  params: Record<string, unknown> = {},
): Promise<TranscriptToken[]> {
  return (await transcriptOfFixture(server, name, params)).tokens;
}

/** The whole transcript (text and tokens) of a fixture transcribed by the mock over HTTP. */
export async function transcriptOfFixture(
  server: MockServer,
  name: string,
  params: Record<string, unknown> = {},
): Promise<Transcript> {
  const auth = { Authorization: `Bearer ${server.apiKey}` };
  const form = new FormData();
  form.append('file', new Blob([fixture(name).wav]), name);
  const file = (await (
    await fetch(`${server.url}/v1/files`, { method: 'POST', headers: auth, body: form })
  ).json()) as { id: string };
  const res = await fetch(`${server.url}/v1/transcriptions`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'stt-async-v5', file_id: file.id, ...params }),
  });
  const job = (await res.json()) as { id: string };
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(job)}`);
  const status = () => server.state.transcriptions.get(job.id)?.transcription.status;
  await until(() => status() === 'completed' || status() === 'error');
  if (status() === 'error') throw new Error(`transcription ${job.id} failed`);
  const transcript = (await (
    await fetch(`${server.url}/v1/transcriptions/${job.id}/transcript`, { headers: auth })
  ).json()) as Transcript;
  return transcript;
}

/** A realtime session: every message the mock sent, and how the socket closed. */
export interface RawSession {
  ws: WebSocket;
  messages: RealtimeMessage[];
  closed: () => Promise<number>;
}

/**
 * Opens a realtime session with the start message `start`; the server's key rides the header
 * unless the start message has its own `api_key`.
 */
export async function openSession(server: MockServer, start: object): Promise<RawSession> {
  const ws = new WebSocket(server.realtimeURL, {
    headers: 'api_key' in start ? {} : { Authorization: `Bearer ${server.apiKey}` },
    perMessageDeflate: false,
  });
  const messages: RealtimeMessage[] = [];
  let code: number | undefined;
  ws.on('message', (d: Buffer) => messages.push(JSON.parse(d.toString()) as RealtimeMessage));
  ws.on('close', (c) => (code = c));
  ws.on('error', () => undefined);
  await once(ws, 'open');
  ws.send(JSON.stringify(start));
  return { ws, messages, closed: () => until(() => code !== undefined).then(() => code as number) };
}

/** Streams `name`'s PCM at once in 3200-byte frames, ends the audio, waits for the close. */
export async function streamFixture(
  server: MockServer,
  name: string,
  config: Record<string, unknown> = {},
): Promise<RealtimeMessage[]> {
  const s = await openSession(server, { model: 'stt-rt-v5', ...PCM, ...config });
  const pcm = fixture(name).pcm;
  for (let at = 0; at < pcm.length; at += 3200) s.ws.send(pcm.subarray(at, at + 3200));
  s.ws.send('');
  await s.closed();
  return s.messages;
}

/** The final tokens of a session, in order. */
export const finalsOf = (messages: RealtimeMessage[]) =>
  messages.flatMap((m) => m.tokens).filter((t) => t.is_final);

/** One second of 16 kHz s16le mono silence. */
export const SECOND = Buffer.alloc(32_000);
/** The mock's timers and Date are fake; sockets are real. */
export const CLOCK = {
  toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] as Array<
    'setTimeout' | 'clearTimeout' | 'setInterval' | 'clearInterval' | 'Date'
  >,
};

/** Lets the mock read what was sent (real I/O, fake clock). */
export async function delivered(s: RawSession): Promise<void> {
  await until(() => s.ws.bufferedAmount === 0);
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}
/** The first error message of a raw session. */
export const errorOf = (s: RawSession) => s.messages.find((m) => m.error_code !== undefined);
