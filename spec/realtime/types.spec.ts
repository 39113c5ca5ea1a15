/**
 * The realtime API's types catch mistakes at compile time: `npm test` type-checks this file, and
 * each `@ts-expect-error` line fails the type check if it stops being an error. The runtime part
 * checks the escape hatch for fields the SDK does not type yet.
 */
import { expect } from 'chai';
import { SonioxClient } from '../../lib/client';
import { splitConfig } from '../../lib/realtime/protocol';
import { isRealtimeMarker, type RealtimeMarker } from '../../lib/realtime/markers';
import type {
  RealtimeStream,
  RealtimeStreamError,
  ReconnectEvent,
} from '../../lib/realtime/stream';
import {
  SonioxWebSocketError,
  type SonioxAPIError,
  type SonioxError,
  type SonioxErrorCode,
} from '../../lib/errors';
import type { TranslationPair } from '../../lib/transcript';
import type { RealtimeToken } from '../../lib/types';

const client = new SonioxClient({ apiKey: 'sk-types-spec', env: {} });

/** Never run: only compiled. */
export function compileOnly(stream: RealtimeStream): void {
  // @ts-expect-error a misspelt config field
  client.realtime({ audio_format: 'pcm_s16le', sample_rte: 16000, num_channels: 1 });
  // @ts-expect-error an audio format the API does not have
  client.realtime({ audio_format: 'pcm16', sample_rate: 16000, num_channels: 1 });
  // @ts-expect-error a misspelt event
  stream.on('reconect', () => undefined);
  // @ts-expect-error a listener of the wrong shape
  stream.on('reconnect', (attempt: number) => attempt);
  stream.on('reconnect', (e: ReconnectEvent) => e.unreplayedAudioMs);
  stream.on('data', (token: RealtimeToken) => token.is_final);
  stream.once('finished', (message) => message.tokens);
  // The 'error' event carries the SDK's errors: `code` is there to switch on, and narrowing works.
  stream.on('error', (error: SonioxError) => error.code);
  stream.on('error', (error: RealtimeStreamError) =>
    error instanceof SonioxWebSocketError
      ? error.retryable
      : (error.code satisfies SonioxErrorCode),
  );
  // @ts-expect-error the realtime error is no REST API error (it has no HTTP status)
  stream.on('error', (error: SonioxAPIError) => error.status);
  // One pair type for realtime and async.
  const pairs: Array<TranslationPair<RealtimeToken>> = stream.translationPairs;
  void pairs;
  // @ts-expect-error a raw format without sample_rate and num_channels
  client.realtime({ audio_format: 'pcm_s16le' });
  // @ts-expect-error a raw format without num_channels
  client.realtime({ audio_format: 'mulaw', sample_rate: 8000 });
  // @ts-expect-error a raw format without sample_rate
  client.realtime({ audio_format: 'pcm_f32le', num_channels: 2 });
  // A raw format with both, and containers with neither or both: all compile.
  client.realtime({ audio_format: 'pcm_s16le', sample_rate: 16000, num_channels: 1 });
  client.realtime({ audio_format: 'wav' });
  client.realtime({ audio_format: 'auto', sample_rate: 16000, num_channels: 1 });
  client.realtime({});
  // @ts-expect-error markers are delivered as 'events' or 'inband', nothing else
  client.realtime({ audio_format: 'auto', markers: 'inline' });
  // Tokens only, unless the markers are in-band: then the reader must tell the two apart.
  const tokensOnly: AsyncIterableIterator<RealtimeToken> = stream[Symbol.asyncIterator]();
  const inband = client.realtime({ audio_format: 'auto', markers: 'inband' });
  // @ts-expect-error an in-band stream yields markers too
  const notOnlyTokens: AsyncIterableIterator<RealtimeToken> = inband[Symbol.asyncIterator]();
  inband.on('data', (item: RealtimeToken | RealtimeMarker) =>
    isRealtimeMarker(item) ? item.marker : item.text,
  );
  void [tokensOnly, notOnlyTokens];
  // A field the SDK does not type yet goes through the escape hatch.
  client.realtime({ audio_format: 'auto', extra: { brand_new_field: true } });
}

describe('realtime types', () => {
  it('sends extra fields as they are, after the typed ones, and iterates tokens typed', () => {
    const { start, options } = splitConfig(
      { audio_format: 'auto', extra: { brand_new_field: { a: 1 }, model: 'stt-rt-v9' } },
      'stt-rt-v5',
    );
    expect(start).to.deep.equal({
      audio_format: 'auto',
      brand_new_field: { a: 1 },
      model: 'stt-rt-v9',
    });
    expect(options.extra).to.deep.equal({ brand_new_field: { a: 1 }, model: 'stt-rt-v9' });
    expect(typeof compileOnly).to.equal('function');
  });

  it('refuses an extra that is not an object', async () => {
    const stream = client.realtime({ audio_format: 'auto', extra: [1] as never });
    const [error] = await new Promise<[Error]>((resolve) =>
      stream.on('error', (e) => resolve([e])),
    );
    expect(error.message).to.match(/extra must be an object/);
  });
});
