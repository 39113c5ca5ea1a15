/**
 * The batch journal: each input's last state survives a restart, a torn last line is ignored,
 * and a failed input starts afresh.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Journal } from '../../lib/batch/journal';

describe('batch journal', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-journal-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

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

  it('skips lines that are not records', () => {
    const file = path.join(dir, 'j.jsonl');
    fs.writeFileSync(file, '42\n{"event":"exploded","hash":"a"}\n{"event":"done"}\nnull\n\n');
    const journal = Journal.open(file);
    expect(journal.get('a')).to.equal(undefined);
    journal.close();
  });
});
