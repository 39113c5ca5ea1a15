import { expect } from 'chai';
import v8 from 'node:v8';
import vm from 'node:vm';
import { generatedStream as generated } from '../../fixtures/generated-stream';
import { fixture } from '../helpers';

/** V8's collector, exposed at run time (no --expose-gc flag needed on the command line). */
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Memory the process still holds after a full collection: heap plus array buffers (where the
 * chunks of a body live). Not RSS: when a garbage chunk is collected, and RSS shrinks, is V8's
 * choice and differs between Node 20, 22 and 24 (alone, the same upload grew RSS by 19 MB on 22
 * and 57 MB on 24). A client or mock that kept its chunks would keep them through a collection.
 */
function retained(): number {
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

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
