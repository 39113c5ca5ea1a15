/**
 * The recording socket of `record` / SONIOX_RECORD (lib/realtime/record.ts) on a scripted
 * socket and a fake cassette writer, on fake time: what a cassette says of a session (its start,
 * its audio, its controls, each server frame with what the client had sent by then, its close),
 * and that the stream above sees the socket as if nothing recorded it.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import sinon from 'sinon';
import type { CassetteWriter, RecordedSession } from '../../lib/cassette';
import type {
  RealtimeSocket,
  RealtimeSocketData,
  RealtimeSocketOptions,
} from '../../lib/realtime/connection';
import { recordingFactory } from '../../lib/realtime/record';

/** A socket that notes what is done to it; the spec emits its events. */
class ScriptedSocket extends EventEmitter {
  readyState = 0;
  bufferedAmount = 0;
  calls: unknown[][] = [];
  send(data: string | Buffer, options: { binary: boolean }, done?: (error?: Error) => void) {
    this.calls.push(['send', data, options]);
    done?.();
  }
  ping(data: undefined, mask: undefined, done?: (error?: Error) => void) {
    this.calls.push(['ping', data, mask]);
    done?.();
  }
  pause() {
    this.calls.push(['pause']);
  }
  resume() {
    this.calls.push(['resume']);
  }
  close(code?: number) {
    this.calls.push(['close', code]);
  }
  terminate() {
    this.calls.push(['terminate']);
  }
}

const OPTIONS: RealtimeSocketOptions = { perMessageDeflate: false, handshakeTimeout: 1000 };

describe('realtime/record: the recording socket', () => {
  let clock: sinon.SinonFakeTimers;
  let inner: ScriptedSocket;
  /** Each write of the session: a copy of it as it stood, and the slot it was given. */
  let writes: Array<{ session: RecordedSession; slot: number | undefined }>;
  let elapsed: number;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    inner = new ScriptedSocket();
    writes = [];
    elapsed = 5;
  });
  afterEach(() => clock.restore());

  function record(url = 'ws://127.0.0.1:9/transcribe-websocket?x=1'): RealtimeSocket {
    const writer = {
      elapsedMs: () => elapsed,
      saveSession: (session: RecordedSession, slot?: number) => {
        writes.push({ session: structuredClone(session), slot });
        return slot ?? 7;
      },
    } as unknown as CassetteWriter;
    const seen: Array<[string, RealtimeSocketOptions]> = [];
    const socket = recordingFactory((u, o) => {
      seen.push([u, o]);
      return inner;
    }, writer)(url, OPTIONS);
    expect(seen).to.deep.equal([[url, OPTIONS]]);
    return socket;
  }
  const last = () => writes.at(-1)!.session;
  const serverSends = (data: RealtimeSocketData | string, isBinary = false) =>
    inner.emit('message', typeof data === 'string' ? Buffer.from(data) : data, isBinary);

  it('is the socket to the stream: calls go through, state is read through, events come back', () => {
    const socket = record();
    const done = sinon.spy();
    socket.send(Buffer.from([1]), { binary: true }, done);
    socket.ping(undefined, undefined, done);
    socket.pause();
    socket.resume();
    socket.close(1000);
    socket.terminate();
    expect(inner.calls).to.deep.equal([
      ['send', Buffer.from([1]), { binary: true }],
      ['ping', undefined, undefined],
      ['pause'],
      ['resume'],
      ['close', 1000],
      ['terminate'],
    ]);
    expect(done.callCount).to.equal(2);
    inner.readyState = 1;
    inner.bufferedAmount = 4096;
    expect([socket.readyState, socket.bufferedAmount]).to.deep.equal([1, 4096]);

    const events: unknown[][] = [];
    for (const name of ['open', 'pong', 'error', 'close', 'message'])
      socket.on(name as 'close', (...args: unknown[]) => events.push([name, ...args]));
    const failure = new Error('reset');
    inner.emit('open');
    inner.emit('open');
    inner.emit('pong');
    inner.emit('error', failure);
    serverSends(Buffer.from([9]), true);
    inner.emit('close', 1006);
    expect(events).to.deep.equal([
      ['open'],
      ['pong'],
      ['error', failure],
      ['message', Buffer.from([9]), true],
      ['close', 1006],
    ]);
  });

  it("passes the upgrade's refusal on to a listener, and a socket error only to one", () => {
    const socket = record();
    // Until the stream listens for it, ws must keep its own handling of a refused upgrade (an
    // 'error' that aborts the request): nothing listens on the socket for it in its place.
    socket.once('open', () => undefined);
    socket.on('close', () => undefined);
    expect(inner.listenerCount('unexpected-response')).to.equal(0);
    // No 'error' listener yet: an EventEmitter would throw it; the recording holds it back.
    expect(() => inner.emit('error', new Error('early'))).not.to.throw();
    const refusals: unknown[][] = [];
    socket.on('unexpected-response', (request, response) => refusals.push([request, response]));
    socket.on('unexpected-response', () => refusals.push(['second listener']));
    inner.emit('unexpected-response', 'request', 'response');
    // One forwarding for any number of listeners.
    expect(refusals).to.deep.equal([['request', 'response'], ['second listener']]);
    expect(inner.listenerCount('unexpected-response')).to.equal(1);
  });

  it('records the start message, the audio as a digest, the end of audio and the controls', () => {
    const socket = record();
    elapsed = 40;
    inner.emit('open');
    clock.tick(3);
    socket.send('{"api_key":"k","audio_format":"pcm_s16le"}', { binary: false });
    clock.tick(10);
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    clock.tick(10);
    socket.send(Buffer.from([4, 5]), { binary: true });
    socket.send('{"type":"finalize"}', { binary: false });
    socket.send('{"type":"keepalive"}', { binary: false });
    socket.send('not json', { binary: false });
    clock.tick(5);
    socket.send('', { binary: false });
    inner.emit('close', 1000);
    const session = last();
    expect(session.atMs).to.equal(40);
    expect(session.path).to.equal('/transcribe-websocket');
    expect(session.start).to.deep.equal({ api_key: 'k', audio_format: 'pcm_s16le' });
    expect(session.audio).to.deep.equal({
      bytes: 5,
      chunks: 2,
      sha256: createHash('sha256')
        .update(Buffer.from([1, 2, 3, 4, 5]))
        .digest('hex'),
      firstAtMs: 13,
      lastAtMs: 23,
    });
    expect(session.controls).to.deep.equal([
      { atMs: 23, message: { type: 'finalize' } },
      { atMs: 23, message: { type: 'keepalive' } },
      { atMs: 23, message: 'not json' },
    ]);
    expect(session.endOfAudioAtMs).to.equal(28);
    expect(session.close).to.deep.equal({ atMs: 28, code: 1000 });
  });

  it('keeps a start message that is no JSON object as its text', () => {
    for (const start of ['[1,2]', 'null', '42', 'hello']) {
      const socket = record();
      socket.send(start, { binary: false });
      inner.emit('close', 1000);
      expect(last().start).to.deep.equal({ text: start });
    }
  });

  it('records each server text frame with what the client had sent by then, decoded from any shape', () => {
    const socket = record('not a url');
    inner.emit('open');
    socket.send('{}', { binary: false });
    serverSends('{"tokens":[]}');
    socket.send(Buffer.alloc(10), { binary: true });
    socket.send('{"type":"finalize"}', { binary: false });
    // Only a finalize counts as one; a control that is JSON null is kept, not read into.
    socket.send('{"type":"keepalive"}', { binary: false });
    socket.send('null', { binary: false });
    clock.tick(50);
    serverSends([Buffer.from('{"tokens":'), Buffer.from('[1]}')]);
    const bytes = Buffer.from('odd frame');
    serverSends(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    socket.send('', { binary: false });
    // A binary frame from the server is no result: not recorded.
    serverSends(Buffer.from([0xff]), true);
    serverSends('{"finished":true}');
    expect(last().path).to.equal('not a url');
    expect(last().frames).to.deep.equal([
      {
        atMs: 0,
        afterAudioBytes: 0,
        afterFinalizes: 0,
        afterEndOfAudio: false,
        json: { tokens: [] },
      },
      {
        atMs: 50,
        afterAudioBytes: 10,
        afterFinalizes: 1,
        afterEndOfAudio: false,
        json: { tokens: [1] },
      },
      {
        atMs: 50,
        afterAudioBytes: 10,
        afterFinalizes: 1,
        afterEndOfAudio: false,
        text: 'odd frame',
      },
      {
        atMs: 50,
        afterAudioBytes: 10,
        afterFinalizes: 1,
        afterEndOfAudio: true,
        json: { finished: true },
      },
    ]);
  });

  it('writes the session at finished or an error frame, again in its place at the close, then no more', () => {
    const socket = record();
    inner.emit('open');
    socket.send('{}', { binary: false });
    serverSends('{"tokens":[]}');
    serverSends('null');
    serverSends('not json');
    expect(writes).to.deep.equal([]);
    serverSends('{"finished":false}');
    expect(writes).to.deep.equal([]);
    serverSends('{"error_code":503,"error_message":"busy"}');
    expect(writes.map((w) => w.slot)).to.deep.equal([undefined]);
    expect(last().frames).to.have.length(5);
    expect(last().close).to.equal(undefined);
    serverSends('{"finished":true}');
    inner.emit('close', 1000);
    // Each later write replaces the first one, in the slot the writer gave it.
    expect(writes.map((w) => w.slot)).to.deep.equal([undefined, 7, 7]);
    expect(last().close?.code).to.equal(1000);
    serverSends('{"finished":true}');
    inner.emit('close', 1000);
    expect(writes).to.have.length(3);
  });

  it('writes the digest of the audio sent by each write, the digest going on after it', () => {
    const socket = record();
    socket.send(Buffer.from([1]), { binary: true });
    serverSends('{"finished":true}');
    socket.send(Buffer.from([2]), { binary: true });
    inner.emit('close', 1000);
    const digest = (bytes: number[]) =>
      createHash('sha256').update(Buffer.from(bytes)).digest('hex');
    expect(writes.map((w) => w.session.audio.sha256)).to.deep.equal([digest([1]), digest([1, 2])]);
    // Before the socket opened, times are 0.
    expect(writes[1]!.session.audio).to.include({ firstAtMs: 0, lastAtMs: 0 });
  });
});
