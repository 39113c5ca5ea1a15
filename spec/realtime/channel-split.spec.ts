/**
 * `channels: 'split'`: stereo in, two mono sessions (scripted loopback servers, one per
 * channel, told apart by the audio they get), tokens labelled with their channel and the final
 * ones merged in time order however the two servers' answers interleave.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import type { WebSocket } from 'ws';
import { wavHeader } from '../../lib/audio';
import { SonioxClient } from '../../lib/client';
import { SonioxValidationError } from '../../lib/errors';
import { ChannelMerge, type ChannelToken } from '../../lib/realtime/channel-merge';
import {
  ChannelSplitStream,
  deinterleave,
  rawFormatOfWav,
  type ChannelSplitConfig,
} from '../../lib/realtime/channel-split';
import { SECRET_KEY, fixture, frameText, until } from '../helpers';
import { scriptedServer, sendJson, tok } from './scripted-server';

/** The stream's error once it came (the reader of a failure that must not come yet). */
function errorOf(stream: ChannelSplitStream): () => Error | undefined {
  let error: Error | undefined;
  stream.on('error', (e: Error) => (error = e));
  return () => error;
}

const STEREO = { audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 2 } as const;

/** `frames` stereo s16le frames: left samples 0x1111, right 0x2222 (how the server tells them apart). */
function stereo(frames: number): Buffer {
  const audio = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    audio.writeUInt16LE(0x1111, i * 4);
    audio.writeUInt16LE(0x2222, i * 4 + 2);
  }
  return audio;
}

/** One channel's server side. */
interface Peer {
  ws: WebSocket;
  start: Record<string, unknown>;
  audio: Buffer[];
  ended: boolean;
}

describe('realtime/channel-split: two channels, two sessions', () => {
  const t = fixture();
  let peers: Array<Peer | undefined>;

  async function split(config: Partial<ChannelSplitConfig> = {}): Promise<ChannelSplitStream> {
    peers = [];
    const server = await scriptedServer((ws) => {
      const peer: Peer = { ws, start: {}, audio: [], ended: false };
      ws.on('message', (data: Buffer, isBinary) => {
        if (isBinary) {
          peer.audio.push(data);
          peers[data[0] === 0x11 ? 0 : 1] ??= peer;
        } else if (data.length === 0) peer.ended = true;
        else peer.start = JSON.parse(frameText(data)) as Record<string, unknown>;
      });
    });
    t.defer(() => server.close());
    const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: server.url, env: {} });
    t.defer(() => client.close());
    const stream = client.realtime({ ...STEREO, ...config, channels: 'split' });
    t.defer(() => stream.destroy());
    return stream;
  }
  const peer = (channel: 0 | 1) => peers[channel] as Peer;
  const label = (x: ChannelToken) => `${x.channel}:${x.text}${x.is_final ? '' : '?'}`;

  it('merges the final tokens of both channels in time order, each labelled', async () => {
    const stream = await split({ tokens: 'final' });
    const got: ChannelToken[] = [];
    stream.on('data', (x: ChannelToken) => got.push(x));
    const endpoints: number[] = [];
    stream.on('endpoint', (channel: number) => endpoints.push(channel));
    stream.end(stereo(1600));
    await until(() => peer(0)?.ended && peer(1)?.ended);
    // Channel 0's server answers first, all of it: nothing of it may pass channel 1's words.
    sendJson(peer(0).ws, {
      tokens: [tok('a', 0), tok('c', 1000), tok('e', 2000), tok('<end>', 2100)],
      final_audio_proc_ms: 2100,
    });
    sendJson(peer(0).ws, { tokens: [], finished: true });
    await until(() => stream.channelSessions[0]!.readableEnded);
    expect(got).to.deep.equal([]);
    sendJson(peer(1).ws, { tokens: [tok('b', 500), tok('d', 1500)], final_audio_proc_ms: 1600 });
    sendJson(peer(1).ws, { tokens: [], finished: true });
    await once(stream, 'end');
    expect(got.map(label)).to.deep.equal(['0:a', '1:b', '0:c', '1:d', '0:e']);
    expect(got.map((x) => x.start_ms)).to.deep.equal([0, 500, 1000, 1500, 2000]);
    expect(endpoints).to.deep.equal([0]);
    expect(stream.transcripts).to.deep.equal(['ace', 'bd']);
  });

  it("releases a channel's words as far as the other's server finalized, before either ends", async () => {
    const stream = await split();
    const got: ChannelToken[] = [];
    stream.on('data', (x: ChannelToken) => got.push(x));
    stream.write(stereo(1600));
    await until(() => peer(0) !== undefined && peer(1) !== undefined);
    sendJson(peer(0).ws, { tokens: [tok('a', 0), tok('c', 1000)], final_audio_proc_ms: 1100 });
    sendJson(peer(0).ws, { tokens: [tok('maybe', 1200, { is_final: false })] });
    await until(() => got.length === 1);
    expect(got.map(label)).to.deep.equal(['0:maybe?']);
    // Channel 1 has nothing final before 600 ms: channel 0's 'a' may go, 'c' must wait.
    sendJson(peer(1).ws, { tokens: [], final_audio_proc_ms: 600 });
    await until(() => got.length === 2);
    sendJson(peer(1).ws, { tokens: [], final_audio_proc_ms: 3000 });
    await until(() => got.length === 3);
    expect(got.map(label)).to.deep.equal(['0:maybe?', '0:a', '0:c']);
  });

  it('sends each session exactly its channel, frames cut across writes put back together', async () => {
    const stream = await split();
    stream.resume();
    const audio = stereo(800);
    for (let at = 0; at < audio.length; at += 3) stream.write(audio.subarray(at, at + 3));
    stream.end();
    await until(() => peer(0)?.ended && peer(1)?.ended);
    expect(Buffer.concat(peer(0).audio)).to.deep.equal(Buffer.alloc(1600, 0x11));
    expect(Buffer.concat(peer(1).audio)).to.deep.equal(Buffer.alloc(1600, 0x22));
    for (const channel of [0, 1] as const)
      expect(peer(channel).start).to.include({
        audio_format: 'pcm_s16le',
        sample_rate: 16000,
        num_channels: 1,
      });
    expect(peer(0).start).not.to.have.property('channels');
    expect(stream.channelSessions).to.have.length(2);
  });

  it('reads a stereo WAV header (however it is cut) and sends raw mono PCM', async () => {
    const stream = await split({ audio_format: 'auto', sample_rate: undefined } as never);
    stream.resume();
    const wav = Buffer.concat([
      wavHeader({ sampleRate: 8000, numChannels: 2, bitsPerSample: 16 }, 1600),
      stereo(400),
    ]);
    for (let at = 0; at < wav.length; at += 10) stream.write(wav.subarray(at, at + 10));
    stream.end();
    await until(() => peer(0)?.ended && peer(1)?.ended);
    expect(peer(0).start).to.include({
      audio_format: 'pcm_s16le',
      sample_rate: 8000,
      num_channels: 1,
    });
    expect(Buffer.concat(peer(0).audio)).to.deep.equal(Buffer.alloc(800, 0x11));
    expect(Buffer.concat(peer(1).audio)).to.deep.equal(Buffer.alloc(800, 0x22));
  });

  it("sends only the WAV's data chunk: a LIST chunk after it (as editors write) is no audio", async () => {
    const stream = await split({ audio_format: 'wav', sample_rate: undefined } as never);
    stream.resume();
    // RIFF: the data chunk holds `size` bytes; what follows is another chunk, here metadata.
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.alloc(4), Buffer.alloc(24, 0x33)]);
    list.writeUInt32LE(24, 4);
    const wav = Buffer.concat([
      wavHeader({ sampleRate: 8000, numChannels: 2, bitsPerSample: 16 }, 1600),
      stereo(400),
      list,
    ]);
    for (let at = 0; at < wav.length; at += 701) stream.write(wav.subarray(at, at + 701));
    stream.end();
    await until(() => peer(0)?.ended && peer(1)?.ended);
    expect(Buffer.concat(peer(0).audio)).to.deep.equal(Buffer.alloc(800, 0x11));
    expect(Buffer.concat(peer(1).audio)).to.deep.equal(Buffer.alloc(800, 0x22));
  });

  it('holds both sessions while its reader is slow, and loses no token', async () => {
    const stream = await split({ tokens: 'final' });
    stream.write(stereo(160));
    await until(() => peer(0) !== undefined && peer(1) !== undefined);
    const many = (channel: number) =>
      Array.from({ length: 30 }, (_, i) => tok(`${channel}w${i}`, i * 20 + channel * 10));
    const paused = once(stream.channelSessions[0]!, 'pause');
    sendJson(peer(1).ws, { tokens: many(1), final_audio_proc_ms: 5000 });
    sendJson(peer(0).ws, { tokens: many(0), final_audio_proc_ms: 5000 });
    await paused;
    stream.end();
    await until(() => peer(0).ended && peer(1).ended);
    for (const channel of [0, 1] as const)
      sendJson(peer(channel).ws, { tokens: [], finished: true });
    const got: ChannelToken[] = [];
    for await (const token of stream) got.push(token as ChannelToken);
    expect(got.map((x) => x.start_ms)).to.deep.equal(Array.from({ length: 60 }, (_, i) => i * 10));
  });

  it('fails as a write fails on either channel', async () => {
    const stream = await split();
    stream.write(stereo(16));
    await until(() => stream.channelSessions.length === 2);
    stream.channelSessions[1]!.destroy();
    const failed = once(stream, 'error');
    stream.write(stereo(16));
    const [error] = (await failed) as [Error];
    expect(error.message).to.match(/destroyed/);
  });

  it('ends at once, with no session, when no audio came', async () => {
    const stream = await split({ audio_format: 'wav' } as never);
    stream.resume();
    stream.end();
    await once(stream, 'end');
    expect(stream.channelSessions).to.deep.equal([]);
    expect(stream.transcripts).to.deep.equal(['', '']);
  });

  it("fails with a channel's session error (its server refused it), and ends the other", async () => {
    const stream = await split();
    stream.write(stereo(16));
    await until(() => peer(0) !== undefined && peer(1) !== undefined);
    const failed = once(stream, 'error');
    sendJson(peer(1).ws, { error_code: 401, error_message: 'Invalid API key.' });
    const [error] = (await failed) as [Error];
    expect(error.message).to.match(/Invalid API key/);
    expect(stream.channelSessions.map((s) => s.destroyed)).to.deep.equal([true, true]);
  });

  it('destroys both sessions when it is destroyed', async () => {
    const stream = await split();
    stream.write(stereo(16));
    await until(() => stream.channelSessions.length === 2);
    stream.destroy();
    expect(stream.channelSessions.map((s) => s.destroyed)).to.deep.equal([true, true]);
  });

  it('takes a stereo WAV when audio_format is left out (auto), a 64 KiB head still read', async () => {
    const stream = await split({
      audio_format: undefined,
      sample_rate: undefined,
      num_channels: undefined,
    } as never);
    stream.resume();
    const failed = errorOf(stream);
    // 64 KiB of no header is still a head being read (an editor's chunks may be long)...
    stream.write(Buffer.alloc(65_536));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(failed()).to.equal(undefined);
    // ...one byte more and it is no WAV.
    stream.write(Buffer.alloc(1));
    await until(() => failed() !== undefined);
    expect(failed()?.message).to.include('needs raw PCM or a WAV header');
    const wav = await split({ audio_format: undefined, sample_rate: undefined } as never);
    wav.resume();
    wav.end(
      Buffer.concat([
        wavHeader({ sampleRate: 8000, numChannels: 2, bitsPerSample: 16 }, 64),
        stereo(16),
      ]),
    );
    await until(() => peer(0)?.ended && peer(1)?.ended);
    expect(peer(1).start).to.include({ audio_format: 'pcm_s16le', sample_rate: 8000 });
  });

  for (const [name, config, audio, says] of [
    ['mono raw audio', { num_channels: 1 }, undefined, "channels: 'split' needs num_channels: 2"],
    [
      'a stereo WAV of 12-bit samples (no raw format of the API)',
      { audio_format: 'wav' },
      wavHeader({ sampleRate: 8000, numChannels: 2, bitsPerSample: 12 }),
      'needs a stereo (two-channel) WAV of PCM, float, mu-law or A-law',
    ],
    ['a container', { audio_format: 'mp3' }, undefined, 'needs raw PCM or WAV audio, not "mp3"'],
    [
      'a mono WAV',
      { audio_format: 'wav' },
      wavHeader({ sampleRate: 8000, numChannels: 1, bitsPerSample: 16 }),
      'needs a stereo (two-channel) WAV',
    ],
    [
      'audio with no WAV header in its first 64 KiB',
      { audio_format: 'auto' },
      Buffer.alloc(70_000),
      'needs raw PCM or a WAV header',
    ],
  ] as const) {
    it(`fails on ${name} with a SonioxValidationError`, async () => {
      const stream = await split(config);
      if (audio) stream.write(audio);
      const [error] = (await once(stream, 'error')) as [Error];
      expect(error).to.be.instanceOf(SonioxValidationError);
      expect(error.message).to.include(says);
      const issue = (error as SonioxValidationError).issues[0];
      expect(issue?.field).to.equal('channels');
      expect(error.message).to.equal(`channels: 'split' ${issue?.message}`);
      expect(stream.channelSessions).to.deep.equal([]);
    });
  }

  it("refuses a channels value other than 'split' at the call", () => {
    const client = new SonioxClient({ apiKey: SECRET_KEY, env: {} });
    t.defer(() => client.close());
    expect(() => client.realtime({ ...STEREO, channels: 'both' } as never)).to.throw(
      SonioxValidationError,
      /channels/,
    );
    expect(client.realtime({ ...STEREO, channels: 'split' })).to.be.instanceOf(ChannelSplitStream);
  });

  describe('pieces', () => {
    it('maps a WAV format to the raw format of its samples', () => {
      const at = (audioFormat: number, bitsPerSample: number) =>
        rawFormatOfWav({
          audioFormat,
          bitsPerSample,
          sampleRate: 8000,
          numChannels: 2,
          dataOffset: 44,
          dataSize: undefined,
          byteRate: 0,
        });
      expect(at(1, 16)).to.equal('pcm_s16le');
      expect(at(1, 24)).to.equal('pcm_s24le');
      expect(at(1, 32)).to.equal('pcm_s32le');
      expect(at(1, 8)).to.equal('pcm_u8');
      expect(at(1, 12)).to.equal(undefined);
      expect(at(3, 32)).to.equal('pcm_f32le');
      expect(at(3, 64)).to.equal('pcm_f64le');
      expect(at(3, 16)).to.equal(undefined);
      expect(at(7, 8)).to.equal('mulaw');
      expect(at(6, 8)).to.equal('alaw');
      expect(at(6, 16)).to.equal(undefined);
      expect(at(7, 16)).to.equal(undefined);
      expect(at(0xfffe, 16)).to.equal(undefined);
    });

    it('deinterleaves samples of any width, leaving out a cut frame', () => {
      const frames = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
      expect(deinterleave(frames, 3)).to.deep.equal([
        Buffer.from([1, 2, 3, 7, 8, 9]),
        Buffer.from([4, 5, 6, 10, 11, 12]),
      ]);
      expect(deinterleave(frames.subarray(0, 2), 1)).to.deep.equal([
        Buffer.from([1]),
        Buffer.from([2]),
      ]);
    });

    it('passes non-final tokens at once; a channel once final up to a time stays so', () => {
      const out: string[] = [];
      const merge = new ChannelMerge((x) => out.push(`${x.channel}:${x.text}`));
      merge.token(0, tok('maybe', 900, { is_final: false }));
      expect(out).to.deep.equal(['0:maybe']);
      merge.progress(0, 500);
      // A later, smaller figure (an older result read late) takes nothing back.
      merge.progress(0, 100);
      merge.token(1, tok('r', 300));
      expect(out).to.deep.equal(['0:maybe', '1:r']);
      // Left's held word waits for right to be final past it, then goes out first.
      merge.token(0, tok('l', 600));
      merge.token(1, tok('r2', 700));
      expect(out).to.deep.equal(['0:maybe', '1:r', '0:l']);
    });

    it("passes a final token with no time at once, even behind its channel's held ones", () => {
      const out: string[] = [];
      const merge = new ChannelMerge((x) => out.push(`${x.channel}:${x.text}`));
      merge.token(1, tok('r', 100));
      merge.token(1, { text: 'untimed', is_final: true });
      expect(out).to.deep.equal(['1:untimed']);
      merge.progress(0, Infinity);
      expect(out).to.deep.equal(['1:untimed', '1:r']);
    });

    it('passes tokens with no time at once, and breaks ties left first', () => {
      const out: string[] = [];
      const merge = new ChannelMerge((x) => out.push(`${x.channel}:${x.text}`));
      merge.token(1, { text: 'untimed', is_final: true });
      merge.token(1, tok('r', 100));
      merge.token(0, tok('l', 100));
      expect(out).to.deep.equal(['1:untimed', '0:l', '1:r']);
      merge.progress(0, 50);
      merge.token(1, tok('later', 200));
      expect(out).to.have.length(3);
      merge.progress(0, Infinity);
      expect(out).to.deep.equal(['1:untimed', '0:l', '1:r', '1:later']);
    });
  });
});
