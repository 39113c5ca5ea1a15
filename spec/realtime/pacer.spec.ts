import { expect } from 'chai';
import sinon from 'sinon';
import { byteRate } from '../../lib/audio';
import { SonioxValidationError } from '../../lib/errors';
import { LEAD_MS, Pacer } from '../../lib/realtime/pacer';
import { fixture } from '../audio';

describe('realtime/pacer: real-time pacing of audio', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => clock.restore());

  /** Writes `chunk` through the pacer, counting the bytes let through. */
  function run(
    pacer: Pacer,
    chunk: Buffer,
  ): { bytes: () => number; done: Promise<Error | null | undefined> } {
    let bytes = 0;
    const done = new Promise<Error | null | undefined>((resolve) =>
      pacer.write(
        chunk,
        (slice, next) => {
          bytes += slice.length;
          next();
        },
        resolve,
      ),
    );
    return { bytes: () => bytes, done };
  }

  it('with pacing required, refuses audio it cannot time, naming the option, and passes bytes while still deciding', async () => {
    const pacer = new Pacer({ sniffWav: true, required: true });
    // Two bytes of "RIFF": it may still be a WAV header, so they go as they are.
    const start = run(pacer, Buffer.from('RI'));
    expect(await start.done).to.equal(undefined);
    expect(start.bytes()).to.equal(2);
    expect(pacer.undecided).to.equal(true);
    // An MP3 frame after it: no WAV after all, and nothing can time it.
    const refused = run(pacer, Buffer.from([0xff, 0xfb, 0x90, 0x00]));
    const error = (await refused.done) as SonioxValidationError;
    expect(error).to.be.instanceOf(SonioxValidationError);
    expect(error.message).to.match(
      /cannot pace audio that is not WAV.*pacing: \{ bytesPerSecond \}/,
    );
    expect(error.issues).to.deep.equal([{ field: 'pacing', message: error.message }]);
    expect(refused.bytes()).to.equal(0);
  });

  it('without pacing required, sends audio it cannot time as it comes', async () => {
    const pacer = new Pacer({ sniffWav: true });
    const sent = run(pacer, Buffer.from([0xff, 0xfb, 0x90, 0x00, 1, 2]));
    expect(await sent.done).to.equal(undefined);
    expect(sent.bytes()).to.equal(6);
  });

  it('byte rates of raw formats; containers have none', () => {
    expect(byteRate('pcm_s16le', 16000, 1)).to.equal(32000);
    expect(byteRate('pcm_f32le', 48000, 2)).to.equal(384000);
    expect(byteRate('mulaw', 8000, 1)).to.equal(8000);
    expect(byteRate('mp3', 16000, 1)).to.equal(undefined);
    expect(byteRate('pcm_s16le', undefined, 1)).to.equal(undefined);
  });

  it(`lets audio through in 100 ms slices when its time has come, at most ${LEAD_MS} ms ahead`, async () => {
    const pacer = new Pacer({ bytesPerSecond: 32000, blockAlign: 2 });
    const out = run(pacer, Buffer.alloc(32000));
    await clock.tickAsync(0);
    expect(out.bytes()).to.equal(3 * 3200);
    await clock.tickAsync(100);
    expect(out.bytes()).to.equal(4 * 3200);
    await clock.tickAsync(500);
    expect(out.bytes()).to.equal(9 * 3200);
    await clock.tickAsync(100);
    expect(out.bytes()).to.equal(32000);
    expect(await out.done).to.equal(undefined);
    expect(pacer.bytesPerSecond).to.equal(32000);
  });

  it('starts its clock when the first slice has gone, so a slow handshake is not sent as a burst', async () => {
    const pacer = new Pacer({ bytesPerSecond: 32000, blockAlign: 2 });
    const sent: number[] = [];
    const start = Date.now();
    const done = new Promise<Error | null | undefined>((resolve) =>
      pacer.write(
        Buffer.alloc(32000),
        (slice, next) => {
          sent.push(Date.now() - start);
          // The first slice waits 500 ms for the socket to open, as a stream's first write does.
          if (sent.length === 1) setTimeout(next, 500);
          else next();
        },
        resolve,
      ),
    );
    await clock.tickAsync(500);
    // Open at 500 ms: the first slice went then, and the audio runs LEAD_MS ahead of that.
    expect(sent).to.deep.equal([0, 500, 500]);
    await clock.tickAsync(100);
    expect(sent).to.deep.equal([0, 500, 500, 600]);
    await clock.tickAsync(1000);
    expect(sent).to.have.length(10);
    expect(sent.at(-1)).to.equal(500 + 900 - LEAD_MS);
    expect(await done).to.equal(undefined);
  });

  it('reads the rate from a WAV header (auto, wav); other containers pass as read', async () => {
    const wav = fixture('hello-world.wav').wav;
    const paced = new Pacer({ sniffWav: true });
    const out = run(paced, wav);
    await clock.tickAsync(0);
    expect(paced.bytesPerSecond).to.equal(32000);
    expect(out.bytes()).to.be.below(wav.length);
    await clock.tickAsync(3000);
    expect(out.bytes()).to.equal(wav.length);

    const mp3 = new Pacer({ sniffWav: true });
    const raw = run(mp3, Buffer.from('ID3 not a wav at all'));
    await clock.tickAsync(0);
    expect(raw.bytes()).to.equal(20);
    expect(mp3.bytesPerSecond).to.equal(undefined);
  });

  it('finds a WAV header split over several writes, sending its first bytes as they come', async () => {
    const wav = fixture('hello-world.wav').wav;
    const pacer = new Pacer({ sniffWav: true });
    const first = run(pacer, wav.subarray(0, 10));
    expect(await first.done).to.equal(undefined);
    expect(pacer.undecided).to.equal(true);
    run(pacer, wav.subarray(10, 44 + 32000));
    await clock.tickAsync(0);
    expect(pacer.bytesPerSecond).to.equal(32000);
    expect(pacer.undecided).to.equal(false);
  });

  it('cancelling drops the pending slices and its timer, and hands back the held callback', async () => {
    const pacer = new Pacer({ bytesPerSecond: 32000 });
    const out = run(pacer, Buffer.alloc(64000));
    await clock.tickAsync(0);
    const held = pacer.cancel();
    held?.(new Error('stopped'));
    await clock.tickAsync(5000);
    expect(out.bytes()).to.equal(3 * 3200);
    expect(clock.countTimers()).to.equal(0);
    expect((await out.done)?.message).to.equal('stopped');
    expect(pacer.cancel()).to.equal(undefined);
  });
});
