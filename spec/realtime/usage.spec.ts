/**
 * Audio processed, as the server reports it (final_audio_proc_ms, total_audio_proc_ms): getters
 * that follow every result, and the figures handed to `finished` (what people log for billing
 * and latency). A scripted server sends the figures.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { SonioxClient } from '../../lib/client';
import type { RealtimeUsage } from '../../lib/realtime/stream';
import type { RealtimeMessage } from '../../lib/types';
import { PCM } from '../audio';
import { SECRET_KEY, fixture, until } from '../helpers';
import { onEndOfAudio, scriptedServer, sendJson, tok } from './scripted-server';

describe('realtime usage: audio processed', () => {
  const t = fixture();

  it('reports final and total audio processed as getters after each result, and on finished', async () => {
    const server = await scriptedServer((ws) => {
      ws.once('message', () =>
        sendJson(ws, {
          tokens: [tok('hi', 0), tok(' there', 100, { is_final: false })],
          final_audio_proc_ms: 120,
          total_audio_proc_ms: 480,
        }),
      );
      onEndOfAudio(ws, () =>
        sendJson(ws, {
          tokens: [tok(' there', 100)],
          final_audio_proc_ms: 960,
          total_audio_proc_ms: 960,
          finished: true,
        }),
      );
    });
    t.defer(() => server.close());
    const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: server.url, env: {} });
    const stream = client.realtime({ ...PCM });
    t.defer(() => stream.destroy());
    stream.resume();
    expect(stream.audioProcessed).to.deep.equal({ finalMs: 0, totalMs: 0 });
    stream.write(Buffer.alloc(3200));
    await until(() => stream.audioProcessed.totalMs > 0);
    expect(stream.audioProcessed).to.deep.equal({ finalMs: 120, totalMs: 480 });
    const finished = once(stream, 'finished') as Promise<[RealtimeMessage, RealtimeUsage]>;
    stream.end();
    const [message, usage] = await finished;
    expect(message.finished).to.equal(true);
    expect(usage).to.deep.equal({ finalMs: 960, totalMs: 960 });
    expect(stream.audioProcessed).to.deep.equal({ finalMs: 960, totalMs: 960 });
  });
});
