/**
 * The plan of a many-file `soniox transcribe`, without a server: which files a set of arguments
 * means, the output name of each, and the shard each belongs to.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandInputs } from '../../lib/cli/batch/inputs';
import { planOutputs } from '../../lib/cli/batch/names';
import { inShard, parseShard, shardOf } from '../../lib/cli/batch/shard';
import { UsageError } from '../../lib/cli/context';
import { memoryIO } from '../../lib/cli/io';
import { BatchDisplay, pace, shortDuration } from '../../lib/cli/render/batch-progress';

/** Makes the files under `root` (contents do not matter here). */
function tree(root: string, files: string[]): void {
  for (const file of files) {
    fs.mkdirSync(path.join(root, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), file);
  }
}

/** Progress figures that do not matter to the spec at hand. */
const figures = {
  started: 0,
  inFlight: 0,
  bytesUploaded: 0,
  audioHours: 0,
  quotaWaits: 0,
  etaMs: undefined,
};

const keys = (items: ReadonlyArray<{ key: string }>) => items.map((i) => i.key);

describe('cli: the plan of a many-file transcribe', function () {
  let tmp: string;
  let cwd: string;
  beforeEach(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-plan-')));
    cwd = process.cwd();
    process.chdir(tmp);
  });
  afterEach(() => {
    process.chdir(cwd);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('expands directories to their audio files, recursively, sorted, hidden entries and other files left out', () => {
    tree(tmp, [
      'calls/b.wav',
      'calls/a.MP3',
      'calls/notes.txt',
      'calls/.hidden.wav',
      'calls/.git/x.wav',
      'calls/2024/z.flac',
      'calls/2024/a.ogg',
    ]);
    fs.symlinkSync(path.join(tmp, 'calls'), path.join(tmp, 'calls', 'loop'));
    fs.symlinkSync(path.join(tmp, 'nowhere.wav'), path.join(tmp, 'calls', 'dangling.wav'));
    const inputs = expandInputs(['calls']);
    expect(keys(inputs)).to.deep.equal(['2024/a.ogg', '2024/z.flac', 'a.MP3', 'b.wav']);
    expect(inputs[0]?.path).to.equal(path.join('calls', '2024', 'a.ogg'));
  });

  it('walks names that are not UTF-8 by their bytes: read by them, keyed by a faithful rendering', () => {
    tree(tmp, ['calls/b.wav']);
    const calls = Buffer.from(path.join(tmp, 'calls'));
    const sep = Buffer.from(path.sep);
    const name = Buffer.from([0x61, 0xff, 0x2e, 0x77, 0x61, 0x76]); // a<ff>.wav
    const dir = Buffer.from([0xfe, 0x64]); // <fe>d
    fs.writeFileSync(Buffer.concat([calls, sep, name]), 'a');
    fs.mkdirSync(Buffer.concat([calls, sep, dir]));
    fs.writeFileSync(Buffer.concat([calls, sep, dir, sep, Buffer.from('c.wav')]), 'c');
    const inputs = expandInputs(['calls']);
    expect(keys(inputs)).to.deep.equal(['\\xfed/c.wav', 'a\\xff.wav', 'b.wav']);
    const [inDir, odd, plain] = inputs;
    expect(odd?.path).to.equal(path.join('calls', 'a\\xff.wav'));
    expect(odd?.bytes).to.deep.equal(Buffer.concat([Buffer.from('calls'), sep, name]));
    expect(fs.readFileSync(odd?.bytes ?? '', 'utf8')).to.equal('a');
    expect(fs.readFileSync(inDir?.bytes ?? '', 'utf8')).to.equal('c');
    expect(plain?.bytes).to.equal(undefined);
    expect(planOutputs(inputs, '.txt').map((i) => i.output)).to.deep.equal([
      '\\xfed/c.txt',
      'a\\xff.txt',
      'b.txt',
    ]);
  });

  it('reports what it leaves out that looks like audio: a dangling symlink, an unreadable entry', () => {
    tree(tmp, ['calls/b.wav']);
    fs.symlinkSync(path.join(tmp, 'nowhere.wav'), path.join(tmp, 'calls', 'dangling.wav'));
    fs.symlinkSync(path.join(tmp, 'nowhere'), path.join(tmp, 'calls', 'notes'));
    const skipped: string[] = [];
    const inputs = expandInputs(['calls'], (file, why) => skipped.push(`${file}: ${why}`));
    expect(keys(inputs)).to.deep.equal(['b.wav']);
    expect(skipped).to.deep.equal([`${path.join('calls', 'dangling.wav')}: a dangling symlink`]);
  });

  it('keys inputs by their path under the closest directory holding every argument, each file once', () => {
    tree(tmp, ['a/x.wav', 'b/x.wav', 'b/deep/y.wav', 'notes.bin']);
    // A file named as such is taken whatever its extension; named twice, it is taken once.
    const inputs = expandInputs(['b', 'a/x.wav', 'notes.bin', path.join(tmp, 'b', 'x.wav')]);
    expect(keys(inputs)).to.deep.equal(['a/x.wav', 'b/deep/y.wav', 'b/x.wav', 'notes.bin']);
    // The same arguments from elsewhere, or in another order: the same keys.
    process.chdir(os.tmpdir());
    const again = expandInputs([
      path.join(tmp, 'notes.bin'),
      path.join(tmp, 'a', 'x.wav'),
      path.join(tmp, 'b'),
    ]);
    expect(keys(again)).to.deep.equal(keys(inputs));
    expect(keys(expandInputs([path.join(tmp, 'b')]))).to.deep.equal(['deep/y.wav', 'x.wav']);
  });

  it('refuses a missing argument and a batch without audio, as usage errors naming them', () => {
    tree(tmp, ['docs/readme.txt']);
    expect(() => expandInputs(['missing.wav'])).to.throw(UsageError, 'no such file: missing.wav');
    expect(() => expandInputs(['docs'])).to.throw(UsageError, /^no audio files in docs \(.*\.wav/);
  });

  it('names each output after its input, collisions apart in key order, never taking a name another input owns', () => {
    const plan = (...names: string[]) =>
      planOutputs(
        names.map((key) => ({ key, path: key })),
        '.txt',
      ).map((p) => `${p.key}=${p.output}`);
    expect(plan('calls/2024/a.wav', 'b.mp3', 'noext')).to.deep.equal([
      'b.mp3=b.txt',
      'calls/2024/a.wav=calls/2024/a.txt',
      'noext=noext.txt',
    ]);
    const collided = plan('x.wav', 'X.flac', 'x.mp3', 'x-2.wav');
    expect(collided).to.deep.equal([
      'X.flac=X.txt',
      'x-2.wav=x-2.txt',
      'x.mp3=x-3.txt',
      'x.wav=x-4.txt',
    ]);
    // Deterministic: the order of the inputs does not change a name.
    expect(plan('x-2.wav', 'x.mp3', 'x.wav', 'X.flac')).to.deep.equal(collided);
  });

  it('shards by a hash of the key: disjoint, together every input, stable across runs and machines', () => {
    const inputs = Array.from({ length: 500 }, (_, i) => ({ key: `calls/${i}.wav` }));
    const shards = [1, 2, 3, 4].map((index) => inShard(inputs, { index, count: 4 }));
    const union = shards.flat().map((i) => i.key);
    expect(union).to.have.length(500);
    expect(new Set(union).size).to.equal(500);
    for (const shard of shards) expect(shard.length).to.be.within(90, 160);
    // Pinned: sha256 of the key, first 4 bytes big-endian, mod n. A machine elsewhere agrees.
    // 0x942d13a3 % 4 = 3, 0xf050ea5d % 4 = 1, 0xbc30c538 % 7 = 1: shards 4, 2 and 2.
    expect([
      shardOf('calls/0.wav', 4),
      shardOf('calls/1.wav', 4),
      shardOf('a.wav', 7),
    ]).to.deep.equal([4, 2, 2]);
  });

  it('parses --shard i/n and refuses anything else', () => {
    expect(parseShard('2/4')).to.deep.equal({ index: 2, count: 4 });
    expect(parseShard(' 1 / 1 ')).to.deep.equal({ index: 1, count: 1 });
    for (const bad of ['0/4', '5/4', '1/0', 'a/b', '1', '1/2/3', '-1/2', '1/10001'])
      expect(() => parseShard(bad), bad).to.throw(/must be i\/n/);
  });

  it('prints a failure at once on a terminal before the bars are up, and only failures there', () => {
    const tty = memoryIO({ isTTY: true }).stderr;
    const display = new BatchDisplay(tty, true, 2);
    display.line({ status: 'done', text: 'a.wav -> out/a.txt' });
    display.line({ status: 'failed', text: 'b.wav: no such file' });
    display.stop();
    expect(tty.text).to.equal('failed b.wav: no such file\n');
    const pipe = memoryIO().stderr;
    const plain = new BatchDisplay(pipe, false, 2);
    plain.progress({ ...figures, done: 1, skipped: 0, failed: 0, total: 2, elapsedMs: 10 });
    plain.line({ status: 'done', text: 'a.wav -> out/a.txt' });
    expect(pipe.text).to.equal('[1/2] done a.wav -> out/a.txt\n');
  });

  it('shows durations short and paces from the inputs worked on, not the skipped ones', () => {
    expect([0, 9_400, 95_000, 3_600_000 + 120_000].map(shortDuration)).to.deep.equal([
      '0s',
      '9s',
      '1m35s',
      '1h02m',
    ]);
    const base = figures;
    expect(
      pace({ ...base, done: 0, skipped: 5, failed: 0, total: 10, elapsedMs: 100 }),
    ).to.deep.equal({ perMinute: undefined, etaMs: undefined });
    // 2 worked in 60 s, 5 skipped, 3 left: 1 per 30 s -> 90 s.
    expect(
      pace({ ...base, done: 1, skipped: 5, failed: 1, total: 10, elapsedMs: 60_000 }),
    ).to.deep.equal({ perMinute: 2, etaMs: 90_000 });
    expect(
      pace({ ...base, done: 1, skipped: 0, failed: 0, total: undefined, elapsedMs: 1_000 }).etaMs,
    ).to.equal(undefined);
  });
});
