/**
 * The reconnect arithmetic, pure: whether a failed connection is tried again, the waits, the
 * finalized point the replay buffer keeps from, and where a resumed session's clock starts.
 */
import { expect } from 'chai';
import type { RealtimePhase } from '../../lib/realtime/phase';
import {
  RATE_LIMITED_START_BACKOFF,
  RATE_LIMITED_START_MAX_WAIT_MS,
  finalizedPosition,
  mayReconnect,
  mayRetryRefusedStart,
  rateLimitedStartDelay,
  reconnectDelay,
  resumePoint,
  type FailedConnection,
  type RefusedStart,
} from '../../lib/realtime/reconnect';

/** 16 kHz s16le mono: 32 bytes per ms, 2 bytes per frame. */
const PCM16 = { bytesPerMs: 32, frameBytes: 2 };
const POLICY = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000 };
const failed = (over: Partial<FailedConnection> = {}): FailedConnection => ({
  phase: 'open',
  retryable: true,
  attempts: 0,
  rawFormat: true,
  ...over,
});

describe('realtime/reconnect arithmetic', () => {
  describe('mayReconnect', () => {
    it('reconnects a transient failure of a live raw stream while attempts are left', () => {
      for (const phase of ['connecting', 'open', 'finishing', 'reconnecting'] as const)
        expect(mayReconnect(failed({ phase }), POLICY), phase).to.equal(true);
      expect(mayReconnect(failed({ attempts: 2 }), POLICY)).to.equal(true);
    });

    it('does not without a policy, past its attempts, for a final error or a container', () => {
      expect(mayReconnect(failed(), undefined)).to.equal(false);
      expect(mayReconnect(failed({ attempts: 3 }), POLICY)).to.equal(false);
      expect(mayReconnect(failed({ retryable: false }), POLICY)).to.equal(false);
      expect(mayReconnect(failed({ rawFormat: false }), POLICY)).to.equal(false);
    });

    it('does not once the stream is done or never started', () => {
      const done: RealtimePhase[] = ['idle', 'finished', 'failed', 'destroyed'];
      for (const phase of done)
        expect(mayReconnect(failed({ phase }), POLICY), phase).to.equal(false);
    });
  });

  describe('mayRetryRefusedStart', () => {
    const refused = (over: Partial<RefusedStart> = {}): RefusedStart => ({
      serverCode: 429,
      phase: 'open',
      admitted: false,
      waitedMs: 0,
      replayable: true,
      ...over,
    });

    it('starts again a 429 before admission on a live stream, its audio replayable', () => {
      for (const phase of ['connecting', 'open', 'finishing', 'reconnecting'] as const)
        expect(mayRetryRefusedStart(refused({ phase })), phase).to.equal(true);
      expect(
        mayRetryRefusedStart(refused({ waitedMs: RATE_LIMITED_START_MAX_WAIT_MS - 1 })),
      ).to.equal(true);
    });

    it('does not for another code, an admitted session, lost audio, a done stream, or after two minutes', () => {
      expect(RATE_LIMITED_START_MAX_WAIT_MS).to.equal(120_000);
      expect(mayRetryRefusedStart(refused({ serverCode: 503 }))).to.equal(false);
      expect(mayRetryRefusedStart(refused({ serverCode: undefined }))).to.equal(false);
      expect(mayRetryRefusedStart(refused({ admitted: true }))).to.equal(false);
      expect(mayRetryRefusedStart(refused({ replayable: false }))).to.equal(false);
      expect(mayRetryRefusedStart(refused({ waitedMs: RATE_LIMITED_START_MAX_WAIT_MS }))).to.equal(
        false,
      );
      for (const phase of ['idle', 'finished', 'failed', 'destroyed'] as const)
        expect(mayRetryRefusedStart(refused({ phase })), phase).to.equal(false);
    });
  });

  describe('waits', () => {
    it('backs off exponentially with full jitter, up to the ceiling', () => {
      expect(reconnectDelay(1, POLICY, () => 0.999)).to.equal(99);
      expect(reconnectDelay(2, POLICY, () => 0.5)).to.equal(100);
      expect(reconnectDelay(3, POLICY, () => 0.5)).to.equal(200);
      expect(reconnectDelay(10, POLICY, () => 0.5)).to.equal(500);
      expect(reconnectDelay(1, POLICY, () => 0)).to.equal(0);
    });

    it('waits longer for a start the account refused: from 1 s to at most 15 s', () => {
      expect(RATE_LIMITED_START_BACKOFF).to.deep.equal({ baseDelayMs: 1000, maxDelayMs: 15_000 });
      expect(rateLimitedStartDelay(1, () => 0.5)).to.equal(500);
      expect(rateLimitedStartDelay(3, () => 0.5)).to.equal(2000);
      expect(rateLimitedStartDelay(20, () => 0.999)).to.equal(14_985);
    });
  });

  describe('positions', () => {
    it('puts the finalized point on a whole frame, never past what was sent', () => {
      expect(finalizedPosition(1000, 1_000_000, PCM16)).to.equal(32_000);
      expect(finalizedPosition(0.55, 1_000_000, PCM16)).to.equal(16);
      expect(finalizedPosition(1000, 20_000, PCM16)).to.equal(20_000);
      expect(finalizedPosition(0, 20_000, PCM16)).to.equal(0);
    });

    it("starts a resumed session's clock at the first byte replayed, counting audio lost", () => {
      // Replay from 1 s, finalized up to 1 s: nothing lost.
      expect(resumePoint(32_000, 1000, PCM16)).to.deep.equal({
        offsetMs: 1000,
        unreplayedAudioMs: 0,
      });
      // The buffer overflowed: it starts 500 ms past the finalized point.
      expect(resumePoint(48_000, 1000, PCM16)).to.deep.equal({
        offsetMs: 1500,
        unreplayedAudioMs: 500,
      });
      // Finalized past the buffer's start (a late result): none lost, never negative.
      expect(resumePoint(32_000, 2000, PCM16)).to.deep.equal({
        offsetMs: 1000,
        unreplayedAudioMs: 0,
      });
      expect(resumePoint(32_010, 1000, PCM16).unreplayedAudioMs).to.equal(0);
      expect(resumePoint(32_064, 1000, PCM16).unreplayedAudioMs).to.equal(2);
    });
  });
});
