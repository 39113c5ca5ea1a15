/** lib/audio: the one home of audio arithmetic (formats, byte rates, ms <-> bytes, WAV headers). */
import { expect } from 'chai';
import {
  CONTAINER_AUDIO_FORMATS,
  RAW_AUDIO_FORMATS,
  byteRate,
  bytesPerSample,
  bytesToMs,
  frameBytes,
  isAudioFormat,
  isRawAudioFormat,
  looksLikeWav,
  msToBytes,
  parseWav,
  wavHeader,
  type RealtimeAudioFormat,
} from '../lib/audio';
import { fixture } from './audio';

/** Never run: only compiled. */
export function compileOnly(): RealtimeAudioFormat[] {
  // @ts-expect-error not a format of the API
  const wrong: RealtimeAudioFormat = 'pcm16';
  return [RAW_AUDIO_FORMATS[0], CONTAINER_AUDIO_FORMATS[0], wrong];
}

describe('audio arithmetic', () => {
  it('knows the raw and container formats apart', () => {
    expect(isRawAudioFormat('pcm_s16le')).to.equal(true);
    expect(isRawAudioFormat('alaw')).to.equal(true);
    expect(isRawAudioFormat('wav')).to.equal(false);
    expect(isRawAudioFormat(undefined)).to.equal(false);
    expect(isAudioFormat('ogg')).to.equal(true);
    expect(isAudioFormat('pcm_s16le')).to.equal(true);
    expect(isAudioFormat('pcm16')).to.equal(false);
    expect(
      RAW_AUDIO_FORMATS.filter((f) => (CONTAINER_AUDIO_FORMATS as readonly string[]).includes(f)),
    ).to.deep.equal([]);
  });

  it('bytes per sample, per frame and per second of every raw format; none for containers', () => {
    for (const format of RAW_AUDIO_FORMATS)
      expect(bytesPerSample(format), format).to.be.oneOf([1, 2, 3, 4, 8]);
    expect(bytesPerSample('pcm_u8')).to.equal(1);
    expect(bytesPerSample('mulaw')).to.equal(1);
    expect(bytesPerSample('pcm_s24be')).to.equal(3);
    expect(bytesPerSample('pcm_f64le')).to.equal(8);
    expect(bytesPerSample('mp3')).to.equal(0);
    expect(frameBytes('pcm_s16le', 2)).to.equal(4);
    expect(frameBytes('pcm_s16le')).to.equal(2);
    expect(byteRate('pcm_s16le', 16000, 1)).to.equal(32000);
    expect(byteRate('pcm_f32le', 48000, 2)).to.equal(384000);
    expect(byteRate('wav', 16000, 1)).to.equal(undefined);
    expect(byteRate('pcm_s16le', 16000, undefined)).to.equal(undefined);
  });

  it('converts ms to whole-frame byte positions and bytes to ms', () => {
    expect(msToBytes(1000, 32, 2)).to.equal(32_000);
    expect(msToBytes(0.55, 32, 2)).to.equal(16);
    expect(msToBytes(0.9, 64, 4)).to.equal(56);
    expect(msToBytes(0.9, 10, 1)).to.equal(9);
    expect(bytesToMs(32_000, 32_000)).to.equal(1000);
  });

  it('writes a WAV header that it parses back, for a known length and for a stream', () => {
    const format = { sampleRate: 16000, numChannels: 1, bitsPerSample: 16 };
    const known = parseWav(Buffer.concat([wavHeader(format, 3200), Buffer.alloc(3200)]));
    expect(known).to.deep.equal({
      audioFormat: 1,
      sampleRate: 16000,
      numChannels: 1,
      bitsPerSample: 16,
      byteRate: 32000,
      dataOffset: 44,
      dataSize: 3200,
    });
    const stream = parseWav(
      wavHeader({ ...format, numChannels: 2, audioFormat: 3, bitsPerSample: 32 }),
    );
    expect(stream).to.include({ audioFormat: 3, byteRate: 128000, dataSize: undefined });
    expect(parseWav(fixture('hello-world.wav').wav)).to.include({
      sampleRate: 16000,
      byteRate: 32000,
    });
    expect(parseWav(Buffer.from('RIFF'))).to.equal(undefined);
    expect(parseWav(wavHeader(format).subarray(0, 30))).to.equal(undefined);
    expect(looksLikeWav(Buffer.from('RIFFxxxx'))).to.equal(true);
    expect(looksLikeWav(Buffer.from('ID3'))).to.equal(false);
  });
});
