/**
 * Rollover past the session caps (issue 29 item 1): before the 300-minute cap, or a temporary
 * key's `max_session_duration_seconds`, the stream ends the session's audio (its finalize
 * point), opens the next session while the old one drains, and hands over at `finished`: one
 * timeline, nothing lost or repeated, markers in order, a `rollover` event. The mock enforces
 * the caps; fake setTimeout and Date carry the caps' hours, while the sockets are real. The
 * mock's idle limit is lifted: keepalives run on real intervals here, which fake time outruns.
 */
import { expect } from 'chai';
import { SonioxValidationError, SonioxWebSocketError } from '../../lib/errors';
import {
  DEFAULT_BEFORE_CAP_MS,
  SESSION_CAP_MS,
  rolloverIssues,
  rolloverDelay,
} from '../../lib/realtime/rollover';
import type { RealtimeMarker, RealtimeStream, RolloverEvent } from '../../lib/realtime/stream';
import type { RealtimeToken } from '../../lib/types';
import { PCM, fixture as audioFixture } from '../audio';
import { SECRET_KEY, fixture, settle, until, type Fixture } from '../helpers';
import { SonioxClient } from '../../lib/client';
import { SonioxTimeoutError } from '../../lib/errors';
import { onEndOfAudio, scriptedServer, sendJson, tok } from './scripted-server';

const AUDIO = audioFixture('two-phrases.wav');
/** The fixture's audio in ms (16 kHz s16le mono: 32 bytes a ms). */
const AUDIO_MS = AUDIO.pcm.length / 32;
const FAKE: { toFake: Array<'setTimeout' | 'clearTimeout' | 'Date'> } = {
  toFake: ['setTimeout', 'clearTimeout', 'Date'],
};

type Item = RealtimeToken | RealtimeMarker;

/** What a stream yields, read to its end (or its error). */
function collect(stream: RealtimeStream<Item>): {
  items: Item[];
  done: () => boolean;
  error: () => Error | undefined;
} {
  const items: Item[] = [];
  let done = false;
  let error: Error | undefined;
  void (async () => {
    try {
      for await (const item of stream) items.push(item);
    } catch (e) {
      error = e as Error;
    }
    done = true;
  })();
  return { items, done: () => done, error: () => error };
}

/**
 * The words of `items` as [text, start_ms to the ms] and the markers by name. (The mock gives a
 * session whole ms from its start; a resumed one starts on a whole frame: sub-ms apart.)
 */
const shape = (items: Item[]) =>
  items.map((i) => ('marker' in i ? i.marker : [i.text.trim(), Math.floor(i.start_ms as number)]));

/** Waits `ms` of real time (the fake clock holds setTimeout): a chance for what must not come. */
const realWait = (ms: number) => until(() => false, ms).catch(() => undefined);

describe('realtime rollover', () => {
  describe('rolloverDelay and rolloverIssues', () => {
    it('rolls over beforeCapMs before the cap: the API 300 minutes, or the key cap when shorter', () => {
      expect(SESSION_CAP_MS).to.equal(300 * 60_000);
      expect(rolloverDelay({}, undefined, 2 ** 31 - 1)).to.equal(
        SESSION_CAP_MS - DEFAULT_BEFORE_CAP_MS,
      );
      expect(rolloverDelay({ beforeCapMs: 60_000 }, 600_000, 2 ** 31 - 1)).to.equal(540_000);
      expect(rolloverDelay({ capMs: 100_000, beforeCapMs: 10_000 }, 600_000, 2 ** 31 - 1)).to.equal(
        90_000,
      );
      // A short cap still does half its work before rolling over.
      expect(rolloverDelay({ beforeCapMs: 60_000 }, 80_000, 2 ** 31 - 1)).to.equal(40_000);
      expect(rolloverDelay({ capMs: 2 ** 40 }, undefined, 1000)).to.equal(1000);
    });

    it('refuses a malformed option and a container format, naming the field', () => {
      expect(rolloverIssues(undefined, 'wav', false)).to.deep.equal([]);
      expect(rolloverIssues({}, 'pcm_s16le', true)).to.deep.equal([]);
      expect(rolloverIssues(5, 'pcm_s16le', true).map((i) => i.field)).to.deep.equal(['rollover']);
      expect(
        rolloverIssues({ beforeCapMs: -1, capMs: 0, getApiKey: 'k' }, 'pcm_s16le', true).map(
          (i) => i.field,
        ),
      ).to.deep.equal(['rollover.beforeCapMs', 'rollover.capMs', 'rollover.getApiKey']);
      expect(rolloverIssues({}, 'wav', false)[0]?.message).to.match(/raw audio_format/);
    });

    it('says what each malformed field must be, at the bounds of a number of ms', () => {
      const fields = (value: unknown) => rolloverIssues(value, 'pcm_s16le', true);
      expect(fields({ beforeCapMs: 0, capMs: 1, getApiKey: () => 'k' })).to.deep.equal([]);
      expect(fields({ beforeCapMs: 2 ** 53, capMs: 2 ** 53 })).to.deep.equal([]);
      expect(fields(null)).to.deep.equal([
        { field: 'rollover', message: 'must be an object such as { beforeCapMs: 30000 }' },
      ]);
      for (const bad of [2 ** 53 + 2, Infinity, NaN, '30000'])
        expect(fields({ beforeCapMs: bad, capMs: bad }), String(bad)).to.deep.equal([
          { field: 'rollover.beforeCapMs', message: 'must be a number of ms >= 0' },
          { field: 'rollover.capMs', message: 'must be a number of ms >= 1' },
        ]);
      expect(fields({ getApiKey: 'k' })).to.deep.equal([
        { field: 'rollover.getApiKey', message: 'must be a function' },
      ]);
      expect(rolloverIssues({}, 'ogg', false)).to.deep.equal([
        {
          field: 'rollover',
          message:
            'needs a raw audio_format such as pcm_s16le, not "ogg": the next session would get audio without its header',
        },
      ]);
    });

    it('rolls over on a whole ms, never before halfway, even when beforeCapMs exceeds the cap', () => {
      expect(rolloverDelay({ capMs: 1001, beforeCapMs: 0 }, undefined, 2 ** 31 - 1)).to.equal(1001);
      expect(rolloverDelay({ capMs: 1001, beforeCapMs: 10_000 }, undefined, 2 ** 31 - 1)).to.equal(
        500,
      );
      expect(rolloverDelay({ beforeCapMs: 0 }, 3001, 2 ** 31 - 1)).to.equal(3001);
    });

    const t = fixture();
    it('is a validation error on a stream of WAV', async () => {
      const stream = t.client.realtime({ audio_format: 'wav', rollover: {} });
      const events: Error[] = [];
      stream.on('error', (e) => events.push(e));
      const error = await stream.connect().catch((e: unknown) => e);
      expect(error).to.be.instanceOf(SonioxValidationError);
      expect((error as SonioxValidationError).message).to.match(/rollover needs a raw/);
    });
  });

  describe('against the mock (fake time)', () => {
    const t = fixture({
      mock: { realtimePacing: false, realtimeIdleTimeoutMs: 2 ** 31 - 1 },
      clock: FAKE,
    });

    /** The words and markers the mock gives the fixture in one session of its own. */
    async function oneSession(): Promise<Item[]> {
      const stream = t.client.realtime({ ...baseConfig(), acceptanceWindowMs: 0 });
      const read = collect(stream);
      stream.end(AUDIO.pcm);
      await settle(
        t.clock,
        until(read.done, 5000).then(() => read.items),
      );
      return read.items;
    }

    function baseConfig() {
      return {
        ...PCM,
        tokens: 'final' as const,
        markers: 'inband' as const,
        enable_endpoint_detection: true,
      };
    }

    /** Writes the fixture's audio, then waits until the server finalized it. */
    async function sendAndSettle(stream: RealtimeStream<Item>, read: { items: Item[] }, n: number) {
      stream.write(AUDIO.pcm);
      await settle(
        t.clock,
        until(() => read.items.filter((i) => 'marker' in i).length >= n, 5000),
      );
    }

    it('hands over before the 300-minute cap: one timeline, nothing lost or repeated', async () => {
      const single = await oneSession();
      const endpoints = single.filter((i) => 'marker' in i).length;
      expect(endpoints).to.be.greaterThan(0);
      const stream = t.client.realtime({ ...baseConfig(), rollover: {} });
      const rollovers: RolloverEvent[] = [];
      stream.on('rollover', (e) => rollovers.push(e));
      const errors: Error[] = [];
      stream.on('error', (e) => errors.push(e));
      let openedAt = 0;
      stream.once('open', () => (openedAt = Date.now()));
      const read = collect(stream);
      await sendAndSettle(stream, read, endpoints);
      // Right up to the rollover point: nothing yet.
      const due = openedAt + SESSION_CAP_MS - DEFAULT_BEFORE_CAP_MS;
      await t.clock.tickAsync(due - 1 - Date.now());
      expect(rollovers).to.have.length(0);
      await t.clock.tickAsync(1);
      // The audio written while the next session opens waits for it, then goes there.
      stream.write(AUDIO.pcm);
      stream.end();
      await settle(t.clock, until(read.done, 5000), 60_000);
      expect(errors).to.deep.equal([]);
      expect(rollovers).to.deep.equal([
        { count: 1, atMs: AUDIO_MS, previousRequestId: rollovers[0]?.previousRequestId },
      ]);
      // The second copy of the audio, on the stream's clock: shifted by the first's length.
      const shifted = single.map((i) =>
        'marker' in i ? i : { ...i, start_ms: (i.start_ms as number) + AUDIO_MS },
      );
      expect(shape(read.items)).to.deep.equal(shape([...single, ...shifted]));
      const sessions = t.server.received.sessions.slice(1);
      expect(sessions.map((s) => s.audioBytes)).to.deep.equal([AUDIO.pcm.length, AUDIO.pcm.length]);
      expect(sessions.map((s) => s.endOfAudio)).to.deep.equal([true, true]);
      expect(stream.audioProcessed.finalMs).to.be.at.least(2 * AUDIO_MS - 1);
    });

    it('a drop of the next session after the hand-over is a reconnect: replayed, on the same timeline', async () => {
      const single = await oneSession();
      const endpoints = single.filter((i) => 'marker' in i).length;
      const stream = t.client.realtime({
        ...baseConfig(),
        rollover: {},
        reconnect: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      });
      const events: string[] = [];
      stream.on('rollover', () => events.push('rollover'));
      stream.on('reconnect', () => events.push('reconnect'));
      let openedAt = 0;
      stream.once('open', () => (openedAt = Date.now()));
      const read = collect(stream);
      await sendAndSettle(stream, read, endpoints);
      // The next session (the mock's next) drops after 2 s of its audio, mid-way through the copy.
      t.server.setFaults({ ws: [{ abruptClose: true, afterAudioMs: 2000, times: 1 }] });
      await t.clock.tickAsync(openedAt + SESSION_CAP_MS - DEFAULT_BEFORE_CAP_MS - Date.now());
      await settle(
        t.clock,
        until(() => events.length === 1, 5000),
        60_000,
      );
      stream.end(AUDIO.pcm);
      await settle(t.clock, until(read.done, 5000), 60_000);
      expect(read.error()).to.equal(undefined);
      expect(events).to.deep.equal(['rollover', 'reconnect']);
      const shifted = single.map((i) =>
        'marker' in i ? i : { ...i, start_ms: (i.start_ms as number) + AUDIO_MS },
      );
      expect(shape(read.items)).to.deep.equal(shape([...single, ...shifted]));
    });

    it("rolls over before a temporary key's own cap, with a fresh key each session", async () => {
      const single = await oneSession();
      const endpoints = single.filter((i) => 'marker' in i).length;
      let minted = 0;
      const mint = async () => {
        minted++;
        const key = await t.client.auth.createTemporaryKey({
          usage_type: 'transcribe_websocket',
          expires_in_seconds: 3600,
          max_session_duration_seconds: 120,
        });
        return key.api_key;
      };
      const stream = t.client.realtime({
        ...baseConfig(),
        rollover: { beforeCapMs: 20_000, getApiKey: mint },
      });
      const rollovers: RolloverEvent[] = [];
      stream.on('rollover', (e) => rollovers.push(e));
      const read = collect(stream);
      await sendAndSettle(stream, read, endpoints);
      // 100 s of the key's 120: the first rollover (the API's cap is hours away).
      await settle(
        t.clock,
        until(() => rollovers.length === 1, 5000),
        600_000,
        500,
      );
      await sendAndSettle(stream, read, 2 * endpoints);
      await settle(
        t.clock,
        until(() => rollovers.length === 2, 5000),
        600_000,
        500,
      );
      stream.end();
      await settle(t.clock, until(read.done, 5000), 60_000);
      expect(read.error()).to.equal(undefined);
      expect(minted).to.equal(3);
      expect(rollovers.map((r) => [r.count, r.atMs])).to.deep.equal([
        [1, AUDIO_MS],
        [2, 2 * AUDIO_MS],
      ]);
      const words = read.items.filter((i): i is RealtimeToken => !('marker' in i));
      expect(words).to.have.length(2 * single.filter((i) => !('marker' in i)).length);
      expect(t.server.received.sessions).to.have.length(4);
    });

    it('a rollover that fails: every token before it, then the next session error', async () => {
      const single = await oneSession();
      const endpoints = single.filter((i) => 'marker' in i).length;
      let calls = 0;
      const stream = t.client.realtime({
        ...baseConfig(),
        rollover: {
          getApiKey: () => {
            calls++;
            if (calls > 1) throw new Error('the key service is down');
            return t.server.apiKey;
          },
        },
      });
      const finished: unknown[] = [];
      stream.on('finished', (m) => finished.push(m));
      const read = collect(stream);
      await sendAndSettle(stream, read, endpoints);
      stream.write(AUDIO.pcm.subarray(0, 32_000));
      await t.clock.tickAsync(SESSION_CAP_MS - DEFAULT_BEFORE_CAP_MS);
      await settle(t.clock, until(read.done, 5000), 60_000);
      const error = read.error() as SonioxWebSocketError;
      expect(error).to.be.instanceOf(SonioxWebSocketError);
      expect(error.message).to.match(/cannot get an API key.*the key service is down/);
      // Everything the first session said, the second's audio finalized by its end-of-audio too.
      expect(shape(read.items.slice(0, single.length))).to.deep.equal(shape(single));
      expect(finished).to.deep.equal([]);
      expect(stream.phase).to.equal('failed');
    });

    it('a next session the server refuses (401): the first one drained, then that error', async () => {
      const single = await oneSession();
      const endpoints = single.filter((i) => 'marker' in i).length;
      const keys = [t.server.apiKey, 'sk-not-a-key'];
      const stream = t.client.realtime({
        ...baseConfig(),
        rollover: { getApiKey: () => keys.shift() as string },
      });
      const read = collect(stream);
      await sendAndSettle(stream, read, endpoints);
      await t.clock.tickAsync(SESSION_CAP_MS - DEFAULT_BEFORE_CAP_MS);
      stream.write(AUDIO.pcm);
      await settle(t.clock, until(read.done, 5000), 60_000);
      const error = read.error() as SonioxWebSocketError;
      expect(error.serverCode).to.equal(401);
      expect(error.message).to.not.include('sk-not-a-key');
      expect(shape(read.items)).to.deep.equal(shape(single));
    });
  });

  describe('against the mock (its caps, short)', () => {
    const t = fixture({
      mock: {
        realtimePacing: false,
        realtimeIdleTimeoutMs: 2 ** 31 - 1,
        limits: { streamDurationMs: 60_000 },
      },
      clock: FAKE,
    });

    it('without rollover, the cap ends the stream with its documented 400', async () => {
      const fx: Fixture = t;
      const stream = fx.client.realtime({ ...PCM, tokens: 'final' });
      const read = collect(stream);
      stream.write(AUDIO.pcm);
      await settle(fx.clock, until(read.done, 5000), 120_000, 1000);
      const error = read.error() as SonioxWebSocketError;
      expect(error.serverCode).to.equal(400);
      expect(error.message).to.match(/Maximum stream duration/);
      expect(read.items.length).to.be.greaterThan(0);
    });
  });

  describe('against a scripted server: the old session fails while it drains (fake time)', () => {
    const t = fixture({ clock: FAKE });
    const ROLL = { capMs: 10_000, beforeCapMs: 4_000 };

    /** Session 0 answers end-of-audio with `onEnd`; later ones finish normally. */
    async function server(onEnd: (peer: import('ws').WebSocket) => void) {
      const s = await scriptedServer((peer, index) => {
        peer.once('message', () => sendJson(peer, { tokens: [tok('one', 0)] }));
        onEndOfAudio(peer, () =>
          index === 0 ? onEnd(peer) : sendJson(peer, { tokens: [], finished: true }),
        );
      });
      t.defer(() => s.close());
      const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: s.url, env: {} });
      t.defer(() => client.close());
      return { s, client };
    }

    async function rollOverAndFail(onEnd: (peer: import('ws').WebSocket) => void) {
      const { client } = await server(onEnd);
      const stream = client.realtime({ ...PCM, acceptanceWindowMs: 0, rollover: ROLL });
      const read = collect(stream);
      stream.write(Buffer.alloc(3200));
      await settle(
        t.clock,
        until(() => read.items.length === 1, 5000),
        1000,
      );
      await t.clock.tickAsync(6_000);
      await settle(t.clock, until(read.done, 5000), 60_000, 1000);
      return read;
    }

    it('an error frame instead of finished: that error, after the tokens before it', async () => {
      const read = await rollOverAndFail((peer) => {
        sendJson(peer, { error_code: 503, error_message: 'Cannot continue request.' });
        peer.close(1011);
      });
      expect((read.error() as SonioxWebSocketError).serverCode).to.equal(503);
      expect(read.items.map((i) => ('marker' in i ? i.marker : i.text))).to.deep.equal(['one']);
    });

    it("an error that echoes the draining session's own key shows neither session's key", async () => {
      const { client } = await server((peer) => {
        sendJson(peer, { error_code: 401, error_message: 'Key temp:first-key, temp:next-key.' });
        peer.close(1011);
      });
      const keys = ['temp:first-key', 'temp:next-key'];
      const stream = client.realtime({
        ...PCM,
        acceptanceWindowMs: 0,
        rollover: { ...ROLL, getApiKey: () => keys.shift() ?? 'temp:later' },
      });
      const read = collect(stream);
      stream.write(Buffer.alloc(3200));
      await settle(
        t.clock,
        until(() => read.items.length === 1, 5000),
        1000,
      );
      await t.clock.tickAsync(6_000);
      await settle(t.clock, until(read.done, 5000), 60_000, 1000);
      const message = read.error()?.message ?? '';
      expect(message).to.match(/Key /);
      expect(message).not.to.include('temp:first-key');
      expect(message).not.to.include('temp:next-key');
    });

    it('the draining session dropped without a word: that drop, not a wait for the timeout', async () => {
      const read = await rollOverAndFail((peer) => peer.terminate());
      expect(read.error()).to.be.instanceOf(SonioxWebSocketError);
      expect(read.error()).not.to.be.instanceOf(SonioxTimeoutError);
      expect(read.items.map((i) => ('marker' in i ? i.marker : i.text))).to.deep.equal(['one']);
    });

    /**
     * Session 0 holds back its last word and `finished` until `release()`; session 1 answers
     * its start at once with `first` (a word, or an error frame), and its end-of-audio with
     * `finished`.
     */
    async function slowDrain(first: object | 'drop') {
      let release: (() => void) | undefined;
      const s = await scriptedServer((peer, index) => {
        peer.once('message', () => {
          if (index === 0) sendJson(peer, { tokens: [tok('one', 0)] });
          else if (first === 'drop') peer.terminate();
          else sendJson(peer, first);
        });
        onEndOfAudio(peer, () => {
          const finish = () => {
            if (index === 0) sendJson(peer, { tokens: [tok('last', 50)] });
            sendJson(peer, { tokens: [], finished: true });
          };
          if (index === 0) release = finish;
          else finish();
        });
      });
      t.defer(() => s.close());
      const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: s.url, env: {} });
      t.defer(() => client.close());
      const stream = client.realtime({ ...PCM, acceptanceWindowMs: 0, rollover: ROLL });
      const read = collect(stream);
      stream.write(Buffer.alloc(3200));
      await settle(
        t.clock,
        until(() => read.items.length === 1, 5000),
        1000,
      );
      await t.clock.tickAsync(6_000);
      // The next session has answered while the first one still drains.
      await until(() => release !== undefined && s.peers.length === 2, 5000);
      return { s, stream, read, release: () => release!() };
    }

    it("the next session's words wait for the draining one's last: one timeline, in order", async () => {
      const { s, stream, read, release } = await slowDrain({ tokens: [tok('two', 0)] });
      const closes: number[] = [];
      s.peers[0]!.on('close', (code) => closes.push(code));
      await until(() => s.peers[1]!.readyState === s.peers[1]!.OPEN, 5000);
      await realWait(50);
      expect(read.items.map((i) => ('marker' in i ? i.marker : i.text))).to.deep.equal(['one']);
      release();
      await until(() => read.items.length === 3, 5000);
      expect(read.items.map((i) => ('marker' in i ? i.marker : i.text.trim()))).to.deep.equal([
        'one',
        'last',
        'two',
      ]);
      // The drained session is closed politely.
      await until(() => closes.length === 1, 5000);
      expect(closes).to.deep.equal([1000]);
      stream.destroy();
    });

    it("the next session failing while the first drains: the first one's last word, then that error", async () => {
      const { read, release } = await slowDrain({ error_code: 400, error_message: 'Bad start.' });
      await realWait(50);
      expect(read.done()).to.equal(false);
      release();
      await settle(t.clock, until(read.done, 5000), 60_000, 1000);
      expect(read.items.map((i) => ('marker' in i ? i.marker : i.text))).to.deep.equal([
        'one',
        'last',
      ]);
      expect((read.error() as SonioxWebSocketError).serverCode).to.equal(400);
    });

    it("the next session dropped while the first drains: the first one's last word, then the drop", async () => {
      const { read, release } = await slowDrain('drop');
      await realWait(100);
      expect(read.done()).to.equal(false);
      release();
      await settle(t.clock, until(read.done, 5000), 60_000, 1000);
      expect(read.items.map((i) => ('marker' in i ? i.marker : i.text))).to.deep.equal([
        'one',
        'last',
      ]);
      expect(read.error()).to.be.instanceOf(SonioxWebSocketError);
    });

    it('destroyed while a session drains: the draining socket is closed too', async () => {
      const { s, stream } = await slowDrain({ tokens: [] });
      const closes: number[] = [];
      s.peers[0]!.on('close', (code) => closes.push(code));
      stream.destroy();
      await until(() => closes.length === 1, 5000);
      expect(s.peers[0]!.readyState).to.equal(s.peers[0]!.CLOSED);
    });

    it('silence past finishTimeoutMs: a SonioxTimeoutError that names the rollover', async () => {
      const read = await rollOverAndFail(() => undefined);
      expect(read.error()).to.be.instanceOf(SonioxTimeoutError);
      expect(read.error()?.message).to.match(/rollover's end of audio/);
    });

    it('no rollover after end(): the session ends on its own', async () => {
      const { s, client } = await server(() => undefined);
      const stream = client.realtime({ ...PCM, acceptanceWindowMs: 0, rollover: ROLL });
      const rollovers: RolloverEvent[] = [];
      stream.on('rollover', (e) => rollovers.push(e));
      stream.on('error', () => undefined);
      stream.resume();
      stream.end(Buffer.alloc(3200));
      await settle(
        t.clock,
        until(() => s.peers.length === 1, 5000),
        1000,
      );
      await t.clock.tickAsync(7_000);
      // A next session would need real time to reach the server: give it some.
      await realWait(300);
      expect(rollovers).to.deep.equal([]);
      expect(s.peers).to.have.length(1);
      stream.destroy();
    });
  });
});
