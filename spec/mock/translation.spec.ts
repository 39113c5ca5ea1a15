import { expect } from 'chai';
import type { TranscriptToken } from '../../lib/types';
import { fixture } from '../helpers';
import { finalsOf, streamFixture, transcribeFixture, transcriptOfFixture } from './flows';

const textOf = (tokens: TranscriptToken[], status: string) =>
  tokens
    .filter((x) => x.translation_status === status)
    .map((x) => x.text)
    .join('');

describe('mock: translation', () => {
  const t = fixture({ mock: { realtimePacing: false } });

  it('async one_way: originals marked original, then each phrase translated, without timings', async () => {
    const tokens = await transcribeFixture(t.server, 'two-phrases.wav', {
      translation: { type: 'one_way', target_language: 'es' },
    });
    expect(tokens.map((x) => x.text)).to.deep.equal([
      'good',
      ' morning',
      'buenos',
      ' dias',
      ' how',
      ' are',
      ' you',
      ' como',
      ' estas',
    ]);
    expect(textOf(tokens, 'original')).to.equal('good morning how are you');
    expect(textOf(tokens, 'translation')).to.equal('buenos dias como estas');
    for (const x of tokens.filter((y) => y.translation_status === 'translation')) {
      expect(x).to.include({ language: 'es', source_language: 'en' });
      expect(x).not.to.have.any.keys('start_ms', 'end_ms');
    }
    for (const x of tokens.filter((y) => y.translation_status === 'original'))
      expect(x)
        .to.include({ language: 'en' })
        .and.to.have.keys(
          'text',
          'start_ms',
          'end_ms',
          'confidence',
          'language',
          'translation_status',
        );
  });

  it("async: the transcript's text keeps a space where a translation follows its original", async () => {
    const { text } = await transcriptOfFixture(t.server, 'bilingual.wav', {
      translation: { type: 'two_way', language_a: 'en', language_b: 'es' },
    });
    expect(text).to.equal(
      'good afternoon everyone buenas tardes a todos buenas tardes a todos good afternoon everyone',
    );
  });

  it('async two_way: each language translated into the other; one_way to the spoken language is none', async () => {
    const two = await transcribeFixture(t.server, 'bilingual.wav', {
      translation: { type: 'two_way', language_a: 'en', language_b: 'es' },
    });
    const translations = two.filter((x) => x.translation_status === 'translation');
    expect(translations.map((x) => `${x.source_language}>${x.language}`)).to.include.members([
      'en>es',
      'es>en',
    ]);
    expect(textOf(two, 'translation')).to.equal('buenas tardes a todos good afternoon everyone');
    const same = await transcribeFixture(t.server, 'hello-world.wav', {
      translation: { type: 'one_way', target_language: 'en' },
    });
    expect(same.every((x) => x.translation_status === 'none' && x.language === 'en')).to.equal(
      true,
    );
  });

  it('realtime one_way: final translation tokens follow each phrase, with speaker when diarized', async () => {
    const finals = finalsOf(
      await streamFixture(t.server, 'conversation-two.wav', {
        translation: { type: 'one_way', target_language: 'fr' },
        enable_speaker_diarization: true,
      }),
    );
    const translated = finals.filter((x) => x.translation_status === 'translation');
    expect(translated.map((x) => x.text).join('')).to.equal(
      'salut comment ca va je vais bien merci content de l entendre',
    );
    expect(
      translated.every((x) => x.start_ms === undefined && x.source_language === 'en'),
    ).to.equal(true);
    expect([...new Set(translated.map((x) => x.speaker))]).to.deep.equal(['1', '2']);
    // The first phrase's translation comes before the second phrase's first word.
    const order = finals.map((x) => x.translation_status);
    expect(order.indexOf('translation')).to.be.below(order.lastIndexOf('original'));
  });

  it('a target language the fixture has no translation for gets the documented placeholder "[target] original words"', async () => {
    const tokens = await transcribeFixture(t.server, 'hello-world.wav', {
      translation: { type: 'one_way', target_language: 'de' },
    });
    expect(textOf(tokens, 'translation')).to.equal('[de] hello world this is a test');
  });
});
