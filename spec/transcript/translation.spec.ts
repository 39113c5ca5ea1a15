import { expect } from 'chai';
import { pairTranslations, splitTranslation } from '../../lib/transcript';
import { ONE_WAY, TWO_WAY, said, translated } from './tokens';

describe('transcript: translation', () => {
  it('two-way realtime finals: each translation paired with the original it translates, languages apart', () => {
    const pairs = pairTranslations(TWO_WAY);
    expect(
      pairs.map((p) => [
        p.original?.language,
        p.original?.text,
        p.translation?.language,
        p.translation?.text,
      ]),
    ).to.deep.equal([
      ['en', 'Good morning.', 'es', 'Buenos días.'],
      ['es', 'Hola amigo', 'en', 'Hello friend'],
    ]);
    expect(pairs[0]?.original).to.include({ start_ms: 120, end_ms: 620, speaker: '1' });
    expect(pairs[1]?.translation).to.include({ source_language: 'es', speaker: '2' });
  });

  it('two-way: the original text and each target language kept apart, never one mixed string', () => {
    expect(splitTranslation(TWO_WAY)).to.deep.equal({
      original: 'Good morning. Hola amigo',
      originalByLanguage: { en: 'Good morning.', es: 'Hola amigo' },
      translations: { es: 'Buenos días.', en: 'Hello friend' },
    });
  });

  it('one-way async transcript: words not to be translated stand alone, translations pair with their originals', () => {
    expect(
      pairTranslations(ONE_WAY).map((p) => [p.original?.text, p.translation?.text]),
    ).to.deep.equal([
      ['Good night', 'Bonne nuit'],
      ['merci', undefined],
      ['see you', 'À bientôt'],
    ]);
    expect(splitTranslation(ONE_WAY)).to.deep.equal({
      original: 'Good night merci see you',
      originalByLanguage: { en: 'Good night see you', fr: 'merci' },
      translations: { fr: 'Bonne nuit À bientôt' },
    });
  });

  it('a translation that arrives after the endpoint still pairs with its original', () => {
    const late = [
      said('Yes', 0, 200, '1', 'en', 'original'),
      { text: '<end>', is_final: true },
      translated('Sí', '1', 'es', 'en'),
      said(' ok', 900, 1_000, '1', 'en', 'original'),
    ];
    expect(
      pairTranslations(late).map((p) => [p.original?.text, p.translation?.text]),
    ).to.deep.equal([
      ['Yes', 'Sí'],
      ['ok', undefined],
    ]);
  });

  it('without translation: one unpaired original per run, empty translations', () => {
    const plain = [said('Hi', 0, 100, '1', 'en'), said(' all', 100, 200, '1', 'en')];
    expect(pairTranslations(plain).map((p) => [p.original?.text, p.translation])).to.deep.equal([
      ['Hi all', undefined],
    ]);
    expect(splitTranslation(plain)).to.deep.equal({
      original: 'Hi all',
      originalByLanguage: { en: 'Hi all' },
      translations: {},
    });
    expect(pairTranslations([])).to.deep.equal([]);
  });

  it('two-way: a translation that comes after the other side began still pairs by its source language', () => {
    const interleaved = [
      said('Yes', 0, 200, '1', 'en', 'original'),
      said('Hola', 300, 500, '2', 'es', 'original'),
      translated('Sí', '1', 'es', 'en'),
      translated('Hello', '2', 'en', 'es'),
    ];
    expect(
      pairTranslations(interleaved).map((p) => [p.original?.text, p.translation?.text]),
    ).to.deep.equal([
      ['Yes', 'Sí'],
      ['Hola', 'Hello'],
    ]);
  });
  it('pairs a translation whose original it never saw as a pair of its own, in one run', () => {
    const noSource = (text: string) => ({
      text,
      is_final: true,
      translation_status: 'translation' as const,
    });
    const first = translated('Hola', '1', 'es', 'en');
    const pairs = pairTranslations([first, translated(' amigo', '1', 'es', 'en')]);
    expect(pairs).to.have.length(1);
    expect(pairs[0]?.original).to.equal(undefined);
    expect(pairs[0]?.translation?.text).to.equal('Hola amigo');
    expect(pairs[0]?.translation?.tokens).to.have.length(2);
    // Without a source language, a translation run belongs to the latest run, whole.
    const latest = pairTranslations([
      said('Hi', 0, 100, '1', 'en', 'original'),
      noSource('Ho'),
      noSource('la'),
    ]);
    expect(
      latest.map((p) => [
        p.original?.kind,
        p.original?.text,
        p.translation?.kind,
        p.translation?.text,
      ]),
    ).to.deep.equal([['original', 'Hi', 'translation', 'Hola']]);
    expect(latest[0]?.translation?.tokens.map((t) => t.text)).to.deep.equal(['Ho', 'la']);
  });

  it("keeps words not to be translated ('none') in a run apart from words that are", () => {
    const pairs = pairTranslations([
      said('Hello', 0, 100, '1', 'en', 'original'),
      said(' OK', 100, 200, '1', 'en', 'none'),
      said(' fine', 200, 300, '1', 'en', 'none'),
      said(' then', 300, 400, '1', 'en', 'original'),
    ]);
    expect(pairs.map((p) => p.original?.text)).to.deep.equal(['Hello', 'OK fine', 'then']);
  });

  it('makes no pair of a run without text, and files text without a language under no language', () => {
    expect(pairTranslations([said(' ', 0, 100, '1', 'en', 'original')])).to.deep.equal([]);
    const unnamed = [
      { text: 'Hi', is_final: true },
      { text: ' there', is_final: true },
    ];
    expect(splitTranslation(unnamed)).to.deep.equal({
      original: 'Hi there',
      originalByLanguage: {},
      translations: {},
    });
  });
});
