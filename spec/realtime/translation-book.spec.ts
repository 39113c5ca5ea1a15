/**
 * The realtime translation book, unit by unit: texts per language kept apart, the one-way
 * translation only while there is one target language, pairs only of translated runs, and no
 * token kept for pairing in a session without translation.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { TranslationBook } from '../../lib/realtime/translation';
import { TranslationPairer } from '../../lib/transcript/translation';
import type { RealtimeToken } from '../../lib/types';
import { translated } from '../transcript/tokens';

const said = (text: string, language?: string, status?: 'original' | 'none'): RealtimeToken => ({
  text,
  is_final: true,
  start_ms: 0,
  end_ms: 100,
  ...(language ? { language } : {}),
  ...(status ? { translation_status: status } : {}),
});
describe('realtime/translation: the translation book', () => {
  afterEach(() => sinon.restore());

  it('files text without a language under the empty key', () => {
    const book = new TranslationBook();
    book.accept(said('hi'));
    expect(book.originals).to.deep.equal({ '': 'hi' });
    expect(book.translations).to.deep.equal({});
  });

  it('gives one translation only while there is a single target language', () => {
    const book = new TranslationBook();
    expect(book.translation).to.equal('');
    book.accept(said('Hello', 'en', 'original'));
    book.accept(translated('Hola', '1', 'es', 'en'));
    expect(book.translation).to.equal('Hola');
    book.accept(said(' Bonjour', 'fr', 'original'));
    book.accept(translated(' Hello', '1', 'en', 'fr'));
    expect(book.translation).to.equal('');
    expect(book.translations).to.deep.equal({ es: 'Hola', en: 'Hello' });
  });

  it("starts each language's text with its first word, not the space its first token carried", () => {
    // Two-way translation: a language's first token comes mid-sentence, after another language's.
    const book = new TranslationBook();
    book.accept(said('Good', 'en', 'original'));
    book.accept(said(' afternoon', 'en', 'original'));
    book.accept(said(' buenas', 'es', 'original'));
    book.accept(said(' tardes', 'es', 'original'));
    book.accept(translated(' Buenas', '1', 'es', 'en'));
    book.accept(translated(' tardes', '1', 'es', 'en'));
    expect(book.originals).to.deep.equal({ en: 'Good afternoon', es: 'buenas tardes' });
    expect(book.translations).to.deep.equal({ es: 'Buenas tardes' });
    expect(book.translation).to.equal('Buenas tardes');
  });

  it('pairs translated runs only, and none at all without translation', () => {
    const book = new TranslationBook();
    expect(book.pairs).to.deep.equal([]);
    book.accept(said('Hello', 'en', 'original'));
    book.accept(translated('Hola', '1', 'es', 'en'));
    book.accept(said(' señor', 'es', 'none'));
    expect(book.pairs.map((p) => [p.original?.text, p.translation?.text])).to.deep.equal([
      ['Hello', 'Hola'],
    ]);
  });

  it('pairs a translation whose original came before the pairing began (after a resume)', () => {
    const book = new TranslationBook();
    book.accept(translated('Hola', '1', 'es', 'en'));
    expect(book.pairs.map((p) => [p.original, p.translation?.text])).to.deep.equal([
      [undefined, 'Hola'],
    ]);
  });

  it('keeps no token for pairing in a session without translation', () => {
    const push = sinon.spy(TranslationPairer.prototype, 'push');
    const book = new TranslationBook();
    book.accept(said('Hello', 'en'));
    book.accept(said(' there', 'en', 'none'));
    expect(push.callCount).to.equal(0);
    book.accept(said(' friend', 'en', 'original'));
    expect(push.callCount).to.equal(1);
  });
});
