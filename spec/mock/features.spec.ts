import { expect } from 'chai';
import { languageIssues, reportedLanguage, type SpokenWord } from '../../lib/mock/features';

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
});
