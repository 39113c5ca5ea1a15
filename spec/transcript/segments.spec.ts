import { expect } from 'chai';
import { segments, type Segment } from '../../lib/transcript';
import type { RealtimeToken } from '../../lib/types';
import { DIARIZED, END, FIN, ONE_WAY, said, TWO_WAY } from './tokens';

/** The parts of a segment a reader looks at (tokens left out). */
const view = ({ tokens: _tokens, ...rest }: Segment) => rest;

describe('transcript: segments', () => {
  it('splits an async transcript at each change of speaker, joining sub-word tokens', () => {
    expect(segments(DIARIZED, { by: ['speaker'] }).map(view)).to.deep.equal([
      {
        kind: 'original',
        text: 'Hello there.',
        start_ms: 10,
        end_ms: 500,
        speaker: '1',
        language: 'en',
      },
      { kind: 'original', text: 'Bonjour and hi', start_ms: 900, end_ms: 3_600, speaker: '2' },
    ]);
  });

  it('splits at each change of language; a segment names its language only when it has one', () => {
    expect(segments(DIARIZED, { by: ['language'] }).map((s) => [s.language, s.text])).to.deep.equal(
      [
        ['en', 'Hello there.'],
        ['fr', 'Bonjour'],
        ['en', 'and hi'],
      ],
    );
  });

  it('by default splits at speaker, language and utterance ends; pauseMs also splits at a silence', () => {
    expect(segments(DIARIZED).map((s) => s.text)).to.deep.equal([
      'Hello there.',
      'Bonjour',
      'and hi',
    ]);
    expect(segments(DIARIZED, { pauseMs: 2_000 }).map((s) => s.text)).to.deep.equal([
      'Hello there.',
      'Bonjour',
      'and',
      'hi',
    ]);
    expect(segments(DIARIZED, { by: [] }).map((s) => s.text)).to.deep.equal([
      'Hello there. Bonjour and hi',
    ]);
  });

  it('splits realtime finals at <end> and <fin>, never shows special tokens, ignores non-final tokens', () => {
    const tokens: RealtimeToken[] = [
      said('Yes', 0, 200, '1', 'en'),
      END,
      said(' no', 500, 700, '1', 'en'),
      { text: ' may', start_ms: 700, end_ms: 800, is_final: false },
      FIN,
      END,
      said(' stop', 900, 1_000, '1', 'en'),
    ];
    expect(segments(tokens).map((s) => [s.text, s.start_ms, s.end_ms])).to.deep.equal([
      ['Yes', 0, 200],
      ['no', 500, 700],
      ['stop', 900, 1_000],
    ]);
    expect(segments(tokens, { by: ['speaker'] }).map((s) => s.text)).to.deep.equal(['Yes no stop']);
  });

  it('never mixes translation tokens into original segments; kind: translation segments them apart', () => {
    const originals = segments(TWO_WAY);
    expect(originals.map((s) => [s.speaker, s.language, s.text])).to.deep.equal([
      ['1', 'en', 'Good morning.'],
      ['2', 'es', 'Hola amigo'],
    ]);
    expect(originals.every((s) => s.tokens.every((t) => t.translation_status !== 'translation'))).to
      .be.true;
    const translations = segments(TWO_WAY, { kind: 'translation' });
    expect(translations.map(view)).to.deep.equal([
      {
        kind: 'translation',
        text: 'Buenos días.',
        speaker: '1',
        language: 'es',
        source_language: 'en',
      },
      {
        kind: 'translation',
        text: 'Hello friend',
        speaker: '2',
        language: 'en',
        source_language: 'es',
      },
    ]);
  });

  it('keeps tokens not to be translated (translation_status none) with the originals', () => {
    expect(segments(ONE_WAY, { by: ['language'] }).map((s) => s.text)).to.deep.equal([
      'Good night',
      'merci',
      'see you',
    ]);
    expect(segments(ONE_WAY, { kind: 'translation', by: [] }).map((s) => s.text)).to.deep.equal([
      'Bonne nuit À bientôt',
    ]);
  });

  it('a word without a speaker or language neither splits a turn nor hides who spoke it', () => {
    const tokens = [
      { text: 'Yes', start_ms: 0, end_ms: 100, speaker: '1', language: 'en' },
      { text: ' uh', start_ms: 100, end_ms: 200 },
      { text: ' ok', start_ms: 200, end_ms: 300, speaker: '', language: null },
      { text: ' no', start_ms: 300, end_ms: 400, speaker: '2', language: 'en' },
    ];
    expect(segments(tokens).map((s) => [s.speaker, s.language, s.text])).to.deep.equal([
      ['1', 'en', 'Yes uh ok'],
      ['2', 'en', 'no'],
    ]);
    const [alone] = segments([{ text: 'hm', speaker: '', language: '' }]);
    expect(alone).to.not.have.property('speaker');
    expect(alone).to.not.have.property('language');
    expect(alone).to.not.have.property('start_ms');
    expect(alone).to.not.have.property('end_ms');
  });

  it('a silence of exactly pauseMs splits; a shorter one does not; timings span the whole run', () => {
    const tokens = [
      { text: 'a', start_ms: 100, end_ms: 900 },
      // Overlaps the first: the run still ends at 900.
      { text: ' b', start_ms: 200, end_ms: 500 },
      { text: ' c', start_ms: 1_400, end_ms: 1_500 },
      { text: ' d', start_ms: 2_000, end_ms: 2_100 },
    ];
    const runs = (pauseMs: number) =>
      segments(tokens, { pauseMs }).map((s) => [s.text, s.start_ms, s.end_ms]);
    expect(runs(500)).to.deep.equal([
      ['a b', 100, 900],
      ['c', 1_400, 1_500],
      ['d', 2_000, 2_100],
    ]);
    expect(runs(501)).to.deep.equal([['a b c d', 100, 2_100]]);
    // After a split the silence is measured in the new turn only, even when another speaker
    // still talks over it.
    expect(
      segments(
        [
          { text: 'x', start_ms: 0, end_ms: 1_000, speaker: '1' },
          { text: ' y', start_ms: 100, end_ms: 200, speaker: '2' },
          { text: ' z', start_ms: 400, end_ms: 500, speaker: '2' },
        ],
        { pauseMs: 150 },
      ).map((s) => s.text),
    ).to.deep.equal(['x', 'y', 'z']);
  });

  it('a segment of spoken words never names a source language; a translation names it only when all agree', () => {
    const [spoken] = segments([{ text: 'hi', language: 'en', source_language: 'fr' }]);
    expect(spoken).to.not.have.property('source_language');
    const [mixed] = segments(
      [
        { text: 'uno', language: 'es', translation_status: 'translation', source_language: 'en' },
        { text: ' dos', language: 'es', translation_status: 'translation', source_language: 'fr' },
      ],
      { kind: 'translation' },
    );
    expect(mixed).to.include({ text: 'uno dos', language: 'es' });
    expect(mixed).to.not.have.property('source_language');
  });

  it('a word without a speaker before the first named one joins its turn', () => {
    const tokens = [
      { text: 'Uh', start_ms: 0, end_ms: 100 },
      { text: ' yes', start_ms: 100, end_ms: 200, speaker: '1' },
    ];
    expect(segments(tokens).map((s) => [s.speaker, s.text])).to.deep.equal([['1', 'Uh yes']]);
  });

  it('a word without timings does not hide the pause after the word before it', () => {
    const tokens = [
      { text: 'a', start_ms: 0, end_ms: 100 },
      { text: ' b' },
      { text: ' c', start_ms: 5_000, end_ms: 5_100 },
    ];
    expect(segments(tokens, { pauseMs: 1_000 }).map((s) => s.text)).to.deep.equal(['a b', 'c']);
  });

  it('each segment lists exactly its own tokens, specials left out', () => {
    const tokens = [said('Yes', 0, 200, '1', 'en'), END, said(' no', 500, 700, '2', 'en')];
    expect(segments(tokens).map((s) => s.tokens)).to.deep.equal([[tokens[0]], [tokens[2]]]);
  });

  it('returns no segment for no tokens, and none made only of spaces', () => {
    expect(segments([])).to.deep.equal([]);
    expect(segments([{ text: ' ', start_ms: 0, end_ms: 10 }, END])).to.deep.equal([]);
  });
});

describe('transcript: segments of a long transcript', () => {
  it('handles a transcript of 300 000 tokens in one segment (no argument-count limits)', () => {
    const tokens = Array.from({ length: 300_000 }, (_, i) => ({
      text: ' w',
      start_ms: i * 10,
      end_ms: i * 10 + 5,
    }));
    const [whole] = segments(tokens, { by: [] });
    expect(whole).to.include({ start_ms: 0, end_ms: 2_999_995 });
  });
});
