import { expect } from 'chai';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SonioxAbortError, SonioxUploadError, SonioxValidationError } from '../../lib/errors';
import {
  PROGRESS_STEP,
  encodeMultipart,
  escapeParam,
  type MultipartProgress,
} from '../../lib/http/multipart';
import { MultipartParser, boundaryOf, type PartInfo } from '../../lib/mock/multipart';
import { retainedBytes as retained } from '../retained-memory';

/** Parses a body with the mock's streaming parser, feeding it `chunkSize` bytes at a time. */
async function parse(
  body: Buffer,
  contentType: string,
  chunkSize: number,
): Promise<Array<PartInfo & { data: Buffer }>> {
  const parts: Array<PartInfo & { data: Buffer }> = [];
  let chunks: Buffer[] = [];
  const parser = new MultipartParser(boundaryOf(contentType)!, {
    onPart: (info) => {
      chunks = [];
      parts.push({ ...info, data: Buffer.alloc(0) });
    },
    onData: (c) => chunks.push(Buffer.from(c)),
    // The parser ends only a part it began: the last one is there.
    onPartEnd: () => (parts[parts.length - 1]!.data = Buffer.concat(chunks)),
  });
  const pieces: Buffer[] = [];
  for (let at = 0; at < body.length; at += chunkSize)
    pieces.push(body.subarray(at, at + chunkSize));
  await pipeline(Readable.from(pieces), parser);
  return parts;
}

/** An independent, strict reading of the body: exact framing, no tolerance for stray bytes. */
function split(body: Buffer, contentType: string): Array<{ headers: string[]; data: Buffer }> {
  const boundary = /^multipart\/form-data; boundary=(-{4}soniox-[0-9a-f]{24})$/.exec(
    contentType,
  )?.[1];
  expect(boundary, contentType).to.be.a('string');
  const text = body.toString('latin1');
  const pieces = text.split(`--${boundary}`);
  expect(pieces[0]).to.equal('');
  expect(pieces[pieces.length - 1]).to.equal('--\r\n');
  return pieces.slice(1, -1).map((piece) => {
    expect(piece.startsWith('\r\n') && piece.endsWith('\r\n')).to.equal(true);
    const inner = piece.slice(2, -2);
    const gap = inner.indexOf('\r\n\r\n');
    return {
      headers: inner.slice(0, gap).split('\r\n'),
      data: Buffer.from(inner.slice(gap + 4), 'latin1'),
    };
  });
}

const failure = (stream: Readable) =>
  drain(stream).then(
    () => expect.fail('the body ended'),
    (e: Error) => e,
  );

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
        field: 'file',
        filename: 'a "quoted"\r\nname.wav',
        size: content.length,
        stream: Readable.from([content]),
      });
      const bytes = await drain(body.stream);
      expect(bytes.length).to.equal(body.contentLength);
      const parts = await parse(bytes, body.contentType, chunkSize);
      expect(parts.map((p) => p.name)).to.deep.equal(['client_reference_id', 'file']);
      expect(parts[0]!.data.toString()).to.equal('ref-1');
      expect(parts[1]!.filename).to.equal('a "quoted"%0D%0Aname.wav');
      expect(parts[1]!.contentType).to.equal('application/octet-stream');
      expect(parts[1]!.data.equals(content)).to.equal(true);
    });
  }

  it('frames every part exactly: headers, CRLFs, boundaries, UTF-8 names counted in bytes', async () => {
    const body = encodeMultipart(
      [
        { name: 'client_reference_id', value: 'line1\r\nline2' },
        { name: 'n"2', value: '' },
      ],
      {
        field: 'file',
        filename: 'réunion "Q3".wav',
        contentType: 'audio/wav',
        size: 3,
        stream: Readable.from([Buffer.from('abc')]),
      },
    );
    const bytes = await drain(body.stream);
    expect(bytes.length).to.equal(body.contentLength);
    const parts = split(bytes, body.contentType);
    expect(parts.map((p) => p.headers)).to.deep.equal([
      ['Content-Disposition: form-data; name="client_reference_id"'],
      ['Content-Disposition: form-data; name="n\\"2"'],
      [
        Buffer.from(
          'Content-Disposition: form-data; name="file"; filename="réunion \\"Q3\\".wav"',
        ).toString('latin1'),
        'Content-Type: audio/wav',
      ],
    ]);
    expect(parts.map((p) => p.data.toString())).to.deep.equal(['line1\r\nline2', '', 'abc']);
  });

  it('draws a fresh random boundary for every body', () => {
    const make = () =>
      encodeMultipart([], {
        field: 'file',
        filename: 'x',
        size: 1,
        stream: Readable.from([Buffer.from('a')]),
      });
    const a = make();
    const b = make();
    expect(a.contentType).not.to.equal(b.contentType);
    a.stream.destroy();
    b.stream.destroy();
  });

  it('refuses a content type with a line break (header injection) and releases the source', () => {
    const source = Readable.from([Buffer.from('a')]);
    expect(() =>
      encodeMultipart([], {
        field: 'file',
        filename: 'x',
        contentType: 'audio/wav\r\nX-Evil: 1',
        size: 1,
        stream: source,
      }),
    ).to.throw(SonioxValidationError, /line breaks/);
    expect(source.destroyed).to.equal(true);
  });

  it('has no content length when the size is unknown, and still encodes', async () => {
    const body = encodeMultipart([], {
      field: 'file',
      filename: 'x',
      size: undefined,
      stream: Readable.from([content]),
    });
    expect(body.contentLength).to.equal(undefined);
    const parts = await parse(await drain(body.stream), body.contentType, 999);
    expect(parts[0]?.data.equals(content)).to.equal(true);
  });

  it('reports progress at least every MiB and once at the end', async () => {
    const size = 3 * PROGRESS_STEP + 10;
    const events: MultipartProgress[] = [];
    const chunk = Buffer.alloc(64 * 1024);
    const chunks = Array.from({ length: Math.ceil(size / chunk.length) }, (_, i) =>
      chunk.subarray(0, Math.min(chunk.length, size - i * chunk.length)),
    );
    const body = encodeMultipart(
      [],
      { field: 'file', filename: 'x', size, stream: Readable.from(chunks) },
      (p) => events.push(p),
    );
    await drain(body.stream);
    expect(events.map((e) => e.loaded)).to.deep.equal([
      PROGRESS_STEP,
      2 * PROGRESS_STEP,
      3 * PROGRESS_STEP,
      size,
    ]);
    expect(events.every((e) => e.total === size)).to.equal(true);
  });

  it('reports each MiB even when the source yields chunks of several MiB', async () => {
    const big = Buffer.alloc(4 * PROGRESS_STEP + 5);
    const events: MultipartProgress[] = [];
    const body = encodeMultipart(
      [],
      { field: 'file', filename: 'x', size: undefined, stream: Readable.from([big]) },
      (p) => events.push(p),
    );
    const bytes = await drain(body.stream);
    expect(split(bytes, body.contentType)[0]?.data.length).to.equal(big.length);
    expect(events).to.deep.equal(
      [1, 2, 3, 4]
        .map((n) => ({ loaded: n * PROGRESS_STEP, total: undefined }))
        .concat({ loaded: big.length, total: undefined }),
    );
  });

  it('reports the final event once when the size is an exact number of MiB', async () => {
    const events: number[] = [];
    const body = encodeMultipart(
      [],
      {
        field: 'file',
        filename: 'x',
        size: 2 * PROGRESS_STEP,
        stream: Readable.from([Buffer.alloc(2 * PROGRESS_STEP)]),
      },
      (p) => events.push(p.loaded),
    );
    await drain(body.stream);
    expect(events).to.deep.equal([PROGRESS_STEP, 2 * PROGRESS_STEP]);
  });

  it('fails the body with the error of an onProgress callback that throws, mid-way or at the end', async () => {
    const boom = () => {
      throw new Error('progress bar broke');
    };
    const mid = encodeMultipart(
      [],
      {
        field: 'file',
        filename: 'x',
        size: undefined,
        stream: Readable.from([Buffer.alloc(PROGRESS_STEP)]),
      },
      boom,
    );
    const midError = await failure(mid.stream);
    expect(midError.message).to.equal('files.upload: onProgress threw: progress bar broke');
    expect((midError as Error & { cause?: unknown }).cause).to.be.instanceOf(Error);
    const end = encodeMultipart(
      [],
      { field: 'file', filename: 'x', size: undefined, stream: Readable.from([Buffer.alloc(10)]) },
      () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- the spec is about a callback that throws a non-Error
        throw 'not an Error';
      },
    );
    expect((await failure(end.stream)).message).to.equal(
      'files.upload: onProgress threw: not an Error',
    );
  });

  it('fails the body, instead of hanging it, when the source closes before its end or was destroyed already', async () => {
    const cut = new Readable({ read() {} });
    cut.push(Buffer.alloc(10));
    const a = encodeMultipart([], { field: 'file', filename: 'x', size: undefined, stream: cut });
    setImmediate(() => cut.destroy());
    expect((await failure(a.stream)).message).to.match(/premature close/i);
    const gone = new Readable({ read() {} });
    gone.destroy();
    const b = encodeMultipart([], { field: 'file', filename: 'x', size: 5, stream: gone });
    expect((await failure(b.stream)).message).to.match(/premature close/i);
  });

  it('fails the body when the source errors (its error as the cause), or when it is not the declared size', async () => {
    const disk = new Error('disk gone');
    const failing = new Readable({
      read() {
        this.destroy(disk);
      },
    });
    const a = encodeMultipart([], { field: 'file', filename: 'x', size: 10, stream: failing });
    await drain(a.stream).then(
      () => expect.fail('resolved'),
      (e: Error) => {
        expect(e).to.be.instanceOf(SonioxUploadError);
        expect(e.message).to.equal('files.upload: the source stream failed: disk gone');
        expect(e.cause).to.equal(disk);
      },
    );
    // A source destroyed with something that is not an Error still names it.
    const odd = encodeMultipart([], {
      field: 'file',
      filename: 'x',
      size: 10,
      stream: new Readable({
        read() {
          this.destroy('gone' as unknown as Error);
        },
      }),
    });
    await drain(odd.stream).then(
      () => expect.fail('resolved'),
      (e: Error) => expect(e.message).to.equal('files.upload: the source stream failed: gone'),
    );
    // An SDK error from the source (its abort, its first-chunk timeout) is the body's error as itself.
    const aborted = new SonioxAbortError('files.upload was aborted');
    const b = encodeMultipart([], {
      field: 'file',
      filename: 'x',
      size: 10,
      stream: new Readable({
        read() {
          this.destroy(aborted);
        },
      }),
    });
    await drain(b.stream).then(
      () => expect.fail('resolved'),
      (e: Error) => expect(e).to.equal(aborted),
    );
    const short = encodeMultipart([], {
      field: 'file',
      filename: 'x',
      size: 10,
      stream: Readable.from([Buffer.alloc(5)]),
    });
    await drain(short.stream).then(
      () => expect.fail('resolved'),
      (e: Error) => expect(e.message).to.match(/declared size 10 but read 5 bytes/),
    );
    const long = encodeMultipart([], {
      field: 'file',
      filename: 'x',
      size: 4,
      stream: Readable.from([Buffer.alloc(5)]),
    });
    await drain(long.stream).then(
      () => expect.fail('resolved'),
      (e: Error) => expect(e.message).to.equal('files.upload: declared size 4 but read 5 bytes'),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(failing.destroyed).to.equal(true);
  });

  it('stops reading the source while the consumer is paused, resumes with it, and destroys it with the body', async () => {
    let produced = 0;
    const source = new Readable({
      read() {
        produced += 65536;
        this.push(Buffer.alloc(65536));
      },
    });
    const body = encodeMultipart([], {
      field: 'file',
      filename: 'x',
      size: undefined,
      stream: source,
    });
    body.stream.pause();
    body.stream.read(0);
    const settle = async () => {
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    await settle();
    const stalled = produced;
    await settle();
    expect(produced).to.equal(stalled);
    // Only the buffers of the streams in between fill: a few chunks, nowhere near the source's size.
    expect(stalled).to.be.below(512 * 1024);
    let consumed = 0;
    while (consumed < 2 * 1024 * 1024) {
      const chunk = body.stream.read() as Buffer | null;
      if (chunk) consumed += chunk.length;
      else await new Promise((resolve) => setImmediate(resolve));
    }
    expect(produced).to.be.above(stalled + 1024 * 1024);
    body.stream.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.destroyed).to.equal(true);
  });

  it('streams 300 MB of fresh chunks to a sink with flat memory and a bounded number of bytes in flight', async function () {
    this.timeout(60_000);
    const total = 300 * 1024 * 1024;
    const chunkSize = 64 * 1024;
    let sent = 0;
    // A fresh buffer per chunk: an encoder that buffered would keep them all alive and show up.
    const source = new Readable({
      read() {
        if (sent >= total) return void this.push(null);
        sent += chunkSize;
        this.push(Buffer.allocUnsafe(chunkSize).fill(sent & 0xff));
      },
    });
    // Retained memory, not RSS (see retained-memory.ts): an encoder that buffered would keep its
    // chunks alive through a collection.
    const before = retained();
    let peak = before;
    let inFlight = 0;
    const body = encodeMultipart([], {
      field: 'file',
      filename: 'big',
      size: total,
      stream: source,
    });
    let seen = 0;
    let writes = 0;
    await pipeline(
      body.stream,
      new Writable({
        highWaterMark: 64 * 1024,
        write(c: Buffer, _e, done) {
          seen += c.length;
          inFlight = Math.max(inFlight, sent - seen);
          // A sample every 64 MiB (four in all): each is a full collection of the whole process,
          // tens of ms inside the suite; an encoder that kept its chunks shows at the second.
          if (++writes % 1024 === 0) peak = Math.max(peak, retained());
          // A consumer slower now and then than the source, like a socket.
          if (writes % 64 === 0) setImmediate(done);
          else done();
        },
      }),
    );
    const growth = (peak - before) / 1024 / 1024;
    console.log(
      `      multipart 300 MB: retained memory growth ${growth.toFixed(1)} MB, at most ${(inFlight / 1024).toFixed(0)} KiB in flight`,
    );
    expect(seen).to.equal(body.contentLength);
    expect(inFlight).to.be.below(1024 * 1024);
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
      const bad = async (body: string) =>
        parse(Buffer.from(body), 'multipart/form-data; boundary=b', 5).then(
          () => 'ok',
          (e: Error) => e.message,
        );
      expect(await bad('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nxx')).to.match(
        /closing boundary/,
      );
      expect(await bad('--bXX')).to.match(/malformed/);
      expect(await bad(`--b\r\n${'x'.repeat(20_000)}`)).to.match(/too large/);
      expect(
        await bad(
          'preamble\r\n--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nv\r\n--b--\r\nepilogue',
        ),
      ).to.equal('ok');
    });
  });
});
