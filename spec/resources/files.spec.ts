import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  SonioxNotFoundError,
  SonioxUploadNotRetryableError,
  SonioxValidationError,
} from '../../lib/errors';
import type { UploadProgress } from '../../lib/resources/files';
import { rejection, fixture } from '../helpers';

const UPLOAD = 'POST /v1/files';

function bytes(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

describe('resources/files', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-files-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const t = fixture();

  it('uploads a path with its base name and size', async () => {
    const file = path.join(dir, 'call.raw');
    fs.writeFileSync(file, bytes(300_000));
    const client = t.client;
    const stored = await client.files.upload(file);
    expect(stored).to.include({ filename: 'call.raw', size: 300_000 });
    expect((await client.files.get(stored.id)).id).to.equal(stored.id);
  });

  it('uploads a Buffer and a Uint8Array under the given name, with client_reference_id', async () => {
    const client = t.client;
    const a = await client.files.upload(bytes(1000), {
      filename: 'a.wav',
      client_reference_id: 'ref',
    });
    expect(a).to.include({ filename: 'a.wav', size: 1000, client_reference_id: 'ref' });
    const b = await client.files.upload(new Uint8Array(bytes(10)));
    expect(b.size).to.equal(10);
  });

  it('reports progress at least every MiB and once at the end with the total', async () => {
    const client = t.client;
    const events: UploadProgress[] = [];
    await client.files.upload(bytes(5 * 1024 * 1024 + 5), {
      filename: 'p.raw',
      onProgress: (p) => events.push({ ...p }),
    });
    const last = events.at(-1)!;
    expect(last).to.deep.equal({ loaded: 5 * 1024 * 1024 + 5, total: 5 * 1024 * 1024 + 5 });
    expect(events.length).to.be.at.least(5);
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.loaded - events[i - 1]!.loaded).to.be.at.most(1024 * 1024 + 65536);
    }
  });

  it('uploads a Readable of unknown size, and one with a declared size', async () => {
    const client = t.client;
    const chunked = await client.files.upload(Readable.from([bytes(1000), bytes(2000)]), {
      filename: 's.raw',
    });
    expect(chunked.size).to.equal(3000);
    const sized = await client.files.upload(Readable.from([bytes(4000)]), {
      filename: 's.raw',
      size: 4000,
    });
    expect(sized.size).to.equal(4000);
  });

  it('retries a path upload after a 503 by reading the file again', async () => {
    const file = path.join(dir, 'retry.raw');
    fs.writeFileSync(file, bytes(200_000));
    t.server.setFaults({ http: [{ route: UPLOAD, status: 503, times: 1 }] });
    const client = t.client;
    const stored = await client.files.upload(file);
    expect(stored.size).to.equal(200_000);
    expect(t.server.state.hits[UPLOAD]).to.equal(2);
  });

  it('retries a Buffer upload after a connection refused on a reused socket is not needed: a 429 is enough', async () => {
    t.server.setFaults({ http: [{ route: UPLOAD, status: 429, retryAfter: 0, times: 2 }] });
    const client = t.client;
    const stored = await client.files.upload(bytes(50_000), { filename: 'b.raw' });
    expect(stored.size).to.equal(50_000);
    expect(t.server.state.hits[UPLOAD]).to.equal(3);
  });

  it('rejects a one-shot stream that fails mid-way with an error saying it cannot be retried', async () => {
    t.server.setFaults({ http: [{ route: UPLOAD, reset: 'mid-request', times: 1 }] });
    const client = t.client;
    const error = await rejection(
      client.files.upload(Readable.from([bytes(512 * 1024), bytes(512 * 1024)]), {
        filename: 'x.raw',
      }),
    );
    expect(error).to.be.instanceOf(SonioxUploadNotRetryableError);
    expect(error.message).to.match(/cannot be retried/);
    expect(t.server.state.hits[UPLOAD]).to.equal(1);
  });

  describe('rejects bad input before sending any byte', () => {
    const cases: Array<[string, () => unknown]> = [
      ['a missing path', () => path.join(dir, 'nope.wav')],
      ['a directory', () => dir],
      ['an empty buffer', () => Buffer.alloc(0)],
      [
        'an empty file',
        () => {
          const f = path.join(dir, 'empty.wav');
          fs.writeFileSync(f, '');
          return f;
        },
      ],
      ['an empty stream', () => Readable.from([])],
      ['a number', () => 42],
    ];
    for (const [name, make] of cases) {
      it(`rejects ${name}`, async () => {
        const client = t.client;
        const error = await rejection(client.files.upload(make() as Buffer));
        expect(error).to.be.instanceOf(SonioxValidationError);
        expect(t.server.state.hits[UPLOAD] ?? 0).to.equal(0);
      });
    }

    it('rejects a stream declared over 1 GiB', async () => {
      const client = t.client;
      const error = await rejection(
        client.files.upload(Readable.from([bytes(10)]), { size: 1_073_741_825 }),
      );
      expect(error).to.be.instanceOf(SonioxValidationError);
      expect(t.server.state.hits[UPLOAD] ?? 0).to.equal(0);
    });

    it('rejects a client_reference_id over 256 characters', async () => {
      const client = t.client;
      expect(
        await rejection(client.files.upload(bytes(10), { client_reference_id: 'x'.repeat(257) })),
      ).to.be.instanceOf(SonioxValidationError);
    });
  });

  it('lists, iterates over pages and deletes', async () => {
    const client = t.client;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await client.files.upload(bytes(10 + i), { filename: `f${i}.raw` })).id);
    const page = await client.files.list({ limit: 3 });
    expect(page.files).to.have.length(3);
    const seen: string[] = [];
    for await (const f of client.files.iterate({ limit: 2 })) seen.push(f.id);
    expect(seen).to.have.members(ids);
    const first = ids[0]!;
    await client.files.delete(first);
    expect(await rejection(client.files.get(first))).to.be.instanceOf(SonioxNotFoundError);
    const gone = await rejection(client.files.delete(first));
    expect((gone as SonioxNotFoundError).errorType).to.equal('file_not_found');
  });
});
