/**
 * How an utterance ends and what it carries (docs/realtime.md "Segments, utterances,
 * translation and subtitles"): the end that closed it, even when it was held for its
 * translation; its translations per target language; its final tokens.
 */
import { expect } from 'chai';
import { UtteranceBuffer, type UtteranceInput } from '../../lib/transcript';
import type { RealtimeToken } from '../../lib/types';
import { END, FIN, said, translated } from './tokens';

const ends = (buffer: UtteranceBuffer, items: UtteranceInput[]) =>
  items.flatMap((item) => buffer.push(item)).map((u) => [u.text, u.end]);

describe('transcript: utterance ends and contents', () => {
  it('an utterance held at a finalize for its translation still ends as finalized', () => {
    const buffer = new UtteranceBuffer();
    const done = ends(buffer, [
      said('Yes', 0, 200, '1', 'en', 'original'),
      FIN,
      translated('Sí', '1', 'es', 'en'),
      said(' ok', 900, 1_000, '1', 'en'),
    ]);
    expect(done).to.deep.equal([['Yes', 'finalized']]);
  });

  it('flush() gives an utterance held for its translation, with the translation and its own end', () => {
    const buffer = new UtteranceBuffer();
    ends(buffer, [
      said('Yes', 0, 200, '1', 'en', 'original'),
      END,
      translated('Sí', '1', 'es', 'en'),
    ]);
    const [held, ...rest] = buffer.flush();
    expect(rest).to.deep.equal([]);
    expect(held).to.include({ text: 'Yes', end: 'endpoint' });
    expect(held?.translations).to.deep.equal([{ language: 'es', text: 'Sí' }]);
  });

  it('a second end releases the held utterance and makes no empty one', () => {
    const buffer = new UtteranceBuffer();
    const done = ends(buffer, [
      said('Yes', 0, 200, '1', 'en', 'original'),
      { marker: 'endpoint' },
      translated('Sí', '1', 'es', 'en'),
      { marker: 'finalized' },
    ]);
    expect(done).to.deep.equal([['Yes', 'endpoint']]);
    expect(buffer.flush()).to.deep.equal([]);
  });

  it('an utterance whose translation came before its end is not held', () => {
    const buffer = new UtteranceBuffer();
    const done = ends(buffer, [
      said('Yes', 0, 200, '1', 'en', 'original'),
      translated('Sí', '1', 'es', 'en'),
      END,
    ]);
    expect(done).to.deep.equal([['Yes', 'endpoint']]);
  });

  it('words not to be translated are not held for a translation', () => {
    const buffer = new UtteranceBuffer();
    expect(ends(buffer, [said('Hola', 0, 200, '1', 'es', 'none'), END])).to.deep.equal([
      ['Hola', 'endpoint'],
    ]);
  });

  it('a translation in two chunks reads as one text; two target languages in order of appearance', () => {
    const buffer = new UtteranceBuffer();
    const [u] = [
      said('Good', 0, 200, '1', 'en', 'original'),
      translated('Buenas', '1', 'es', 'en'),
      said(' hola', 300, 500, '2', 'es', 'original'),
      translated(' hello', '2', 'en', 'es'),
      said(' night', 600, 800, '1', 'en', 'original'),
      translated(' noches', '1', 'es', 'en'),
      END,
    ].flatMap((item) => buffer.push(item));
    expect(u?.text).to.equal('Good hola night');
    expect(u?.translations).to.deep.equal([
      { language: 'es', text: 'Buenas noches' },
      { language: 'en', text: 'hello' },
    ]);
  });

  it("an utterance's tokens are its final spoken and translated tokens, no specials, no non-finals", () => {
    const buffer = new UtteranceBuffer();
    const provisional: RealtimeToken = { ...translated(' más', '1', 'es', 'en'), is_final: false };
    const yes = said('Yes', 0, 200, '1', 'en', 'original');
    const si = translated('Sí', '1', 'es', 'en');
    const [u] = [yes, provisional, si, END].flatMap((item) => buffer.push(item));
    expect(u?.tokens).to.deep.equal([yes, si]);
    expect(u?.translations).to.deep.equal([{ language: 'es', text: 'Sí' }]);
  });

  it('an end after translation tokens alone yields no utterance', () => {
    const buffer = new UtteranceBuffer();
    expect(ends(buffer, [translated('Sí', '1', 'es', 'en'), END])).to.deep.equal([]);
    expect(buffer.flush()).to.deep.equal([]);
  });

  it('an utterance of words without timings has no times', () => {
    const buffer = new UtteranceBuffer();
    const untimed: RealtimeToken = { text: 'Hi', is_final: true };
    const [u] = buffer.push(untimed);
    expect(u).to.equal(undefined);
    const [flushed] = buffer.flush();
    expect(flushed).to.include({ text: 'Hi', end: 'flush' });
    expect(flushed).to.not.have.any.keys('start_ms', 'end_ms', 'speaker', 'language');
  });
});
