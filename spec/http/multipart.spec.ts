import { expect } from 'chai';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PROGRESS_STEP, encodeMultipart, escapeParam, type MultipartProgress } from '../../lib/http/multipart';
import { MultipartParser, boundaryOf, type PartInfo } from '../../lib/mock/multipart';

/** Parses a body with the mock's streaming parser, feeding it `chunkSize` bytes at a time. */
async function parse(body: Buffer, contentType: string, chunkSize: number): Promise<Array<PartInfo & { data: Buffer }>> {
  const parts: Array<PartInfo & { data: Buffer }> = [];
  let chunks: Buffer[] = [];
  const parser = new MultipartParser(boundaryOf(contentType)!, {
    onPart: (info) => {
      chunks = [];
      parts.push({ ...info, data: Buffer.alloc(0) });
    },
    onData: (c) => chunks.push(Buffer.from(c)),
    onPartEnd: () => (parts[parts.length - 1].data = Buffer.concat(chunks)),
  });
  const pieces: Buffer[] = [];
  for (let at = 0; at < body.length; at += chunkSize) pieces.push(body.subarray(at, at + chunkSize));
  await pipeline(Readable.from(pieces), parser);
  return parts;
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('http/multipart (encoder) and mock/multipart (parser)', () => {
  const content = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 13) & 0xff));

  for (const chunkSize of [1, 7, 4096, 1 << 20]) {
    it(`round-trips fields and a file through the streaming parser in ${chunkSize}-byte chunks`, async () => {
      const body = encodeMultipart([{ name: 'client_reference_id', value: 'ref-1' }], {
        field: 'file', filename: 'a "quoted"\r\nname.wav', size: content.length, stream: Readable.from([content]),
      });
      const bytes = await drain(body.stream);
      expect(bytes.length).to.equal(body.contentLength);
      const parts = await parse(bytes, body.contentType, chunkSize);
      expect(parts.map((p) => p.name)).to.deep.equal(['client_reference_id', 'file']);
      expect(parts[0].data.toString()).to.equal('ref-1');
      expect(parts[1].filename).to.equal('a "quoted"%0D%0Aname.wav');
      expect(parts[1].contentType).to.equal('application/octet-stream');
      expect(parts[1].data.equals(content)).to.equal(true);
    });
  }

  it('has no content length when the size is unknown, and still encodes', async () => {
    const body = encodeMultipart([], { field: 'file', filename: 'x', size: undefined, stream: Readable.from([content]) });
    expect(body.contentLength).to.equal(undefined);
    const parts = await parse(await drain(body.stream), body.contentType, 999);
    expect(parts[0].data.equals(content)).to.equal(true);
  });

  it('reports progress at least every MiB and once at the end', async () => {
    const size = 3 * PROGRESS_STEP + 10;
    const events: MultipartProgress[] = [];
    const chunk = Buffer.alloc(64 * 1024);
    const chunks = Array.from({ length: Math.ceil(size / chunk.length) }, (_, i) => chunk.subarray(0, Math.min(chunk.length, size - i * chunk.length)));
    const body = encodeMultipart([], { field: 'file', filename: 'x', size, stream: Readable.from(chunks) }, (p) => events.push(p));
    await drain(body.stream);
    expect(events.map((e) => e.loaded)).to.deep.equal([PROGRESS_STEP, 2 * PROGRESS_STEP, 3 * PROGRESS_STEP, size]);
    expect(events.every((e) => e.total === size)).to.equal(true);
  });

  it('fails the body when the source errors, or when it is not the declared size', async () => {
    const failing = new Readable({ read() { this.destroy(new Error('disk gone')); } });
    const a = encodeMultipart([], { field: 'file', filename: 'x', size: 10, stream: failing });
    await drain(a.stream).then(() => expect.fail('resolved'), (e: Error) => expect(e.message).to.equal('disk gone'));
    const short = encodeMultipart([], { field: 'file', filename: 'x', size: 10, stream: Readable.from([Buffer.alloc(5)]) });
    await drain(short.stream).then(() => expect.fail('resolved'), (e: Error) => expect(e.message).to.match(/declared size 10 but read 5 bytes/));
    const long = encodeMultipart([], { field: 'file', filename: 'x', size: 4, stream: Readable.from([Buffer.alloc(5)]) });
    await drain(long.stream).then(() => expect.fail('resolved'), (e: Error) => expect(e.message).to.match(/declared size 4/));
  });

  it('reads the source only as fast as the body is consumed (backpressure)', async () => {
    let produced = 0;
    const source = new Readable({
      read() {
        produced += 65536;
        this.push(Buffer.alloc(65536));
      },
    });
    const body = encodeMultipart([], { field: 'file', filename: 'x', size: undefined, stream: source });
    body.stream.pause();
    body.stream.read(0);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(produced).to.be.below(1024 * 1024);
    body.stream.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.destroyed).to.equal(true);
  });

  it('streams 300 MB with flat memory', async function () {
    this.timeout(60_000);
    const total = 300 * 1024 * 1024;
    const chunk = Buffer.alloc(256 * 1024, 1);
    let sent = 0;
    const source = new Readable({
      read() {
        if (sent >= total) return void this.push(null);
        sent += chunk.length;
        this.push(chunk);
      },
    });
    const before = process.memoryUsage().rss;
    let peak = before;
    const body = encodeMultipart([], { field: 'file', filename: 'big', size: total, stream: source });
    let seen = 0;
    await pipeline(body.stream, new Writable({
      write(c: Buffer, _e, done) {
        seen += c.length;
        if ((seen & 0xfffff) < c.length) peak = Math.max(peak, process.memoryUsage().rss);
        done();
      },
    }));
    const growth = (peak - before) / 1024 / 1024;
    console.log(`      multipart 300 MB: RSS growth ${growth.toFixed(1)} MB`);
    expect(seen).to.equal(body.contentLength);
    expect(growth).to.be.below(64);
  });

  it('escapes header parameters', () => {
    expect(escapeParam('a\\b"c\rd\ne')).to.equal('a\\\\b\\"c%0Dd%0Ae');
  });

  describe('the parser', () => {
    it('finds the boundary of a Content-Type, quoted or not', () => {
      expect(boundaryOf('multipart/form-data; boundary=abc')).to.equal('abc');
      expect(boundaryOf('multipart/form-data; boundary="a b"')).to.equal('a b');
      expect(boundaryOf('application/json')).to.equal(undefined);
      expect(boundaryOf(undefined)).to.equal(undefined);
      expect(boundaryOf('multipart/form-data')).to.equal(undefined);
    });

    it('rejects a body without its closing boundary, bad delimiters and huge part headers', async () => {
      const bad = async (body: string) => parse(Buffer.from(body), 'multipart/form-data; boundary=b', 5).then(() => 'ok', (e: Error) => e.message);
      expect(await bad('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nxx')).to.match(/closing boundary/);
      expect(await bad('--bXX')).to.match(/malformed/);
      expect(await bad(`--b\r\n${'x'.repeat(20_000)}`)).to.match(/too large/);
      expect(await bad('preamble\r\n--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--b--\r\nepilogue')).to.equal('ok');
    });
  });
});
