import { expect } from 'chai';
import type { MockServer } from '../../lib/mock';
import type { Transcription } from '../../lib/types';
import { PCM, fixture as audioFixture } from '../audio';
import { fixture, until } from '../helpers';
import { openSession } from './flows';

/**
 * The service fails a transcription whose audio it cannot decode or download: `status: "error"`
 * with `error_type` and `error_message` ("non-null only when status = error"); a realtime session
 * ends with the error frame. The mock did the same only for an empty file and a URL saying "fail".
 */

/** Deterministic noise: bytes no container starts with and no audio looks like. */
function noise(length: number): Buffer {
  let x = 12345;
  return Buffer.from(
    Array.from({ length }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16) & 255),
  );
}
const TEXT = Buffer.from('Minutes of the meeting.\nPresent: everybody.\n'.repeat(200));
/** An MP3 as the mock sees one: an ID3 tag, then frames it does not decode. */
const MP3 = Buffer.concat([
  Buffer.from('ID3\u0004\u0000\u0000\u0000\u0000\u0000\u0000'),
  Buffer.alloc(32_000, 7),
]);

/** Creates a transcription (of `body`), waits until it ends, and returns it. */
async function transcribe(server: MockServer, body: object): Promise<Transcription> {
  const res = await fetch(`${server.url}/v1/transcriptions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'stt-async-v5', ...body }),
  });
  const { id } = (await res.json()) as { id: string };
  const job = () => server.state.transcriptions.get(id)?.transcription;
  await until(() => job()?.status === 'completed' || job()?.status === 'error');
  return job() as Transcription;
}

async function transcribeBytes(server: MockServer, bytes: Buffer, name: string) {
  const form = new FormData();
  form.append('file', new Blob([bytes]), name);
  const res = await fetch(`${server.url}/v1/files`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${server.apiKey}` },
    body: form,
  });
  const { id } = (await res.json()) as { id: string };
  return transcribe(server, { file_id: id });
}

describe('mock: audio it cannot decode or download fails as the service fails it', () => {
  const t = fixture({ mock: { realtimePacing: false } });

  describe('async', () => {
    for (const [what, bytes, name] of [
      ['a text file', TEXT, 'minutes.txt'],
      ['random bytes', noise(48_000), 'mystery.bin'],
      ['random bytes named .wav', noise(48_000), 'call.wav'],
    ] as const) {
      it(`fails ${what} with status error, error_type and error_message`, async () => {
        const job = await transcribeBytes(t.server, bytes, name);
        expect(job.status).to.equal('error');
        expect(job.error_type).to.equal('audio_decode_error');
        expect(job.error_message).to.be.a('string').and.not.equal('');
      });
    }

    for (const [what, bytes, name] of [
      ['a fixture WAV', audioFixture('hello-world.wav').wav, 'hello.wav'],
      ['an MP3 (by its ID3 tag)', MP3, 'song.mp3'],
      ['headerless 16-bit PCM', audioFixture('weather.wav').pcm, 'weather.raw'],
      ['quiet headerless PCM', Buffer.alloc(4_000, 1), 'quiet.raw'],
    ] as const) {
      it(`still transcribes ${what}`, async () => {
        const job = await transcribeBytes(t.server, bytes, name);
        expect(job).to.include({ status: 'completed', error_type: null, error_message: null });
      });
    }

    for (const url of [
      'https://audio.invalid/a.wav',
      'http://127.0.0.1:9/a.wav',
      'http://localhost/a.wav',
      'http://192.168.1.20/a.wav',
      'https://intranet/a.wav',
    ]) {
      it(`fails an audio_url it cannot resolve: ${url}`, async () => {
        const job = await transcribe(t.server, { audio_url: url });
        expect(job).to.include({ status: 'error', error_type: 'audio_download_error' });
        expect(job.error_message).to.be.a('string').and.not.equal('');
      });
    }

    it('still transcribes a public audio_url (never fetched: placeholder audio)', async () => {
      const job = await transcribe(t.server, { audio_url: 'https://example.com/a.mp3' });
      expect(job.status).to.equal('completed');
    });
  });

  describe('realtime', () => {
    for (const [what, format, bytes] of [
      ['text sent as audio_format auto', 'auto', TEXT],
      ['random bytes sent as mp3', 'mp3', noise(16_000)],
      ['random bytes sent as wav', 'wav', noise(16_000)],
    ] as const) {
      it(`ends a session of ${what} with the documented 400 error frame`, async () => {
        const s = await openSession(t.server, { model: 'stt-rt-v5', audio_format: format });
        s.ws.send(bytes);
        s.ws.send('');
        await s.closed();
        const last = s.messages.at(-1) as unknown as Record<string, unknown>;
        expect(Object.keys(last).sort()).to.deep.equal(['error_code', 'error_message']);
        expect(last.error_code).to.equal(400);
      });
    }

    for (const [what, start, bytes] of [
      ['an MP3 by its ID3 tag', { audio_format: 'mp3' }, MP3],
      ['a WAV as auto', { audio_format: 'auto' }, audioFixture('hello-world.wav').wav],
      ['random bytes as the declared raw pcm_s16le (any bytes are samples)', PCM, noise(16_000)],
    ] as const) {
      it(`still answers ${what}`, async () => {
        const s = await openSession(t.server, { model: 'stt-rt-v5', ...start });
        s.ws.send(bytes);
        s.ws.send('');
        await s.closed();
        expect(s.messages.at(-1)).to.include({ finished: true });
      });
    }
  });
});
