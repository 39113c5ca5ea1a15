import { expect } from 'chai';
import { formatTranscript } from '../../lib/cli/render/transcript';
import {
  CueBuilder,
  cuesOf,
  MAX_CUE_MS,
  MAX_LINE,
  timestamp,
  tokensText,
  toSrt,
  toVtt,
  transcriptText,
  wordsOf,
} from '../../lib/transcript';
import type { RealtimeToken, TranscriptToken } from '../../lib/types';
import { TWO_WAY } from './tokens';

/** Tokens for `text`, each word 300 ms with 100 ms between, sub-word pieces for long words. */
function speech(text: string, startMs = 0, speaker?: string): TranscriptToken[] {
  const tokens: TranscriptToken[] = [];
  let at = startMs;
  text.split(' ').forEach((word, i) => {
    const pieces = word.length > 6 ? [word.slice(0, 3), word.slice(3)] : [word];
    pieces.forEach((piece, k) => {
      tokens.push({
        text: ((i > 0 || startMs > 0) && k === 0 ? ' ' : '') + piece,
        start_ms: at,
        end_ms: at + 300 / pieces.length,
        confidence: 0.9,
        ...(speaker ? { speaker } : {}),
      });
      at += 300 / pieces.length;
    });
    at += 100;
  });
  return tokens;
}

const LONG =
  'the quick brown fox jumps over the lazy dog while the enormous elephant watches quietly from behind the old wooden fence near the river';

describe('transcript: subtitles and text', () => {
  it('timestamps: SRT with a comma, VTT with a dot, hours included', () => {
    expect(timestamp(0, ',')).to.equal('00:00:00,000');
    expect(timestamp(3_723_045, ',')).to.equal('01:02:03,045');
    expect(timestamp(1500, '.')).to.equal('00:00:01.500');
    expect(timestamp(-5, '.')).to.equal('00:00:00.000');
  });

  it('joins sub-word tokens into words, leaves out translations, specials and untimed tokens', () => {
    const words = wordsOf([
      { text: 'Hel', start_ms: 10, end_ms: 90 },
      { text: 'lo', start_ms: 110, end_ms: 160 },
      { text: ' there', start_ms: 200, end_ms: 400 },
      { text: ' hola', start_ms: 10, end_ms: 400, translation_status: 'translation' },
      { text: '<end>', start_ms: 400, end_ms: 400 },
      { text: ' x' },
    ]);
    expect(words).to.deep.equal([
      { text: 'Hello', start_ms: 10, end_ms: 160 },
      { text: 'there', start_ms: 200, end_ms: 400 },
    ]);
  });

  it(`SRT: numbered cues, lines of at most ${MAX_LINE} characters and ${MAX_CUE_MS / 1000} s, blank lines between`, () => {
    const srt = toSrt(speech(LONG));
    const blocks = srt.trimEnd().split('\n\n');
    expect(blocks.length).to.be.above(3);
    blocks.forEach((block, i) => {
      const [n, times, text, ...rest] = block.split('\n');
      expect(n).to.equal(String(i + 1));
      const m = /^(\d\d):(\d\d):(\d\d),(\d{3}) --> (\d\d):(\d\d):(\d\d),(\d{3})$/.exec(
        times ?? '',
      )!;
      expect(m, times).to.not.equal(null);
      // h:mm:ss,fff from the four groups starting at `at` (all mandatory in the pattern).
      const ms = (at: number) =>
        ((Number(m[at]) * 60 + Number(m[at + 1])) * 60 + Number(m[at + 2])) * 1000 +
        Number(m[at + 3]);
      const start = ms(1);
      const end = ms(5);
      expect(end).to.be.above(start);
      expect(end - start).to.be.at.most(MAX_CUE_MS);
      expect(text).to.be.a('string').with.length.at.most(MAX_LINE);
      expect(rest).to.deep.equal([]);
    });
    expect(blocks.map((b) => b.split('\n')[2]).join(' ')).to.equal(
      LONG.replace(/\b(\w{3})(\w{4,})\b/g, '$1$2'),
    );
  });

  it('cues also end at a long pause, a sentence end and a change of speaker; speakers are labelled', () => {
    const tokens = [
      ...speech('hello there.', 0, '1'),
      ...speech('how are you', 900, '1'),
      ...speech('fine', 5_000, '1'),
      ...speech('and you', 5_500, '2'),
    ];
    const cues = cuesOf(wordsOf(tokens));
    expect(cues.map((c) => c.text)).to.deep.equal([
      'hello there.',
      'how are you',
      'fine',
      'and you',
    ]);
    const srt = toSrt(tokens);
    expect(srt).to.match(/^1\n00:00:00,000 --> 00:00:00,700\nSpeaker 1: hello there\.\n\n2\n/);
    expect(srt).to.include('\nSpeaker 2: and you\n');
    const vtt = toVtt(tokens);
    expect(vtt).to.match(
      /^WEBVTT\n\n1\n00:00:00\.000 --> 00:00:00\.700\n<v Speaker 1>hello there\.\n\n2\n/,
    );
    expect(vtt).to.include('<v Speaker 2>and you\n');
  });

  it('a cue is never longer than 7 s even when words are slow', () => {
    const slow: TranscriptToken[] = ['a', 'b', 'c', 'd'].map((w, i) => ({
      text: i ? ` ${w}` : w,
      start_ms: i * 2_600,
      end_ms: i * 2_600 + 2_500,
    }));
    const cues = cuesOf(wordsOf(slow));
    expect(cues.map((c) => c.text)).to.deep.equal(['a b', 'c d']);
    for (const cue of cues) expect(cue.end_ms - cue.start_ms).to.be.at.most(MAX_CUE_MS);
  });

  it('text: speaker turns on their own lines, the translation after a blank line; json is the transcript', () => {
    const tokens: TranscriptToken[] = [
      ...speech('hi there', 0, '1'),
      ...speech('hello', 1000, '2'),
      { text: 'hola', translation_status: 'translation', speaker: '1' },
      { text: '<end>' },
    ];
    const transcript = { id: 't', text: 'hi there hello hola', tokens };
    expect(transcriptText(transcript)).to.equal(
      'Speaker 1: hi there\nSpeaker 2: hello\n\nSpeaker 1: hola',
    );
    expect(transcriptText({ id: 't', text: ' plain ', tokens: [] })).to.equal('plain');
    expect(JSON.parse(formatTranscript(transcript, 'json'))).to.deep.equal(transcript);
    expect(formatTranscript(transcript, 'vtt')).to.match(/^WEBVTT\n/);
  });

  it('limits are options: line length, cue duration, pause; speaker labels can be left out', () => {
    const tokens = [
      ...speech('one two three four five six', 0, '1'),
      ...speech('seven', 9_000, '2'),
    ];
    const srt = toSrt(tokens, { maxLineChars: 20, speakerLabels: false });
    const texts = srt
      .trimEnd()
      .split('\n\n')
      .map((b) => b.split('\n')[2]);
    expect(texts).to.deep.equal(['one two three four', 'five six', 'seven']);
    const short = cuesOf(wordsOf(tokens), { maxCueMs: 800 });
    expect(short.map((c) => c.text)).to.deep.equal(['one two', 'three four', 'five six', 'seven']);
    const joined = cuesOf(wordsOf(speech('a b', 0).concat(speech('c', 900))), { pauseMs: 5_000 });
    expect(joined.map((c) => c.text)).to.deep.equal(['a b c']);
    expect(toVtt(tokens, { speakerLabels: false })).not.to.include('<v ');
  });

  it('subtitles of realtime finals: spoken words only, no translation, no non-final or special tokens', () => {
    const tail: RealtimeToken = { text: ' x', start_ms: 3_000, end_ms: 3_100, is_final: false };
    expect(toSrt([...TWO_WAY, tail])).to.equal(
      '1\n00:00:00,120 --> 00:00:00,620\nSpeaker 1: Good morning.\n\n' +
        '2\n00:00:02,000 --> 00:00:02,700\nSpeaker 2: Hola amigo\n',
    );
  });

  it('CueBuilder: cues come out as soon as they are complete, the same as cuesOf', () => {
    const tokens = speech(LONG);
    const builder = new CueBuilder();
    const live = tokens.flatMap((t, i) => {
      const cues = builder.push(t);
      if (i === 0) expect(cues).to.deep.equal([]);
      return cues;
    });
    expect(live.length).to.be.above(2);
    expect([...live, ...builder.flush()]).to.deep.equal(cuesOf(wordsOf(tokens)));
    expect(builder.flush()).to.deep.equal([]);
  });

  it('text: each translation target language in its own block, named, never mixed with another', () => {
    expect(transcriptText({ id: 't', text: '', tokens: TWO_WAY })).to.equal(
      'Speaker 1: Good morning.\nSpeaker 2: Hola amigo\n\n[es]\nSpeaker 1: Buenos días.\n\n[en]\nSpeaker 2: Hello friend',
    );
    expect(tokensText(TWO_WAY)).to.equal('Speaker 1: Good morning.\nSpeaker 2: Hola amigo');
    expect(tokensText(TWO_WAY, { speakerLabels: false })).to.equal('Good morning.\nHola amigo');
  });

  it('translation subtitles: one language per file, each translation timed by the words it translates', () => {
    expect(toSrt(TWO_WAY, { translation: 'es' })).to.equal(
      '1\n00:00:00,120 --> 00:00:00,620\nSpeaker 1: Buenos días.\n\n' +
        '2\n00:00:02,000 --> 00:00:02,700\nSpeaker 2: Hola amigo\n',
    );
    expect(toVtt(TWO_WAY, { translation: 'en' })).to.equal(
      'WEBVTT\n\n1\n00:00:00,120 --> 00:00:00,620\n<v Speaker 1>Good morning.\n\n'.replace(
        /,/g,
        '.',
      ) + '2\n00:00:02.000 --> 00:00:02.700\n<v Speaker 2>Hello friend\n',
    );
  });

  it('a long translation is spread over its original time, in cues within the limits', () => {
    const tokens: TranscriptToken[] = [
      ...speech('uno dos tres cuatro cinco seis siete ocho').map((t) => ({
        ...t,
        language: 'es',
        translation_status: 'original' as const,
      })),
      {
        text: 'one two three four five six seven eight',
        language: 'en',
        translation_status: 'translation',
        source_language: 'es',
      },
    ];
    const srt = toSrt(tokens, { translation: 'en', maxLineChars: 16 });
    const blocks = srt.trimEnd().split('\n\n');
    expect(blocks.map((b) => b.split('\n')[2])).to.deep.equal([
      'one two three',
      'four five six',
      'seven eight',
    ]);
    expect(blocks[0]).to.match(/^1\n00:00:00,000 --> /);
    expect(blocks[2]).to.match(/ --> 00:00:03,[0-9]{3}\n/);
  });
});
