/**
 * Markers in stream order: `endpoint`, `finalized` and `finished` reach the application after
 * every token before them and before any token after them, however the tokens are read. The
 * server (a scripted loopback peer) sends every frame at once, so the tokens wait in the
 * readable buffer while the reader works through them.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SonioxClient } from '../../lib/client';
import type { RealtimeMarker } from '../../lib/realtime/markers';
import type { RealtimeStream } from '../../lib/realtime/stream';
import type { RealtimeToken } from '../../lib/types';
import { SECRET_KEY, fixture, until } from '../helpers';
import {
  onEndOfAudio,
  scriptedServer,
  sendJson,
  tok,
  type ScriptedServer,
} from './scripted-server';

const PCM16 = { audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 } as const;

/** What the application sees, in the order it sees it. */
const EXPECTED = [
  'good',
  'morning',
  '<endpoint>',
  'how',
  'are',
  'you',
  '<endpoint>',
  'ok',
  '<finalized>',
  'bye',
  '<finished>',
];

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('realtime markers in stream order (scripted server, slow readers)', () => {
  const t = fixture();
  let server: ScriptedServer;
  beforeEach(async () => {
    // Every frame at once, at end of audio: the reader is slower than the network by construction.
    server = await scriptedServer((ws) =>
      onEndOfAudio(ws, () => {
        sendJson(ws, { tokens: [tok('good', 0), tok(' morning', 100), tok('<end>', 200)] });
        sendJson(ws, {
          tokens: [tok('how', 300), tok(' are', 400), tok(' you', 500), tok('<end>', 600)],
        });
        sendJson(ws, { tokens: [tok(' ok', 700), tok('<fin>', 800)] });
        sendJson(ws, { tokens: [tok(' bye', 900)], finished: true });
      }),
    );
    t.defer(() => server.close());
  });

  function client(): SonioxClient {
    return new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: server.url, env: {} });
  }
  function track<S extends { destroy(): unknown }>(stream: S): S {
    t.defer(() => stream.destroy());
    return stream;
  }
  const open = () => track(client().realtime({ ...PCM16 }));

  /** Logs the stream's marker events into `log`. */
  function listen(
    stream: RealtimeStream | RealtimeStream<RealtimeToken | RealtimeMarker>,
    log: string[],
  ): void {
    stream.on('endpoint', () => log.push('<endpoint>'));
    stream.on('finalized', () => log.push('<finalized>'));
    stream.on('finished', () => log.push('<finished>'));
  }

  const text = (token: RealtimeToken) => token.text.trim();

  /** A Writable that logs each token a turn of the event loop after it came, two at most held. */
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

  it('reaches a for await reader between the tokens it separates', async () => {
    const stream = open();
    const log: string[] = [];
    listen(stream, log);
    stream.end(Buffer.alloc(3200));
    for await (const token of stream) {
      await turn();
      log.push(text(token));
    }
    expect(log).to.deep.equal(EXPECTED);
  });

  it('reaches a slow Writable at the end of a pipeline only after it has written the tokens before it', async () => {
    const stream = open();
    const log: string[] = [];
    listen(stream, log);
    stream.end(Buffer.alloc(3200));
    await pipeline(
      stream,
      new Writable({
        objectMode: true,
        write(token: RealtimeToken, _encoding, done) {
          setImmediate(() => {
            log.push(text(token));
            done();
          });
        },
      }),
    );
    expect(log).to.deep.equal(EXPECTED);
  });

  it('reaches a slow Writable fed by pipe() only after it has written the tokens before it', async () => {
    const stream = open();
    const log: string[] = [];
    listen(stream, log);
    const sink = slowSink(log);
    stream.pipe(sink);
    stream.end(Buffer.alloc(3200));
    await once(sink, 'finish');
    expect(log).to.deep.equal(EXPECTED);
  });

  it("reaches a 'data' listener that pauses the stream for each token between the tokens it separates", async () => {
    const stream = open();
    const log: string[] = [];
    listen(stream, log);
    stream.on('data', (token: RealtimeToken) => {
      stream.pause();
      setImmediate(() => {
        log.push(text(token));
        stream.resume();
      });
    });
    stream.end(Buffer.alloc(3200));
    await once(stream, 'end');
    expect(log).to.deep.equal(EXPECTED);
  });

  it("delivers endpoint and finalized in-band as marker objects with markers: 'inband', and still emits the events in order", async () => {
    const stream = track(client().realtime({ ...PCM16, markers: 'inband' }));
    const events: string[] = [];
    listen(stream, events);
    const items: Array<RealtimeToken | RealtimeMarker> = [];
    stream.end(Buffer.alloc(3200));
    for await (const item of stream) {
      await turn();
      items.push(item);
      events.push('marker' in item ? `<${item.marker}>` : text(item));
    }
    expect(items.filter((i) => 'marker' in i)).to.deep.equal([
      { marker: 'endpoint' },
      { marker: 'endpoint' },
      { marker: 'finalized' },
    ]);
    // Each marker event comes as its object is taken, so the event and the object sit together.
    expect(events.filter((e, i) => e !== events[i - 1])).to.deep.equal(EXPECTED);
  });

  it("refuses a markers option other than 'events' or 'inband'", async () => {
    const stream = track(client().realtime({ ...PCM16, markers: 'inline' as never }));
    const [error] = (await once(stream, 'error')) as [Error];
    expect(error.message).to.match(/markers must be 'events' or 'inband'/);
  });

  it('emits the markers as they arrive while nobody reads the tokens at all', async () => {
    const stream = open();
    const log: string[] = [];
    listen(stream, log);
    stream.end(Buffer.alloc(3200));
    await once(stream, 'finished');
    expect(log).to.deep.equal(['<endpoint>', '<endpoint>', '<finalized>', '<finished>']);
    expect(stream.readableLength).to.equal(7);
  });
  it('gives a reader who comes after the session finished every token and marker, each marker event once', async () => {
    const stream = track(client().realtime({ ...PCM16, markers: 'inband' }));
    const events: string[] = [];
    listen(stream, events);
    stream.end(Buffer.alloc(3200));
    await once(stream, 'finished');
    const items: string[] = [];
    for await (const item of stream) items.push('marker' in item ? `<${item.marker}>` : text(item));
    expect(items).to.deep.equal(EXPECTED.slice(0, -1));
    expect(events).to.deep.equal(['<endpoint>', '<endpoint>', '<finalized>', '<finished>']);
  });

  it("gives a 'data' listener the in-band marker objects between the tokens", async () => {
    const stream = track(client().realtime({ ...PCM16, markers: 'inband' }));
    const items: string[] = [];
    stream.on('data', (item: RealtimeToken | RealtimeMarker) =>
      items.push('marker' in item ? `<${item.marker}>` : text(item)),
    );
    stream.end(Buffer.alloc(3200));
    await once(stream, 'end');
    expect(items).to.deep.equal(EXPECTED.slice(0, -1));
  });

  it('sends nothing more to a destination unpiped before the tokens came, and markers wait only for the one left', async () => {
    const stream = open();
    const log: string[] = [];
    listen(stream, log);
    const slow = slowSink(log);
    const dropped: RealtimeToken[] = [];
    const other = new Writable({
      objectMode: true,
      write(token: RealtimeToken, _encoding, done) {
        dropped.push(token);
        done();
      },
    });
    stream.pipe(slow);
    stream.pipe(other);
    stream.unpipe(other);
    stream.end(Buffer.alloc(3200));
    await once(slow, 'finish');
    expect(log).to.deep.equal(EXPECTED);
    expect(dropped).to.deep.equal([]);
  });

  it('no longer holds the markers for a destination that stopped writing once unpipe() let go of it', async () => {
    const stream = open();
    const log: string[] = [];
    listen(stream, log);
    const stalled = new Writable({ objectMode: true, highWaterMark: 1, write: () => undefined });
    stream.pipe(stalled);
    stream.end(Buffer.alloc(3200));
    await until(() => stalled.writableLength > 0);
    stream.unpipe();
    for await (const token of stream) log.push(text(token));
    // 'good' went to the stalled destination; the reader gets everything after it.
    expect(log).to.deep.equal(EXPECTED.slice(1));
  });

  it('emits no marker after the stream is destroyed while the marker waited for a slow destination', async () => {
    const stream = open();
    const log: string[] = [];
    listen(stream, log);
    stream.on('error', () => undefined);
    const pending: Array<() => void> = [];
    const sink = new Writable({
      objectMode: true,
      write(token: RealtimeToken, _encoding, done) {
        log.push(text(token));
        pending.push(done);
      },
    });
    stream.pipe(sink);
    stream.end(Buffer.alloc(3200));
    // The first endpoint waits for the sink to write 'good' and 'morning'.
    await until(() => stream.isPaused() && sink.writableLength === 2);
    stream.destroy();
    while (pending.length > 0) {
      pending.shift()?.();
      await turn();
    }
    await turn();
    expect(log).to.deep.equal(['good', 'morning']);
  });
});
