/**
 * MediaStreamTranscriber: a Twilio-shaped (and Telnyx-shaped) media-stream client's messages in,
 * one realtime session per track against a scripted loopback server, tokens labelled by track.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import type { WebSocket } from 'ws';
import { SonioxClient } from '../../lib/client';
import { SonioxValidationError } from '../../lib/errors';
import {
  MediaStreamTranscriber,
  MAX_GAP_FILL_MS,
  type MediaStreamConfig,
  type PhoneToken,
} from '../../lib/realtime/media-stream';
import { parseMediaStreamMessage } from '../../lib/realtime/media-stream-messages';
import type { RealtimeStream } from '../../lib/realtime/stream';
import { SECRET_KEY, fixture, frameText, until } from '../helpers';
import { onEndOfAudio, scriptedServer, sendJson, tok } from './scripted-server';

/** What one session's server side received. */
interface Received {
  ws: WebSocket;
  start: Record<string, unknown>;
  audio: Buffer[];
}

const twilioStart = (tracks: string[], encoding = 'audio/x-mulaw') => ({
  event: 'start',
  sequenceNumber: '1',
  streamSid: 'MZ123',
  start: {
    accountSid: 'AC1',
    streamSid: 'MZ123',
    callSid: 'CA9',
    tracks,
    customParameters: { customer: '42' },
    mediaFormat: { encoding, sampleRate: 8000, channels: 1 },
  },
});
const media = (track: string | undefined, audio: Buffer, timestamp?: number) => ({
  event: 'media',
  streamSid: 'MZ123',
  media: { track, chunk: '1', timestamp: timestamp?.toString(), payload: audio.toString('base64') },
});
const STOP = { event: 'stop', streamSid: 'MZ123', stop: { callSid: 'CA9' } };
const CONNECTED = { event: 'connected', protocol: 'Call', version: '1.0.0' };

describe('realtime/media-stream: phone calls', () => {
  const t = fixture();
  let received: Received[];

  /** A transcriber on a scripted server that answers end-of-audio with a token naming the bytes it got. */
  async function transcriber(config: MediaStreamConfig = {}): Promise<MediaStreamTranscriber> {
    received = [];
    const server = await scriptedServer((ws) => {
      const session: Received = { ws, start: {}, audio: [] };
      received.push(session);
      ws.on('message', (data: Buffer, isBinary) => {
        if (isBinary) session.audio.push(data);
        else if (data.length > 0) session.start = JSON.parse(frameText(data)) as Received['start'];
      });
      onEndOfAudio(ws, () => {
        const bytes = Buffer.concat(session.audio).length;
        sendJson(ws, { tokens: [tok(`got${bytes}`, 0)] });
        sendJson(ws, { tokens: [], finished: true });
      });
    });
    t.defer(() => server.close());
    const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: server.url, env: {} });
    t.defer(() => client.close());
    const call = new MediaStreamTranscriber(config, (c) => client.realtime(c));
    t.defer(() => call.destroy());
    return call;
  }

  async function tokensOf(call: MediaStreamTranscriber): Promise<PhoneToken[]> {
    const tokens: PhoneToken[] = [];
    for await (const token of call) tokens.push(token as PhoneToken);
    return tokens;
  }

  it('opens one mu-law 8 kHz session per track, audio as sent, tokens labelled, stop ends them', async () => {
    const call = await transcriber({ tokens: 'final' });
    const inbound = [Buffer.alloc(160, 1), Buffer.alloc(160, 2)];
    const outbound = [Buffer.alloc(80, 3)];
    const started = once(call, 'start');
    call.write(JSON.stringify(CONNECTED));
    call.write(JSON.stringify(twilioStart(['inbound', 'outbound'])));
    call.write(Buffer.from(JSON.stringify(media('inbound', inbound[0]!, 0))));
    call.write(JSON.stringify(media('outbound', outbound[0]!, 0)));
    call.write(JSON.stringify(media('inbound', inbound[1]!, 20)));
    call.write(JSON.stringify({ event: 'mark', mark: { name: 'x' } }));
    call.write(JSON.stringify({ event: 'dtmf', dtmf: { digit: '1' } }));
    call.write(JSON.stringify(STOP));
    const tokens = await tokensOf(call);
    const [start] = (await started) as [unknown];
    expect(start).to.deep.include({ streamId: 'MZ123', callId: 'CA9' });
    expect(call.call?.tracks).to.deep.equal(['inbound', 'outbound']);
    expect(call.call?.customParameters).to.deep.equal({ customer: '42' });
    expect(tokens.map((x) => `${x.track}:${x.text}`).sort()).to.deep.equal([
      'inbound:got320',
      'outbound:got80',
    ]);
    expect(received).to.have.length(2);
    for (const session of received)
      expect(session.start).to.include({
        audio_format: 'mulaw',
        sample_rate: 8000,
        num_channels: 1,
      });
    const audio = received.map((s) => Buffer.concat(s.audio));
    expect(audio).to.deep.include.members([Buffer.concat(inbound), outbound[0]]);
    expect([...call.sessions.keys()]).to.deep.equal(['inbound', 'outbound']);
    expect(call.transcripts).to.deep.equal({ inbound: 'got320', outbound: 'got80' });
  });

  it('takes the Telnyx shape: media_format PCMA (A-law as sent), stream_id, no track named', async () => {
    const call = await transcriber();
    call.write({ event: 'connected', version: '1.0.0' });
    call.write({
      event: 'start',
      stream_id: 'S-1',
      start: {
        call_control_id: 'v3:abc',
        custom_parameters: { k: 'v' },
        media_format: { encoding: 'PCMA', sample_rate: 16000, channels: 1 },
      },
    });
    call.write(media(undefined, Buffer.alloc(320, 0x55)));
    call.end(STOP);
    const tokens = await tokensOf(call);
    expect(tokens.map((x) => `${x.track}:${x.text}`)).to.deep.equal(['mixed:got320']);
    expect(call.call).to.deep.include({ streamId: 'S-1', callId: 'v3:abc', tracks: [] });
    expect(call.call?.customParameters).to.deep.equal({ k: 'v' });
    expect(received[0]?.start).to.include({ audio_format: 'alaw', sample_rate: 16000 });
  });

  it('a media event of the outbound track goes to the outbound session only', async () => {
    const call = await transcriber();
    const opened: string[] = [];
    let pauses = 0;
    call.on('track', (name: string, session: RealtimeStream) => {
      opened.push(name);
      session.on('pause', () => (pauses += 1));
    });
    call.write(twilioStart(['inbound', 'outbound']));
    call.write(media('outbound', Buffer.alloc(160, 7), 0));
    call.write(media('outbound', Buffer.alloc(160, 8), 20));
    call.end(STOP);
    const tokens = await tokensOf(call);
    expect(opened).to.deep.equal(['outbound']);
    expect(received).to.have.length(1);
    expect(Buffer.concat(received[0]!.audio)).to.deep.equal(
      Buffer.concat([Buffer.alloc(160, 7), Buffer.alloc(160, 8)]),
    );
    expect(tokens.map((x) => `${x.track}:${x.text}`)).to.deep.equal(['outbound:got320']);
    expect(call.transcripts).to.deep.equal({ outbound: 'got320' });
    // A reader that keeps up never holds a session back.
    expect(pauses).to.equal(0);
  });

  it("sends each track as the provider paces it (no pacing of its own), in the call's format", async () => {
    const server = await scriptedServer((ws) =>
      onEndOfAudio(ws, () => sendJson(ws, { tokens: [], finished: true })),
    );
    t.defer(() => server.close());
    const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: server.url, env: {} });
    t.defer(() => client.close());
    const configs: unknown[] = [];
    // A JavaScript caller's audio fields (the type leaves them out) lose to what `start` says.
    const config = { language_hints: ['en'], audio_format: 'pcm_s16le', sample_rate: 16000 };
    const call = new MediaStreamTranscriber(config, (c) => {
      configs.push(c);
      return client.realtime(c);
    });
    t.defer(() => call.destroy());
    call.write(twilioStart(['inbound']));
    call.write(media('inbound', Buffer.alloc(160)));
    call.end(STOP);
    await tokensOf(call);
    expect(configs).to.deep.equal([
      {
        language_hints: ['en'],
        audio_format: 'mulaw',
        sample_rate: 8000,
        num_channels: 1,
        pacing: false,
      },
    ]);
  });

  it('transcribes only the tracks asked for', async () => {
    const call = await transcriber({ tracks: ['inbound'] });
    call.write(twilioStart(['inbound', 'outbound']));
    call.write(media('outbound', Buffer.alloc(160)));
    call.write(media('inbound', Buffer.alloc(160)));
    call.end(STOP);
    expect((await tokensOf(call)).map((x) => x.track)).to.deep.equal(['inbound']);
    expect(received).to.have.length(1);
  });

  it('fills a gap in the media timestamps with silence, so token times stay on the call clock', async () => {
    const call = await transcriber();
    call.write(twilioStart(['outbound']));
    // Starts 100 ms in; 20 ms frames at 100 and 120; then 10 ms of jitter, then a 1 s hole.
    call.write(media('outbound', Buffer.alloc(160, 1), 100));
    call.write(media('outbound', Buffer.alloc(160, 2), 120));
    call.write(media('outbound', Buffer.alloc(160, 3), 150));
    call.write(media('outbound', Buffer.alloc(160, 4), 1170));
    call.end(STOP);
    await tokensOf(call);
    const audio = Buffer.concat(received[0]!.audio);
    const silence = (ms: number) => Buffer.alloc(ms * 8, 0xff);
    expect(audio).to.deep.equal(
      Buffer.concat([
        silence(100),
        Buffer.alloc(160, 1),
        Buffer.alloc(160, 2),
        Buffer.alloc(160, 3),
        silence(1170 - 160),
        Buffer.alloc(160, 4),
      ]),
    );
  });

  it('fills a gap of one whole 20 ms frame (two channels: twice the bytes), not 19 ms of jitter', async () => {
    const call = await transcriber();
    const opened: string[] = [];
    call.on('track', (name: string) => opened.push(name));
    call.write({
      ...twilioStart(['inbound']),
      start: {
        ...twilioStart(['inbound']).start,
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 2 },
      },
    });
    // 20 ms of stereo 8 kHz mu-law is 320 bytes.
    call.write(media('inbound', Buffer.alloc(320, 1), 0));
    call.write(media('inbound', Buffer.alloc(320, 2), 39));
    call.write(media('inbound', Buffer.alloc(320, 3), 60));
    call.end(STOP);
    await tokensOf(call);
    expect(opened).to.deep.equal(['inbound']);
    expect(received[0]?.start).to.include({ num_channels: 2 });
    expect(Buffer.concat(received[0]!.audio)).to.deep.equal(
      Buffer.concat([
        Buffer.alloc(320, 1),
        Buffer.alloc(320, 2),
        Buffer.alloc(320, 0xff),
        Buffer.alloc(320, 3),
      ]),
    );
  });

  it("ends its tokens only after the last track's session has finished", async () => {
    received = [];
    let release: (() => void) | undefined;
    const server = await scriptedServer((ws, index) => {
      onEndOfAudio(ws, () => {
        const finish = () => {
          sendJson(ws, { tokens: [tok(`track${index}`, 0)] });
          sendJson(ws, { tokens: [], finished: true });
        };
        // The second track's session finishes only when the spec says so.
        if (index === 1) release = finish;
        else finish();
      });
    });
    t.defer(() => server.close());
    const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: server.url, env: {} });
    t.defer(() => client.close());
    const call = new MediaStreamTranscriber({}, (c) => client.realtime(c));
    t.defer(() => call.destroy());
    call.write(twilioStart(['inbound', 'outbound']));
    call.write(media('inbound', Buffer.alloc(160)));
    call.write(media('outbound', Buffer.alloc(160)));
    call.write(STOP);
    const tokens = tokensOf(call);
    await until(() => release !== undefined && call.sessions.get('inbound')!.readableEnded);
    let ended = false;
    call.once('end', () => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ended).to.equal(false);
    release!();
    expect((await tokens).map((x) => `${x.track}:${x.text}`)).to.deep.equal([
      'inbound:track0',
      'outbound:track1',
    ]);
  });

  it('goes on after a track whose session the server ended early: the call ends at its stop', async () => {
    received = [];
    const server = await scriptedServer((ws, index) => {
      if (index === 0)
        // The inbound session is ended by the server after its first audio (a cap, say).
        ws.once('message', () =>
          ws.once('message', () => sendJson(ws, { tokens: [tok('early', 0)], finished: true })),
        );
      else onEndOfAudio(ws, () => sendJson(ws, { tokens: [tok('late', 0)], finished: true }));
    });
    t.defer(() => server.close());
    const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: server.url, env: {} });
    t.defer(() => client.close());
    const call = new MediaStreamTranscriber({}, (c) => client.realtime(c));
    t.defer(() => call.destroy());
    const tokens = tokensOf(call);
    call.write(twilioStart(['inbound', 'outbound']));
    call.write(media('inbound', Buffer.alloc(160)));
    await until(() => call.sessions.get('inbound')?.readableEnded === true);
    call.write(media('outbound', Buffer.alloc(160)));
    call.end(STOP);
    expect((await tokens).map((x) => `${x.track}:${x.text}`)).to.deep.equal([
      'inbound:early',
      'outbound:late',
    ]);
  });

  it("fails with a track session's error, and destroys the other sessions", async () => {
    const server = await scriptedServer((ws) => {
      ws.on('message', (_data, isBinary) => {
        if (isBinary) sendJson(ws, { error_code: 401, error_message: 'Invalid API key.' });
      });
    });
    t.defer(() => server.close());
    const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: server.url, env: {} });
    t.defer(() => client.close());
    const call = new MediaStreamTranscriber({}, (c) => client.realtime(c));
    t.defer(() => call.destroy());
    const failed = once(call, 'error');
    call.write(twilioStart(['inbound']));
    call.write(media('inbound', Buffer.alloc(160)));
    const [error] = (await failed) as [Error];
    expect(error.message).to.match(/Invalid API key/);
    expect(call.destroyed).to.equal(true);
    expect(call.sessions.get('inbound')?.destroyed).to.equal(true);
  });

  it('fills a huge gap only up to MAX_GAP_FILL_MS, with A-law silence for A-law', async () => {
    const call = await transcriber();
    call.write(twilioStart(['inbound'], 'audio/x-alaw'));
    call.write(media('inbound', Buffer.alloc(8, 1), MAX_GAP_FILL_MS * 10));
    call.end(STOP);
    await tokensOf(call);
    const audio = Buffer.concat(received[0]!.audio);
    expect(audio.length).to.equal(MAX_GAP_FILL_MS * 8 + 8);
    expect(audio[0]).to.equal(0xd5);
  });

  it('ends every session when the writable side ends without a stop, and with no media ends at once', async () => {
    const call = await transcriber();
    call.write(twilioStart(['inbound']));
    call.end(media('inbound', Buffer.alloc(160)));
    expect((await tokensOf(call)).map((x) => x.text)).to.deep.equal(['got160']);
    const empty = await transcriber();
    empty.end(twilioStart(['inbound']));
    expect(await tokensOf(empty)).to.deep.equal([]);
    expect(received).to.have.length(0);
  });

  it('passes over media after stop', async () => {
    const call = await transcriber();
    call.write(twilioStart(['inbound']));
    call.write(media('inbound', Buffer.alloc(160)));
    call.write(STOP);
    call.end(media('inbound', Buffer.alloc(160)));
    expect((await tokensOf(call)).map((x) => x.text)).to.deep.equal(['got160']);
  });

  for (const [name, messages, says] of [
    ['text that is not JSON', ['{"event": "media", "media": '], /not JSON/],
    ['media before start', [media('inbound', Buffer.alloc(8))], /media before start/],
    ['a second start', [twilioStart(['inbound']), twilioStart(['inbound'])], /a second start/],
    ['a payload that is not base64', [twilioStart([]), media('inbound', Buffer.alloc(0))], null],
    [
      'an encoding it cannot send as is',
      [twilioStart([], 'audio/l16')],
      /unsupported encoding "audio\/l16"/,
    ],
  ] as const) {
    it(`fails on ${name} with a clear SonioxValidationError, not a crash`, async () => {
      const call = await transcriber();
      const failed = once(call, 'error');
      for (const m of messages) {
        const bad =
          says === null && typeof m === 'object' && m.event === 'media'
            ? { ...m, media: { track: 'inbound', payload: 'not base64!' } }
            : m;
        call.write(typeof bad === 'string' ? bad : JSON.stringify(bad));
      }
      const [error] = (await failed) as [Error];
      expect(error).to.be.instanceOf(SonioxValidationError);
      expect(error.message).to.match(/^malformed media-stream message: /);
      expect(error.message).to.match(says ?? /payload is not base64/);
      const issue = (error as SonioxValidationError).issues[0];
      expect(issue?.field).to.equal('message');
      expect(error.message).to.equal(`malformed media-stream message: ${issue?.message}`);
      expect(call.destroyed).to.equal(true);
    });
  }

  it('holds the sessions while its reader is slow, and loses no token', async () => {
    const call = await transcriber();
    call.write(twilioStart(['inbound']));
    call.write(media('inbound', Buffer.alloc(160)));
    await until(() => received[0]?.audio.length === 1);
    // Sixty tokens in one result while nobody reads: the buffer fills, the session is paused.
    const many = Array.from({ length: 60 }, (_, i) => tok(`w${i} `, i * 10));
    const session = call.sessions.get('inbound')!;
    const paused = once(session, 'pause');
    sendJson(received[0]!.ws, { tokens: many });
    await paused;
    expect(call.readableLength).to.be.at.least(16);
    call.end(STOP);
    const tokens = await tokensOf(call);
    expect(tokens.map((x) => x.text)).to.deep.equal([...many.map((x) => x.text), 'got160']);
    expect(tokens.every((x) => x.track === 'inbound')).to.equal(true);
  });

  it('destroys every session when it is destroyed', async () => {
    const call = await transcriber();
    call.write(twilioStart(['inbound', 'outbound']));
    call.write(media('inbound', Buffer.alloc(160)));
    call.write(media('outbound', Buffer.alloc(160)));
    await until(() => call.sessions.size === 2);
    const sessions = [...call.sessions.values()];
    expect(sessions).to.have.length(2);
    call.destroy();
    expect(sessions.map((s) => s.destroyed)).to.deep.equal([true, true]);
  });

  describe('parseMediaStreamMessage', () => {
    const json = JSON.stringify(CONNECTED);
    it("reads every shape of ws's message data, and parsed objects", () => {
      const buffer = Buffer.from(json);
      const arrayBuffer = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length);
      for (const data of [
        json,
        buffer,
        [buffer.subarray(0, 5), buffer.subarray(5)],
        arrayBuffer,
        CONNECTED,
      ])
        expect(parseMediaStreamMessage(data)).to.deep.equal({ event: 'connected' });
    });

    it('refuses what is no message, naming why and never quoting the payload', () => {
      const why = (data: unknown) => (parseMediaStreamMessage(data) as Error).message;
      expect(why(42)).to.include('not a JSON text frame or object');
      expect(why([1, 2])).to.include('not a JSON text frame or object');
      // ws hands over Buffer[] fragments: an array with anything else in it is no frame.
      expect(why([Buffer.from('{"event":'), '"stop"}'])).to.include('not a JSON text frame');
      expect(why('[1]')).to.include('not a JSON object');
      expect(why('null')).to.include('not a JSON object');
      expect(why('{"secret": tru')).to.equal('malformed media-stream message: not JSON (14 bytes)');
      expect(why('{}')).to.include('no event name');
      expect(why({ event: 'start' })).to.include('start without its start object');
      expect(why({ event: 'start', start: {} })).to.include('start has no mediaFormat');
      expect(why({ event: 'media' })).to.include('media without its media object');
      expect(why({ event: 'media', media: { payload: 'abc' } })).to.include('not base64');
      expect(why({ event: 'media', media: { payload: 7 } })).to.include('not base64');
      // An empty JSON array reads as '' (base64 of nothing) to a regular expression: no payload.
      expect(why({ event: 'media', media: { payload: [] } })).to.include('not base64');
      // The issue names the message, for a caller that reads fields rather than words.
      expect((parseMediaStreamMessage('{}') as SonioxValidationError).issues).to.deep.equal([
        { field: 'message', message: 'no event name' },
      ]);
      const start = (mediaFormat: object) => ({ event: 'start', start: { mediaFormat } });
      expect(why(start({ encoding: 'audio/x-mulaw', sampleRate: 0 }))).to.include('sample rate');
      expect(why(start({ encoding: 'audio/x-mulaw', sampleRate: 8000.5 }))).to.include(
        'sample rate',
      );
      expect(why(start({ encoding: 'audio/x-mulaw', channels: 0 }))).to.include('channel count');
      expect(why(start({ encoding: 'audio/x-mulaw', channels: '1' }))).to.include('channel count');
      expect(why(start({}))).to.include('unsupported encoding null');
    });

    it("reads the look-alikes' names: stream_id, call_control_id, media_format, custom_parameters", () => {
      const telnyx = parseMediaStreamMessage(
        JSON.stringify({
          event: 'start',
          stream_id: 'st-1',
          start: {
            call_control_id: 'call-1',
            media_format: { encoding: 'PCMA', sample_rate: 16000, channels: 2 },
            custom_parameters: { agent: 'a7' },
          },
        }),
      );
      expect(telnyx).to.deep.equal({
        event: 'start',
        start: {
          streamId: 'st-1',
          callId: 'call-1',
          tracks: [],
          format: { audio_format: 'alaw', sample_rate: 16000, num_channels: 2 },
          customParameters: { agent: 'a7' },
        },
      });
      const twilio = parseMediaStreamMessage({
        event: 'start',
        streamSid: 'MZ-top',
        start: {
          callSid: 'CA-1',
          tracks: 'inbound',
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
          customParameters: ['not', 'an', 'object'],
        },
      });
      expect('start' in twilio && twilio.start).to.deep.equal({
        streamId: 'MZ-top',
        callId: 'CA-1',
        tracks: [],
        format: { audio_format: 'mulaw', sample_rate: 8000, num_channels: 1 },
        customParameters: {},
      });
      const why = (data: unknown) => (parseMediaStreamMessage(data) as Error).message;
      expect(
        why({ event: 'start', start: { mediaFormat: { encoding: 'PCMU', sampleRate: '8000' } } }),
      ).to.equal('malformed media-stream message: start has no valid sample rate');
      expect(
        why({ event: 'start', start: { mediaFormat: { encoding: 'PCMU', channels: -1 } } }),
      ).to.equal('malformed media-stream message: start has no valid channel count');
      expect(why({ event: 'start', start: { mediaFormat: { encoding: 'L16' } } })).to.equal(
        'malformed media-stream message: unsupported encoding "L16" (mu-law or A-law are sent as they are)',
      );
      expect(why({ event: 'start', start: { mediaFormat: 'PCMU' } })).to.equal(
        'malformed media-stream message: start has no mediaFormat',
      );
      expect(why({ event: 7 })).to.equal('malformed media-stream message: no event name');
    });

    it('takes base64 audio with its padding, labels media without a track mixed, at time 0', () => {
      const media = (payload: unknown, extra: object = {}) =>
        parseMediaStreamMessage({ event: 'media', media: { payload, ...extra } });
      expect(media('/w==', { timestamp: '0' })).to.deep.equal({
        event: 'media',
        track: 'mixed',
        audio: Buffer.from([0xff]),
        timestampMs: 0,
      });
      expect(media('AAE+', { track: 'outbound' })).to.deep.include({
        track: 'outbound',
        timestampMs: undefined,
      });
      expect(media('AAE=', { track: 5 })).to.deep.include({ track: 'mixed' });
      expect(media('AA', { track: 'inbound' })).to.be.instanceOf(SonioxValidationError);
      for (const bad of ['AA=A', '!AAA', 'AAA!', 'AA===', 'AAAA\nAAAA'])
        expect((media(bad) as Error).message, bad).to.equal(
          'malformed media-stream message: media payload is not base64',
        );
      expect(media('AAAA', { timestamp: Infinity })).to.deep.include({ timestampMs: undefined });
    });

    it('defaults the rate to 8000 and one channel, maps each encoding name, and reads timestamps', () => {
      const formatOf = (encoding: string) => {
        const parsed = parseMediaStreamMessage({
          event: 'start',
          start: { mediaFormat: { encoding } },
        });
        return 'start' in parsed ? parsed.start.format : parsed;
      };
      for (const name of ['audio/x-mulaw', 'audio/mulaw', 'audio/PCMU', 'PCMU', 'pcmu'])
        expect(formatOf(name)).to.deep.equal({
          audio_format: 'mulaw',
          sample_rate: 8000,
          num_channels: 1,
        });
      for (const name of ['audio/x-alaw', 'audio/alaw', 'audio/pcma', 'PCMA'])
        expect(formatOf(name)).to.include({ audio_format: 'alaw' });
      const at = (timestamp: unknown) => {
        const parsed = parseMediaStreamMessage({
          event: 'media',
          media: { payload: '', timestamp },
        });
        return 'timestampMs' in parsed ? parsed.timestampMs : parsed;
      };
      expect(at('40')).to.equal(40);
      expect(at(60)).to.equal(60);
      expect(at(undefined)).to.equal(undefined);
      expect(at('soon')).to.equal(undefined);
      expect(at(-5)).to.equal(undefined);
      expect(parseMediaStreamMessage({ event: 'clear' })).to.deep.equal({
        event: 'other',
        name: 'clear',
      });
      const tracks = parseMediaStreamMessage({
        event: 'start',
        start: { tracks: ['inbound', 3], mediaFormat: { encoding: 'PCMU' }, streamSid: 'in' },
        streamSid: 'out',
      });
      expect(tracks).to.deep.include({ event: 'start' });
      expect('start' in tracks && tracks.start).to.deep.include({
        tracks: ['inbound'],
        streamId: 'in',
        callId: undefined,
        customParameters: {},
      });
    });
  });
});
