/**
 * Where sentences and paragraphs end (docs/realtime.md "Segments, utterances, translation and
 * subtitles"): abbreviations, ellipses, points inside numbers, closing quotes and brackets,
 * scripts written without spaces, and the pause that starts a paragraph.
 */
import { expect } from 'chai';
import { paragraphs, sentences } from '../../lib/transcript';
import type { TranscriptToken } from '../../lib/types';

/** Tokens of the given texts, 100 ms each from `start`. */
const toks = (texts: string[], start = 0): TranscriptToken[] =>
  texts.map((text, i) => ({
    text,
    start_ms: start + i * 100,
    end_ms: start + i * 100 + 100,
    confidence: 1,
  }));
const said = (texts: string[]) => sentences(toks(texts)).map((s) => s.text);

describe('transcript: sentence and paragraph ends', () => {
  it('a point after each common abbreviation does not end the sentence', () => {
    for (const word of ['Mr', 'Mrs', 'Ms', 'Dr', 'Prof', 'Sr', 'Jr', 'St', 'vs', 'e.g', 'i.e']) {
      expect(said(['Ask', ` ${word}.`, ' Smith.', ' Then', ' go.']), word).to.deep.equal([
        `Ask ${word}. Smith.`,
        'Then go.',
      ]);
    }
  });

  it('an abbreviation earlier in the sentence does not hide the full stop at its end', () => {
    expect(said(['Use', ' e.g.', ' this.', ' Next.'])).to.deep.equal(['Use e.g. this.', 'Next.']);
  });

  it('a sentence that starts with an ellipsis still ends at its full stop', () => {
    expect(said(['…and', ' so.', ' Next.'])).to.deep.equal(['…and so.', 'Next.']);
  });

  it('a point inside a number ends nothing, even when the piece after it holds a space', () => {
    expect(said(['It', ' is', ' 3', '.', '5 or', ' so.'])).to.deep.equal(['It is 3.5 or so.']);
  });

  it('brackets and quotes that close a sentence stay with it; a bracket without a point ends nothing', () => {
    expect(said(['She', ' said', ' "(go.)"', ' Then', ' left.'])).to.deep.equal([
      'She said "(go.)"',
      'Then left.',
    ]);
    expect(said(['He', ' (really)', ' left.'])).to.deep.equal(['He (really) left.']);
  });

  it('without spaces: 。 ends a sentence; the closers after it stay, anything else starts the next', () => {
    expect(said(['「はい。', '」』', 'いいえ。'])).to.deep.equal(['「はい。」』', 'いいえ。']);
    expect(said(['はい。', 'そう」'])).to.deep.equal(['はい。', 'そう」']);
    expect(said(['はい。', '」そう'])).to.deep.equal(['はい。', '」そう']);
    expect(said(['はい。そう', 'です。'])).to.deep.equal(['はい。そうです。']);
  });

  it('a sentence holds exactly its tokens; trailing blanks make no sentence', () => {
    const tokens = toks(['Hi.', ' Bye.', ' ']);
    const found = sentences(tokens);
    expect(found.map((s) => s.tokens)).to.deep.equal([[tokens[0]], [tokens[1]]]);
    expect(sentences(toks(['Hi.', ' ', ' '])).map((s) => s.text)).to.deep.equal(['Hi.']);
  });

  it('a paragraph of spoken words is of kind original', () => {
    expect(paragraphs(toks(['Hi.']))[0]?.kind).to.equal('original');
  });

  it('a pause of exactly pauseMs between sentences starts a paragraph; a shorter one does not', () => {
    // 'One.' ends at 1 100, 'Two.' starts at 2 100: a pause of 1 000 ms.
    const tokens = [...toks(['One.'], 1_000), ...toks([' Two.'], 2_100)];
    const texts = (pauseMs: number | undefined) =>
      paragraphs(tokens, pauseMs === undefined ? {} : { pauseMs }).map((p) => p.text);
    expect(texts(1_000)).to.deep.equal(['One.', 'Two.']);
    expect(texts(1_001)).to.deep.equal(['One. Two.']);
    expect(texts(undefined)).to.deep.equal(['One. Two.']);
  });

  it('sentences without timings never start a paragraph at a pause', () => {
    const tokens: TranscriptToken[] = [
      { text: 'One.', confidence: 1 },
      { text: ' Two.', confidence: 1 },
    ];
    expect(paragraphs(tokens, { pauseMs: 0 }).map((p) => p.text)).to.deep.equal(['One. Two.']);
  });
});
