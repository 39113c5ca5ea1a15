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
});
