import { expect } from 'chai';
import {
  languageIssues,
  originalFields,
  reportedLanguage,
  translationTokens,
  type SpokenWord,
} from '../../lib/mock/features';

/**
 * What the mock checks and reports of a request's languages (docs/api.md: hints and translation
 * languages the model does not list are refused; `language_hints_strict` confines recognition
 * to the hinted languages).
 */
const MODEL = 'stt-async-v5';
const word: SpokenWord = {
  text: 'hola',
  start_ms: 0,
  end_ms: 300,
  confidence: 0.95,
  speaker: '1',
  language: 'es',
  segment: 0,
};

describe('mock/features: the languages of a request', () => {
  it('refuses an unsupported language on either side of a two-way translation, naming that side', () => {
    expect(
      languageIssues(MODEL, {
        translation: { type: 'two_way', language_a: 'xx', language_b: 'en' },
      }),
    ).to.deep.equal([
      { field: 'translation.language_a', message: 'Unsupported translation language "xx".' },
    ]);
    expect(
      languageIssues(MODEL, {
        translation: { type: 'two_way', language_a: 'en', language_b: 'yy' },
      }),
    ).to.deep.equal([
      { field: 'translation.language_b', message: 'Unsupported translation language "yy".' },
    ]);
    expect(
      languageIssues(MODEL, {
        translation: { type: 'two_way', language_a: 'en', language_b: 'es' },
      }),
    ).to.deep.equal([]);
  });

  it('leaves the languages of an unknown model alone: the model check answers for it', () => {
    expect(languageIssues('no-such-model', { language_hints: ['xx'] })).to.deep.equal([]);
  });

  it('reports the spoken language under strict hints when no hint is given', () => {
    expect(reportedLanguage(word, { language_hints_strict: true })).to.equal('es');
    expect(reportedLanguage(word, { language_hints_strict: true, language_hints: [] })).to.equal(
      'es',
    );
    expect(
      reportedLanguage(word, { language_hints_strict: true, language_hints: ['en'] }),
    ).to.equal('en');
  });

  it('translates a two-way segment into its other language, and marks no token of an untranslated request', () => {
    const twoWay = { type: 'two_way' as const, language_a: 'en', language_b: 'es' };
    const tokens = translationTokens([word], { en: 'hello' }, { translation: twoWay }, true);
    expect(tokens.map((t) => [t.text, t.language, t.source_language])).to.deep.equal([
      ['hello', 'en', 'es'],
    ]);
    const french = { ...word, language: 'fr' };
    expect(
      translationTokens([french], { en: 'hello' }, { translation: twoWay }, true),
    ).to.deep.equal([]);
    expect(originalFields(word, {})).to.deep.equal({});
    expect(originalFields(word, { enable_speaker_diarization: true })).to.deep.equal({
      speaker: '1',
    });
  });

  it("gives translation tokens their segment's speaker only with diarization", () => {
    const translation = { type: 'one_way' as const, target_language: 'en' };
    const [with_] = translationTokens(
      [word],
      undefined,
      {
        translation,
        enable_speaker_diarization: true,
      },
      true,
    );
    const [without] = translationTokens([word], undefined, { translation }, true);
    expect(with_?.speaker).to.equal('1');
    expect(without).to.not.have.property('speaker');
  });

  it('makes no empty token of a manifest translation with doubled spaces', () => {
    const translation = { type: 'one_way' as const, target_language: 'en' };
    const tokens = translationTokens([word], { en: 'hello  there ' }, { translation }, true);
    expect(tokens.map((t) => t.text)).to.deep.equal(['hello', ' there']);
  });
});
