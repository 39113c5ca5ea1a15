import { expect } from 'chai';
import { TokenAssembler, joinAfterResume } from '../../lib/realtime/token-assembler';
import type { RealtimeMessage, RealtimeToken } from '../../lib/types';

const final = (
  text: string,
  start_ms: number,
  end_ms: number,
  extra: Partial<RealtimeToken> = {},
): RealtimeToken => ({ text, start_ms, end_ms, is_final: true, ...extra });
const tentative = (text: string, start_ms: number, end_ms: number): RealtimeToken => ({
  text,
  start_ms,
  end_ms,
  is_final: false,
});
const result = (tokens: RealtimeToken[], final_audio_proc_ms?: number): RealtimeMessage => ({
  tokens,
  ...(final_audio_proc_ms === undefined ? {} : { final_audio_proc_ms }),
});
const texts = (tokens: RealtimeToken[]) => tokens.map((t) => t.text);

describe('realtime/token-assembler (pure)', () => {
  it('delivers every token of a session that never resumed, a punctuation ending with its word included', () => {
    const a = new TokenAssembler();
    const out = a.accept(
      result(
        [
          final('Hello', 0, 400),
          final(',', 400, 400),
          final(' world', 500, 900),
          tentative(' and', 950, 1000),
        ],
        900,
      ),
    );
    expect(texts(out.tokens)).to.deep.equal(['Hello', ',', ' world', ' and']);
    // A final ending where an earlier one ended, in a later message, is still new.
    expect(texts(a.accept(result([final('.', 900, 900)])).tokens)).to.deep.equal(['.']);
    expect(a.transcript).to.equal('Hello, world.');
    expect(a.finalizedAudioMs).to.equal(900);
  });

  it('keeps translation tokens out of the transcript and in the translation', () => {
    const a = new TokenAssembler();
    a.accept(
      result([
        final('Good', 0, 300, { translation_status: 'original' }),
        final(' morning', 300, 700, { translation_status: 'original' }),
        final('Buenos', 0, 0, { translation_status: 'translation' }),
        final(' días', 0, 0, { translation_status: 'translation' }),
        final(' again', 800, 1000, { translation_status: 'none' }),
      ]),
    );
    expect(a.transcript).to.equal('Good morning again');
    expect(a.translation).to.equal('Buenos días');
  });

  it('turns <end> and <fin> into events, never tokens, in order', () => {
    const a = new TokenAssembler();
    const out = a.accept(
      result([
        final('Hi', 0, 100),
        { text: '<end>', is_final: true },
        { text: '<fin>', is_final: true },
      ]),
    );
    expect(texts(out.tokens)).to.deep.equal(['Hi']);
    expect(out.events).to.deep.equal(['endpoint', 'finalized']);
  });

  it('after a resume: shifts timestamps, drops only what an earlier session finalized, and joins the first word with a space', () => {
    const a = new TokenAssembler();
    a.accept(
      result(
        [final('good', 0, 400), final(' morning', 450, 900), tentative(' how', 1000, 1200)],
        900,
      ),
    );
    a.resume(800);
    // The new session's 0 is the stream's 800: it re-finalizes "morning" (ends 100 -> 900) and goes on.
    const out = a.accept(
      result([final('morning', 0, 100), final('how', 200, 400), tentative(' are', 450, 600)], 400),
    );
    expect(texts(out.tokens)).to.deep.equal([' how', ' are']);
    expect(out.tokens[0]).to.include({ start_ms: 1000, end_ms: 1200 });
    expect(out.tokens[1]).to.include({ start_ms: 1250, end_ms: 1400 });
    expect(a.transcript).to.equal('good morning how');
    expect(a.finalizedAudioMs).to.equal(1200);
  });

  it('after a resume, a new token ending after the resume point is kept even if it starts before it', () => {
    const a = new TokenAssembler();
    a.accept(result([final('one', 0, 500)]));
    a.resume(400);
    expect(texts(a.accept(result([final('two', 50, 300)])).tokens)).to.deep.equal([' two']);
  });

  it('joins after a resume only where a space is missing and the script spaces its words', () => {
    expect(joinAfterResume({ text: 'b', is_final: true }, 'a').text).to.equal(' b');
    expect(joinAfterResume({ text: 'b', is_final: true }, 'a ').text).to.equal('b');
    expect(joinAfterResume({ text: 'b', is_final: true }, '').text).to.equal('b');
    expect(joinAfterResume({ text: '世界', is_final: true }, '你好').text).to.equal('世界');
    expect(joinAfterResume({ text: ' b', is_final: true }, 'a').text).to.equal(' b');
  });

  it('a resume before any final joins nothing and drops nothing', () => {
    const a = new TokenAssembler();
    a.resume(1000);
    expect(texts(a.accept(result([final('first', 0, 100)])).tokens)).to.deep.equal(['first']);
  });

  it('after a resume, joins the first spoken token, never a translation token before it', () => {
    const a = new TokenAssembler();
    a.accept(result([final('Hello', 0, 400)]));
    a.resume(400);
    const out = a.accept(
      result([
        { text: 'Hola', is_final: true, translation_status: 'translation' },
        final('there', 50, 300),
      ]),
    );
    expect(texts(out.tokens)).to.deep.equal(['Hola', ' there']);
    expect(a.transcript).to.equal('Hello there');
    expect(a.translation).to.equal('Hola');
  });

  it('after a resume, each message restates its tail with the join until a final lands', () => {
    const a = new TokenAssembler();
    a.accept(result([final('Hello', 0, 400)]));
    a.resume(400);
    expect(texts(a.accept(result([tentative('the', 50, 200)])).tokens)).to.deep.equal([' the']);
    expect(texts(a.accept(result([tentative('there', 50, 300)])).tokens)).to.deep.equal([' there']);
    expect(
      texts(a.accept(result([final('there', 50, 300), tentative(' you', 350, 500)])).tokens),
    ).to.deep.equal([' there', ' you']);
    expect(texts(a.accept(result([tentative(' you', 350, 500)])).tokens)).to.deep.equal([' you']);
  });

  it('tells the transcript and translation per language, and pairs each translation with its original', () => {
    const a = new TokenAssembler();
    a.accept(
      result([
        final('Good', 0, 300, { translation_status: 'original', language: 'en' }),
        final(' day', 300, 600, { translation_status: 'original', language: 'en' }),
        {
          text: 'Buen',
          is_final: true,
          translation_status: 'translation',
          language: 'es',
          source_language: 'en',
        },
        {
          text: ' día',
          is_final: true,
          translation_status: 'translation',
          language: 'es',
          source_language: 'en',
        },
      ]),
    );
    expect(a.originals).to.deep.equal({ en: 'Good day' });
    expect(a.translations).to.deep.equal({ es: 'Buen día' });
    expect(a.translationPairs).to.have.length(1);
    expect(a.translationPairs[0]?.original?.text).to.equal('Good day');
    expect(a.translationPairs[0]?.translation?.text).to.equal('Buen día');
  });

  it('tracks processed audio on the stream clock, never moving back, and only from a number', () => {
    const a = new TokenAssembler();
    expect(a.processedAudioMs).to.equal(0);
    a.accept({ tokens: [], total_audio_proc_ms: 700 });
    expect(a.processedAudioMs).to.equal(700);
    a.accept({ tokens: [], total_audio_proc_ms: 500 });
    expect(a.processedAudioMs).to.equal(700);
    a.accept({ tokens: [] });
    expect(a.processedAudioMs).to.equal(700);
    a.resume(600);
    a.accept({ tokens: [], total_audio_proc_ms: 300 });
    expect(a.processedAudioMs).to.equal(900);
  });

  it('lists tokens and events together, in the order the server sent them, and nothing else', () => {
    const a = new TokenAssembler();
    const hi = final('Hi', 0, 100);
    const there = tentative(' there', 150, 300);
    const out = a.accept(result([hi, { text: '<end>', is_final: true }, there]));
    expect(out.items).to.deep.equal([hi, 'endpoint', there]);
    expect(a.accept(result([])).items).to.deep.equal([]);
  });

  it('never adds a space to a stream that did not resume', () => {
    const a = new TokenAssembler();
    a.accept(result([final('Hel', 0, 200)]));
    expect(texts(a.accept(result([tentative('lo', 200, 400)])).tokens)).to.deep.equal(['lo']);
    expect(texts(a.accept(result([final('lo', 200, 400)])).tokens)).to.deep.equal(['lo']);
    expect(a.transcript).to.equal('Hello');
  });

  it('after a resume, joins only the first spoken token of a message, not the ones after it', () => {
    const a = new TokenAssembler();
    a.accept(result([final('Hello', 0, 400)]));
    a.resume(400);
    const out = a.accept(result([tentative('wor', 50, 200), tentative('ld', 200, 300)]));
    expect(texts(out.tokens)).to.deep.equal([' wor', 'ld']);
  });

  it('after a resume, joins nothing more once a spoken final has landed', () => {
    const a = new TokenAssembler();
    a.accept(result([final('Hello', 0, 400)]));
    a.resume(400);
    a.accept(result([final('quick', 50, 300)]));
    expect(texts(a.accept(result([tentative('ly', 300, 400)])).tokens)).to.deep.equal(['ly']);
    expect(a.transcript).to.equal('Hello quick');
  });

  it('a final without timestamps leaves the replay point of a later resume where it was', () => {
    const a = new TokenAssembler();
    a.accept(result([{ text: 'Hey', is_final: true }, final(' you', 100, 1000)]));
    a.accept(result([{ text: '!', is_final: true }]));
    a.resume(500);
    // The new session re-finalizes " you" (ends 500 -> 1000): delivered already.
    const out = a.accept(result([final('you', 100, 500), final(' there', 600, 900)]));
    expect(texts(out.tokens)).to.deep.equal([' there']);
  });
});
