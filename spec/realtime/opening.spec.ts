/**
 * SessionOpening alone, through its own interface, over an in-memory socket: the key and the
 * admission, the socket on the link, its first frames in order, the rollover's timer, and the
 * acceptance window (fake timers) that settles connect()'s verdict. The whole stream's opening
 * is in lifecycle.spec.ts, acceptance.spec.ts and reconnect.spec.ts.
 */
import { expect } from 'chai';
import { Agent } from 'node:http';
import * as sinon from 'sinon';
import { SonioxWebSocketError } from '../../lib/errors';
import { SessionOpening, type OpeningHost, type OpeningParts } from '../../lib/realtime/opening';
import { resolveOptions, type RealtimeOptions } from '../../lib/realtime/protocol';
import type { RealtimeContext } from '../../lib/realtime/surface';
import { SECRET_KEY, rejection } from '../helpers';
import { ScriptedSocket } from './scripted-socket';

const SESSION_KEY = 'temp-SESSION-key-42';
const START = { model: 'stt-rt-v5', audio_format: 'pcm_s16le', sample_rate: 16000 } as const;

interface Setup {
  options?: RealtimeOptions;
  /** What the host answers to wanted() and resuming(). */
  wanted?: boolean;
  resuming?: boolean;
  /** Whether a rollover is asked for (its part records opened() and arm()). */
  rollover?: boolean;
  /** Whether the options carry their own webSocketFactory (the default). */
  ownFactory?: boolean;
  /** Whether the client knows no key's own cap (no keySessionMs). */
  noKeyCaps?: boolean;
  /** Whether the client has a warm socket for every key (client.preconnect()). */
  warm?: boolean;
}

describe('realtime/opening SessionOpening', () => {
  let clock: sinon.SinonFakeTimers;
  let opening: SessionOpening | undefined;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    opening?.cancel();
    opening?.link.retire(false);
    opening = undefined;
    clock.restore();
  });

  /** An opening whose parts and host record what they are told, in order. */
  function openingWith(setup: Setup = {}) {
    const told: unknown[][] = [];
    const sockets: ScriptedSocket[] = [];
    const signals: AbortSignal[] = [];
    const options: RealtimeOptions = { ...setup.options };
    if (setup.ownFactory !== false)
      options.webSocketFactory = (url, socketOptions) => {
        told.push(['socket', url, socketOptions.headers?.Authorization]);
        const socket = new ScriptedSocket();
        sockets.push(socket);
        return socket;
      };
    const context: RealtimeContext = {
      apiKey: SECRET_KEY,
      realtimeURL: 'ws://127.0.0.1:1/transcribe-websocket',
      defaultModel: 'stt-rt-v5',
      keySessionMs: setup.noKeyCaps
        ? undefined
        : (key) => (key === SESSION_KEY ? 60_000 : undefined),
      warmSocket: setup.warm
        ? (key) => {
            told.push(['warm', key]);
            const socket = new ScriptedSocket();
            socket.readyState = 1;
            sockets.push(socket);
            return socket;
          }
        : undefined,
    };
    const parts: OpeningParts = {
      reconnector: {
        admission: async (apiKey, getKey, signal) => {
          signals.push(signal);
          try {
            return getKey ? await getKey() : apiKey;
          } catch (error) {
            return new SonioxWebSocketError(`no key: ${(error as Error).message}`);
          }
        },
        replayed: () => [Buffer.from('replay-1'), Buffer.from('replay-2')],
      },
      rollover: setup.rollover
        ? {
            opened: () => told.push(['rollover opened']),
            arm: (ms) => told.push(['rollover armed', ms]),
          }
        : undefined,
    };
    const host: OpeningHost = {
      wanted: () => setup.wanted ?? true,
      resuming: () => setup.resuming ?? false,
      message: (text) => told.push(['message', text]),
      failure: (error) => told.push(['failure', error.message]),
      paced: () => told.push(['paced']),
      opened: () => told.push(['opened']),
    };
    const resolved = resolveOptions(options);
    const made = new SessionOpening(context, options, resolved, START, parts, host);
    opening = made;
    const socket = (i: number): ScriptedSocket => {
      const made = sockets[i];
      if (!made) throw new Error(`no socket ${i} was made`);
      return made;
    };
    return { opening: made, told, sockets, socket, signals };
  }

  it('opens a socket with the key in its header; as it opens, the start message, then the stream is told', async () => {
    const { opening, told, socket } = openingWith();
    await opening.open();
    expect(told).to.deep.equal([
      ['socket', 'ws://127.0.0.1:1/transcribe-websocket', `Bearer ${SECRET_KEY}`],
    ]);
    socket(0).open();
    expect(socket(0).sent).to.deep.equal([JSON.stringify(START)]);
    expect(told.slice(1)).to.deep.equal([['paced'], ['opened']]);
  });

  it("sends the key in the start message with auth: 'message', and the audio kept after it on a resume", async () => {
    const { opening, told, socket } = openingWith({
      options: { auth: 'message' },
      resuming: true,
    });
    await opening.open();
    expect(told[0]?.[2], 'no Authorization header').to.equal(undefined);
    socket(0).open();
    expect(socket(0).sent.map(String)).to.deep.equal([
      JSON.stringify({ ...START, api_key: SECRET_KEY }),
      'replay-1',
      'replay-2',
    ]);
  });

  it("mints the key with the rollover's getApiKey before the reconnect's, and arms the rollover with its cap", async () => {
    const { opening, told, socket } = openingWith({
      options: {
        rollover: { getApiKey: () => SESSION_KEY },
        reconnect: { maxAttempts: 1, getApiKey: () => 'reconnect-key' },
      },
      rollover: true,
    });
    await opening.open();
    expect(told[0]?.[2]).to.equal(`Bearer ${SESSION_KEY}`);
    socket(0).open();
    expect(told.slice(1)).to.deep.equal([
      ['paced'],
      ['rollover opened'],
      ['rollover armed', 60_000],
      ['opened'],
    ]);
  });

  it('opens nothing when the stream stopped waiting meanwhile, and reports a key it could not get', async () => {
    const unwanted = openingWith({ wanted: false });
    await unwanted.opening.open();
    expect(unwanted.sockets).to.have.length(0);
    unwanted.opening.cancel();

    const { opening, told, sockets } = openingWith({
      options: {
        reconnect: {
          maxAttempts: 1,
          getApiKey: () => {
            throw new Error('mint failed');
          },
        },
      },
    });
    await opening.open();
    expect(sockets).to.have.length(0);
    expect(told).to.deep.equal([['failure', 'no key: mint failed']]);
  });

  it("routes the socket's frames and failure to the host", async () => {
    const { opening, told, socket } = openingWith();
    await opening.open();
    socket(0).open();
    socket(0).emit('message', Buffer.from('{"tokens":[]}'), false);
    socket(0).emit('close', 1006);
    expect(told.slice(3)).to.deep.equal([
      ['message', '{"tokens":[]}'],
      [
        'failure',
        'the realtime connection closed unexpectedly (code 1006) before the session finished',
      ],
    ]);
  });

  it('accepts a session the server did not refuse within the window: the verdict resolves, and stays for the session', async () => {
    const { opening, socket } = openingWith({ options: { acceptanceWindowMs: 500 } });
    const verdict = opening.verdict();
    expect(opening.awaited).to.equal(true);
    await opening.open();
    socket(0).open();
    await clock.tickAsync(499);
    expect(opening.accepted).to.equal(false);
    await clock.tickAsync(1);
    await verdict;
    expect(opening.accepted).to.equal(true);
    expect(opening.awaited).to.equal(false);
  });

  it('accepts at once with a window of 0, and sooner when the server answers (accept())', async () => {
    const instant = openingWith({ options: { acceptanceWindowMs: 0 } });
    await instant.opening.open();
    instant.socket(0).open();
    expect(instant.opening.accepted).to.equal(true);
    instant.opening.link.retire(false);

    const { opening, socket } = openingWith({ options: { acceptanceWindowMs: 500 } });
    await opening.open();
    socket(0).open();
    const verdict = opening.verdict();
    opening.accept();
    await verdict;
    expect(opening.accepted).to.equal(true);
  });

  it('rejects every waiting verdict with the failure the stream ended with', async () => {
    const { opening } = openingWith();
    const failure = new SonioxWebSocketError('the realtime stream was destroyed');
    const verdicts = [opening.verdict(), opening.verdict()];
    opening.refused(failure);
    for (const verdict of verdicts) expect(await rejection(verdict)).to.equal(failure);
    expect(opening.awaited).to.equal(false);
  });

  it('aborts the admission of a start as the stream ends (cancel())', async () => {
    const { opening, signals } = openingWith();
    await opening.open();
    expect(signals[0]?.aborted).to.equal(false);
    opening.cancel();
    expect(signals[0]?.aborted).to.equal(true);
  });

  it('a new session is not accepted until its own window passes', async () => {
    const { opening, socket } = openingWith({ options: { acceptanceWindowMs: 500 } });
    await opening.open();
    socket(0).open();
    opening.accept();
    opening.link.retire(true);
    await opening.open();
    socket(1).open();
    expect(opening.accepted).to.equal(false);
    await clock.tickAsync(500);
    expect(opening.accepted).to.equal(true);
  });

  it("arms the rollover without a key's cap when the client knows none", async () => {
    const { opening, told, socket } = openingWith({ rollover: true, noKeyCaps: true });
    await opening.open();
    socket(0).open();
    expect(told).to.deep.include(['rollover armed', undefined]);
  });

  it('is not accepted before a session opened', () => {
    expect(openingWith().opening.accepted).to.equal(false);
  });

  it("takes the client's warm socket only for a stream that brings no factory and no agent of its own", async () => {
    const warm = openingWith({ ownFactory: false, warm: true });
    await warm.opening.open();
    expect(warm.told).to.deep.equal([['warm', SECRET_KEY]]);
    // A warm socket is open already: it opens on the next tick.
    await new Promise((resolve) => process.nextTick(resolve));
    expect(warm.socket(0).sent).to.deep.equal([JSON.stringify(START)]);
    warm.opening.link.retire(false);

    const factory = openingWith({ warm: true });
    await factory.opening.open();
    expect(factory.told.map(([what]) => what)).to.deep.equal(['socket']);
    factory.opening.link.retire(false);

    // Its own agent (to a closed loopback port): the default factory, never the warm socket.
    const agent = new Agent();
    try {
      const agented = openingWith({ ownFactory: false, warm: true, options: { agent } });
      await agented.opening.open();
      expect(agented.told.filter(([what]) => what === 'warm')).to.deep.equal([]);
      agented.opening.link.retire(false);
    } finally {
      agent.destroy();
    }
  });

  it('keeps the API key out of what inspects it', async () => {
    const { opening } = openingWith();
    const { inspect } = await import('node:util');
    expect(inspect(opening, { depth: 5 })).not.to.include(SECRET_KEY);
    expect(JSON.stringify(Object.keys(opening))).not.to.include(SECRET_KEY);
  });
});
