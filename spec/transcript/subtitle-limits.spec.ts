/**
 * Subtitles at their documented limits (docs/realtime.md "Subtitles", docs/cli.md): a line of
 * at most `maxLineChars` characters with the speaker label, at most `maxCueMs` of audio, a new
 * cue after a sentence end and before a pause of `pauseMs`; the times a viewer sees; and the
 * translated track, timed by the words it translates.
 */
import { expect } from 'chai';
import {
  CueBuilder,
  cuesOf,
  formatCue,
  timestamp,
  toSrt,
  toVtt,
  translationWordsOf,
  wordsOf,
  type TimedWord,
} from '../../lib/transcript';
import type { TranscriptToken } from '../../lib/types';

/** One word a token, `gap` ms apart, each `length` ms long. */
function words(texts: string[], options: { gap?: number; length?: number; speaker?: string } = {}) {
  const { gap = 100, length = 200, speaker } = options;
  return texts.map((text, i): TimedWord => ({
    text,
    start_ms: i * (length + gap),
    end_ms: i * (length + gap) + length,
    ...(speaker ? { speaker } : {}),
  }));
}

const texts = (cues: Array<{ text: string }>) => cues.map((c) => c.text);

describe('transcript: subtitles at their limits', () => {
  it('a line of exactly maxLineChars characters is one cue; one more character starts a new cue', () => {
    // 'aaaa bbbb' is 9 characters.
    expect(texts(cuesOf(words(['aaaa', 'bbbb']), { maxLineChars: 9 }))).to.deep.equal([
      'aaaa bbbb',
    ]);
    expect(texts(cuesOf(words(['aaaa', 'bbbbb']), { maxLineChars: 9 }))).to.deep.equal([
      'aaaa',
      'bbbbb',
    ]);
  });

  it('the speaker label counts in the line length, unless labels are off', () => {
    // 'Speaker 1: ' is 11 characters: 'Speaker 1: aaaa bbbb' is 20.
    const spoken = words(['aaaa', 'bbbb'], { speaker: '1' });
    expect(texts(cuesOf(spoken, { maxLineChars: 20 }))).to.deep.equal(['aaaa bbbb']);
    expect(texts(cuesOf(spoken, { maxLineChars: 19 }))).to.deep.equal(['aaaa', 'bbbb']);
    expect(texts(cuesOf(spoken, { maxLineChars: 9, speakerLabels: false }))).to.deep.equal([
      'aaaa bbbb',
    ]);
  });

  it('the default line is 42 characters', () => {
    const forty = ['a'.repeat(20), 'b'.repeat(21)]; // 42 with the space
    expect(texts(cuesOf(words(forty)))).to.have.length(1);
    expect(texts(cuesOf(words([...forty.slice(0, 1), 'b'.repeat(22)])))).to.have.length(2);
  });

  it('a cue of exactly maxCueMs is kept whole; a word that ends later starts the next cue', () => {
    // 'a' 0-200, 'b' 300-500: the cue lasts 500 ms.
    expect(texts(cuesOf(words(['a', 'b']), { maxCueMs: 500 }))).to.deep.equal(['a b']);
    expect(texts(cuesOf(words(['a', 'b']), { maxCueMs: 499 }))).to.deep.equal(['a', 'b']);
  });

  it('the default longest cue is 7 s', () => {
    const slow = (end: number): TimedWord[] => [
      { text: 'a', start_ms: 0, end_ms: 1_000 },
      { text: 'b', start_ms: 1_100, end_ms: end },
    ];
    expect(texts(cuesOf(slow(7_000)))).to.deep.equal(['a b']);
    expect(texts(cuesOf(slow(7_001)))).to.deep.equal(['a', 'b']);
  });

  it('a pause of exactly pauseMs starts a new cue; a shorter one does not', () => {
    expect(texts(cuesOf(words(['a', 'b'], { gap: 400 }), { pauseMs: 400 }))).to.deep.equal([
      'a',
      'b',
    ]);
    expect(texts(cuesOf(words(['a', 'b'], { gap: 399 }), { pauseMs: 400 }))).to.deep.equal(['a b']);
  });

  it('the default pause is 1.5 s', () => {
    expect(texts(cuesOf(words(['a', 'b'], { gap: 1_500 })))).to.deep.equal(['a', 'b']);
    expect(texts(cuesOf(words(['a', 'b'], { gap: 1_499 })))).to.deep.equal(['a b']);
  });

  it('a question or an exclamation ends a cue as a full stop does; a comma does not', () => {
    for (const end of ['?', '!', '.']) {
      expect(texts(cuesOf(words([`really${end}`, 'yes'])))).to.deep.equal([`really${end}`, 'yes']);
    }
    expect(texts(cuesOf(words(['well,', 'yes'])))).to.deep.equal(['well, yes']);
    expect(texts(cuesOf(words(['Dr.Who', 'yes'])))).to.deep.equal(['Dr.Who yes']);
  });

  it('a cue keeps the speaker of its words, and a word of another speaker starts a cue', () => {
    const cues = cuesOf([
      ...words(['hi'], { speaker: '1' }),
      { text: 'yo', start_ms: 300, end_ms: 500, speaker: '2' },
      { text: 'ok', start_ms: 600, end_ms: 800 },
    ]);
    expect(cues).to.deep.equal([
      { start_ms: 0, end_ms: 200, text: 'hi', speaker: '1' },
      { start_ms: 300, end_ms: 500, text: 'yo', speaker: '2' },
      { start_ms: 600, end_ms: 800, text: 'ok' },
    ]);
  });

  it('a cue runs from its first word start to its last word end', () => {
    expect(cuesOf(words(['a', 'b', 'c']))).to.deep.equal([
      { start_ms: 0, end_ms: 800, text: 'a b c' },
    ]);
  });

  it('a word of no duration still gets a cue that ends after it starts', () => {
    const srt = toSrt([{ text: 'blip', start_ms: 1_000, end_ms: 1_000 }]);
    expect(srt).to.equal('1\n00:00:01,000 --> 00:00:01,001\nblip\n');
  });

  it('a sub-word piece from another speaker is a word of its own, with that speaker', () => {
    const tokens: TranscriptToken[] = [
      { text: 'yes', start_ms: 0, end_ms: 200, confidence: 1, speaker: '1' },
      { text: 'no', start_ms: 200, end_ms: 400, confidence: 1, speaker: '2' },
    ];
    expect(wordsOf(tokens)).to.deep.equal([
      { text: 'yes', start_ms: 0, end_ms: 200, speaker: '1' },
      { text: 'no', start_ms: 200, end_ms: 400, speaker: '2' },
    ]);
    expect(toSrt(tokens)).to.equal(
      '1\n00:00:00,000 --> 00:00:00,200\nSpeaker 1: yes\n\n' +
        '2\n00:00:00,200 --> 00:00:00,400\nSpeaker 2: no\n',
    );
  });

  it('a word ends with the latest end of its pieces', () => {
    const tokens: TranscriptToken[] = [
      { text: 'Hel', start_ms: 0, end_ms: 500, confidence: 1 },
      { text: 'lo', start_ms: 100, end_ms: 300, confidence: 1 },
    ];
    expect(wordsOf(tokens)).to.deep.equal([{ text: 'Hello', start_ms: 0, end_ms: 500 }]);
  });

  it('a blank token makes no empty word', () => {
    const tokens: TranscriptToken[] = [
      { text: 'one', start_ms: 0, end_ms: 200, confidence: 1 },
      { text: ' ', start_ms: 200, end_ms: 300, confidence: 1 },
      { text: ' two', start_ms: 300, end_ms: 500, confidence: 1 },
    ];
    expect(wordsOf(tokens)).to.deep.equal([
      { text: 'one', start_ms: 0, end_ms: 200 },
      { text: 'two', start_ms: 300, end_ms: 500 },
    ]);
    expect(wordsOf([{ text: '  ', start_ms: 0, end_ms: 100 }])).to.deep.equal([]);
  });

  it('a tag token such as <unk> is no word; a word that holds angle brackets is kept', () => {
    const tokens: TranscriptToken[] = [
      { text: '<b>z', start_ms: 0, end_ms: 100, confidence: 1 },
      { text: '<unk>', start_ms: 100, end_ms: 200, confidence: 1 },
      { text: ' x<y>', start_ms: 200, end_ms: 300, confidence: 1 },
    ];
    expect(wordsOf(tokens).map((w) => w.text)).to.deep.equal(['<b>z', 'x<y>']);
  });

  it('a token missing either of its times is left out', () => {
    const startOnly = { text: ' a', start_ms: 0 };
    const endOnly = { text: ' b', end_ms: 100 };
    expect(wordsOf([startOnly, endOnly, { text: ' c', start_ms: 0, end_ms: 50 }])).to.deep.equal([
      { text: 'c', start_ms: 0, end_ms: 50 },
    ]);
  });

  it('a piece without a leading space joins its word even when it holds a space', () => {
    const tokens: TranscriptToken[] = [
      { text: 'New', start_ms: 0, end_ms: 100, confidence: 1 },
      { text: ' York', start_ms: 100, end_ms: 200, confidence: 1 },
      { text: 'er Times', start_ms: 200, end_ms: 400, confidence: 1 },
    ];
    expect(wordsOf(tokens).map((w) => w.text)).to.deep.equal(['New', 'Yorker Times']);
  });

  it('an empty speaker is no speaker: no label', () => {
    const srt = toSrt([{ text: 'hi', start_ms: 0, end_ms: 100, speaker: '' }]);
    expect(srt).to.equal('1\n00:00:00,000 --> 00:00:00,100\nhi\n');
  });

  it('times are rounded to the millisecond and carry over into seconds, minutes and hours', () => {
    expect(timestamp(1_499.6, ',')).to.equal('00:00:01,500');
    expect(timestamp(59_999, ',')).to.equal('00:00:59,999');
    expect(timestamp(3_599_999, '.')).to.equal('00:59:59.999');
    expect(timestamp(3_600_000, '.')).to.equal('01:00:00.000');
    expect(timestamp(36_000_000 + 61_001, ',')).to.equal('10:01:01,001');
  });

  it('a cue block: its number, its times, its label, its text; labels can be left out', () => {
    const cue = { start_ms: 61_000, end_ms: 62_500, text: 'hi', speaker: '3' };
    expect(formatCue(cue, 7, 'srt')).to.equal('7\n00:01:01,000 --> 00:01:02,500\nSpeaker 3: hi\n');
    expect(formatCue(cue, 7, 'vtt')).to.equal(
      '7\n00:01:01.000 --> 00:01:02.500\n<v Speaker 3>hi\n',
    );
    expect(formatCue(cue, 1, 'vtt', { speakerLabels: false })).to.equal(
      '1\n00:01:01.000 --> 00:01:02.500\nhi\n',
    );
    expect(formatCue({ start_ms: 0, end_ms: 1, text: 'x' }, 1, 'vtt')).to.equal(
      '1\n00:00:00.000 --> 00:00:00.001\nx\n',
    );
  });

  it('no tokens: an empty SRT and a WebVTT of its header only', () => {
    expect(toSrt([])).to.equal('');
    expect(toVtt([])).to.equal('WEBVTT\n\n');
  });

  it('live cues: the last word may close one cue and open the last', () => {
    const builder = new CueBuilder({ pauseMs: 500 });
    const tokens: TranscriptToken[] = [
      { text: 'a', start_ms: 0, end_ms: 100, confidence: 1 },
      { text: ' b', start_ms: 1_000, end_ms: 1_100, confidence: 1 },
    ];
    expect(tokens.flatMap((t) => builder.push(t))).to.deep.equal([]);
    expect(builder.flush()).to.deep.equal([
      { start_ms: 0, end_ms: 100, text: 'a' },
      { start_ms: 1_000, end_ms: 1_100, text: 'b' },
    ]);
  });

  it('live cues take the same limits as files', () => {
    const builder = new CueBuilder({ maxLineChars: 3, speakerLabels: false });
    const tokens: TranscriptToken[] = [
      { text: 'ab', start_ms: 0, end_ms: 100, confidence: 1, speaker: '1' },
      { text: ' cd', start_ms: 200, end_ms: 300, confidence: 1, speaker: '1' },
    ];
    const live = [...tokens.flatMap((t) => builder.push(t)), ...builder.flush()];
    expect(texts(live)).to.deep.equal(['ab', 'cd']);
  });
});

describe('transcript: translated subtitles', () => {
  const original = (text: string, start_ms: number, end_ms: number): TranscriptToken => ({
    text,
    start_ms,
    end_ms,
    confidence: 1,
    language: 'en',
    translation_status: 'original',
    speaker: '1',
  });
  const translation = (text: string): TranscriptToken => ({
    text,
    language: 'es',
    translation_status: 'translation',
    source_language: 'en',
    speaker: '1',
  });

  it('a translation spreads its words over its original time by their length', () => {
    // 'ab' and 'cdef' with a space each: 3 and 5 of 8 parts of 800 ms from 1000.
    const track = translationWordsOf(
      [original('Hi', 1_000, 1_300), original(' you', 1_400, 1_800), translation('ab cdef')],
      'es',
    );
    expect(track).to.deep.equal([
      { text: 'ab', start_ms: 1_000, end_ms: 1_300, speaker: '1' },
      { text: 'cdef', start_ms: 1_300, end_ms: 1_800, speaker: '1' },
    ]);
  });

  it('spread times are rounded to whole milliseconds', () => {
    // 3 parts of 3 over 100 ms: 0, 33, 67, 100 (thirds rounded).
    const track = translationWordsOf([original('Hi', 0, 100), translation('a b c')], 'es');
    expect(track.map((w) => [w.start_ms, w.end_ms])).to.deep.equal([
      [0, 33],
      [33, 67],
      [67, 100],
    ]);
  });

  it('a translation whose original has no timings gives no subtitle', () => {
    const track = translationWordsOf(
      [
        { text: 'Hi', confidence: 1, language: 'en', translation_status: 'original' },
        translation('Hola'),
      ],
      'es',
    );
    expect(track).to.deep.equal([]);
  });

  it('a translation whose original was never seen gives no subtitle, in any track', () => {
    // A realtime list that starts after the words it translates.
    const orphan = translation('Hola');
    expect(translationWordsOf([orphan], 'es')).to.deep.equal([]);
    expect(translationWordsOf([orphan], 'fr')).to.deep.equal([]);
    expect(toSrt([orphan], { translation: 'es' })).to.equal('');
  });

  it('a translation whose original has only a start or only an end gives no subtitle', () => {
    const startOnly = { ...original('Hi', 0, 100), end_ms: undefined };
    const endOnly = { ...original('Hi', 0, 100), start_ms: undefined };
    expect(translationWordsOf([startOnly, translation('Hola')], 'es')).to.deep.equal([]);
    expect(translationWordsOf([endOnly, translation('Hola')], 'es')).to.deep.equal([]);
  });

  it('a translation without a speaker gives words without a speaker', () => {
    const track = translationWordsOf(
      [
        { ...original('Hi', 0, 100), speaker: undefined },
        { ...translation('Hola'), speaker: undefined },
      ],
      'es',
    );
    expect(track).to.deep.equal([{ text: 'Hola', start_ms: 0, end_ms: 100 }]);
  });

  it('the track holds the words spoken in its language as said, and no other language', () => {
    const spokenEs: TranscriptToken = {
      text: ' gracias',
      start_ms: 2_000,
      end_ms: 2_400,
      confidence: 1,
      language: 'es',
      translation_status: 'none',
    };
    const tokens = [original('Hi', 0, 100), translation('Hola'), spokenEs];
    expect(translationWordsOf(tokens, 'es')).to.deep.equal([
      { text: 'Hola', start_ms: 0, end_ms: 100, speaker: '1' },
      { text: 'gracias', start_ms: 2_000, end_ms: 2_400 },
    ]);
    expect(translationWordsOf(tokens, 'en')).to.deep.equal([
      { text: 'Hi', start_ms: 0, end_ms: 100, speaker: '1' },
    ]);
    expect(translationWordsOf(tokens, 'fr')).to.deep.equal([]);
  });
});
