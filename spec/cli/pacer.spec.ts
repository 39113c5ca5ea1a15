import { expect } from 'chai';
import sinon from 'sinon';
import { LEAD_MS, Pacer, rawByteRate } from '../../lib/cli/pacer';
import { fixture } from '../audio';

describe('cli: real-time pacing of realtime audio', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => clock.restore());

  function collect(pacer: Pacer): { bytes: () => number } {
    let bytes = 0;
    pacer.on('data', (chunk: Buffer) => (bytes += chunk.length));
    return { bytes: () => bytes };
  }

  it('byte rates of raw formats; containers have none', () => {
    expect(rawByteRate('pcm_s16le', 16000, 1)).to.equal(32000);
    expect(rawByteRate('pcm_f32le', 48000, 2)).to.equal(384000);
    expect(rawByteRate('mulaw', 8000, 1)).to.equal(8000);
    expect(rawByteRate('mp3', 16000, 1)).to.equal(undefined);
    expect(rawByteRate('pcm_s16le', undefined, 1)).to.equal(undefined);
  });

  it(`lets audio through in 100 ms frames when its time has come, at most ${LEAD_MS} ms ahead`, async () => {
    const pacer = new Pacer(32000, false);
    const out = collect(pacer);
    pacer.end(Buffer.alloc(32000));
    await clock.tickAsync(0);
    expect(out.bytes()).to.equal(3 * 3200);
    await clock.tickAsync(100);
    expect(out.bytes()).to.equal(4 * 3200);
    await clock.tickAsync(500);
    expect(out.bytes()).to.equal(9 * 3200);
    await clock.tickAsync(100);
    expect(out.bytes()).to.equal(32000);
    expect(pacer.rate).to.equal(32000);
  });

  it('reads the rate from a WAV header (auto, wav); other containers pass as read', async () => {
    const wav = fixture('hello-world.wav').wav;
    const paced = new Pacer(undefined, true);
    const out = collect(paced);
    paced.end(wav);
    await clock.tickAsync(0);
    expect(paced.rate).to.equal(32000);
    expect(out.bytes()).to.be.below(wav.length);
    await clock.tickAsync(3000);
    expect(out.bytes()).to.equal(wav.length);

    const mp3 = new Pacer(undefined, true);
    const raw = collect(mp3);
    mp3.end(Buffer.from('ID3 not a wav at all'));
    await clock.tickAsync(0);
    expect(raw.bytes()).to.equal(20);
    expect(mp3.rate).to.equal(undefined);
  });

  it('destroying it drops the pending frames and its timer', async () => {
    const pacer = new Pacer(32000, false);
    const out = collect(pacer);
    pacer.write(Buffer.alloc(64000));
    await clock.tickAsync(0);
    pacer.destroy();
    await clock.tickAsync(5000);
    expect(out.bytes()).to.equal(3 * 3200);
    expect(clock.countTimers()).to.equal(0);
  });
});
