/**
 * The words the mock hears, as a user relying on them in a test sees them: fixtures of their own
 * (`fixturesDir`) with a minimal manifest, and the placeholder words of unknown audio (one per
 * whole 400 ms, speakers alternating per five words, in the hinted language).
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  analyzeAudio,
  placeholderTokens,
  placeholderWord,
  type FixtureAudio,
} from '../../lib/mock/recognizer';
import { fixture } from '../audio';
import { wavHeader } from '../../lib/audio';

/** A fixtures directory holding one WAV file and a manifest entry for it. */
function ownFixtures(entry: Partial<FixtureAudio>, wav: Buffer): { dir: string; sha256: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-fixtures-'));
  fs.mkdirSync(path.join(dir, 'audio'));
  fs.writeFileSync(path.join(dir, 'audio', 'mine.wav'), wav);
  const sha256 = createHash('sha256').update(wav).digest('hex');
  const manifest = { files: [{ name: 'mine.wav', sha256, ...entry }] };
  fs.writeFileSync(path.join(dir, 'audio', 'manifest.json'), JSON.stringify(manifest));
  return { dir, sha256 };
}

function wavOf(dataBytes: number, declared: number = dataBytes): Buffer {
  const header = wavHeader({ sampleRate: 16000, numChannels: 1, bitsPerSample: 16 }, declared);
  return Buffer.concat([header, Buffer.alloc(dataBytes)]);
}

describe('mock: the words it hears', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a user's fixture whose manifest lists only words: speaker 1, English, one segment", () => {
    const wav = wavOf(64_000);
    const { dir, sha256 } = ownFixtures(
      {
        duration_ms: 2000,
        words: [
          { text: 'Own', start_ms: 100, end_ms: 400, confidence: 0.8 },
          { text: 'words', start_ms: 500, end_ms: 900, confidence: 0.7 },
        ],
        segments: [
          {
            start_ms: 100,
            end_ms: 900,
            text: 'Own words',
            speaker: '1',
            language: 'en',
            translations: { fr: 'Mots propres' },
          },
        ],
      },
      wav,
    );
    dirs.push(dir);
    const heard = analyzeAudio({ sha256, size: wav.length, head: wav.subarray(0, 64) }, dir);
    expect(heard.durationMs).to.equal(2000);
    expect(heard.tokens).to.deep.equal([
      { text: 'Own', start_ms: 100, end_ms: 400, confidence: 0.8 },
      { text: ' words', start_ms: 500, end_ms: 900, confidence: 0.7 },
    ]);
    expect(heard.words).to.deep.equal([
      {
        text: 'Own',
        start_ms: 100,
        end_ms: 400,
        confidence: 0.8,
        speaker: '1',
        language: 'en',
        segment: 0,
      },
      {
        text: 'words',
        start_ms: 500,
        end_ms: 900,
        confidence: 0.7,
        speaker: '1',
        language: 'en',
        segment: 0,
      },
    ]);
    expect(heard.translations?.(0)).to.deep.equal({ fr: 'Mots propres' });
    expect(heard.translations?.(1)).to.equal(undefined);
  });

  it('unknown audio: one placeholder word per whole 400 ms, 50 to 350 ms into it, the list cycling after ten', () => {
    expect(placeholderTokens(399)).to.deep.equal([]);
    const tokens = placeholderTokens(4400);
    expect(tokens).to.have.length(11);
    expect(tokens[0]).to.deep.equal({ text: 'lorem', start_ms: 50, end_ms: 350, confidence: 0.9 });
    expect(tokens[1]).to.deep.equal({
      text: ' ipsum',
      start_ms: 450,
      end_ms: 750,
      confidence: 0.9,
    });
    expect(tokens.map((t) => t.text.trim()).join(' ')).to.equal(
      'lorem ipsum dolor sit amet consectetur adipiscing elit sed do lorem',
    );
  });

  it('placeholder speakers alternate 1, 2, 1 every five words, in the hinted language', () => {
    const words = Array.from({ length: 11 }, (_, i) => placeholderWord(i, 'fr'));
    expect(words.map((w) => w.speaker).join('')).to.equal('11111222221');
    expect(words.map((w) => w.segment)).to.deep.equal([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2]);
    expect(new Set(words.map((w) => w.language))).to.deep.equal(new Set(['fr']));
    expect(words[6]).to.deep.equal({
      text: 'adipiscing',
      start_ms: 2450,
      end_ms: 2750,
      confidence: 0.9,
      speaker: '2',
      language: 'fr',
      segment: 1,
    });
    expect(placeholderWord(0).language).to.equal('en');
  });

  it('a WAV of unknown size is timed by the bytes after its header; other audio by 32 kB a second', () => {
    const streamed = wavOf(48_000, 0);
    const heard = analyzeAudio({
      sha256: 'none',
      size: streamed.length,
      head: streamed.subarray(0, 64),
    });
    expect(heard.durationMs).to.equal(1500);
    expect(heard.tokens).to.have.length(3);
    // A file cut inside its header: no audio, no words (not a negative duration).
    const cut = analyzeAudio({ sha256: 'none', size: 40, head: wavOf(0, 0) });
    expect(cut.durationMs).to.equal(0);
    expect(cut.error).to.equal(undefined);
    const mp3 = Buffer.concat([Buffer.from('ID3'), Buffer.alloc(61, 1)]);
    const raw = analyzeAudio({ sha256: 'none', size: 48_000, head: mp3 });
    expect(raw.durationMs).to.equal(1500);
    expect(raw.error).to.equal(undefined);
  });

  it("knows the package's own fixtures by default, without a fixtures directory", () => {
    const audio = fixture('weather.wav');
    const heard = analyzeAudio({
      sha256: audio.sha256,
      size: audio.wav.length,
      head: audio.wav.subarray(0, 64),
    });
    expect(heard.tokens.map((t) => t.text).join('')).to.equal(audio.text);
  });

  it("a user's fixture without segments has no translations", () => {
    const wav = wavOf(32_000);
    const { dir, sha256 } = ownFixtures(
      { duration_ms: 1000, words: [{ text: 'Plain', start_ms: 0, end_ms: 500, confidence: 0.9 }] },
      wav,
    );
    dirs.push(dir);
    const heard = analyzeAudio({ sha256, size: wav.length, head: wav.subarray(0, 64) }, dir);
    expect(heard.translations?.(0)).to.equal(undefined);
  });

  it('an empty file fails saying it is empty; a broken WAV header, that it cannot be decoded', () => {
    expect(analyzeAudio({ sha256: 'none', size: 0, head: Buffer.alloc(0) }).error).to.deep.equal({
      type: 'audio_decode_error',
      message: 'The audio file is empty.',
    });
    const broken = analyzeAudio({
      sha256: 'none',
      size: 100,
      head: Buffer.from('RIFF....WAVEjunk'),
    });
    expect(broken.error).to.deep.equal({
      type: 'audio_decode_error',
      message: 'Could not decode the audio file.',
    });
  });
});
