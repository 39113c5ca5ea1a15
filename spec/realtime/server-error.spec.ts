/**
 * A session the server ends with an error frame (a 4xx/5xx, the duration cap's 400, an expired
 * temporary key) or a close without `finished`: every token it sent before reaches the reader,
 * however the tokens are read, in order, and then the error. The scripted server sends the
 * tokens and the error in one burst, so the tokens wait in the readable buffer while the reader
 * works through them.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { WebSocket } from 'ws';
import { SonioxClient } from '../../lib/client';
import { SonioxTimeoutError, SonioxWebSocketError } from '../../lib/errors';
import type { RealtimeMarker } from '../../lib/realtime/markers';
import type { RealtimeStream } from '../../lib/realtime/stream';
import type { RealtimeToken } from '../../lib/types';
import { SECRET_KEY, fixture, rejection, until } from '../helpers';
import {
  onEndOfAudio,
  scriptedServer,
  sendJson,
  tok,
  type ScriptedServer,
} from './scripted-server';

const PCM16 = { audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 } as const;
const CAP = 'Audio duration limit exceeded (300 minutes).';
const COUNT = 200;
const WORDS = Array.from({ length: COUNT }, (_, i) => `w${i}`);

const turn = () => new Promise((resolve) => setImmediate(resolve));
const text = (token: RealtimeToken | RealtimeMarker) =>
  'text' in token ? token.text.trim() : `<${token.marker}>`;

/**
 * A reader whose work outlasts the session (an LLM call): it takes each token only once the
 * session failed (its socket retired), one per turn of the event loop when `slowly`, into `log`.
 * `over` settles as the session fails; `reading` with the error the stream ends with.
 */
function readAfterFailure(
  stream: RealtimeStream<RealtimeToken | RealtimeMarker>,
  log: string[],
  slowly: boolean,
) {
  const over = until(() => stream.phase === 'failed');
  const reading = rejection(
    (async () => {
      for await (const token of stream) {
        await over;
        if (slowly) await turn();
        log.push(text(token));
      }
    })(),
  );
  return { over, reading };
}

/** How the server ends the session once it has sent the tokens. */
type Ending = (ws: WebSocket) => void;
const capError: Ending = (ws) => {
  sendJson(ws, { error_code: 400, error_message: CAP });
  ws.close(1000);
};
const closeWithoutFinished: Ending = (ws) => ws.close(1000);

describe('realtime: tokens sent before a server error reach the reader, then the error', () => {
  const t = fixture();
  let server: ScriptedServer;
  /** The server answers the end of audio (or, `onAudio`, the first audio) with the tokens and the ending. */
  const start = async (ending: Ending, markers = false, onAudio = false) => {
    const when = (ws: WebSocket, then: () => void) =>
      onAudio ? ws.once('message', () => ws.once('message', then)) : onEndOfAudio(ws, then);
    server = await scriptedServer((ws) =>
      when(ws, () => {
        // Five frames of 40 finals (with an endpoint after each frame when asked), then the end.
        for (let f = 0; f < 5; f++) {
          const tokens = WORDS.slice(f * 40, f * 40 + 40).map((w, i) =>
            tok(` ${w}`, (f * 40 + i) * 100),
          );
          if (markers) tokens.push(tok('<end>', (f * 40 + 40) * 100));
          sendJson(ws, { tokens });
        }
        ending(ws);
      }),
    );
    t.defer(() => server.close());
  };

  function open<S = RealtimeStream>(config: Record<string, unknown> = {}): S {
    const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: server.url, env: {} });
    const stream = client.realtime({ ...PCM16, ...config });
    t.defer(() => stream.destroy());
    return stream as S;
  }

  /** A Writable that takes a turn of the event loop per token, two at most held. */
  const slowSink = (log: string[]) =>
    new Writable({
      objectMode: true,
      highWaterMark: 2,
      write(token: RealtimeToken, _encoding, done) {
        setImmediate(() => {
          log.push(text(token));
          done();
        });
      },
    });

  it('gives a slow for await reader every token, then throws the error', async () => {
    await start(capError);
    const stream = open();
    stream.end(Buffer.alloc(3200));
    const log: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const token of stream) {
          await turn();
          log.push(text(token));
        }
      })(),
    );
    expect(log).to.deep.equal(WORDS);
    expect(error).to.be.instanceOf(SonioxWebSocketError);
    expect(error.message).to.equal(`realtime session failed with 400: ${CAP}`);
    expect(stream.phase).to.equal('failed');
  });

  it('gives a reader that holds the first token until the session is over every token', async () => {
    await start(capError);
    const stream = open();
    stream.end(Buffer.alloc(3200));
    const log: string[] = [];
    // The reader's own work (an LLM call) outlasts the session: the socket is retired meanwhile.
    const error = await readAfterFailure(stream, log, false).reading;
    expect(log).to.deep.equal(WORDS);
    expect(error.message).to.equal(`realtime session failed with 400: ${CAP}`);
  });

  it('gives a slow Writable at the end of a pipeline every token, then rejects with the error', async () => {
    await start(capError);
    const stream = open();
    stream.end(Buffer.alloc(3200));
    const log: string[] = [];
    const error = await rejection(pipeline(stream, slowSink(log)));
    expect(log).to.deep.equal(WORDS);
    expect(error.message).to.equal(`realtime session failed with 400: ${CAP}`);
  });

  it("gives a 'data' listener that pauses for each token every token, then emits 'error'", async () => {
    await start(capError);
    const stream = open();
    const log: string[] = [];
    stream.on('data', (token: RealtimeToken) => {
      stream.pause();
      setImmediate(() => {
        log.push(text(token));
        stream.resume();
      });
    });
    stream.end(Buffer.alloc(3200));
    const [error] = (await once(stream, 'error')) as [Error];
    expect(log).to.deep.equal(WORDS);
    expect(error.message).to.equal(`realtime session failed with 400: ${CAP}`);
  });

  it('gives in-band markers in their places, then the error', async () => {
    await start(capError, true);
    const stream = open<RealtimeStream<RealtimeToken | RealtimeMarker>>({ markers: 'inband' });
    const events: string[] = [];
    stream.on('endpoint', () => events.push('<endpoint>'));
    stream.end(Buffer.alloc(3200));
    const items: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const item of stream) {
          await turn();
          items.push('marker' in item ? `<${item.marker}>` : text(item));
        }
      })(),
    );
    const expected = [0, 1, 2, 3, 4].flatMap((f) => [
      ...WORDS.slice(f * 40, f * 40 + 40),
      '<endpoint>',
    ]);
    expect(items).to.deep.equal(expected);
    expect(events).to.deep.equal([
      '<endpoint>',
      '<endpoint>',
      '<endpoint>',
      '<endpoint>',
      '<endpoint>',
    ]);
    expect(error.message).to.equal(`realtime session failed with 400: ${CAP}`);
  });

  it('gives a slow for await reader every token of a session closed without finished, then the close', async () => {
    await start(closeWithoutFinished);
    const stream = open();
    stream.end(Buffer.alloc(3200));
    const log: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const token of stream) {
          await turn();
          log.push(text(token));
        }
      })(),
    );
    expect(log).to.deep.equal(WORDS);
    expect(error.message).to.equal(
      'the realtime connection closed unexpectedly (code 1000) before the session finished',
    );
  });

  it('gives a slow pipeline every token of a session closed without finished, then the close', async () => {
    await start(closeWithoutFinished);
    const stream = open();
    stream.end(Buffer.alloc(3200));
    const log: string[] = [];
    const error = await rejection(pipeline(stream, slowSink(log)));
    expect(log).to.deep.equal(WORDS);
    expect((error as SonioxWebSocketError).closeCode).to.equal(1000);
  });

  it("settles end()'s callback and the writes while the reader drains, with the error, and takes no more audio", async () => {
    await start(capError);
    const stream = open();
    const ended = new Promise<Error | null | undefined>((resolve) =>
      stream.end(Buffer.alloc(3200), () => resolve(stream.errored)),
    );
    const log: string[] = [];
    const reading = rejection(
      (async () => {
        for await (const token of stream) {
          await turn();
          log.push(text(token));
        }
      })(),
    );
    const [error] = await Promise.all([reading, ended]);
    expect(log).to.have.length(COUNT);
    expect(error.message).to.equal(`realtime session failed with 400: ${CAP}`);
  });

  it('holds a write made while the reader drains, and fails it with the error after the last token', async () => {
    await start(capError, false, true);
    const stream = open();
    stream.write(Buffer.alloc(3200));
    const log: string[] = [];
    const { over, reading } = readAfterFailure(stream, log, true);
    await over;
    const written = new Promise<string>((resolve) =>
      stream.write(Buffer.alloc(3200), (error) => {
        log.push('<write settled>');
        resolve(error?.message ?? 'no error');
      }),
    );
    expect(await written).to.equal(`realtime session failed with 400: ${CAP}`);
    expect((await reading).message).to.equal(`realtime session failed with 400: ${CAP}`);
    expect(log).to.deep.equal([...WORDS, '<write settled>']);
  });

  it('gives a reader every token that came before the server went silent past finishTimeoutMs, then the timeout', async () => {
    server = await scriptedServer((ws) =>
      onEndOfAudio(ws, () =>
        sendJson(ws, { tokens: WORDS.slice(0, 5).map((w, i) => tok(` ${w}`, i * 100)) }),
      ),
    );
    t.defer(() => server.close());
    const stream = open({ finishTimeoutMs: 100 });
    stream.end(Buffer.alloc(3200));
    const log: string[] = [];
    const error = await readAfterFailure(stream, log, false).reading;
    expect(log).to.deep.equal(WORDS.slice(0, 5));
    expect(error).to.be.instanceOf(SonioxTimeoutError);
    expect(error.message).to.equal("no 'finished' from the server within 100 ms of end()");
  });

  it('holds an end() made while the reader drains, and gives its callback the error after the last token', async () => {
    await start(capError, false, true);
    const stream = open();
    stream.write(Buffer.alloc(3200));
    const log: string[] = [];
    const { over, reading } = readAfterFailure(stream, log, true);
    await over;
    const ended = new Promise<string>((resolve) =>
      stream.end((error?: Error | null) => {
        log.push('<end settled>');
        resolve(error?.message ?? 'no error');
      }),
    );
    expect(await ended).to.equal(`realtime session failed with 400: ${CAP}`);
    await reading;
    expect(log).to.deep.equal([...WORDS, '<end settled>']);
  });

  it('still drops the buffered tokens at once on a user destroy()', async () => {
    await start(capError);
    const stream = open();
    stream.end(Buffer.alloc(3200));
    const log: string[] = [];
    let closed = false;
    stream.on('close', () => (closed = true));
    const reading = (async () => {
      for await (const token of stream) {
        log.push(text(token));
        if (log.length === 3) stream.destroy();
        await turn();
      }
    })();
    await rejection(reading).catch(() => undefined);
    await until(() => closed);
    expect(log).to.deep.equal(WORDS.slice(0, 3));
    expect(stream.phase).to.be.oneOf(['destroyed', 'failed']);
  });

  it('fails at once a stream nobody reads, its tokens left unread', async () => {
    await start(capError);
    const stream = open();
    stream.end(Buffer.alloc(3200));
    const [error] = (await once(stream, 'error')) as [Error];
    expect(error.message).to.equal(`realtime session failed with 400: ${CAP}`);
    expect(stream.phase).to.equal('failed');
  });
});
