import { expect } from 'chai';
import { fixture as audioFixture } from '../audio';
import { fixture } from '../helpers';
import { finalsOf, openSession, streamFixture, transcribeFixture } from './flows';

describe('mock: language identification and hints', () => {
  // These specs read the error frame's error_type: the rich shape.
  const t = fixture({ mock: { realtimePacing: false, realtimeErrorShape: 'rich' } });
  const languagesOf = (name: string) => audioFixture(name).words.map((w) => w.language);

  it('async: with identification, each token of the bilingual fixture carries its language', async () => {
    const tokens = await transcribeFixture(t.server, 'bilingual.wav', {
      enable_language_identification: true,
    });
    expect(tokens.map((x) => x.language)).to.deep.equal(languagesOf('bilingual.wav'));
    expect(new Set(tokens.map((x) => x.language))).to.deep.equal(new Set(['en', 'es']));
  });

  it('realtime: with identification, each final token carries its language; off, none has one', async () => {
    const on = finalsOf(
      await streamFixture(t.server, 'bilingual.wav', { enable_language_identification: true }),
    );
    expect(on.map((x) => x.language)).to.deep.equal(languagesOf('bilingual.wav'));
    const off = await streamFixture(t.server, 'bilingual.wav');
    for (const token of off.flatMap((m) => m.tokens))
      expect(token).not.to.have.property('language');
  });

  it('strict hints report speech in another language as the first hint', async () => {
    const tokens = await transcribeFixture(t.server, 'bilingual.wav', {
      enable_language_identification: true,
      language_hints: ['es'],
      language_hints_strict: true,
    });
    expect(new Set(tokens.map((x) => x.language))).to.deep.equal(new Set(['es']));
    const loose = await transcribeFixture(t.server, 'bilingual.wav', {
      enable_language_identification: true,
      language_hints: ['es'],
    });
    expect(loose.map((x) => x.language)).to.deep.equal(languagesOf('bilingual.wav'));
  });

  it("async: a hint the model does not list is refused with the API's 400 body", async () => {
    const res = await fetch(`${t.server.url}/v1/transcriptions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.server.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        model: 'stt-async-v5',
        audio_url: 'https://example.com/a.mp3',
        language_hints: ['en', 'fil'],
        translation: { type: 'one_way', target_language: 'xx' },
      }),
    });
    expect(res.status).to.equal(400);
    const body = (await res.json()) as { error_type: string; validation_errors: unknown[] };
    expect(body.error_type).to.equal('invalid_request');
    expect(body.validation_errors).to.deep.equal([
      {
        error_type: 'value_error',
        location: 'body.payload.language_hints.1',
        message: 'Invalid language hint "fil".',
      },
      {
        error_type: 'value_error',
        location: 'body.payload.translation.target_language',
        message: 'Unsupported translation language "xx".',
      },
    ]);
    expect(t.server.state.transcriptions.size).to.equal(0);
  });

  it('realtime: a hint the model does not list ends the session with a 400 error frame', async () => {
    const s = await openSession(t.server, {
      model: 'stt-rt-v5',
      audio_format: 'pcm_s16le',
      sample_rate: 16000,
      num_channels: 1,
      language_hints: ['fil'],
    });
    await s.closed();
    expect(s.messages).to.have.length(1);
    expect(s.messages[0]).to.include({
      error_code: 400,
      error_type: 'invalid_request',
      error_message: 'Invalid language hint "fil".',
    });
  });
});
