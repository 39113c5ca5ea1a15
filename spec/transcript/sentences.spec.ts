/**
 * Sentences and paragraphs from tokens (issue 30, item 8): a paragraph is a segment (one
 * speaker, one language, up to an utterance end or a pause), its sentences split at
 * sentence-final punctuation; both carry their times, for async transcripts and realtime finals.
 */
import { expect } from 'chai';
import { paragraphs, sentences, type Segment } from '../../lib/transcript';
import type { RealtimeToken, TranscriptToken } from '../../lib/types';
import { END, said } from './tokens';

/** Async tokens from `[text, start]` pairs, 100 ms each, speaker and language as given. */
function words(pairs: Array<[string, number]>, speaker = '1', language = 'en'): TranscriptToken[] {
  return pairs.map(([text, start_ms]) => ({
    text,
    start_ms,
    end_ms: start_ms + 100,
    confidence: 0.9,
    speaker,
    language,
  }));
}

const texts = (list: Segment[]) => list.map((s) => s.text);

describe('transcript: sentences and paragraphs', () => {
  it('splits a speaker\'s words into sentences at ".", "!" and "?", each with its start and end', () => {
    const tokens = words([
      ['Hel', 0],
      ['lo', 100],
      ['.', 200],
      [' How', 400],
      [' are', 500],
      [' you', 600],
      ['?', 700],
      [' Fine', 1_000],
      ['!', 1_100],
    ]);
    const list = sentences(tokens);
    expect(texts(list)).to.deep.equal(['Hello.', 'How are you?', 'Fine!']);
    expect(list.map((s) => [s.start_ms, s.end_ms])).to.deep.equal([
      [0, 300],
      [400, 800],
      [1_000, 1_200],
    ]);
    expect(list[1]!.speaker).to.equal('1');
    expect(list[1]!.tokens.map((t) => t.text)).to.deep.equal([' How', ' are', ' you', '?']);
  });

  it('keeps a sentence whole across a point inside a number, an abbreviation or an ellipsis', () => {
    const tokens = words([
      ['It', 0],
      [' costs', 100],
      [' 3', 200],
      ['.', 300],
      ['5', 400],
      [' dollars', 500],
      [',', 600],
      [' Dr', 700],
      ['.', 800],
      [' Smith', 900],
      [' said', 1_000],
      ['...', 1_100],
      [' and', 1_200],
      [' left', 1_300],
      ['.', 1_400],
    ]);
    expect(texts(sentences(tokens))).to.deep.equal([
      'It costs 3.5 dollars, Dr. Smith said... and left.',
    ]);
  });

  it('ends a sentence after the quote or bracket that closes it', () => {
    const tokens = words([
      ['He', 0],
      [' said', 100],
      [' "', 200],
      ['go', 300],
      ['."', 400],
      [' Then', 500],
      [' (', 600],
      ['quietly', 700],
      ['.', 800],
      [')', 900],
      [' Done', 1_000],
      ['.', 1_100],
    ]);
    expect(texts(sentences(tokens))).to.deep.equal(['He said "go."', 'Then (quietly.)', 'Done.']);
  });

  it('splits at the full stops of scripts without spaces (。！？) and at ؟ and ।', () => {
    const zh = words(
      [
        ['你好', 0],
        ['。', 100],
        ['谢谢', 200],
        ['！', 300],
        ['再见', 400],
      ],
      '1',
      'zh',
    );
    expect(texts(sentences(zh))).to.deep.equal(['你好。', '谢谢！', '再见']);
    const ar = words(
      [
        ['كيف حالك', 0],
        ['؟', 100],
        [' بخير', 200],
      ],
      '1',
      'ar',
    );
    expect(texts(sentences(ar))).to.deep.equal(['كيف حالك؟', 'بخير']);
    const hi = words(
      [
        ['नमस्ते', 0],
        ['।', 100],
        [' धन्यवाद', 200],
      ],
      '1',
      'hi',
    );
    expect(texts(sentences(hi))).to.deep.equal(['नमस्ते।', 'धन्यवाद']);
  });

  it('ends a sentence where the speaker or the language changes, even without punctuation', () => {
    const tokens = [
      ...words([
        ['Hi', 0],
        [' there', 100],
      ]),
      ...words([[' Hello', 300]], '2'),
      ...words([[' bonjour', 500]], '2', 'fr'),
    ];
    expect(sentences(tokens).map((s) => [s.speaker, s.language, s.text])).to.deep.equal([
      ['1', 'en', 'Hi there'],
      ['2', 'en', 'Hello'],
      ['2', 'fr', 'bonjour'],
    ]);
  });

  it('groups sentences into paragraphs, one per turn, each with its times and its sentences', () => {
    const tokens = [
      ...words([
        ['Yes', 0],
        ['.', 100],
        [' Sure', 200],
        ['.', 300],
      ]),
      ...words(
        [
          [' Thanks', 600],
          ['.', 700],
        ],
        '2',
      ),
    ];
    const list = paragraphs(tokens);
    expect(list.map((p) => [p.speaker, p.text, p.start_ms, p.end_ms])).to.deep.equal([
      ['1', 'Yes. Sure.', 0, 400],
      ['2', 'Thanks.', 600, 800],
    ]);
    expect(list.map((p) => texts(p.sentences))).to.deep.equal([['Yes.', 'Sure.'], ['Thanks.']]);
  });

  it('starts a paragraph after a pause of pauseMs, never inside a sentence', () => {
    const tokens = words([
      ['One', 0],
      [' two', 3_000],
      ['.', 3_100],
      [' Three', 6_000],
      ['.', 6_100],
    ]);
    expect(paragraphs(tokens).map((p) => p.text)).to.deep.equal(['One two. Three.']);
    const paused = paragraphs(tokens, { pauseMs: 2_000 });
    expect(paused.map((p) => p.text)).to.deep.equal(['One two.', 'Three.']);
    expect(paused.map((p) => [p.start_ms, p.end_ms])).to.deep.equal([
      [0, 3_200],
      [6_000, 6_200],
    ]);
  });

  it('takes realtime finals, leaving out non-final tokens and ending a paragraph at <end>', () => {
    const tokens: RealtimeToken[] = [
      said('Good', 0, 100, '1', 'en'),
      said(' morning', 100, 200, '1', 'en'),
      said('.', 200, 250, '1', 'en'),
      END,
      said(' How', 900, 1_000, '1', 'en'),
      { ...said(' are', 1_000, 1_100, '1', 'en'), is_final: false },
    ];
    const list = paragraphs(tokens);
    expect(list.map((p) => texts(p.sentences))).to.deep.equal([['Good morning.'], ['How']]);
  });

  it('splits translation tokens into their own sentences when asked for kind translation', () => {
    const tokens: RealtimeToken[] = [
      said('Hola', 0, 100, '1', 'es', 'original'),
      said('.', 100, 150, '1', 'es', 'original'),
      {
        text: 'Hello',
        is_final: true,
        language: 'en',
        translation_status: 'translation',
        source_language: 'es',
      },
      {
        text: '.',
        is_final: true,
        language: 'en',
        translation_status: 'translation',
        source_language: 'es',
      },
      {
        text: ' Bye',
        is_final: true,
        language: 'en',
        translation_status: 'translation',
        source_language: 'es',
      },
    ];
    expect(texts(sentences(tokens))).to.deep.equal(['Hola.']);
    const translated = sentences(tokens, { kind: 'translation' });
    expect(texts(translated)).to.deep.equal(['Hello.', 'Bye']);
    expect(translated[0]!.source_language).to.equal('es');
    expect(translated[0]!.start_ms).to.equal(undefined);
  });

  it('returns nothing for no words, and leaves its input as it was', () => {
    expect(sentences([])).to.deep.equal([]);
    expect(paragraphs([END])).to.deep.equal([]);
    const tokens = words([
      ['A', 0],
      ['.', 100],
    ]);
    const copy = structuredClone(tokens);
    sentences(tokens);
    paragraphs(tokens);
    expect(tokens).to.deep.equal(copy);
  });
});
