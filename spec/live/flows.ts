/**
 * The end-to-end flows of the live suite (`npm run test:live`, live.test.ts), each a function of
 * an environment: SONIOX_API_KEY, and the SDK's own SONIOX_API_BASE_URL / SONIOX_REALTIME_URL
 * overrides (how spec/live/flows.spec.ts runs them against the mock, on loopback) and
 * SONIOX_RECORD (cassettes). Their checks hold for the real API and the mock alike: shapes and
 * presence (a speaker, a language, a translation, an endpoint), never the mock's exact words.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SonioxClient } from '../../lib/client';
import { SonioxNotFoundError } from '../../lib/errors';
import type { RealtimeStream } from '../../lib/realtime/stream';
import type { RealtimeToken, Transcript } from '../../lib/types';

/** The environment the flows read (process.env for the live suite). */
export type LiveEnv = Record<string, string | undefined>;

const AUDIO = path.join(__dirname, '..', '..', 'fixtures', 'audio');
export const audioFile = (name: string): string => path.join(AUDIO, name);

/** Why the live suite cannot run in `env`, or undefined when it can. */
export function skipReason(env: LiveEnv): string | undefined {
  if (!env.SONIOX_API_KEY?.trim())
    return 'SONIOX_API_KEY is not set: the live suite talks to the real Soniox API with your key (see docs/testing.md)';
  return undefined;
}

/** A client configured by `env` alone (key, base URL overrides, SONIOX_RECORD), as a user's would be. */
export function liveClient(env: LiveEnv, options: { apiKey?: string } = {}): SonioxClient {
  return new SonioxClient({ env, ...options });
}

const WAIT = { pollIntervalMs: 200, maxPollIntervalMs: 2_000, timeoutMs: 600_000 };

/** Upload, transcribe with diarization and language identification, transcript, cleanup. */
export async function transcribeFlow(env: LiveEnv): Promise<Transcript> {
  const client = liveClient(env);
  try {
    const transcript = await client.transcribe(audioFile('conversation-two.wav'), {
      ...WAIT,
      enable_speaker_diarization: true,
      enable_language_identification: true,
      awaitCleanup: true,
    });
    expect(transcript.tokens.length, 'tokens').to.be.greaterThan(0);
    expect(transcript.tokens.some((t) => typeof t.speaker === 'string')).to.equal(true);
    expect(transcript.tokens.some((t) => typeof t.language === 'string')).to.equal(true);
    return transcript;
  } finally {
    client.close();
  }
}

/** A two-way translation of the bilingual fixture (English and Spanish). */
export async function translationFlow(env: LiveEnv): Promise<Transcript> {
  const client = liveClient(env);
  try {
    const transcript = await client.transcribe(audioFile('bilingual.wav'), {
      ...WAIT,
      translation: { type: 'two_way', language_a: 'en', language_b: 'es' },
      awaitCleanup: true,
    });
    const translated = transcript.tokens.filter((t) => t.translation_status === 'translation');
    expect(translated.length, 'translation tokens').to.be.greaterThan(0);
    return transcript;
  } finally {
    client.close();
  }
}

/** Runs a file through a realtime stream: its tokens and endpoints. */
async function session(
  stream: RealtimeStream,
  file: string,
): Promise<{ tokens: RealtimeToken[]; endpoints: number }> {
  let endpoints = 0;
  stream.on('endpoint', () => endpoints++);
  fs.createReadStream(file).pipe(stream);
  const tokens: RealtimeToken[] = [];
  for await (const token of stream) tokens.push(token);
  return { tokens, endpoints };
}

/**
 * A realtime session with endpoint detection, the file sent at the pace of its audio (`paced`;
 * the mock specs send it at once, which the mock's cadence rule allows for short files).
 */
export async function realtimeFlow(
  env: LiveEnv,
  paced = true,
): Promise<{ tokens: RealtimeToken[]; endpoints: number }> {
  const client = liveClient(env);
  try {
    const result = await session(
      client.realtime({
        audio_format: 'auto',
        enable_endpoint_detection: true,
        max_endpoint_delay_ms: 500,
        pacing: paced,
      }),
      audioFile('two-phrases.wav'),
    );
    expect(result.tokens.filter((t) => t.is_final).length, 'final tokens').to.be.greaterThan(0);
    expect(result.endpoints, 'endpoints').to.be.greaterThan(0);
    return result;
  } finally {
    client.close();
  }
}

/** A temporary key minted with the account's key opens a realtime session of its own. */
export async function temporaryKeyFlow(env: LiveEnv, paced = true): Promise<RealtimeToken[]> {
  const client = liveClient(env);
  try {
    const key = await client.auth.createTemporaryKey({
      usage_type: 'transcribe_websocket',
      expires_in_seconds: 120,
    });
    expect(key.expires_at).to.be.a('string');
    const temporary = liveClient(env, { apiKey: key.api_key });
    try {
      const { tokens } = await session(
        temporary.realtime({ audio_format: 'auto', pacing: paced }),
        audioFile('hello-world.wav'),
      );
      expect(tokens.filter((t) => t.is_final).length, 'final tokens').to.be.greaterThan(0);
      return tokens;
    } finally {
      temporary.close();
    }
  } finally {
    client.close();
  }
}

/**
 * Webhooks: a transcription with a webhook and its auth header; the delivery reaches a local
 * server on `port` through `url` (a tunnel to it, live; the mock delivers to loopback itself),
 * and the SDK's handler checks the header. Undefined settings: the reason it cannot run.
 */
export function webhookSettings(env: LiveEnv): { url: string; port: number } | string {
  const url = env.SONIOX_LIVE_WEBHOOK_URL;
  const port = Number(env.SONIOX_LIVE_WEBHOOK_PORT);
  if (!url || !Number.isInteger(port) || port <= 0)
    return 'set SONIOX_LIVE_WEBHOOK_URL (a public URL) and SONIOX_LIVE_WEBHOOK_PORT (the local port it forwards to)';
  return { url, port };
}

/** The webhook flow (see webhookSettings); resolves with the delivered event's status. */
export async function webhookFlow(
  env: LiveEnv,
  settings: { url: string; port: number },
): Promise<string> {
  const client = liveClient(env);
  const auth = { name: 'X-Live-Suite', secret: `secret-${Date.now()}` };
  let server: http.Server | undefined;
  try {
    const delivered = new Promise<{ id: string; status: string }>((resolve, reject) => {
      const hook = client.webhooks.handler({
        auth,
        onEvent: (event) => resolve({ id: event.id, status: event.status }),
        onError: reject,
      });
      server = http.createServer((req, res) => void hook(req, res));
    });
    await new Promise<void>((resolve) => server!.listen(settings.port, '127.0.0.1', resolve));
    const port = (server!.address() as AddressInfo).port;
    const url = settings.url.replace('{port}', String(port));
    const file = await client.files.upload(audioFile('hello-world.wav'));
    try {
      const job = await client.transcriptions.create({
        file_id: file.id,
        webhook_url: url,
        webhook_auth_header_name: auth.name,
        webhook_auth_header_value: auth.secret,
      });
      const event = await delivered;
      expect(event.id).to.equal(job.id);
      await client.transcriptions.wait(job.id, WAIT);
      await client.transcriptions.delete(job.id);
      return event.status;
    } finally {
      // Gone already is fine: the mock drops a transcription's file with it.
      await client.files.delete(file.id).catch((error: unknown) => {
        if (!(error instanceof SonioxNotFoundError)) throw error;
      });
    }
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    client.close();
  }
}
