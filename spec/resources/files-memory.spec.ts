import { expect } from 'chai';
import { generatedStream as generated } from '../../fixtures/generated-stream';
import { fixture } from '../helpers';
import { retainedBytes as retained } from '../retained-memory';

describe('resources/files: memory', function () {
  this.timeout(120_000);
  const t = fixture();

  it('uploads 500 MB from a generated stream with retained memory growth under 64 MB (client and mock in one process)', async () => {
    const size = 500 * 1024 * 1024;
    const client = t.client;
    const before = retained();
    let peak = before;
    let last = 0;
    let sampledAt = 0;
    const started = process.hrtime.bigint();
    const stored = await client.files.upload(generated(size), {
      filename: 'big.raw',
      size,
      onProgress: (p) => {
        last = p.loaded;
        // A sample every 128 MB (three in all): each is a full collection of the whole process,
        // which inside the suite, under coverage, costs hundreds of ms.
        if (p.loaded - sampledAt >= 128 * 1024 * 1024) {
          sampledAt = p.loaded;
          peak = Math.max(peak, retained());
        }
      },
    });
    expect(stored.size).to.equal(size);
    peak = Math.max(peak, retained());
    const growthMB = (peak - before) / 1024 / 1024;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(
      `      500 MB upload: retained memory growth ${growthMB.toFixed(1)} MB, ${(500 / seconds).toFixed(0)} MB/s`,
    );
    expect(last).to.equal(size);
    expect(sampledAt).to.be.above(size / 2);
    expect(growthMB).to.be.below(64);
  });
});
