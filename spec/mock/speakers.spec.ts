import { expect } from 'chai';
import { fixture as audioFixture } from '../audio';
import { fixture, until } from '../helpers';
import { finalsOf, streamFixture, transcribeFixture } from './flows';

/** Speaker of each word of a fixture, from its manifest. */
const speakersOf = (name: string) => audioFixture(name).words.map((w) => w.speaker);

describe('mock: speaker diarization', () => {
  const t = fixture({ mock: { realtimePacing: false } });

  it('async: with diarization, each token carries the fixture speaker of its word (two voices)', async () => {
    const tokens = await transcribeFixture(t.server, 'conversation-two.wav', {
      enable_speaker_diarization: true,
    });
    expect(tokens.map((x) => x.speaker)).to.deep.equal(speakersOf('conversation-two.wav'));
    expect(new Set(tokens.map((x) => x.speaker))).to.deep.equal(new Set(['1', '2']));
  });

  it('realtime: with diarization, final tokens carry the three speakers of the conversation', async () => {
    const messages = await streamFixture(t.server, 'conversation-three.wav', {
      enable_speaker_diarization: true,
    });
    const words = finalsOf(messages);
    expect(words.map((x) => x.text.trim())).to.deep.equal(
      audioFixture('conversation-three.wav').words.map((w) => w.text),
    );
    expect(words.map((x) => x.speaker)).to.deep.equal(speakersOf('conversation-three.wav'));
    expect(new Set(words.map((x) => x.speaker))).to.deep.equal(new Set(['1', '2', '3']));
  });

  it('without diarization, no token has a speaker field at all (async and realtime)', async () => {
    const tokens = await transcribeFixture(t.server, 'conversation-two.wav');
    const messages = await streamFixture(t.server, 'conversation-two.wav');
    for (const token of [...tokens, ...messages.flatMap((m) => m.tokens)])
      expect(token).not.to.have.property('speaker');
  });

  it('unknown audio: speakers alternate 1, 2, 1 per segment of five placeholder words', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(32_000 * 6, 1)]), 'noise.raw');
    const auth = { Authorization: `Bearer ${t.server.apiKey}` };
    const file = (await (
      await fetch(`${t.server.url}/v1/files`, { method: 'POST', headers: auth, body: form })
    ).json()) as { id: string };
    const job = (await (
      await fetch(`${t.server.url}/v1/transcriptions`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          model: 'stt-async-v5',
          file_id: file.id,
          enable_speaker_diarization: true,
        }),
      })
    ).json()) as { id: string };
    await until(
      () => t.server.state.transcriptions.get(job.id)?.transcription.status === 'completed',
    );
    const tokens = t.server.state.transcriptions.get(job.id)?.tokens ?? [];
    expect(tokens).to.have.length(15);
    expect(tokens.map((x) => x.speaker).join('')).to.equal('111112222211111');
  });
});
