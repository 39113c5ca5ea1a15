import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { resolveUploadSource } from '../../lib/http/upload-source';
import {
  SonioxAbortError,
  SonioxUploadNotRetryableError,
  SonioxValidationError,
} from '../../lib/errors';
import { encodeMultipart } from '../../lib/http/multipart';

async function read(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}
const rejects = async (p: Promise<unknown>, pattern: RegExp, field = 'source') => {
  const error = await p.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error).to.be.instanceOf(SonioxValidationError);
  expect((error as SonioxValidationError).issues[0]?.field).to.equal(field);
  expect((error as Error).message).to.match(pattern);
};

describe('http/upload-source', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-src-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('opens a path afresh on every attempt', async () => {
    const file = path.join(dir, 'a.wav');
    fs.writeFileSync(file, 'hello');
    const src = await resolveUploadSource(file);
    expect(src).to.include({ filename: 'a.wav', size: 5, replayable: true });
    expect((await read(src.open())).toString()).to.equal('hello');
    expect((await read(src.open())).toString()).to.equal('hello');
  });

  it('streams a Buffer or a Uint8Array in bounded views, repeatably', async () => {
    const big = Buffer.alloc(200_000, 3);
    const src = await resolveUploadSource(big, { filename: 'b.raw' });
    const chunks: Buffer[] = [];
    for await (const c of src.open()) chunks.push(c as Buffer);
    expect(Math.max(...chunks.map((c) => c.length))).to.equal(65_536);
    expect(chunks[0]?.buffer).to.equal(big.buffer);
    expect((await read(src.open())).equals(big)).to.equal(true);
    const u8 = await resolveUploadSource(new Uint8Array([1, 2, 3]));
    expect(u8).to.include({ filename: 'audio', size: 3 });
    expect([...(await read(u8.open()))]).to.deep.equal([1, 2, 3]);
  });

  it('hands out a Readable once, keeping its first chunk, and refuses a second attempt', async () => {
    const src = await resolveUploadSource(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), {
      size: 4,
    });
    expect(src).to.include({ replayable: false, size: 4 });
    expect((await read(src.open())).toString()).to.equal('abcd');
    expect(() => src.open()).to.throw(SonioxUploadNotRetryableError, /cannot be retried/);
  });

  it('accepts string chunks from a Readable', async () => {
    const src = await resolveUploadSource(Readable.from(['xy', 'z']));
    expect((await read(src.open())).toString()).to.equal('xyz');
  });

  it('rejects bad input before anything is sent', async () => {
    await rejects(resolveUploadSource(path.join(dir, 'missing.wav')), /no such file/);
    await rejects(resolveUploadSource(dir), /is a directory/);
    fs.writeFileSync(path.join(dir, 'empty'), '');
    await rejects(resolveUploadSource(path.join(dir, 'empty')), /empty/);
    await rejects(resolveUploadSource(Buffer.alloc(0)), /empty/);
    await rejects(resolveUploadSource(Readable.from([])), /empty/);
    await rejects(
      resolveUploadSource(Readable.from([Buffer.alloc(1)]), { size: 2 * 1024 ** 3 }),
      /over the API's limit/,
    );
    await rejects(
      resolveUploadSource(Readable.from([Buffer.alloc(1)]), { size: -1 }),
      /non-negative/,
      'size',
    );
    await rejects(
      resolveUploadSource(Readable.from([Buffer.alloc(1)]), { size: 1.5 }),
      /non-negative/,
      'size',
    );
    await rejects(resolveUploadSource(Buffer.alloc(1), { filename: '' }), /filename/, 'filename');
    await rejects(resolveUploadSource(''), /path is empty/);
    await rejects(resolveUploadSource('/dev/null'), /not a regular file/);
    await rejects(resolveUploadSource(Readable.from([1, 2])), /must yield Buffers/);
    const ended = Readable.from([]);
    ended.resume();
    await new Promise((resolve) => ended.on('end', resolve));
    await rejects(resolveUploadSource(ended), /already ended/);
    const failing = new Readable({
      read() {
        this.destroy(new Error('boom'));
      },
    });
    await rejects(resolveUploadSource(failing), /failed before sending: boom/);
    await rejects(resolveUploadSource(42 as never), /must be a path/);
  });

  it('shares the memory of a Uint8Array instead of copying it', async () => {
    const bytes = new Uint8Array(new ArrayBuffer(300_000), 100, 200_000);
    const src = await resolveUploadSource(bytes);
    const chunks: Buffer[] = [];
    for await (const c of src.open()) chunks.push(c as Buffer);
    expect(chunks.every((c) => c.buffer === bytes.buffer)).to.equal(true);
    expect(chunks[0]?.byteOffset).to.equal(100);
    expect(Buffer.concat(chunks).length).to.equal(200_000);
  });

  it('looks past empty chunks of an object-mode stream, and keeps them all', async () => {
    const src = await resolveUploadSource(Readable.from(['', Buffer.alloc(0), 'ab', 'c']));
    expect((await read(src.open())).toString()).to.equal('abc');
    await rejects(resolveUploadSource(Readable.from(['', ''])), /empty/);
  });

  it("waits for a slow stream's first chunk before deciding it is not empty", async () => {
    const slow = new Readable({ read() {} });
    const pending = resolveUploadSource(slow);
    // The end comes after the late chunk whatever the load (a 5 ms timer could beat a setImmediate
    // scheduled from the check phase on a busy machine, and make the stream look empty).
    setImmediate(() => {
      slow.push('late');
      setImmediate(() => slow.push(null));
    });
    const src = await pending;
    expect(src.size).to.equal(undefined);
    expect((await read(src.open())).toString()).to.equal('late');
  });

  it('rejects with SonioxAbortError when the signal fires before the first chunk arrives', async () => {
    const idle = new Readable({ read() {} });
    const before = new AbortController();
    before.abort();
    expect(
      await resolveUploadSource(idle, { signal: before.signal }).catch((e: Error) => e),
    ).to.be.instanceOf(SonioxAbortError);
    const during = new AbortController();
    const pending = resolveUploadSource(idle, { signal: during.signal }).catch((e: Error) => e);
    setImmediate(() => during.abort());
    expect(await pending).to.be.instanceOf(SonioxAbortError);
    expect(idle.listenerCount('readable') + idle.listenerCount('error')).to.equal(0);
    idle.destroy();
  });

  it('holds a stream error that happens before the upload starts, and the upload reports it', async () => {
    const stream = new Readable({ read() {} });
    stream.push('a');
    const src = await resolveUploadSource(stream);
    stream.destroy(new Error('device unplugged')); // no listener of the caller: must not crash
    await new Promise((resolve) => setImmediate(resolve));
    const body = encodeMultipart([], {
      field: 'file',
      filename: src.filename,
      size: src.size,
      stream: src.open(),
    });
    expect(await read(body.stream).catch((e: Error) => e.message)).to.equal('device unplugged');
  });

  it('reports an unreadable path with its error code', async () => {
    if (process.getuid?.() === 0) {
      // root reads everything: use a path through a file instead of a directory.
      const file = path.join(dir, 'plain');
      fs.writeFileSync(file, 'x');
      await rejects(resolveUploadSource(path.join(file, 'child')), /ENOTDIR/);
    } else {
      const locked = path.join(dir, 'locked');
      fs.writeFileSync(locked, 'x');
      fs.chmodSync(dir, 0o000);
      try {
        await rejects(resolveUploadSource(locked), /EACCES/);
      } finally {
        fs.chmodSync(dir, 0o700);
      }
    }
  });
});
