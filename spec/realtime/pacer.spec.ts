import { expect } from 'chai';
import sinon from 'sinon';
import { byteRate } from '../../lib/audio';
import { SonioxValidationError } from '../../lib/errors';
import { LEAD_MS, Pacer, type SendSlice } from '../../lib/realtime/pacer';
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

  /** Records each frame the pacer lets go: its size and the fake time it went at. */
  function recorder(): { frames: Array<[number, number]>; send: SendSlice } {
    const start = Date.now();
    const frames: Array<[number, number]> = [];
    return {
      frames,
      send: (slice, next) => {
        frames.push([slice.length, Date.now() - start]);
        next();
      },
    };
  }
  const written = (pacer: Pacer, chunk: Buffer, send: SendSlice) =>
    new Promise<Error | null | undefined>((resolve) => pacer.write(chunk, send, resolve));
  const flushed = (pacer: Pacer, send: SendSlice) =>
    new Promise<Error | null | undefined>((resolve) => pacer.flush(send, resolve));

  it("joins a write's short tail to the next write's head: every frame is a whole slice but the last, each at its time", async () => {
    const pacer = new Pacer({ bytesPerSecond: 32000, blockAlign: 2 });
    const { frames, send } = recorder();
    // 10 000 bytes is 3 slices and 400 bytes; the 400 are ahead of the clock, so they wait for
    // the next write's first 2 800 rather than going as a frame of their own.
    await clock.tickAsync(0);
    expect(await written(pacer, Buffer.alloc(10_000), send)).to.equal(undefined);
    expect(frames).to.deep.equal([
      [3200, 0],
      [3200, 0],
      [3200, 0],
    ]);
    const second = written(pacer, Buffer.alloc(10_000), send);
    await clock.tickAsync(300);
    expect(await second).to.equal(undefined);
    const end = flushed(pacer, send);
    await clock.tickAsync(200);
    expect(await end).to.equal(undefined);
    expect(frames).to.deep.equal([
      [3200, 0],
      [3200, 0],
      [3200, 0],
      [3200, 100],
      [3200, 200],
      [3200, 300],
      [800, 400],
    ]);
    expect(clock.countTimers()).to.equal(0);
  });

  it('joins 20 ms frames written ahead of the clock into whole slices, as written (the caller may reuse its buffer), on one timer', async () => {
    const pacer = new Pacer({ bytesPerSecond: 32000, blockAlign: 2 });
    const start = Date.now();
    const frames: Array<[Buffer, number]> = [];
    const send: SendSlice = (slice, next) => {
      frames.push([Buffer.from(slice), Date.now() - start]);
      next();
    };
    // 300 ms of audio at once: the clock runs, and what follows is 100 ms ahead of it.
    expect(await written(pacer, Buffer.alloc(9600), send)).to.equal(undefined);
    // The fake clock numbers its timers in order: a probe's number before and after counts them.
    const probe = () => {
      const timer = setTimeout(() => undefined, 0);
      clearTimeout(timer);
      return Number(timer);
    };
    const before = probe();
    // A source that reuses one buffer for its 640-byte (20 ms) frames, as a capture loop may.
    const frame = Buffer.alloc(640);
    const writes: Array<Promise<Error | null | undefined>> = [];
    for (let i = 1; i <= 5; i++) {
      frame.fill(i);
      writes.push(written(pacer, frame, send));
      // Each short frame is held (its callback runs) until the slice is whole.
      if (i < 5) expect(await writes[i - 1]).to.equal(undefined);
    }
    await clock.tickAsync(100);
    expect(await writes[4]).to.equal(undefined);
    expect(frames).to.have.length(4);
    const [slice, at] = frames[3] as [Buffer, number];
    expect(at).to.equal(100);
    expect([...new Set(slice)]).to.deep.equal([1, 2, 3, 4, 5]);
    expect(slice.equals(Buffer.concat([1, 2, 3, 4, 5].map((n) => Buffer.alloc(640, n))))).to.equal(
      true,
    );
    // One timer for the held tail (its time does not move as it fills), one for the whole slice.
    expect(probe() - before - 1).to.equal(2);
    expect(clock.countTimers()).to.equal(0);
  });

  it('sends a held tail at its own time when no write follows (a stalled source is not held back)', async () => {
    const pacer = new Pacer({ bytesPerSecond: 32000, blockAlign: 2 });
    const start = Date.now();
    const frames: Array<[number, number]> = [];
    const callbacks: Array<() => void> = [];
    let hold = false;
    const send: SendSlice = (slice, next) => {
      frames.push([slice.length, Date.now() - start]);
      if (hold) callbacks.push(() => next());
      else next();
    };
    await written(pacer, Buffer.alloc(10_000), send);
    // From now on a frame's send calls back only when the spec says so.
    hold = true;
    await clock.tickAsync(100);
    expect(frames.at(-1)).to.deep.equal([400, 100]);
    // A write while that frame's send is still out waits for it, then goes in order.
    const more = written(pacer, Buffer.alloc(4000), send);
    await clock.tickAsync(1000);
    expect(frames).to.have.length(4);
    hold = false;
    callbacks.shift()?.();
    expect(await more).to.equal(undefined);
    expect(frames.slice(4)).to.deep.equal([
      [3200, 1100],
      [800, 1100],
    ]);
    expect(await flushed(pacer, send)).to.equal(undefined);
  });

  it('holds nothing that is due: short writes of a live source go at once, whole', async () => {
    const pacer = new Pacer({ bytesPerSecond: 32000, blockAlign: 2 });
    const { frames, send } = recorder();
    // 20 ms of audio every 20 ms: never ahead of the clock by more than the lead.
    for (let i = 0; i < 30; i++) {
      expect(await written(pacer, Buffer.alloc(640), send)).to.equal(undefined);
      await clock.tickAsync(20);
    }
    expect(frames.map(([bytes]) => bytes)).to.deep.equal(Array(30).fill(640));
    expect(frames.map(([, at]) => at)).to.deep.equal(frames.map((_, i) => i * 20));
  });

  it("flush waits for a held tail's time, and cancel drops the tail and hands back the flush's callback", async () => {
    const pacer = new Pacer({ bytesPerSecond: 32000, blockAlign: 2 });
    const { frames, send } = recorder();
    await written(pacer, Buffer.alloc(10_000), send);
    let settled: Error | null | undefined | 'pending' = 'pending';
    pacer.flush(send, (error) => (settled = error));
    await clock.tickAsync(50);
    expect(settled).to.equal('pending');
    expect(frames).to.have.length(3);
    const held = pacer.cancel();
    held?.(new Error('stopped'));
    await clock.tickAsync(1000);
    expect(frames).to.have.length(3);
    expect((settled as unknown as Error).message).to.equal('stopped');
    expect(clock.countTimers()).to.equal(0);
    // Nothing held: flush calls back at once.
    const idle = new Pacer({ bytesPerSecond: 32000 });
    expect(await flushed(idle, send)).to.equal(undefined);
  });

  /** A send that records each frame and calls back at once, or only when released (`hold`). */
  function holdable(): {
    frames: Array<[number, number]>;
    send: SendSlice;
    hold: (on: boolean) => void;
    release: (error?: Error) => void;
  } {
    const start = Date.now();
    const frames: Array<[number, number]> = [];
    const held: Array<(error?: Error) => void> = [];
    let holding = false;
    return {
      frames,
      send: (slice, next) => {
        frames.push([slice.length, Date.now() - start]);
        if (holding) held.push(next);
        else next();
      },
      hold: (on) => (holding = on),
      release: (error) => held.shift()?.(error),
    };
  }

  it('takes a given rate over a WAV header, cuts slices on whole sample frames, and ignores a rate that is not positive', async () => {
    const wav = fixture('hello-world.wav').wav;
    const given = new Pacer({ bytesPerSecond: 8000, sniffWav: true });
    expect(given.undecided).to.equal(false);
    run(given, wav);
    expect(given.bytesPerSecond).to.equal(8000);

    // Three-byte frames: 100 ms of 32 000 bytes/s is 3 200 bytes, rounded to 3 201.
    const { frames, send } = recorder();
    new Pacer({ bytesPerSecond: 32000, blockAlign: 3 }).write(Buffer.alloc(9603), send, () => 0);
    await clock.tickAsync(1);
    expect(frames.map(([bytes]) => bytes)).to.deep.equal([3201, 3201, 3201]);

    for (const bytesPerSecond of [0, -32000]) {
      const none = new Pacer({ bytesPerSecond });
      expect(none.bytesPerSecond).to.equal(undefined);
      const out = run(none, Buffer.alloc(64000));
      expect(out.bytes()).to.equal(64000);
    }
    // Not asked to look for a header: a WAV passes as read.
    const blind = new Pacer({});
    expect(blind.undecided).to.equal(false);
    const out = run(blind, wav);
    expect(out.bytes()).to.equal(wav.length);
    expect(blind.bytesPerSecond).to.equal(undefined);
  });

  /** A pacer whose short tail went alone at its time (no write came) and whose send is still out. */
  async function loneTailOut(): Promise<{ pacer: Pacer; socket: ReturnType<typeof holdable> }> {
    const pacer = new Pacer({ bytesPerSecond: 32000, blockAlign: 2 });
    const socket = holdable();
    await written(pacer, Buffer.alloc(10_000), socket.send);
    socket.hold(true);
    await clock.tickAsync(100);
    expect(socket.frames).to.have.length(4);
    return { pacer, socket };
  }

  it('a short write that is due now goes at once, not held', async () => {
    const pacer = new Pacer({ bytesPerSecond: 32000, blockAlign: 2 });
    const { frames, send } = recorder();
    await written(pacer, Buffer.alloc(9600), send);
    await clock.tickAsync(100);
    // 9 600 bytes are 300 ms of audio: due at 100 ms with the 200 ms lead, i.e. now.
    pacer.write(Buffer.alloc(400), send, () => undefined);
    expect(frames.at(-1)).to.deep.equal([400, 100]);
  });

  it('counts a tail that went alone: the next write goes at its own time, after it', async () => {
    const pacer = new Pacer({ bytesPerSecond: 32000, blockAlign: 2 });
    const { frames, send } = recorder();
    await written(pacer, Buffer.alloc(10_000), send);
    await clock.tickAsync(100);
    expect(frames.at(-1)).to.deep.equal([400, 100]);
    // 10 000 bytes sent: the next byte is due at 312.5 - 200 ms.
    const more = written(pacer, Buffer.alloc(6400), send);
    await clock.tickAsync(12);
    expect(frames).to.have.length(4);
    await clock.tickAsync(1);
    expect(frames[4]).to.deep.equal([3200, 113]);
    await clock.tickAsync(100);
    expect(await more).to.equal(undefined);
  });

  it("reports a lone tail's failed send to the next write, once, and a flush waits for the tail", async () => {
    const { pacer, socket } = await loneTailOut();
    let flushed: Error | null | undefined | 'pending' = 'pending';
    pacer.flush(socket.send, (error) => (flushed = error));
    await clock.tickAsync(100);
    expect(flushed).to.equal('pending');
    socket.release(new Error('socket gone'));
    expect((flushed as unknown as Error).message).to.equal('socket gone');
    socket.hold(false);
    expect(await written(pacer, Buffer.alloc(3200), socket.send)).to.equal(undefined);
    expect(socket.frames).to.have.length(5);
  });

  it('after cancel, a late callback of a slice or of a lone tail sends nothing more, and the pacer is free', async () => {
    const pacer = new Pacer({ bytesPerSecond: 32000, blockAlign: 2 });
    const socket = holdable();
    socket.hold(true);
    pacer.write(Buffer.alloc(10_000), socket.send, () => undefined);
    expect(socket.frames).to.have.length(1);
    pacer.cancel();
    socket.release();
    await clock.tickAsync(1000);
    expect(socket.frames).to.have.length(1);

    const { pacer: again, socket: other } = await loneTailOut();
    again.cancel();
    other.release(new Error('late'));
    other.hold(false);
    // Nothing waits on the cancelled tail, and its late error is nobody's.
    const next = written(again, Buffer.alloc(3200), other.send);
    await clock.tickAsync(100);
    expect(await next).to.equal(undefined);
    expect(other.frames).to.have.length(5);
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
