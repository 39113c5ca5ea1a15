/**
 * The Reconnector alone: it decides, waits (fake timers), and reports to its host; the stream
 * (the host in lib/) is the only one to move the phase. The whole stream's reconnects are in
 * reconnect.spec.ts.
 */
import { expect } from 'chai';
import * as sinon from 'sinon';
import { SonioxWebSocketError } from '../../lib/errors';
import type { ReconnectEvent } from '../../lib/realtime/events';
import type { RealtimePhase } from '../../lib/realtime/phase';
import {
  Reconnector,
  ResumeBuffer,
  replayBuffer,
  type ReconnectHost,
  type StartGate,
} from '../../lib/realtime/reconnect';
import { SessionStarts } from '../../lib/realtime/session-starts';

/** 16 kHz s16le mono: 32 bytes per ms, 2 bytes per frame. */
const PCM16 = { bytesPerMs: 32, frameBytes: 2 };
const POLICY = { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 1000 };

/** A host that records what it is told, in order. */
function recordingHost(finalizedMs = 0): { host: ReconnectHost; told: unknown[] } {
  const told: unknown[] = [];
  const host: ReconnectHost = {
    retrying: (from: RealtimePhase) => told.push(['retrying', from]),
    resuming: (event: ReconnectEvent, offsetMs: number) =>
      told.push(['resuming', event.attempt, event.unreplayedAudioMs, offsetMs]),
    gaveUp: (error) => told.push(['gaveUp', error.message]),
    finalizedAudioMs: () => finalizedMs,
  };
  return { host, told };
}

describe('realtime/reconnect Reconnector', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  const drop = () => new SonioxWebSocketError('dropped');

  it('reports a retry, waits the backoff, then the resume; gives up past the budget', () => {
    const { host, told } = recordingHost(500);
    const replay = new ResumeBuffer(1 << 20, 2);
    const reconnector = new Reconnector(
      POLICY,
      new SessionStarts(undefined),
      { geometry: PCM16, rawFormat: true, replay },
      host,
    );
    reconnector.sent(Buffer.alloc(32 * 1000));
    reconnector.finalized(32 * 1000);
    expect(reconnector.replayed().reduce((n, b) => n + b.length, 0)).to.equal(32 * 500);

    reconnector.failed(drop(), 'open');
    expect(told).to.deep.equal([['retrying', 'open']]);
    clock.tick(POLICY.maxDelayMs);
    // The new session's 0 is the first byte replayed: 500 ms in.
    expect(told[1]).to.deep.equal(['resuming', 1, 0, 500]);

    reconnector.failed(drop(), 'reconnecting');
    clock.tick(POLICY.maxDelayMs);
    reconnector.failed(drop(), 'reconnecting');
    expect(told.slice(2)).to.deep.equal([
      ['retrying', 'reconnecting'],
      ['resuming', 2, 0, 500],
      ['gaveUp', 'dropped'],
    ]);
  });

  it('gives up at once without a policy or a limiter, and cancel() stops a waiting attempt', () => {
    const none = recordingHost();
    new Reconnector(
      undefined,
      new SessionStarts(undefined),
      { geometry: PCM16, rawFormat: true, replay: undefined },
      none.host,
    ).failed(drop(), 'open');
    expect(none.told).to.deep.equal([['gaveUp', 'dropped']]);

    const waiting = recordingHost();
    const reconnector = new Reconnector(
      POLICY,
      new SessionStarts(undefined),
      { geometry: PCM16, rawFormat: true, replay: new ResumeBuffer(1024, 2) },
      waiting.host,
    );
    reconnector.failed(drop(), 'open');
    reconnector.cancel();
    clock.tick(10 * POLICY.maxDelayMs);
    expect(waiting.told).to.deep.equal([['retrying', 'open']]);
  });

  it('retries a start refused with a 429 under the limiter, and drops the replay once admitted', () => {
    const { host, told } = recordingHost();
    let retries = 0;
    const gate: StartGate = {
      get retries() {
        return retries;
      },
      acquire: () => Promise.resolve(),
      admit: () => true,
      refused: (error) => error.serverCode === 429,
      retryDelay: () => {
        retries += 1;
        return 1000;
      },
      release: () => undefined,
    };
    const replay = new ResumeBuffer(1024, 1);
    const reconnector = new Reconnector(
      undefined,
      gate,
      { geometry: { bytesPerMs: 0, frameBytes: 1 }, rawFormat: false, replay },
      host,
    );
    reconnector.sent(Buffer.from('RIFF'));
    reconnector.failed(new SonioxWebSocketError('busy', { serverCode: 429 }), 'connecting');
    clock.tick(1000);
    // A container is replayed whole: nothing shifted, nothing lost.
    expect(told).to.deep.equal([
      ['retrying', 'connecting'],
      ['resuming', 1, 0, 0],
    ]);
    expect(Buffer.concat(reconnector.replayed()).toString()).to.equal('RIFF');
    reconnector.admitted();
    expect(reconnector.replayed()).to.deep.equal([]);
  });

  it('hands over the key, or the error that stops the connection (the key never in it)', async () => {
    const { host } = recordingHost();
    const reconnector = new Reconnector(
      undefined,
      new SessionStarts(undefined),
      { geometry: PCM16, rawFormat: true, replay: undefined },
      host,
    );
    const signal = new AbortController().signal;
    expect(await reconnector.admission('key-1', undefined, signal)).to.equal('key-1');
    expect(await reconnector.admission('key-1', () => 'key-2', signal)).to.equal('key-2');
    const failed = await reconnector.admission(
      'key-1',
      () => Promise.reject(new Error('mint failed')),
      signal,
    );
    expect(failed).to.be.instanceOf(SonioxWebSocketError);
    expect((failed as Error).message).to.equal(
      'cannot get an API key for the realtime session: mint failed',
    );
  });
});

describe('realtime/reconnect: replayBuffer (the audio a new session is given again)', () => {
  it('keeps what reconnect bounds, all until admission when a limiter may refuse, else none', () => {
    const kept = replayBuffer({ maxBufferBytes: 64 }, true, PCM16);
    expect(kept).to.be.instanceOf(ResumeBuffer);
    kept?.push(Buffer.alloc(100));
    expect(kept?.size).to.be.at.most(64);
    const whole = replayBuffer(undefined, true, PCM16);
    whole?.push(Buffer.alloc(100));
    expect(whole?.size).to.equal(100);
    expect(replayBuffer(undefined, false, PCM16)).to.equal(undefined);
  });
});
