/**
 * The batch journal: each input's last state survives a restart, a torn last line is ignored,
 * and a failed input starts afresh.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import sinon from 'sinon';
import { SonioxJournalError } from '../../lib/errors';
import { Journal } from '../../lib/batch/journal';
import { retainedBytes } from './helpers';

/** A sha256-like hex hash for input `i`. */
const hashOf = (i: number) => createHash('sha256').update(String(i)).digest('hex');
/** A UUID-shaped id for input `i`. */
const idOf = (i: number, tag: string) =>
  `${tag}${String(i).padStart(7, '0')}-0000-4000-8000-000000000000`;

describe('batch journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-journal-'));
  });
  afterEach(() => {
    sinon.restore();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reads back the last state of each input, with the ids seen on the way', () => {
    const file = path.join(dir, 'j.jsonl');
    const journal = Journal.open(file);
    journal.write({ event: 'started', hash: 'a' });
    journal.write({ event: 'uploaded', hash: 'a', file_id: 'f1' });
    journal.write({ event: 'creating', hash: 'a' });
    journal.write({ event: 'started', hash: 'b' });
    journal.write({ event: 'created', hash: 'a', transcription_id: 't1' });
    journal.close();
    journal.close();
    const again = Journal.open(file);
    expect(again.get('a')).to.deep.equal({ event: 'created', fileId: 'f1', transcriptionId: 't1' });
    expect(again.get('b')).to.deep.equal({
      event: 'started',
      fileId: undefined,
      transcriptionId: undefined,
    });
    expect(again.get('c')).to.equal(undefined);
    again.close();
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).to.have.length(5);
  });

  it('ignores a last line cut off by a crash, and writes the next record on a line of its own', () => {
    const file = path.join(dir, 'j.jsonl');
    fs.writeFileSync(
      file,
      '{"event":"done","hash":"a","transcription_id":"t1"}\n{"event":"creating","ha',
    );
    const journal = Journal.open(file);
    expect(journal.get('a')?.event).to.equal('done');
    journal.write({ event: 'started', hash: 'b' });
    journal.close();
    const again = Journal.open(file);
    expect(again.get('b')?.event).to.equal('started');
    again.close();
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines).to.include('{"event":"started","hash":"b"}');
  });

  it('starts a failed input afresh: the ids of the failed attempt are forgotten', () => {
    const file = path.join(dir, 'j.jsonl');
    const journal = Journal.open(file);
    journal.write({ event: 'uploaded', hash: 'a', file_id: 'f1' });
    journal.write({ event: 'created', hash: 'a', transcription_id: 't1' });
    journal.write({ event: 'failed', hash: 'a', code: 'transcription_failed' });
    journal.close();
    const again = Journal.open(file);
    expect(again.get('a')).to.deep.equal({
      event: 'failed',
      fileId: undefined,
      transcriptionId: undefined,
    });
    again.close();
  });

  it('remembers an end whose cleanup never finished, with the ids to delete, until it is cleaned', () => {
    const file = path.join(dir, 'j.jsonl');
    const journal = Journal.open(file);
    journal.write({ event: 'uploaded', hash: 'a', file_id: 'f1' });
    journal.write({ event: 'created', hash: 'a', transcription_id: 't1' });
    journal.write({ event: 'done', hash: 'a', transcription_id: 't1', cleanup: true });
    journal.write({ event: 'uploaded', hash: 'b', file_id: 'f2' });
    journal.write({ event: 'failed', hash: 'b', code: 'transcription_failed', cleanup: true });
    // A cleaned with no cleanup owed (or an input never seen) changes nothing.
    journal.write({ event: 'cleaned', hash: 'c' });
    journal.close();
    const again = Journal.open(file);
    expect(again.get('a')).to.deep.equal({
      event: 'done',
      fileId: 'f1',
      transcriptionId: 't1',
      cleanupOwed: true,
    });
    expect(again.get('b')).to.deep.equal({
      event: 'failed',
      fileId: 'f2',
      transcriptionId: undefined,
      cleanupOwed: true,
    });
    expect(again.get('c')).to.equal(undefined);
    again.write({ event: 'cleaned', hash: 'a' });
    again.write({ event: 'cleaned', hash: 'b' });
    again.write({ event: 'cleaned', hash: 'b' });
    again.close();
    const third = Journal.open(file);
    expect(third.get('a')).to.deep.equal({
      event: 'done',
      fileId: undefined,
      transcriptionId: 't1',
    });
    expect(third.get('b')).to.deep.equal({
      event: 'failed',
      fileId: undefined,
      transcriptionId: undefined,
    });
    third.close();
  });

  it('an input that failed after its create owes the next run the deletion of its file and its transcription', () => {
    const file = path.join(dir, 'j.jsonl');
    const journal = Journal.open(file);
    journal.write({ event: 'started', hash: 'a', at: 1_000 });
    journal.write({ event: 'uploaded', hash: 'a', file_id: 'f1' });
    journal.write({ event: 'creating', hash: 'a', at: 2_000 });
    journal.write({ event: 'created', hash: 'a', transcription_id: 't1' });
    // Killed between the failure and its cleanup.
    journal.write({ event: 'failed', hash: 'a', code: 'transcription_failed', cleanup: true });
    journal.close();
    const again = Journal.open(file);
    expect(again.get('a')).to.include({
      event: 'failed',
      fileId: 'f1',
      transcriptionId: 't1',
      cleanupOwed: true,
    });
    again.close();
  });

  it('fails a write it could not make as SonioxJournalError, and takes no more writes', () => {
    const file = path.join(dir, 'j.jsonl');
    const journal = Journal.open(file);
    journal.write({ event: 'started', hash: 'a' });
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
    });
    const write = sinon.stub(fs, 'writeSync').throws(enospc);
    const attempt = () => journal.write({ event: 'created', hash: 'a', transcription_id: 't1' });
    expect(attempt).to.throw(SonioxJournalError, /cannot write the journal .*j\.jsonl: ENOSPC/);
    expect(journal.failed).to.be.instanceOf(SonioxJournalError);
    expect(journal.failed?.errno).to.equal('ENOSPC');
    expect(journal.failed?.path).to.equal(file);
    expect(journal.failed?.cause).to.equal(enospc);
    // Not acted on: the record is not in the index, and later writes are refused untried.
    expect(journal.get('a')?.event).to.equal('started');
    write.restore();
    expect(attempt).to.throw(SonioxJournalError);
    journal.close();
    expect(fs.readFileSync(file, 'utf8')).to.equal('{"event":"started","hash":"a"}\n');
    // A failed fsync is a failed write too.
    const again = Journal.open(file);
    sinon.stub(fs, 'fsyncSync').throws(Object.assign(new Error('EIO'), { code: 'EIO' }));
    expect(() => again.write({ event: 'started', hash: 'b' })).to.throw(SonioxJournalError);
    expect(again.failed?.errno).to.equal('EIO');
    again.close();
  });

  it('fails a short write (a file size limit reached) on the rest of the line, and reads the torn line as not written', () => {
    const file = path.join(dir, 'j.jsonl');
    const journal = Journal.open(file);
    journal.write({ event: 'started', hash: 'a' });
    const real = fs.writeSync.bind(fs) as (fd: number, data: Buffer, offset: number) => number;
    let calls = 0;
    // As write(2) does at the limit: the bytes that fit, then EFBIG on the next write.
    sinon.stub(fs, 'writeSync').callsFake(((fd: number, data: Buffer | string, offset = 0) => {
      if (++calls > 1)
        throw Object.assign(new Error('EFBIG: file too large, write'), { code: 'EFBIG' });
      return real(fd, Buffer.from(data).subarray(0, offset + 10), offset);
    }) as unknown as typeof fs.writeSync);
    expect(() => journal.write({ event: 'creating', hash: 'a', at: 1 })).to.throw(
      SonioxJournalError,
      /EFBIG/,
    );
    expect(journal.get('a')?.event).to.equal('started');
    sinon.restore();
    journal.close();
    const again = Journal.open(file);
    expect(again.get('a')?.event).to.equal('started');
    again.write({ event: 'started', hash: 'b' });
    again.close();
    expect(fs.readFileSync(file, 'utf8').split('\n')).to.deep.equal([
      '{"event":"started","hash":"a"}',
      '{"event":"',
      '{"event":"started","hash":"b"}',
      '',
    ]);
  });

  it('reads back a kept input with the ids to fetch it again', () => {
    const file = path.join(dir, 'j.jsonl');
    const journal = Journal.open(file);
    journal.write({ event: 'uploaded', hash: 'a', file_id: 'f1' });
    journal.write({ event: 'created', hash: 'a', transcription_id: 't1' });
    journal.write({ event: 'kept', hash: 'a', transcription_id: 't1', file_id: 'f1' });
    journal.close();
    const again = Journal.open(file);
    expect(again.get('a')).to.deep.equal({ event: 'kept', fileId: 'f1', transcriptionId: 't1' });
    again.close();
  });

  it('skips lines that are not records', () => {
    const file = path.join(dir, 'j.jsonl');
    fs.writeFileSync(file, '42\n{"event":"exploded","hash":"a"}\n{"event":"done"}\nnull\n\n');
    const journal = Journal.open(file);
    expect(journal.get('a')).to.equal(undefined);
    journal.close();
  });

  it('holds a long journal of finished inputs in under 100 bytes an input', function () {
    this.timeout(60_000);
    const file = path.join(dir, 'j.jsonl');
    const count = 20_000;
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
      const hash = hashOf(i);
      lines.push(
        JSON.stringify({ event: 'uploaded', hash, file_id: idOf(i, 'f') }),
        JSON.stringify({ event: 'done', hash, transcription_id: idOf(i, 'a') }),
      );
    }
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    lines.length = 0;
    // Once before measuring, so that the code compiled on the way is not counted.
    Journal.open(file).close();
    const before = retainedBytes();
    const journal = Journal.open(file);
    const perInput = (retainedBytes() - before) / count;
    // A Map of hex strings and entry objects costs about 240 bytes an input.
    expect(perInput, `${perInput.toFixed(0)} bytes an input`).to.be.below(100);
    // Read across many chunks, every input is known, with its transcription.
    for (const i of [0, 1, 4_321, count - 1]) {
      expect(journal.get(hashOf(i))).to.deep.equal({
        event: 'done',
        fileId: undefined,
        transcriptionId: idOf(i, 'a'),
      });
    }
    journal.close();
  });

  it('keeps the full entry, with the time of its request, only for an input caught half-way', () => {
    const file = path.join(dir, 'j.jsonl');
    const journal = Journal.open(file);
    journal.write({ event: 'started', hash: 'a', at: 1_000 });
    journal.write({ event: 'uploaded', hash: 'a', file_id: 'f1' });
    journal.write({ event: 'creating', hash: 'a', at: 2_000 });
    journal.write({ event: 'done', hash: 'b', transcription_id: 'not-a-uuid' });
    journal.close();
    const again = Journal.open(file);
    expect(again.get('a')).to.deep.equal({
      event: 'creating',
      fileId: 'f1',
      transcriptionId: undefined,
      sentAt: 2_000,
    });
    expect(again.get('b')).to.deep.equal({
      event: 'done',
      fileId: undefined,
      transcriptionId: 'not-a-uuid',
    });
    again.write({ event: 'failed', hash: 'b', code: 'x' });
    expect(again.get('b')?.event).to.equal('failed');
    // Started afresh: nothing of the done run, or of the failed one, is carried over.
    again.write({ event: 'started', hash: 'b' });
    expect(Object.entries(again.get('b') ?? {}).filter(([, v]) => v !== undefined)).to.deep.equal([
      ['event', 'started'],
    ]);
    again.close();
  });

  it('reads lines cut by its reads whole, multi-byte characters included', () => {
    const file = path.join(dir, 'j.jsonl');
    // A failure code of 'é's long enough to straddle a 64 KiB read at every offset parity.
    const records = Array.from({ length: 8 }, (_, i) =>
      JSON.stringify({ event: 'failed', hash: `h${i}`, code: 'é'.repeat(20_000 + i) }),
    );
    fs.writeFileSync(
      file,
      `${records.join('\n')}\n${JSON.stringify({ event: 'done', hash: 'z', transcription_id: 't' })}`,
    );
    const journal = Journal.open(file);
    for (let i = 0; i < 8; i++) expect(journal.get(`h${i}`)?.event).to.equal('failed');
    expect(journal.get('z')?.transcriptionId).to.equal('t');
    journal.close();
  });

  it('reads a long journal exactly, whatever falls on the boundaries of its reads', () => {
    const file = path.join(dir, 'j.jsonl');
    // Lines of 85 bytes: 65,536 is 1 more than a multiple of 85, so the short last read ends
    // where the first read's buffer holds a line break, and stale lines sit beyond it.
    const line = (record: object) => {
      const text = JSON.stringify({ ...record, pad: '' });
      return `${text.slice(0, -2)}${'.'.repeat(84 - text.length)}"}\n`;
    };
    const lines = [line({ event: 'started', hash: 'a' })];
    for (let i = 0; lines.length * 85 < 65_536; i++)
      lines.push(line({ event: 'started', hash: `f${i}` }));
    lines.push(line({ event: 'done', hash: 'a', transcription_id: 'ta' }));
    // A line ended by a crash, as long as the others (no line break).
    const torn = `${line({ event: 'done', hash: 'b', transcription_id: 'tb' }).slice(0, 84)}.`;
    fs.writeFileSync(file, `${lines.join('')}${torn}`);
    expect(lines.every((l) => l.length === 85)).to.equal(true);
    const journal = Journal.open(file);
    // Nothing read twice: the input done last is done.
    expect(journal.get('a')?.transcriptionId).to.equal('ta');
    expect(journal.get('b')).to.equal(undefined);
    journal.write({ event: 'started', hash: 'c' });
    journal.close();
    const again = Journal.open(file);
    expect(again.get('c')?.event).to.equal('started');
    again.close();

    // A line break as the first byte of a read, a blank first line, a line over two reads long.
    const other = path.join(dir, 'k.jsonl');
    const first = JSON.stringify({ event: 'failed', hash: 'x', code: 'y'.repeat(65_400) });
    const long = JSON.stringify({ event: 'failed', hash: 'z', code: 'w'.repeat(200_000) });
    const padded = `${first.slice(0, -2)}${'y'.repeat(65_535 - first.length)}"}`;
    // After a blank first line, its line break is the first byte of the second read.
    expect(padded.length).to.equal(65_535);
    fs.writeFileSync(
      other,
      `\n${padded}\n${JSON.stringify({ event: 'done', hash: 'd', transcription_id: 'td' })}\n${long}\n`,
    );
    const k = Journal.open(other);
    expect(k.get('x')?.event).to.equal('failed');
    expect(k.get('d')?.transcriptionId).to.equal('td');
    expect(k.get('z')?.event).to.equal('failed');
    k.close();
  });

  it('leaves a journal that ends on a whole line as it was when opened and closed', () => {
    const file = path.join(dir, 'j.jsonl');
    const text = '{"event":"done","hash":"a","transcription_id":"t1"}\n';
    fs.writeFileSync(file, text);
    Journal.open(file).close();
    Journal.open(file).close();
    expect(fs.readFileSync(file, 'utf8')).to.equal(text);
  });

  it('fails a journal it cannot open or read as SonioxJournalError saying so, and leaves it unlocked', () => {
    const folder = path.join(dir, 'folder');
    fs.mkdirSync(folder);
    expect(() => Journal.open(folder)).to.throw(SonioxJournalError, /cannot open the journal/);
    const file = path.join(dir, 'j.jsonl');
    fs.writeFileSync(file, '{"event":"started","hash":"a"}\n');
    const eio = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    const read = sinon.stub(fs, 'readSync').throws(eio);
    let error: unknown;
    try {
      Journal.open(file);
    } catch (caught) {
      error = caught;
    }
    read.restore();
    expect(error).to.be.instanceOf(SonioxJournalError);
    expect((error as SonioxJournalError).message).to.match(
      /cannot read the journal .*j\.jsonl: EIO/,
    );
    expect((error as SonioxJournalError).errno).to.equal('EIO');
    // Not left locked: the next run opens it.
    const journal = Journal.open(file);
    expect(journal.get('a')?.event).to.equal('started');
    journal.close();
  });

  it('gives its file back when closed (no descriptor left open per run)', function () {
    // Open descriptors are counted in /proc, which only Linux has.
    if (process.platform !== 'linux') this.skip();
    const file = path.join(dir, 'j.jsonl');
    const open = () => fs.readdirSync('/proc/self/fd').length;
    const before = open();
    for (let i = 0; i < 20; i++) Journal.open(file).close();
    expect(open()).to.be.at.most(before);
  });
});
