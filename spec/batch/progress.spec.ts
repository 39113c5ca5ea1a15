/**
 * The figures a batch hands to `onProgress`, on a fake clock: what a progress bar shows, each
 * time it changes.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { ProgressTracker } from '../../lib/batch/progress';
import type { BatchProgress } from '../../lib/batch/types';

describe('batch progress figures (fake clock)', () => {
  let clock: sinon.SinonFakeTimers;
  let seen: BatchProgress[];
  const track = (total: number | undefined) =>
    new ProgressTracker(total, (p) => seen.push({ ...p }));
  const last = () => seen[seen.length - 1]!;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    seen = [];
  });
  afterEach(() => clock.restore());

  it('starts at zero: nothing started, nothing done, no ETA, the total as given', () => {
    const progress = track(3);
    expect(progress.snapshot()).to.deep.equal({
      started: 0,
      done: 0,
      skipped: 0,
      failed: 0,
      inFlight: 0,
      total: 3,
      bytesUploaded: 0,
      audioHours: 0,
      quotaWaits: 0,
      elapsedMs: 0,
      etaMs: undefined,
    });
    expect(seen).to.deep.equal([]);
  });

  it('counts inputs started, in flight and finished by status, one callback per change', () => {
    const progress = track(4);
    progress.started();
    progress.started();
    expect(last()).to.include({ started: 2, inFlight: 2, done: 0 });
    progress.finished('done');
    expect(last()).to.include({ started: 2, inFlight: 1, done: 1, skipped: 0, failed: 0 });
    progress.started();
    progress.finished('skipped');
    progress.finished('failed');
    expect(last()).to.include({ started: 3, inFlight: 0, done: 1, skipped: 1, failed: 1 });
    expect(seen).to.have.length(6);
  });

  it('reports the time since the batch started', () => {
    const progress = track(undefined);
    clock.tick(1_500);
    progress.started();
    expect(last().elapsedMs).to.equal(1_500);
    clock.tick(2_000);
    expect(progress.snapshot().elapsedMs).to.equal(3_500);
  });

  it('estimates the time left from the pace so far: time per finished input times inputs left', () => {
    const progress = track(4);
    progress.started();
    clock.tick(3_000);
    expect(last().etaMs).to.equal(undefined);
    progress.finished('done');
    // 3 s for one input, three left.
    expect(last().etaMs).to.equal(9_000);
    clock.tick(1_000);
    progress.started();
    progress.finished('failed');
    // 4 s for two, two left; skipped and failed inputs count as finished too.
    expect(last().etaMs).to.equal(4_000);
    clock.tick(1_000);
    progress.finished('skipped');
    // 5 s for three: 1 667 ms a piece, rounded.
    expect(last().etaMs).to.equal(1_667);
  });

  it('ETA reaches 0 when all inputs are done', () => {
    const progress = track(2);
    progress.started();
    progress.started();
    clock.tick(2_000);
    progress.finished('done');
    expect(last().etaMs).to.equal(2_000);
    progress.finished('done');
    expect(last()).to.include({ etaMs: 0, inFlight: 0, done: 2 });
  });

  it('ETA is 0, not negative, when more inputs finish than the total announced', () => {
    const progress = track(1);
    clock.tick(1_000);
    progress.finished('done');
    progress.finished('done');
    expect(last().etaMs).to.equal(0);
  });

  it('has no ETA when the number of inputs is unknown', () => {
    const progress = track(undefined);
    progress.started();
    clock.tick(1_000);
    progress.finished('done');
    expect(last().etaMs).to.equal(undefined);
    expect(last().total).to.equal(undefined);
  });

  it('adds up bytes uploaded, taking back those of a failed attempt, and ignores empty sends', () => {
    const progress = track(1);
    progress.uploaded(1_000);
    progress.uploaded(500);
    expect(last().bytesUploaded).to.equal(1_500);
    progress.uploaded(-500);
    expect(last().bytesUploaded).to.equal(1_000);
    const calls = seen.length;
    progress.uploaded(0);
    expect(seen).to.have.length(calls);
  });

  it('adds up hours of audio transcribed; a transcription of unknown length adds nothing', () => {
    const progress = track(1);
    progress.transcribed(1_800_000);
    expect(last().audioHours).to.equal(0.5);
    progress.transcribed(900_000);
    expect(last().audioHours).to.equal(0.75);
    const calls = seen.length;
    progress.transcribed(undefined);
    progress.transcribed(0);
    expect(seen).to.have.length(calls);
    expect(progress.snapshot().audioHours).to.equal(0.75);
  });

  it('counts the quota answers waited on', () => {
    const progress = track(1);
    progress.quotaWait();
    progress.quotaWait();
    expect(last().quotaWaits).to.equal(2);
    expect(seen).to.have.length(2);
  });

  it('works without a callback', () => {
    const progress = new ProgressTracker(1, undefined);
    progress.started();
    progress.finished('done');
    expect(progress.snapshot()).to.include({ done: 1, etaMs: 0 });
  });
});
