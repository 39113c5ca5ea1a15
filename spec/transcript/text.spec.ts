/**
 * The plain text of a transcript, as `soniox transcribe --format txt` prints it: speaker turns on
 * their own lines, each translation language in a block of its own.
 */
import { expect } from 'chai';
import { tokensText, transcriptText } from '../../lib/transcript';
import type { TranscriptToken } from '../../lib/types';

const word = (text: string, speaker?: string): TranscriptToken => ({
  text,
  start_ms: 0,
  end_ms: 10,
  confidence: 0.9,
  ...(speaker ? { speaker } : {}),
});
const translation = (text: string, language?: string): TranscriptToken => ({
  text,
  translation_status: 'translation',
  ...(language ? { language } : {}),
});

describe('transcript: plain text', () => {
  it('a transcript without speakers is one line, with no label', () => {
    expect(tokensText([word('Hello'), word(' there')])).to.equal('Hello there');
  });

  it('a transcript of only non-final or translation tokens falls back to its text', () => {
    const pending = { text: ' provisional', is_final: false } as TranscriptToken;
    expect(transcriptText({ id: 't', text: ' Said. ', tokens: [pending] })).to.equal('Said.');
    expect(
      transcriptText({ id: 't', text: 'Said.', tokens: [translation('Dicho.', 'es')] }),
    ).to.equal('Said.\n\nDicho.');
  });

  it('a transcript with no text and only a translation shows the translation, no blank line first', () => {
    expect(transcriptText({ id: 't', text: '', tokens: [translation('Dicho.', 'es')] })).to.equal(
      'Dicho.',
    );
  });

  it('translations that name no language make one block of their own, after the named ones', () => {
    const tokens = [
      word('Hi', '1'),
      translation('Hola', 'es'),
      translation('Salut'),
      translation(' amigo', 'es'),
      translation(' ami', ''),
    ];
    expect(transcriptText({ id: 't', text: '', tokens })).to.equal(
      'Speaker 1: Hi\n\n[es]\nHola amigo\n\nSalut ami',
    );
    expect(transcriptText({ id: 't', text: '', tokens }, { speakerLabels: false })).to.equal(
      'Hi\n\n[es]\nHola amigo\n\nSalut ami',
    );
  });

  it('two-way translation names the language of each block, one-way needs no name', () => {
    const twoWay = [
      word('Good morning.', '1'),
      translation('Buenos días.', 'es'),
      word(' Hola amigo', '2'),
      translation('Hello friend', 'en'),
    ];
    expect(transcriptText({ id: 't', text: '', tokens: twoWay })).to.equal(
      'Speaker 1: Good morning.\nSpeaker 2: Hola amigo\n\n[es]\nBuenos días.\n\n[en]\nHello friend',
    );
    const oneWay = [word('Good morning.'), translation('Buenos días.', 'es')];
    expect(transcriptText({ id: 't', text: '', tokens: oneWay })).to.equal(
      'Good morning.\n\nBuenos días.',
    );
  });

  it('renders the translation tokens alone when asked for them', () => {
    const tokens = [word('Hi'), translation('Hola', 'es')];
    expect(tokensText(tokens, { kind: 'translation' })).to.equal('Hola');
    expect(tokensText(tokens)).to.equal('Hi');
  });
});
