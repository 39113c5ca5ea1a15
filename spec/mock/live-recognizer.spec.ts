/**
 * The mock's live recognizer as a realtime app sees it through the session: audio in binary
 * frames of any size (docs/api.md §8.3) gives the fixture's words and its endpoints whatever
 * the framing; containers and WAV headers are checked as the session's 400s say.
 */
import { expect } from 'chai';
import { LiveRecognizer, UnsupportedAudioError } from '../../lib/mock/live-recognizer';
import { FIXTURES_DIR, fixture } from '../audio';

const PCM16 = { audioFormat: 'pcm_s16le', sampleRate: 16000, numChannels: 1 } as const;

/** A recognizer fed all of `bytes` in frames of `size` bytes. */
function fed(bytes: Buffer, size: number, format: object = PCM16, endpointMs = 500) {
  const live = new LiveRecognizer({ ...PCM16, ...format }, FIXTURES_DIR, endpointMs);
  for (let at = 0; at < bytes.length; at += size) live.feed(bytes.subarray(at, at + size));
  return live;
}

const texts = (live: LiveRecognizer) => live.wordsBefore(60_000).map((w) => w.text);

/** A 44-byte PCM WAV header with `byteRate` bytes a second. */
function wavHead(byteRate: number, channels = 1, bits = 16): Buffer {
  const head = Buffer.alloc(44);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(0xffffffff, 4);
  head.write('WAVEfmt ', 8, 'latin1');
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(channels, 22);
  head.writeUInt32LE(16000, 24);
  head.writeUInt32LE(byteRate, 28);
  head.writeUInt16LE((channels * bits) / 8, 32);
  head.writeUInt16LE(bits, 34);
  head.write('data', 36, 'latin1');
  head.writeUInt32LE(0xffffffff, 40);
  return head;
}

describe('mock: the live recognizer, as a session feeds it', () => {
  it('audio in frames of any size, odd ones too, gives the same words and endpoints', () => {
    const audio = fixture('two-phrases.wav');
    const whole = fed(audio.pcm, audio.pcm.length);
    expect(texts(whole)).to.deep.equal(['good', 'morning', 'how', 'are', 'you']);
    const endpoints = whole.takeEndpoints(Infinity);
    expect(endpoints).to.have.length(2);
    for (const size of [333, 1001, 3200]) {
      const live = fed(audio.pcm, size);
      expect(texts(live), `${size}-byte frames`).to.deep.equal(texts(whole));
      expect(live.takeEndpoints(Infinity), `${size}-byte frames`).to.deep.equal(endpoints);
      expect(live.receivedMs).to.equal(whole.receivedMs);
    }
  });

  it('speech after some silence is found in its fixture and timed from the first byte sent', () => {
    const audio = fixture('hello-world.wav');
    const live = fed(Buffer.concat([Buffer.alloc(16_000), audio.pcm]), 3200);
    const words = live.wordsBefore(60_000);
    expect(words.map((w) => w.text).join(' ')).to.equal(audio.text);
    expect(words[0]).to.deep.include({ start_ms: 830, end_ms: 1213 });
  });

  it('a WAV stream whose header is split across frames: the fixture, timed from its data', () => {
    const audio = fixture('hello-world.wav');
    const live = new LiveRecognizer({ audioFormat: 'wav' }, FIXTURES_DIR);
    live.feed(audio.wav.subarray(0, 20));
    expect(live.receivedMs).to.equal(0);
    for (let at = 20; at < audio.wav.length; at += 3200)
      live.feed(audio.wav.subarray(at, at + 3200));
    expect(texts(live).join(' ')).to.equal(audio.text);
    expect(live.receivedMs).to.equal(Math.floor(audio.pcm.length / 32));
  });

  it('a WAV header whose byte rate no real stream has ends the session, naming the rate', () => {
    for (const rate of [1_000, 384_000 * 8 * 4]) {
      const live = new LiveRecognizer({ audioFormat: 'auto' }, FIXTURES_DIR);
      expect(() => live.feed(wavHead(rate)), `${rate}`).not.to.throw();
    }
    for (const rate of [999, 384_000 * 8 * 4 + 1]) {
      const live = new LiveRecognizer({ audioFormat: 'wav' }, FIXTURES_DIR);
      expect(() => live.feed(wavHead(rate)))
        .to.throw(UnsupportedAudioError)
        .with.property('message', `Unsupported WAV header: byte rate ${rate}.`);
    }
  });

  it('a container stream without its signature ends the session, naming the format declared', () => {
    for (const [format, named] of [
      ['mp3', 'mp3'],
      ['auto', 'supported'],
    ]) {
      const live = new LiveRecognizer({ audioFormat: format as string }, FIXTURES_DIR);
      live.feed(Buffer.alloc(2, 1));
      expect(() => live.feed(Buffer.alloc(64, 1)))
        .to.throw(UnsupportedAudioError)
        .with.property('message', `Audio data could not be decoded: no ${named} container.`);
    }
  });

  it('stereo 16-bit PCM gets placeholder words at once and no endpoints', () => {
    const live = fed(Buffer.alloc(32_000, 0x7f), 3200, { numChannels: 2 });
    expect(live.receivedMs).to.equal(500);
    expect(live.wordsBefore(1000).map((w) => w.text)).to.deep.equal(['lorem', 'ipsum', 'dolor']);
    expect(live.takeEndpoints(Infinity)).to.deep.equal([]);
  });

  it('hands each endpoint once, when the audio processed reaches it', () => {
    const live = fed(fixture('two-phrases.wav').pcm, 3200);
    expect(live.takeEndpoints(1539)).to.deep.equal([]);
    expect(live.takeEndpoints(1540)).to.deep.equal([1540]);
    expect(live.takeEndpoints(Infinity)).to.deep.equal([4340]);
    expect(live.takeEndpoints(Infinity)).to.deep.equal([]);
  });

  it('an endpoint comes once the pause after speech reaches the delay asked for', () => {
    // "morning" ends at 1040 ms: the pause reaches 500 ms at 1540, 1000 ms at 2040.
    expect(fed(fixture('two-phrases.wav').pcm, 3200, {}, 1000).takeEndpoints(2500)).to.deep.equal([
      2040,
    ]);
  });

  it('a finalize settles the speech before it: the pause after it ends no turn', () => {
    const pcm = fixture('two-phrases.wav').pcm;
    const live = fed(pcm.subarray(0, 35_200), 3200);
    live.settle();
    live.feed(pcm.subarray(35_200, 80_000));
    expect(live.takeEndpoints(2500)).to.deep.equal([]);
  });

  it("words by segment, and a segment's translations from the fixture", () => {
    const live = fed(fixture('bilingual.wav').pcm, 3200);
    expect(live.segmentWords(1).map((w) => w.text)).to.deep.equal([
      'buenas',
      'tardes',
      'a',
      'todos',
    ]);
    expect(live.translations(1)).to.deep.equal({
      en: 'good afternoon everyone',
      fr: 'bon apres midi a tous',
    });
    expect(live.wordsBefore(60_000, 2).map((w) => w.text)[0]).to.equal(texts(live)[2]);
  });

  it('unknown audio: five placeholder words a segment, none translated', () => {
    const live = fed(Buffer.alloc(48_000), 3200);
    expect(live.segmentWords(1).map((w) => w.text)).to.deep.equal([
      'consectetur',
      'adipiscing',
      'elit',
      'sed',
      'do',
    ]);
    expect(live.wordsBefore(1200, 1).map((w) => w.text)).to.deep.equal(['ipsum', 'dolor']);
    expect(live.translations(0)).to.equal(undefined);
  });
});
