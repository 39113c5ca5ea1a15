import { expect } from 'chai';
import { ENVELOPE_FRAMES, fixtureLevels, level, matchEnvelope } from '../../lib/mock/envelope';

/**
 * How a phone session's audio finds its fixture by loudness (lib/mock/envelope.ts): what a user
 * streaming G.711 audio of a fixture relies on to get that fixture's words back, and the
 * silence or hum that must match none.
 */
const pcmOf = (samples: number[]): Buffer => {
  const b = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => b.writeInt16LE(s, i * 2));
  return b;
};
// Levels of a speech-like fixture: loudness that varies from one 2.5 ms step to the next.
const speech = (n: number, seed: number) => {
  let x = seed;
  return Float64Array.from({ length: n }, () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return 1 + (x / 2_147_483_648) * 3;
  });
};

describe('mock/envelope: finding a fixture by its loudness', () => {
  it('compares 60 frames of 10 ms, loudness on a log scale where silence is 1', () => {
    expect(ENVELOPE_FRAMES).to.equal(60);
    expect(level(0)).to.equal(1);
    expect(level(90)).to.equal(2);
    expect(level(990)).to.equal(3);
  });

  it('measures a 10 ms window every 2.5 ms, at the level of its RMS', () => {
    // 16 kHz: windows of 160 samples every 40; 400 samples hold 7 of them.
    const loud = pcmOf(Array.from({ length: 400 }, (_, i) => (i % 2 ? 90 : -90)));
    const levels = fixtureLevels('spec-loud-16k', loud, 16_000);
    expect(levels).to.have.length(7);
    for (const l of levels) expect(l).to.be.closeTo(2, 1e-9);
    // 8 kHz: windows of 80 samples every 20.
    expect(fixtureLevels('spec-loud-8k', loud, 8000)).to.have.length(17);
    expect(fixtureLevels('spec-short', pcmOf(new Array(159).fill(5)), 16_000)).to.have.length(0);
    expect(fixtureLevels('spec-one', pcmOf(new Array(160).fill(0)), 16_000)).to.deep.equal(
      Float64Array.from([1]),
    );
  });

  it('tells a window of speech from the silence beside it', () => {
    // 10 ms of silence, then 10 ms at amplitude 990: the window halfway has half the energy.
    const pcm = pcmOf([...new Array(160).fill(0), ...new Array(160).fill(990)]);
    const levels = fixtureLevels('spec-steps', pcm, 16_000);
    expect(levels).to.have.length(5);
    expect(levels[0]).to.equal(1);
    expect(levels[2]).to.be.closeTo(level(Math.sqrt((990 * 990) / 2)), 1e-9);
    expect(levels[4]).to.be.closeTo(3, 1e-9);
  });

  it('gives a fixture the same levels each time it is asked, measured once', () => {
    const first = fixtureLevels('spec-cached', pcmOf(new Array(160).fill(90)), 16_000);
    const again = fixtureLevels('spec-cached', pcmOf(new Array(320).fill(0)), 16_000);
    expect(again).to.equal(first);
  });

  it('finds the fixture and the position that the frames were cut from, even at its very end', () => {
    const a = speech(400, 1);
    const b = speech(400, 7);
    const frames = (levels: Float64Array, k: number) =>
      Array.from({ length: ENVELOPE_FRAMES }, (_, j) => levels[k + j * 4] as number);
    const candidates = [
      { fixture: 'a', levels: a },
      { fixture: 'b', levels: b },
    ];
    expect(matchEnvelope(frames(b, 40), candidates)).to.deep.equal({ fixture: 'b', atMs: 100 });
    expect(matchEnvelope(frames(a, 0), candidates)).to.deep.equal({ fixture: 'a', atMs: 0 });
    const last = 400 - 1 - (ENVELOPE_FRAMES - 1) * 4;
    expect(matchEnvelope(frames(a, last), candidates)).to.deep.equal({
      fixture: 'a',
      atMs: last * 2.5,
    });
  });

  it('finds a fixture through a little noise, and nothing for a hum or different speech', () => {
    const a = speech(400, 1);
    const noisy = Array.from(
      { length: ENVELOPE_FRAMES },
      (_, j) => (a[80 + j * 4] as number) + (j % 2 ? 0.05 : -0.05),
    );
    const candidates = [{ fixture: 'a', levels: a }];
    expect(matchEnvelope(noisy, candidates)).to.deep.equal({ fixture: 'a', atMs: 200 });
    expect(matchEnvelope(new Array(ENVELOPE_FRAMES).fill(2), candidates)).to.equal(undefined);
    const other = Array.from({ length: ENVELOPE_FRAMES }, (_, j) => 1 + ((j * 7) % 5) * 0.6);
    expect(matchEnvelope(other, candidates)).to.equal(undefined);
    expect(matchEnvelope(noisy, [])).to.equal(undefined);
    expect(matchEnvelope(noisy, [{ fixture: 'short', levels: a.subarray(0, 200) }])).to.equal(
      undefined,
    );
  });
});
