/**
 * What a batch input is known by: its content's sha256, and the client reference the batch sends
 * with its upload and its create, which a resumed run looks jobs up by.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { SonioxValidationError } from '../../lib/errors';
import { identify, referenceOf } from '../../lib/batch/identity';
import type { BatchSource } from '../../lib/batch/types';
import { collect } from './helpers';
import { fixture } from '../helpers';

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

describe('batch input identity', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-identity-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a Buffer is known by the sha256 of its bytes, its client reference by the first 32 hex digits', async () => {
    const bytes = Buffer.from('some audio bytes');
    const hash = sha256(bytes);
    expect(await identify(bytes)).to.deep.equal({
      hash,
      reference: `batch:${hash.slice(0, 32)}`,
      kind: 'local',
    });
    expect(referenceOf(hash)).to.equal(`batch:${hash.slice(0, 32)}`);
    expect(referenceOf(hash)).to.have.length(38);
  });

  it('a file is known by its content: renamed or moved, it is the same input', async () => {
    const a = path.join(dir, 'a.wav');
    fs.writeFileSync(a, 'the same bytes');
    const moved = path.join(dir, 'sub', 'b.wav');
    fs.mkdirSync(path.dirname(moved));
    fs.copyFileSync(a, moved);
    const first = await identify(a);
    expect(first).to.deep.equal(await identify(moved));
    expect(first).to.deep.equal(await identify(new Uint8Array(Buffer.from('the same bytes'))));
    expect(first.hash).to.equal(sha256('the same bytes'));
  });

  it('a file of several read chunks is hashed whole', async () => {
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    const file = path.join(dir, 'big.raw');
    fs.writeFileSync(file, big);
    expect((await identify(file)).hash).to.equal(sha256(big));
  });

  it('an audio URL is known by its URL and created from it, not uploaded', async () => {
    const url = 'https://audio.example.com/a.wav';
    const identity = await identify({ audio_url: url });
    expect(identity).to.deep.equal({
      hash: sha256(url),
      reference: referenceOf(sha256(url)),
      kind: 'url',
    });
    expect((await identify({ audio_url: `${url}?v=2` })).reference).to.not.equal(
      identity.reference,
    );
  });

  it('refuses what cannot be an input with SonioxValidationError, saying why', async () => {
    const refusal = async (source: unknown): Promise<string> => {
      try {
        await identify(source as BatchSource);
      } catch (error) {
        expect(error).to.be.instanceOf(SonioxValidationError);
        expect((error as SonioxValidationError).issues[0]?.field).to.equal('source');
        return (error as Error).message;
      }
      throw new Error('identify() accepted it');
    };
    expect(await refusal('')).to.equal('transcribeMany: the path is empty');
    const missing = path.join(dir, 'missing.wav');
    expect(await refusal(missing)).to.equal(`transcribeMany: no such file: ${missing}`);
    expect(await refusal(dir)).to.equal(`transcribeMany: cannot read ${dir} (EISDIR)`);
    const kinds =
      'transcribeMany: an input must be a path, a Buffer, a Uint8Array or { audio_url }';
    for (const bad of [null, 42, {}, { audio_url: 7 }]) expect(await refusal(bad)).to.equal(kinds);
  });
});

describe('batch client reference on the server', () => {
  const t = fixture();

  it('sends each input’s client reference with its upload and its create', async () => {
    const bytes = Buffer.alloc(8_000, 7);
    const url = 'https://audio.example.com/ref.wav';
    await collect(
      t.client.transcribeMany([bytes, { audio_url: url }], { pollIntervalMs: 5, cleanup: false }),
    );
    const files = [...t.server.state.files.values()].map((f) => f.client_reference_id);
    const created = [...t.server.state.transcriptions.values()]
      .map((s) => s.transcription.client_reference_id)
      .sort();
    const reference = (data: string | Buffer) => `batch:${sha256(data).slice(0, 32)}`;
    expect(files).to.deep.equal([reference(bytes)]);
    expect(created).to.deep.equal([reference(bytes), reference(url)].sort());
  });
});
