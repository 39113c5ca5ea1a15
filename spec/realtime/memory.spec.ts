import { expect } from 'chai';
import sinon from 'sinon';
import WebSocket from 'ws';
import type { RealtimeToken } from '../../lib/types';
import { PCM, chunked } from '../audio';
import { fixture as testFixture } from '../helpers';

describe('realtime/stream: memory and handles', function () {
  this.timeout(60_000);
  const t = testFixture({ mock: { realtimePacing: false } });

  it('holds a fast producer back when the server stops reading (200 MB offered, RSS growth < 64 MB)', async () => {
    t.server.setFaults({ ws: [{ stopReading: true }] });
    const client = t.clientWith();
    const stream = client.realtime({ ...PCM, highWaterMark: 256 * 1024 });
    stream.on('error', () => undefined);
    stream.resume();
    await stream.connect();
    global.gc?.();
    const before = process.memoryUsage().rss;
    const chunk = Buffer.alloc(64 * 1024, 1);
    const offered = 200 * 1024 * 1024;
    let accepted = 0;
    let blockedSince = 0;
    // Write as fast as the stream allows; stop once it has held us back for 300 ms.
    while (accepted < offered) {
      if (!stream.write(chunk)) {
        const drained = await Promise.race([
          new Promise<boolean>((resolve) => stream.once('drain', () => resolve(true))),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 300)),
        ]);
        if (!drained) {
          blockedSince = accepted;
          break;
        }
      }
      accepted += chunk.length;
    }
    const growthMB = (process.memoryUsage().rss - before) / 1024 / 1024;
    console.log(
      `      backpressure: ${(accepted / 1024 / 1024).toFixed(1)} MB accepted of 200 MB offered, RSS growth ${growthMB.toFixed(1)} MB`,
    );
    expect(blockedSince).to.be.greaterThan(0);
    expect(accepted).to.be.below(64 * 1024 * 1024);
    expect(growthMB).to.be.below(64);
    stream.destroy();
  });

  it('loses no token when the reader is slow (the socket is paused, not buffered)', async () => {
    const pause = sinon.spy(WebSocket.prototype, 'pause');
    const resume = sinon.spy(WebSocket.prototype, 'resume');
    t.defer(() => sinon.restore());
    const client = t.clientWith();
    const stream = client.realtime({ ...PCM, tokens: 'final' });
    // 10 min of non-silent noise: placeholder words, one per 400 ms.
    const audio = Buffer.alloc(600 * 32_000);
    for (let i = 0; i < audio.length; i += 2) audio.writeInt16LE(((i * 7919) % 20000) - 10000, i);
    chunked(audio, 32_000).pipe(stream);
    const tokens: RealtimeToken[] = [];
    let maxBuffered = 0;
    for await (const token of stream) {
      tokens.push(token);
      maxBuffered = Math.max(maxBuffered, stream.readableLength);
      // A timer every 10 tokens: the socket's reads (tens of KB of messages each) come in
      // between, faster than the reader takes them. (5 ms timers made the spec take 1-2 s.)
      if (tokens.length % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(tokens).to.have.length(1500);
    expect(tokens.map((t) => t.start_ms)).to.deep.equal(tokens.map((_, i) => i * 400 + 50));
    // The readable buffer holds the highWaterMark plus what one socket read carried (tens of KB
    // of messages), not the session: the socket is paused while the reader lags.
    console.log(
      `      slow reader: at most ${maxBuffered} of 1500 tokens buffered, socket paused ${pause.callCount} times`,
    );
    expect(pause.callCount).to.be.greaterThan(0);
    // Each pause is undone by a resume (the last may still be pending at the end), and the
    // polite close resumes once more if the socket is still open then: whether it is, is a race
    // with the server's own close.
    expect(resume.callCount).to.be.within(pause.callCount - 1, pause.callCount + 1);
    expect(maxBuffered).to.be.below(750);
  });
});
