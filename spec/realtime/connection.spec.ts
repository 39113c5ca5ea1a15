/**
 * Connection against an in-memory socket (the webSocketFactory seam): liveness rules, the
 * one teardown, and that nothing is reported after it. Timers are sinon's.
 */
import { expect } from 'chai';
import { Agent } from 'node:http';
import { inspect } from 'node:util';
import sinon from 'sinon';
import { SonioxWebSocketError } from '../../lib/errors';
import {
  Connection,
  handshakeFailure,
  type ConnectionEvents,
  type RealtimeSocketOptions,
} from '../../lib/realtime/connection';
import { ScriptedSocket } from './scripted-socket';
import { userAgent } from '../../lib/internal/package-info';

describe('realtime/connection (scripted socket)', () => {
  let clock: sinon.SinonFakeTimers;
  let socket: ScriptedSocket;
  let seen: { open: number; messages: Array<string | undefined>; failures: SonioxWebSocketError[] };
  let connection: Connection;
  let factoryOptions: RealtimeSocketOptions | undefined;
  const KEY = 'sk-connection-SECRET-42';
  /** Runs the write callback of the first ping: it left (or failed to, with `error`). */
  const firstPingWritten = (error?: Error) => {
    const written = socket.pings[0];
    if (!written) throw new Error('no ping was sent');
    written(error);
  };

  beforeEach(() => {
    clock = sinon.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    });
    socket = new ScriptedSocket();
    seen = { open: 0, messages: [], failures: [] };
    connection = connect();
  });
  /** A Connection on `socket` reporting into `seen` (with `agent` when given). */
  const connect = (agent?: Agent): Connection => {
    const events: ConnectionEvents = {
      open: () => seen.open++,
      message: (text) => seen.messages.push(text),
      failure: (error) => seen.failures.push(error),
    };
    return new Connection(
      'ws://x',
      { Authorization: `Bearer ${KEY}` },
      KEY,
      { handshakeTimeoutMs: 1000, keepaliveIntervalMs: 1000, heartbeatIntervalMs: 500 },
      events,
      (_url, options) => {
        factoryOptions = options;
        return socket;
      },
      agent,
    );
  };
  afterEach(() => {
    connection.retire();
    clock.restore();
  });

  it('reports a handshake failure as "cannot open", without the key', () => {
    socket.emit('error', new Error(`Unexpected server response: 401 for ${KEY}`));
    expect(seen.failures).to.have.length(1);
    expect(seen.failures[0]!.message).to.match(/^cannot open the realtime session: /);
    expect(seen.failures[0]!.message).not.to.include(KEY);
    expect(socket.terminated).to.equal(true);
  });

  it('reports a failure after open as a failed connection, once, and nothing after it', () => {
    socket.open();
    socket.emit('error', new Error('read ECONNRESET'));
    socket.emit('close', 1006);
    socket.emit('message', Buffer.from('{}'), false);
    expect(seen.failures.map((f) => f.message)).to.deep.equal([
      'the realtime connection failed: read ECONNRESET',
    ]);
    expect(seen.messages).to.deep.equal([]);
  });

  it('reports an unexpected close with its code', () => {
    socket.open();
    socket.emit('close', 1011);
    expect(seen.failures[0]?.closeCode).to.equal(1011);
  });

  it('passes text frames on whole (fragmented or not) and binary frames as undefined', () => {
    socket.open();
    socket.emit('message', Buffer.from('{"a":1}'), false);
    socket.emit('message', [Buffer.from('{"b"'), Buffer.from(':2}')], false);
    socket.emit('message', new Uint8Array([123, 125]).buffer, false);
    socket.emit('message', Buffer.from([1, 2]), true);
    expect(seen.messages).to.deep.equal(['{"a":1}', '{"b":2}', '{}', undefined]);
  });

  it('refuses to send before open or after retire, saying so to the callback', () => {
    const errors: Array<Error | undefined> = [];
    connection.send('x', (e) => errors.push(e));
    socket.open();
    connection.send('y', (e) => errors.push(e));
    connection.retire();
    connection.send('z', (e) => errors.push(e));
    expect(errors[0]).to.be.instanceOf(SonioxWebSocketError);
    expect(errors[1]).to.equal(undefined);
    expect(errors[2]).to.be.instanceOf(SonioxWebSocketError);
    expect(socket.sent).to.deep.equal(['y']);
  });

  it('declares the connection dead when a ping that left meets no frame for a whole interval', () => {
    socket.open();
    clock.tick(500);
    expect(socket.pings).to.have.length(1);
    firstPingWritten();
    clock.tick(500);
    expect(seen.failures).to.have.length(1);
    expect(seen.failures[0]!.message).to.match(/no pong/);
    expect(seen.failures[0]!.closeCode).to.equal(1006);
  });

  it('waits for a ping still queued behind audio before holding its silence against the server', () => {
    socket.open();
    clock.tick(500);
    // The ping has not left (its write callback has not run): two more intervals pass.
    clock.tick(1000);
    expect(seen.failures).to.have.length(0);
    firstPingWritten();
    clock.tick(500);
    expect(seen.failures).to.have.length(1);
  });

  it('counts a result frame or a pong as life', () => {
    socket.open();
    for (let i = 0; i < 4; i++) {
      clock.tick(500);
      socket.pings.at(-1)?.();
      if (i % 2) socket.emit('pong');
      else socket.emit('message', Buffer.from('{"tokens":[]}'), false);
    }
    expect(seen.failures).to.have.length(0);
  });

  it('rests the heartbeat while it has paused the socket for a slow reader, and resumes it after', () => {
    socket.open();
    clock.tick(500);
    firstPingWritten();
    connection.pause();
    connection.pause();
    expect(socket.paused).to.equal(true);
    clock.tick(5000);
    expect(seen.failures).to.have.length(0);
    connection.resume();
    connection.resume();
    expect(socket.paused).to.equal(false);
    clock.tick(500);
    socket.pings.at(-1)?.();
    clock.tick(500);
    expect(seen.failures).to.have.length(1);
  });

  it('sends a keepalive only after a quiet interval without audio', () => {
    socket.open();
    clock.tick(1000);
    expect(socket.sent).to.deep.equal(['{"type":"keepalive"}']);
    clock.tick(600);
    connection.send(Buffer.alloc(2));
    clock.tick(400);
    expect(socket.sent.filter((f) => f === '{"type":"keepalive"}')).to.have.length(1);
  });

  it('runs the finish deadline once armed, and never after retire', () => {
    socket.open();
    let fired = 0;
    connection.armFinishDeadline(300, () => fired++);
    connection.armFinishDeadline(300, () => fired++);
    clock.tick(300);
    expect(fired).to.equal(1);
    connection.retire();
    connection.armFinishDeadline(10, () => fired++);
    clock.tick(100);
    expect(fired).to.equal(1);
  });

  it('retires gracefully: reads again so the close frame is seen, closes 1000, clears every timer', () => {
    socket.open();
    connection.pause();
    connection.armFinishDeadline(1000, () => undefined);
    connection.retire(true);
    connection.retire(true);
    expect(socket.paused).to.equal(false);
    expect(socket.closedWith).to.equal(1000);
    expect(socket.terminated).to.equal(false);
    expect(clock.countTimers()).to.equal(0);
    connection.pause();
    connection.resume();
    expect(socket.paused).to.equal(false);
  });

  it('fails a socket not open within handshakeTimeoutMs (a proxy CONNECT included), as transient', () => {
    clock.tick(999);
    expect(seen.failures).to.deep.equal([]);
    clock.tick(1);
    expect(seen.failures.map((f) => [f.message, f.retryable])).to.deep.equal([
      [
        'cannot open the realtime session: the opening handshake (proxy included) timed out after 1000 ms',
        true,
      ],
    ]);
    expect(socket.terminations).to.equal(1);
    // ws's own handshake timeout, should it come too, reports nothing more.
    socket.emit('error', new Error('Opening handshake has timed out'));
    expect(seen.failures).to.have.length(1);
  });

  it('lets a socket open in time live past the handshake deadline, and a retired one report nothing', () => {
    clock.tick(999);
    socket.open();
    clock.tick(1);
    expect(seen.failures).to.deep.equal([]);
    expect(socket.terminations).to.equal(0);
    connection.retire();
    const other = new ScriptedSocket();
    socket = other;
    connection = connect();
    connection.retire();
    clock.tick(1000);
    expect(seen.failures).to.deep.equal([]);
    expect(clock.countTimers()).to.equal(0);
  });

  it('runs the acceptance wait once its time passed, unless a frame came first or it retired', () => {
    socket.open();
    let accepted = 0;
    connection.armAcceptance(300, () => accepted++);
    clock.tick(299);
    expect(accepted).to.equal(0);
    clock.tick(1);
    expect(accepted).to.equal(1);
    connection.armAcceptance(300, () => accepted++);
    socket.emit('message', Buffer.from('{"tokens":[]}'), false);
    clock.tick(300);
    expect(accepted).to.equal(1);
    connection.armAcceptance(300, () => accepted++);
    connection.retire();
    clock.tick(300);
    connection.armAcceptance(300, () => accepted++);
    clock.tick(300);
    expect(accepted).to.equal(1);
  });

  it('ignores an open that comes after retire', () => {
    connection.retire();
    socket.open();
    expect(seen.open).to.equal(0);
    expect(clock.countTimers()).to.equal(0);
  });

  describe('exactly', () => {
    it('asks for a socket without permessage-deflate, with the handshake timeout and the headers', () => {
      expect(factoryOptions).to.deep.equal({
        perMessageDeflate: false,
        handshakeTimeout: 1000,
        headers: { 'User-Agent': userAgent(), Authorization: `Bearer ${KEY}` },
      });
    });

    it('hands the agent of the upgrade request to the socket factory', () => {
      connection.retire();
      const agent = new Agent();
      connection = connect(agent);
      expect(factoryOptions).to.deep.equal({
        perMessageDeflate: false,
        handshakeTimeout: 1000,
        headers: { 'User-Agent': userAgent(), Authorization: `Bearer ${KEY}` },
        agent,
      });
      expect(factoryOptions?.agent).to.equal(agent);
    });

    it('gives an upgrade answered with another status than 101 that status and its retryability', () => {
      let drained = false;
      socket.emit('unexpected-response', {}, { statusCode: 503, resume: () => (drained = true) });
      expect(seen.failures[0]).to.include({ serverCode: 503, retryable: true });
      expect(seen.failures[0]?.message).to.equal(
        'cannot open the realtime session: Unexpected server response: 503',
      );
      expect(drained, 'the answer is read to its end').to.equal(true);
      expect(socket.terminations).to.equal(1);
    });

    it("reads no status out of a handshake error's words", () => {
      socket.emit('error', new Error('Unexpected server response: 503'));
      expect(seen.failures[0]).to.include({ serverCode: undefined, retryable: false });
    });

    it('after open, reads no HTTP status into a socket error', () => {
      socket.open();
      socket.emit('error', new Error('Unexpected server response: 401'));
      expect(seen.failures[0]).to.include({ serverCode: undefined, retryable: true });
    });

    it('survives a socket error that comes after retire, and reports nothing', () => {
      socket.open();
      connection.retire();
      expect(() => socket.emit('error', new Error('write EPIPE'))).not.to.throw();
      expect(seen.failures).to.deep.equal([]);
    });

    it('closes or terminates the socket only on the first retire', () => {
      socket.open();
      connection.retire(true);
      connection.retire(true);
      connection.retire();
      expect([socket.closes, socket.resumes, socket.terminations]).to.deep.equal([1, 1, 0]);
    });

    it('keeps the socket (and its headers) out of util.inspect', () => {
      socket.open();
      expect(inspect(connection, { depth: 5 })).not.to.include(KEY);
      expect(Object.keys(connection)).not.to.include('ws');
    });

    it('reports the buffered amount of the socket', () => {
      socket.bufferedAmount = 1234;
      expect(connection.bufferedAmount).to.equal(1234);
    });

    it('says why a send before open fails, and says which close code ended the connection', () => {
      let error: Error | undefined;
      connection.send('x', (e) => (error = e));
      expect(error?.message).to.equal('the realtime connection is not open');
      socket.open();
      socket.emit('close', 4000);
      expect(seen.failures[0]?.message).to.equal(
        'the realtime connection closed unexpectedly (code 4000) before the session finished',
      );
    });

    it('sends audio as binary frames and control messages as text; only audio holds off the keepalive', () => {
      socket.open();
      connection.send(Buffer.alloc(2));
      clock.tick(600);
      connection.send('{"type":"finalize"}');
      clock.tick(400);
      expect(socket.binary.slice(0, 2)).to.deep.equal([true, false]);
      expect(socket.sent.at(-1)).to.equal('{"type":"keepalive"}');
    });

    it('pauses and resumes the socket once each, and not after retire', () => {
      socket.open();
      connection.resume();
      expect(socket.resumes).to.equal(0);
      connection.pause();
      connection.pause();
      connection.resume();
      connection.resume();
      expect([socket.pauses, socket.resumes]).to.deep.equal([1, 1]);
      connection.retire();
      connection.pause();
      expect(socket.pauses).to.equal(1);
    });

    it('sends no ping while paused, and after a pause starts over with a fresh ping', () => {
      socket.open();
      clock.tick(500);
      firstPingWritten();
      connection.pause();
      clock.tick(1500);
      expect(socket.pings).to.have.length(1);
      connection.resume();
      clock.tick(500);
      expect(socket.pings).to.have.length(2);
      expect(seen.failures).to.have.length(0);
    });

    it('does not hold a ping that failed to leave against the server', () => {
      socket.open();
      clock.tick(500);
      firstPingWritten(new Error('write EPIPE'));
      clock.tick(1500);
      expect(seen.failures).to.have.length(0);
    });

    it('retires by terminating unless told to be graceful, once, and leaves a closed socket alone', () => {
      socket.open();
      connection.retire();
      connection.retire();
      expect(socket.terminations).to.equal(1);
      expect(socket.closedWith).to.equal(undefined);
    });

    it('retires a socket that is not open by terminating it, even when asked to be graceful', () => {
      connection.retire(true);
      expect(socket.terminations).to.equal(1);
      expect(socket.closedWith).to.equal(undefined);
    });

    it('does not terminate a socket that is already closed', () => {
      socket.readyState = 3;
      connection.retire();
      expect(socket.terminations).to.equal(0);
    });
  });

  describe('handshakeFailure', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) {
      it(`retries a handshake the server answered with ${status}`, () => {
        expect(handshakeFailure({ status })).to.deep.equal({ serverCode: status, retryable: true });
      });
    }

    for (const status of [400, 401, 403, 404]) {
      it(`does not retry a handshake the server answered with ${status}`, () => {
        expect(handshakeFailure({ status })).to.deep.equal({
          serverCode: status,
          retryable: false,
        });
      });
    }

    // Spelled out, not imported: the spec states which codes are worth another attempt.
    const refusedOrDropped = ['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE'];
    const unreachableForNow = ['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'];
    for (const code of [...refusedOrDropped, ...unreachableForNow]) {
      it(`retries a connection that failed with ${code}, without a server code`, () => {
        expect(handshakeFailure({ code })).to.deep.equal({ retryable: true });
      });
    }

    it('does not retry a connection that failed with a lasting socket error', () => {
      expect(handshakeFailure({ code: 'ENOTFOUND' })).to.deep.equal({ retryable: false });
      expect(handshakeFailure({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })).to.deep.equal({
        retryable: false,
      });
    });

    it('does not retry an error with neither a code nor a status, whatever its message says', () => {
      expect(handshakeFailure({})).to.deep.equal({ retryable: false });
    });
  });
});
