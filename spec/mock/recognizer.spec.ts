import { expect } from 'chai';
import { analyzeAudio, loadFixtures, placeholderTokens } from '../../lib/mock/recognizer';
import { LiveRecognizer } from '../../lib/mock/live-recognizer';
import { looksLikeWav, parseWav } from '../../lib/audio';
import { MockState } from '../../lib/mock/state';
import { FIXTURES_DIR, fixture } from '../audio';

function wavHeader(
  dataSize: number,
  rate = 16000,
  bits = 16,
  channels = 1,
  extraChunk = false,
): Buffer {
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8);
  fmt.writeUInt16LE(channels, 10);
  fmt.writeUInt32LE(rate, 12);
  fmt.writeUInt32LE((rate * bits * channels) / 8, 16);
  fmt.writeUInt16LE((bits * channels) / 8, 20);
  fmt.writeUInt16LE(bits, 22);
  const list = extraChunk
    ? Buffer.concat([Buffer.from('LIST', 'latin1'), Buffer.from([3, 0, 0, 0, 1, 2, 3, 0])])
    : Buffer.alloc(0);
  const data = Buffer.alloc(8);
  data.write('data', 0, 'latin1');
  data.writeUInt32LE(dataSize, 4);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE((36 + dataSize) % 2 ** 32, 4);
  riff.write('WAVE', 8, 'latin1');
  return Buffer.concat([riff, fmt, list, data]);
}

describe('WAV parsing and mock/recognizer', () => {
  it('parses WAV headers, odd-sized chunks and streamed sizes', () => {
    const info = parseWav(wavHeader(32000, 16000, 16, 1, true))!;
    expect(info).to.include({
      sampleRate: 16000,
      numChannels: 1,
      bitsPerSample: 16,
      dataSize: 32000,
      byteRate: 32000,
    });
    expect(info.dataOffset).to.equal(12 + 24 + 12 + 8);
    expect(parseWav(wavHeader(0))!.dataSize).to.equal(undefined);
    expect(parseWav(wavHeader(0xffffffff))!.dataSize).to.equal(undefined);
    expect(parseWav(Buffer.from('RIFF'))).to.equal(undefined);
    expect(parseWav(wavHeader(10).subarray(0, 30))).to.equal(undefined);
    expect(looksLikeWav(Buffer.from('RIFFxxxx'))).to.equal(true);
    expect(looksLikeWav(Buffer.from('ID3'))).to.equal(false);
  });

  it('recognises fixture files by hash and answers their words', () => {
    const audio = fixture('hello-world.wav');
    const result = analyzeAudio(
      { sha256: audio.sha256, size: audio.wav.length, head: audio.wav.subarray(0, 100) },
      FIXTURES_DIR,
    );
    expect(result.tokens.map((t) => t.text).join('')).to.equal(audio.text);
    expect(result.durationMs).to.equal(audio.duration_ms);
  });

  it('gives other audio deterministic placeholder words by duration (WAV header or raw 16 kHz s16le)', () => {
    const wav = analyzeAudio({ sha256: 'x', size: 44 + 64000, head: wavHeader(64000) });
    expect(wav.durationMs).to.equal(2000);
    expect(wav.tokens).to.have.length(5);
    expect(wav.tokens).to.deep.equal(placeholderTokens(2000));
    const streamed = analyzeAudio({ sha256: 'x', size: 44 + 32000, head: wavHeader(0) });
    expect(streamed.durationMs).to.equal(1000);
    const raw = analyzeAudio({ sha256: 'x', size: 96000, head: Buffer.alloc(10) });
    expect(raw.durationMs).to.equal(3000);
    expect(raw.tokens[1]?.text).to.equal(' ipsum');
  });

  it('fails empty and undecodable audio', () => {
    expect(analyzeAudio({ sha256: 'x', size: 0, head: Buffer.alloc(0) }).error?.type).to.equal(
      'audio_decode_error',
    );
    expect(
      analyzeAudio({ sha256: 'x', size: 100, head: Buffer.from('RIFF....WAVEjunk') }).error?.type,
    ).to.equal('audio_decode_error');
  });

  it('loads no fixtures from a directory without a manifest', () => {
    expect(loadFixtures('/nonexistent')).to.deep.equal([]);
    expect(loadFixtures(FIXTURES_DIR).length).to.equal(6);
  });

  describe('LiveRecognizer', () => {
    it('locates audio that starts mid-fixture and shifts the words to the session', () => {
      const audio = fixture('hello-world.wav');
      const from = 32_000; // 1 s in
      const live = new LiveRecognizer(
        { audioFormat: 'pcm_s16le', sampleRate: 16000, numChannels: 1 },
        FIXTURES_DIR,
      );
      live.feed(audio.pcm.subarray(from));
      const words = live.wordsBefore(10_000);
      const expected = audio.words.filter((w) => w.end_ms > 1000);
      expect(words.map((w) => w.text)).to.deep.equal(expected.map((w) => w.text));
      expect(words.at(-1)!.end_ms).to.equal(expected.at(-1)!.end_ms - 1000);
    });

    it('treats unknown or undecided audio as placeholder words, and other formats by bitrate', () => {
      const silent = new LiveRecognizer(
        { audioFormat: 'pcm_s16le', sampleRate: 16000, numChannels: 1 },
        FIXTURES_DIR,
      );
      silent.feed(Buffer.alloc(16_000));
      expect(silent.wordsBefore(500)).to.deep.equal([]);
      silent.feed(Buffer.alloc(32_000));
      expect(silent.wordsBefore(1500).map((w) => w.text)).to.deep.equal([
        'lorem',
        'ipsum',
        'dolor',
        'sit',
      ]);
      const f32 = new LiveRecognizer(
        { audioFormat: 'pcm_f32le', sampleRate: 8000, numChannels: 2 },
        FIXTURES_DIR,
      );
      f32.feed(Buffer.alloc(64_000));
      expect(f32.receivedMs).to.equal(1000);
      // No energy to measure in other formats: no endpoints from audio.
      expect(f32.takeEndpoints(Infinity)).to.deep.equal([]);
      const wav24 = new LiveRecognizer({ audioFormat: 'wav' }, FIXTURES_DIR);
      wav24.feed(wavHeader(0, 8000, 24).subarray(0, 20));
      wav24.feed(Buffer.concat([wavHeader(0, 8000, 24).subarray(20), Buffer.alloc(24_000)]));
      expect(wav24.receivedMs).to.equal(1000);
      const notWav = new LiveRecognizer({ audioFormat: 'auto' }, FIXTURES_DIR);
      // An MP3 (its ID3 tag) sent as auto: timed by the assumed bitrate.
      notWav.feed(Buffer.concat([Buffer.from('ID3'), Buffer.alloc(16_000 - 3, 9)]));
      expect(notWav.receivedMs).to.equal(1000);
    });
  });

  it('mints deterministic ids and temporary keys when seeded', () => {
    const a = new MockState('k', 1);
    const b = new MockState('k', 1);
    expect(a.newId()).to.equal(b.newId());
    expect(a.newId()).to.match(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const key = a.addTemporaryKey(Date.now() - 1, false);
    expect(a.acceptsKey(key, 'websocket')).to.equal(false);
    expect(a.acceptsKey(undefined, 'rest')).to.equal(false);
  });
});
