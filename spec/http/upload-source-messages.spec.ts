/**
 * Upload refusals name what they are about (issue 26, item 7): the empty source (its path, or
 * "the buffer", "the stream"), and a URL given as a path (its scheme is not supported).
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { resolveUploadSource, type UploadInput } from '../../lib/http/upload-source';

async function messageOf(input: UploadInput, size?: number): Promise<string> {
  try {
    await resolveUploadSource(input, size === undefined ? {} : { size });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a rejection');
}

describe('upload sources: messages that name the source', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-msg-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('an empty source says which one: the path, the buffer, the stream', async () => {
    const empty = path.join(dir, 'empty.wav');
    fs.writeFileSync(empty, '');
    expect(await messageOf(empty)).to.equal(`files.upload: ${empty} is empty`);
    expect(await messageOf(Buffer.alloc(0))).to.equal('files.upload: the buffer is empty');
    expect(await messageOf(new Uint8Array(0))).to.equal('files.upload: the buffer is empty');
    expect(await messageOf(Readable.from([]))).to.equal('files.upload: the stream is empty');
    expect(await messageOf(Readable.from([Buffer.alloc(1)]), 0)).to.equal(
      'files.upload: the stream is empty (size: 0)',
    );
  });

  it('a URL given as a path says its scheme is not supported, not "no such file"', async () => {
    expect(await messageOf('ftp://example.com/a.wav')).to.equal(
      'files.upload: ftp://example.com/a.wav: ftp URLs are not supported: upload a local path, or transcribe an http(s) URL as { audio_url }',
    );
    expect(await messageOf('https://example.com/a.wav')).to.equal(
      'files.upload: https://example.com/a.wav is a URL, not a local path: transcribe it as { audio_url }',
    );
    expect(await messageOf(path.join(dir, 'missing.wav'))).to.equal(
      `files.upload: no such file: ${path.join(dir, 'missing.wav')}`,
    );
  });
});
