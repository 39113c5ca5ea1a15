import { expect } from 'chai';
import { transcriptText, translationTokens, type SpokenWord } from '../../lib/mock/features';
import type { TranscriptToken } from '../../lib/types';

/**
 * A translated transcript as a user reads it: the `text` of an async transcript (docs/api.md
 * §5: the tokens' texts joined, the translation runs spaced from the original words), and the
 * documented placeholder translation of audio the mock has no translation for.
 */
const original = (text: string): TranscriptToken => ({ text, translation_status: 'original' });
const translated = (text: string): TranscriptToken => ({ text, translation_status: 'translation' });

describe('mock/features: the text of a translated transcript', () => {
  it('puts one space where a translation run meets the original words, either way', () => {
    const tokens = [
      original('Good'),
      original(' evening'),
      translated('Buenas'),
      translated(' tardes'),
      original(' Next'),
      translated('Siguiente'),
    ];
    expect(transcriptText(tokens)).to.equal('Good evening Buenas tardes Next Siguiente');
  });

  it('adds no space inside a run, nor where the text or the token already has one', () => {
    expect(transcriptText([original('Hi'), original('there')])).to.equal('Hithere');
    expect(transcriptText([original('Hi '), translated('Hola')])).to.equal('Hi Hola');
    expect(transcriptText([original('Hi'), translated(' Hola')])).to.equal('Hi Hola');
    // A token holding a space within (not at its start) still gets its separating space.
    expect(transcriptText([original('Hi'), translated('Hola amigo')])).to.equal('Hi Hola amigo');
    // The text holds spaces within, but does not end with one.
    expect(transcriptText([original('Hi you'), translated('Hola')])).to.equal('Hi you Hola');
    expect(transcriptText([])).to.equal('');
    // Back from a translation run to an original word without its own space.
    expect(transcriptText([translated('Hola'), original('Next')])).to.equal('Hola Next');
  });

  it('words without a status (no translation asked) join as they are', () => {
    expect(transcriptText([{ text: 'One' }, { text: ' two' }])).to.equal('One two');
  });

  it('translates audio it has no translation for into the documented placeholder', () => {
    const words: SpokenWord[] = ['lorem', 'ipsum'].map((text, i) => ({
      text,
      start_ms: i * 400 + 50,
      end_ms: i * 400 + 350,
      confidence: 0.9,
      speaker: '1',
      language: 'en',
      segment: 0,
    }));
    const tokens = translationTokens(
      words,
      undefined,
      { translation: { type: 'one_way', target_language: 'fr' } },
      true,
    );
    expect(tokens.map((t) => t.text)).to.deep.equal(['[fr]', ' lorem', ' ipsum']);
    expect(tokens[0]).to.include({
      language: 'fr',
      source_language: 'en',
      translation_status: 'translation',
    });
  });
});
