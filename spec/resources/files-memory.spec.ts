import { expect } from 'chai';
import { generatedStream as generated } from '../../fixtures/generated-stream';
import type { MockServer } from '../../lib/mock';
import { clientFor, mock } from '../helpers';

describe('resources/files: memory', function () {
  this.timeout(120_000);
  let server: MockServer;
  beforeEach(async () => {
    server = await mock();
  });
  afterEach(() => server.close());

  it('uploads 500 MB from a generated stream with RSS growth under 64 MB (client and mock in one process)', async () => {
    const size = 500 * 1024 * 1024;
    const client = clientFor(server);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    let last = 0;
    const started = process.hrtime.bigint();
    try {
      const stored = await client.files.upload(generated(size), {
        filename: 'big.raw',
        size,
        onProgress: (p) => (last = p.loaded),
      });
      expect(stored.size).to.equal(size);
    } finally {
      clearInterval(sampler);
      client.close();
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    const growthMB = (peak - before) / 1024 / 1024;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(
      `      500 MB upload: RSS growth ${growthMB.toFixed(1)} MB, ${(500 / seconds).toFixed(0)} MB/s`,
    );
    expect(last).to.equal(size);
    expect(growthMB).to.be.below(64);
  });
});
