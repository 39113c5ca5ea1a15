/**
 * `soniox transcribe a.wav dir/ ... --out-dir OUT`, in-process against the mock: outputs and
 * their names, resume by running the same command again, --restart, --shard, failures, the
 * display on a terminal and in a pipe, Ctrl-C and a closed stdout.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sinon from 'sinon';
import { memoryIO } from '../../lib/cli/io';
import type { MockServer } from '../../lib/mock';
import { fixture } from '../audio';
import { until } from '../helpers';
import { cliFixture, noiseWav, run } from './helpers';

const hello = fixture('hello-world.wav');
const weather = fixture('weather.wav');
const POLL = ['--poll-ms', '10'];
const CREATE = 'POST /v1/transcriptions';
const UPLOAD = 'POST /v1/files';
/** Undecodable audio: the mock's transcription of it ends in error. */
const BROKEN = Buffer.concat([Buffer.from('RIFF\x00\x00\x00\x00WAVEjunk'), Buffer.alloc(64)]);

/** Every file under `dir`, relative, sorted. */
function listing(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

describe('cli: soniox transcribe many files into --out-dir', function () {
  const t = cliFixture();
  let server: MockServer;
  let env: Record<string, string>;
  let tmp: string;
  let calls: string;
  let out: string;

  beforeEach(() => {
    ({ server, env, tmp } = t);
    calls = path.join(tmp, 'calls');
    out = path.join(tmp, 'out');
    fs.mkdirSync(path.join(calls, '2024'), { recursive: true });
    fs.copyFileSync(hello.path, path.join(calls, 'hello.wav'));
    fs.copyFileSync(weather.path, path.join(calls, '2024', 'weather.wav'));
    fs.writeFileSync(path.join(calls, '2024', 'noise.wav'), noiseWav(300));
    fs.writeFileSync(path.join(calls, 'notes.txt'), 'not audio');
  });

  it('writes one output per input under --out-dir, named after it, with plain lines on stderr and a summary on stdout', async () => {
    const extra = path.join(tmp, 'extra.wav');
    fs.writeFileSync(extra, noiseWav(200));
    const {
      code,
      out: stdout,
      err,
    } = await run(['transcribe', calls, extra, '--out-dir', out, '--format', 'srt', ...POLL], {
      env,
    });
    expect(code, err).to.equal(0);
    expect(listing(out)).to.deep.equal([
      '.soniox-batch-srt.jsonl',
      '.soniox-batch-srt.outputs.jsonl',
      'calls/2024/noise.srt',
      'calls/2024/weather.srt',
      'calls/hello.srt',
      'extra.srt',
    ]);
    expect(fs.readFileSync(path.join(out, 'calls', 'hello.srt'), 'utf8')).to.match(
      /^1\n00:00:00,330 --> 00:00:0\d,\d{3}\nhello world this is a test\n$/,
    );
    // Piped: no control character, a line per input, then the table and the totals.
    expect(err).not.to.include('\x1b');
    expect(err).to.match(
      /^transcribing 4 file\(s\) into .*out; journal .*\.soniox-batch-srt\.jsonl$/m,
    );
    expect(err.match(/^\[\d\/4\] done .* -> .*\.srt$/gm)).to.have.length(4);
    expect(stdout).to.match(/^INPUT +STATUS +OUTPUT OR ERROR\n/);
    expect(stdout).to.match(/calls\/hello\.wav +done +.*out\/calls\/hello\.srt$/m);
    expect(stdout).to.match(/^4 of 4 inputs: 4 done in \d+\.\d s\n$/m);
    expect(server.state.hits[CREATE]).to.equal(4);
    expect(server.state.files.size + server.state.transcriptions.size).to.equal(0);
  });

  it('keeps colliding names apart and gives the same audio under two names one transcription, copied', async () => {
    fs.copyFileSync(hello.path, path.join(calls, 'Hello.flac'));
    fs.copyFileSync(weather.path, path.join(calls, 'hello.mp3'));
    const { code, out: stdout } = await run(['transcribe', calls, '--out-dir', out, ...POLL], {
      env,
    });
    expect(code).to.equal(0);
    // Key order: Hello.flac, hello.mp3, hello.wav.
    expect(
      listing(out).filter((f) => f.startsWith('Hello') || f.startsWith('hello')),
    ).to.deep.equal(['Hello.txt', 'hello-2.txt', 'hello-3.txt']);
    expect(fs.readFileSync(path.join(out, 'hello-2.txt'), 'utf8')).to.equal(`${weather.text}\n`);
    expect(fs.readFileSync(path.join(out, 'Hello.txt'), 'utf8')).to.equal(`${hello.text}\n`);
    expect(fs.readFileSync(path.join(out, 'hello-3.txt'), 'utf8')).to.equal(`${hello.text}\n`);
    expect(stdout).to.match(/ copied /);
    // hello.wav and Hello.flac hold the same bytes, as do hello.mp3 and weather.wav.
    expect(server.state.hits[CREATE]).to.equal(3);
  });

  it('run again unchanged, resumes: what is done is skipped, the rest transcribed, each input created once', async () => {
    const slow = ['--concurrency', '1', ...POLL];
    const io = memoryIO({ env });
    const first = run(['transcribe', calls, '--out-dir', out, ...slow], { io });
    await until(() => /\[1\/3\] done/.test(io.stderr.text), 10_000);
    io.interrupt();
    const stopped = await first;
    expect(stopped.code).to.equal(130);
    expect(stopped.err).to.match(
      /interrupted: what was in flight is kept; run the same command again to resume/,
    );
    const doneFirst = (stopped.out.match(/^\S+ +done +\S/gm) ?? []).length;
    expect(doneFirst).to.be.within(1, 2);

    const again = await run(['transcribe', calls, '--out-dir', out, ...slow], { env });
    expect(again.code, again.err).to.equal(0);
    expect(again.err).to.match(/^resuming 3 file\(s\)/m);
    expect((again.out.match(/^\S+ +skipped +\S/gm) ?? []).length).to.equal(doneFirst);
    expect(listing(out).filter((f) => f.endsWith('.txt'))).to.have.length(3);
    expect(server.state.hits[CREATE]).to.equal(3);
    expect(server.state.files.size + server.state.transcriptions.size).to.equal(0);

    // A third run has nothing left to do and sends nothing.
    const uploads = server.state.hits[UPLOAD];
    const third = await run(['transcribe', calls, '--out-dir', out, ...slow], { env });
    expect(third.out).to.match(/^3 of 3 inputs: 3 skipped/m);
    expect(server.state.hits[UPLOAD]).to.equal(uploads);
  });

  it('--restart forgets the journal and transcribes every input again', async () => {
    await run(['transcribe', calls, '--out-dir', out, ...POLL], { env });
    const again = await run(['transcribe', calls, '--out-dir', out, '--restart', ...POLL], {
      env,
    });
    expect(again.code).to.equal(0);
    expect(again.err).to.match(/^transcribing 3 file\(s\)/m);
    expect(again.out).to.match(/^3 of 3 inputs: 3 done/m);
    expect(server.state.hits[CREATE]).to.equal(6);
  });

  it('--shard i/n: the shards split the inputs, together all of them, each with its own journal', async () => {
    for (let i = 0; i < 6; i++)
      fs.writeFileSync(path.join(calls, `n${i}.wav`), noiseWav(100 + i * 10));
    const counts: number[] = [];
    for (const shard of ['1/3', '2/3', '3/3']) {
      const {
        code,
        out: stdout,
        err,
      } = await run(['transcribe', calls, '--out-dir', out, '--shard', shard, ...POLL], { env });
      expect(code, err).to.equal(0);
      expect(err).to.include(`(shard ${shard} of 9)`);
      counts.push(Number(/^(\d+) of \d+ inputs/m.exec(stdout)?.[1]));
    }
    expect(counts.reduce((a, b) => a + b)).to.equal(9);
    expect(server.state.hits[CREATE]).to.equal(9);
    expect(listing(out).filter((f) => f.endsWith('.txt'))).to.have.length(9);
    // One journal per shard, each with its ledger of outputs.
    expect(listing(out).filter((f) => f.endsWith('.jsonl'))).to.deep.equal(
      [1, 2, 3].flatMap((i) => [
        `.soniox-batch-text-shard-${i}-of-3.jsonl`,
        `.soniox-batch-text-shard-${i}-of-3.outputs.jsonl`,
      ]),
    );
  });

  it('exits 1 when an input failed, the others written; run again, only the failed one is tried again', async () => {
    fs.writeFileSync(path.join(calls, 'broken.wav'), BROKEN);
    const {
      code,
      out: stdout,
      err,
    } = await run(['transcribe', calls, '--out-dir', out, ...POLL], {
      env,
    });
    expect(code).to.equal(1);
    expect(stdout).to.match(/broken\.wav +failed +.*error/m);
    expect(stdout).to.match(
      /^4 of 4 inputs: .*3 done.*1 failed|^4 of 4 inputs: .*1 failed.*3 done/m,
    );
    expect(err).to.match(/^\[\d\/4\] failed .*broken\.wav: /m);
    expect(err).to.match(
      /^error: 1 of 4 input\(s\) failed; run the same command again to retry them\n$/m,
    );
    expect(listing(out).filter((f) => f.endsWith('.txt'))).to.have.length(3);

    const again = await run(['transcribe', calls, '--out-dir', out, ...POLL], { env });
    expect(again.code).to.equal(1);
    expect(again.out).to.match(/^4 of 4 inputs: 3 skipped, 1 failed/m);
    expect(server.state.hits[CREATE]).to.equal(5);
  });

  it('fails an input whose output cannot be written, a copy that cannot be written, and a copy of a failed input', async () => {
    fs.copyFileSync(hello.path, path.join(calls, '2024', 'again.wav'));
    fs.writeFileSync(path.join(calls, 'broken.wav'), BROKEN);
    fs.writeFileSync(path.join(calls, 'broken-copy.wav'), BROKEN);
    // A directory where an output goes: the rename onto it fails.
    fs.mkdirSync(path.join(out, 'hello.txt', 'x'), { recursive: true });
    fs.mkdirSync(path.join(out, '2024', 'weather.txt', 'x'), { recursive: true });
    // One at a time, in key order: 2024/again.wav before hello.wav, broken-copy before broken.
    const { code, out: stdout } = await run(
      ['transcribe', calls, '--out-dir', out, '--concurrency', '1', ...POLL],
      { env },
    );
    expect(code).to.equal(1);
    expect(stdout).to.match(/^\S+weather\.wav +failed +cannot write .*weather\.txt: /m);
    expect(stdout).to.match(/^\S+again\.wav +done /m);
    expect(stdout).to.match(/^\S+hello\.wav +failed +cannot write .*hello\.txt: /m);
    expect(stdout).to.match(/^\S+broken-copy\.wav +failed +.*error/m);
    expect(stdout).to.match(
      /^\S+broken\.wav +failed +same audio as \S+broken-copy\.wav, which failed$/m,
    );
    expect(stdout).to.match(/^\S+noise\.wav +done /m);
    expect(stdout).to.match(/^6 of 6 inputs: 2 done, 4 failed/m);
    // No half-written file is left behind.
    expect(listing(out).filter((f) => f.endsWith('.partial'))).to.deep.equal([]);
  });

  it('on a full disk, an output not written is kept, not journaled done: no .partial left, its id printed, and the rerun writes it with no new create', async () => {
    // A real ENOSPC: the temporary file is made, part written, then the write fails.
    const writeFile = fs.promises.writeFile.bind(fs.promises);
    const partials: string[] = [];
    sinon.stub(fs.promises, 'writeFile').callsFake(async (file, data) => {
      const name = file as string;
      partials.push(name);
      if (!name.includes(`${path.sep}hello.txt`)) return writeFile(file, data);
      await writeFile(file, (data as string).slice(0, 3));
      throw Object.assign(new Error(`ENOSPC: no space left on device, write`), {
        code: 'ENOSPC',
      });
    });
    t.defer(() => sinon.restore());
    const first = await run(['transcribe', calls, '--out-dir', out, ...POLL], { env });
    expect(first.code, first.err).to.equal(1);
    // Temporary names are this process's own.
    expect(partials).to.have.length(3);
    for (const name of partials)
      expect(name.endsWith(`.txt.${process.pid}.partial`)).to.equal(true);
    expect(listing(out).filter((f) => f.includes('partial'))).to.deep.equal([]);
    expect(listing(out).filter((f) => f.endsWith('.txt'))).to.have.length(2);
    const kept = [...server.state.transcriptions.keys()];
    expect(kept).to.have.length(1);
    const row = first.out.split('\n').find((line) => /hello\.wav +failed/.test(line));
    expect(row).to.match(/cannot write .*hello\.txt: ENOSPC: no space left on device, write; /);
    expect(row).to.include(
      `; transcription ${kept[0]} kept: run the same command again to write it`,
    );
    expect(server.state.hits[CREATE]).to.equal(3);
    sinon.restore();

    const again = await run(['transcribe', calls, '--out-dir', out, ...POLL], { env });
    expect(again.code, again.err).to.equal(0);
    expect(again.out).to.match(/hello\.wav +done +.*hello\.txt$/m);
    expect(again.out).to.match(
      /^3 of 3 inputs: 1 done, 2 skipped|^3 of 3 inputs: 2 skipped, 1 done/m,
    );
    expect(fs.readFileSync(path.join(out, 'hello.txt'), 'utf8')).to.equal(`${hello.text}\n`);
    // Fetched, not transcribed again; then cleaned up.
    expect(server.state.hits[CREATE]).to.equal(3);
    expect(server.state.files.size + server.state.transcriptions.size).to.equal(0);
  });

  it('a journal that cannot be written stops the batch: one error line, the summary, exit 1, no unhandled rejection; the rerun finishes it', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    t.defer(() => process.removeListener('unhandledRejection', onUnhandled));
    const writeSync = fs.writeSync.bind(fs) as (...args: unknown[]) => number;
    let records = 0;
    sinon.stub(fs, 'writeSync').callsFake((...args: unknown[]) => {
      const [, data] = args;
      const text = Buffer.isBuffer(data) ? data.toString() : data;
      // Full from the 9th record on: mid-batch, after an input or two is done.
      if (typeof text === 'string' && text.startsWith('{"event"') && ++records > 8)
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
          code: 'ENOSPC',
        });
      return writeSync(...args);
    });
    t.defer(() => sinon.restore());
    const first = await run(
      ['transcribe', calls, '--out-dir', out, '--concurrency', '1', ...POLL],
      { env },
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unhandled).to.deep.equal([]);
    expect(first.code, first.err).to.equal(1);
    const errors = first.err.split('\n').filter((line) => line.startsWith('error:'));
    expect(errors).to.deep.equal([
      `error: cannot write the journal ${path.join(out, '.soniox-batch-text.jsonl')} (ENOSPC): the batch stopped; what was done is listed above and kept; make room and run the same command again to finish`,
    ]);
    expect(first.err).not.to.match(/\n\s+at /);
    expect(first.out).to.match(/^INPUT +STATUS +OUTPUT OR ERROR\n/);
    expect(first.out).to.match(/^\d of 3 inputs: /m);
    expect(fs.existsSync(path.join(out, '.soniox-batch-text.jsonl.lock'))).to.equal(false);
    sinon.restore();

    const again = await run(['transcribe', calls, '--out-dir', out, ...POLL], { env });
    expect(again.code, again.err).to.equal(0);
    expect(listing(out).filter((f) => f.endsWith('.txt'))).to.have.length(3);
    expect(server.state.hits[CREATE]).to.equal(3);
  });

  it('refuses a second run on the same --out-dir while the first holds the journal, before sending anything, --restart included', async () => {
    fs.mkdirSync(out, { recursive: true });
    const journal = path.join(out, '.soniox-batch-text.jsonl');
    fs.writeFileSync(journal, '');
    // pid 1 is alive (init), and started before this lock was taken: another live run.
    const startedAt = new Date().toISOString();
    const holder = { pid: 1, hostname: os.hostname(), startedAt };
    fs.writeFileSync(`${journal}.lock`, JSON.stringify(holder));
    for (const extra of [[], ['--restart']]) {
      const { code, err } = await run(['transcribe', calls, '--out-dir', out, ...extra, ...POLL], {
        env,
      });
      expect(code).to.equal(2);
      expect(err).to.equal(
        `error: another run (pid 1, started ${startedAt}) is transcribing into ${out}: one run at a time per --out-dir and format; wait for it to end (if it is gone, remove ${journal}.lock)\n`,
      );
    }
    const others: Array<[string, string]> = [
      [
        JSON.stringify({ pid: 7, hostname: 'elsewhere.example' }),
        `error: another run (pid 7 on elsewhere.example) is transcribing into ${out}: `,
      ],
      ['', `error: ${out} is locked by ${journal}.lock, which names no run: `],
    ];
    for (const [lock, message] of others) {
      fs.writeFileSync(`${journal}.lock`, lock);
      const { code, err } = await run(['transcribe', calls, '--out-dir', out, ...POLL], { env });
      expect(code).to.equal(2);
      expect(err.startsWith(message), err).to.equal(true);
    }
    expect(server.state.hits).to.deep.equal({});
    expect(fs.existsSync(journal)).to.equal(true);
    // Another format has its own journal, and so its own lock.
    const srt = await run(['transcribe', calls, '--out-dir', out, '--format', 'srt', ...POLL], {
      env,
    });
    expect(srt.code, srt.err).to.equal(0);
  });

  describe('skips decided by the content each output was written from', function () {
    let a: string;
    let b: string;
    const text = (name: string) => fs.readFileSync(path.join(out, name), 'utf8');
    const batch = (...flags: string[]) =>
      run(['transcribe', a, b, '--out-dir', out, '--concurrency', '1', ...flags, ...POLL], {
        env,
      });
    beforeEach(() => {
      a = path.join(tmp, 'a.wav');
      b = path.join(tmp, 'b.wav');
      fs.copyFileSync(hello.path, a);
      fs.copyFileSync(weather.path, b);
    });

    it('contents swapped between runs: each output rewritten from its new content, none transcribed again', async () => {
      expect((await batch()).code).to.equal(0);
      fs.copyFileSync(weather.path, a);
      fs.copyFileSync(hello.path, b);
      const again = await batch();
      expect(again.code, again.err).to.equal(0);
      expect(text('a.txt')).to.equal(`${weather.text}\n`);
      expect(text('b.txt')).to.equal(`${hello.text}\n`);
      expect(again.out).to.match(/^2 of 2 inputs: 2 copied/m);
      expect(server.state.hits[CREATE]).to.equal(2);
      // A third run finds both outputs written from what the inputs hold.
      expect((await batch()).out).to.match(/^2 of 2 inputs: 2 skipped/m);
      expect(server.state.hits[CREATE]).to.equal(2);
    });

    it('new content under a known name: transcribed and its output rewritten', async () => {
      expect((await batch()).code).to.equal(0);
      fs.writeFileSync(a, noiseWav(250));
      const again = await batch();
      expect(again.code, again.err).to.equal(0);
      expect(again.out).to.match(/a\.wav +done /);
      expect(again.out).to.match(/b\.wav +skipped /);
      expect(text('a.txt')).not.to.equal(`${hello.text}\n`);
      expect(server.state.hits[CREATE]).to.equal(3);
    });

    it('a log rotated between runs (a.wav -> a.1.wav, a new a.wav): only the new one transcribed', async () => {
      expect((await batch()).code).to.equal(0);
      const rotated = path.join(tmp, 'a.1.wav');
      fs.renameSync(a, rotated);
      fs.writeFileSync(a, noiseWav(250));
      const again = await run(
        ['transcribe', rotated, a, b, '--out-dir', out, '--concurrency', '1', ...POLL],
        { env },
      );
      expect(again.code, again.err).to.equal(0);
      expect(text('a.1.txt')).to.equal(`${hello.text}\n`);
      expect(text('b.txt')).to.equal(`${weather.text}\n`);
      expect(text('a.txt')).not.to.equal(`${hello.text}\n`);
      expect(again.out).to.match(/a\.1\.wav +copied /);
      expect(server.state.hits[CREATE]).to.equal(3);
    });

    it('renamed to a name that comes later (b.wav -> z.wav, a new b.wav): only the new one transcribed', async () => {
      expect((await batch()).code).to.equal(0);
      const z = path.join(tmp, 'z.wav');
      fs.renameSync(b, z);
      fs.writeFileSync(b, noiseWav(250));
      const again = await run(
        ['transcribe', a, b, z, '--out-dir', out, '--concurrency', '1', ...POLL],
        { env },
      );
      expect(again.code, again.err).to.equal(0);
      expect(text('z.txt')).to.equal(`${weather.text}\n`);
      expect(text('a.txt')).to.equal(`${hello.text}\n`);
      expect(text('b.txt')).not.to.equal(`${weather.text}\n`);
      expect(server.state.hits[CREATE]).to.equal(3);
    });

    it('a journal from before ledgers: its outputs trusted as they were, and recorded from then on', async () => {
      expect((await batch()).code).to.equal(0);
      const ledger = path.join(out, '.soniox-batch-text.outputs.jsonl');
      fs.rmSync(ledger);
      const again = await batch();
      expect(again.out).to.match(/^2 of 2 inputs: 2 skipped/m);
      expect(fs.readFileSync(ledger, 'utf8').trim().split('\n')).to.have.length(2);
      // Once there is a ledger, an output it does not name is not trusted.
      fs.writeFileSync(ledger, '');
      const third = await batch();
      expect(third.code, third.err).to.equal(0);
      expect(third.out).to.match(/^2 of 2 inputs: 2 done/m);
      expect(server.state.hits[CREATE]).to.equal(4);
    });

    it('an output deleted since: fetched again when its transcription was kept, else that input alone transcribed again', async () => {
      expect((await batch('--keep')).code).to.equal(0);
      fs.rmSync(path.join(out, 'a.txt'));
      const kept = await batch('--keep');
      expect(kept.code, kept.err).to.equal(0);
      expect(text('a.txt')).to.equal(`${hello.text}\n`);
      expect(kept.out).to.match(/a\.wav +fetched /);
      expect(server.state.hits[CREATE]).to.equal(2);

      // Kept no longer: the earlier run's transcriptions and files deleted.
      expect((await run(['transcriptions', 'rm', '--all', '--yes'], { env })).code).to.equal(0);
      expect((await run(['files', 'rm', '--all', '--yes'], { env })).code).to.equal(0);
      expect(server.state.files.size + server.state.transcriptions.size).to.equal(0);
      fs.rmSync(path.join(out, 'b.txt'));
      const again = await batch();
      expect(again.code, again.err).to.equal(0);
      expect(text('b.txt')).to.equal(`${weather.text}\n`);
      expect(again.out).to.match(/b\.wav +done /);
      expect(again.out).to.match(/a\.wav +skipped /);
      expect(server.state.hits[CREATE]).to.equal(3);
      expect(server.state.files.size + server.state.transcriptions.size).to.equal(0);
    });
  });

  it('transcribes a file whose name is not UTF-8, its output named by a faithful rendering', async () => {
    const name = Buffer.from([0x61, 0xff, 0x2e, 0x77, 0x61, 0x76]); // a<ff>.wav
    fs.renameSync(path.join(calls, 'hello.wav'), Buffer.concat([Buffer.from(`${calls}/`), name]));
    // A real dangling symlink is still left out, and said so.
    fs.symlinkSync(path.join(tmp, 'nowhere.wav'), path.join(calls, 'dangling.wav'));
    const first = await run(['transcribe', calls, '--out-dir', out, ...POLL], { env });
    expect(first.code, first.err).to.equal(0);
    expect(first.err).to.include(`left out ${calls}/dangling.wav: a dangling symlink\n`);
    expect(first.out).to.match(/^3 of 3 inputs: 3 done/m);
    expect(first.err).to.include(`done ${calls}/a\\xff.wav -> ${out}/a\\xff.txt`);
    expect(fs.readFileSync(path.join(out, 'a\\xff.txt'), 'utf8')).to.equal(`${hello.text}\n`);
    expect(server.state.hits[CREATE]).to.equal(3);
    // Run again: known by its content, skipped.
    const again = await run(['transcribe', calls, '--out-dir', out, ...POLL], { env });
    expect(again.out).to.match(/^3 of 3 inputs: 3 skipped/m);
  });

  it('on a terminal: the bars redrawn in place, failures printed above them', async () => {
    fs.writeFileSync(path.join(calls, 'broken.wav'), BROKEN);
    const { code, err } = await run(['transcribe', calls, '--out-dir', out, ...POLL], {
      env,
      isTTY: true,
    });
    expect(code).to.equal(1);
    expect(err).to.match(/\[[=-]+\] \d\/4 files(, 1 failed)? \| [\d.]+ files\/min \| ETA \d+s/);
    expect(err).to.match(/in flight \| .* uploaded \| \d+\.\d\d h of audio/);
    expect(err).to.match(/failed .*broken\.wav: /);
    expect(err).not.to.match(/\[\d\/4\] done/);
    expect(err).to.include('\x1b[');
  });

  it('a closed stdout stops the batch quietly with exit 0, keeping the journal for the next run', async () => {
    const io = memoryIO({ env });
    const running = run(['transcribe', calls, '--out-dir', out, '--concurrency', '1', ...POLL], {
      io,
    });
    await until(() => /\[1\/3\] done/.test(io.stderr.text), 10_000);
    io.closeStdout();
    const { code, err } = await running;
    expect(code).to.equal(0);
    expect(err).not.to.match(/interrupted|error/);
    const again = await run(['transcribe', calls, '--out-dir', out, ...POLL], { env });
    expect(again.code).to.equal(0);
    expect(again.out).to.match(/skipped/);
    expect(server.state.hits[CREATE]).to.equal(3);
  });

  it('refuses what it cannot do as usage errors, sending nothing', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[calls, hello.path], /^error: several sources need --out-dir <dir>/],
      [[calls], /^error: \S+calls is a directory: its audio files need --out-dir <dir>/],
      [[hello.path, '--shard', '1/2'], /^error: --shard needs --out-dir/],
      [[hello.path, '--concurrency', '2'], /^error: --concurrency needs --out-dir/],
      [[hello.path, '--restart'], /^error: --restart needs --out-dir/],
      [[hello.path, '-', '--out-dir', out], /^error: stdin \(-\) is transcribed on its own/],
      [[hello.path, 'https://a.example/x.wav', '--out-dir', out], /is transcribed on its own/],
      [[calls, '--out-dir', out, '--out', 'x.txt'], /^error: --out writes one file/],
      [
        [calls, '--out-dir', out, '--reference', 'r'],
        /^error: --reference names one transcription/,
      ],
      [
        [calls, '--out-dir', out, '--shard', '3/2'],
        /^error: option '--shard <i\/n>' argument '3\/2' is invalid/,
      ],
      [[calls, '--out-dir', out, '--concurrency', '0'], /^error: option '--concurrency <n>'/],
      [[path.join(tmp, 'missing'), '--out-dir', out], /^error: no such file: .*missing/],
      [[hello.path, '--out-dir', hello.path], /^error: cannot write .*hello-world\.wav/],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await run(['transcribe', ...args], { env });
      expect({ code, args }).to.deep.equal({ code: 2, args });
      expect(err).to.match(message);
    }
    expect(server.state.hits).to.deep.equal({});
  });

  it('--help shows the many-file form', async () => {
    const { out: help } = await run(['transcribe', '--help']);
    expect(help).to.match(/^Usage: soniox transcribe \[options\] <source\.\.\.>/);
    for (const flag of ['--out-dir <dir>', '--concurrency <n>', '--shard <i/n>', '--restart'])
      expect(help).to.include(flag);
    expect(help).to.match(
      /^Many files: soniox transcribe calls\/ extra\.wav --out-dir transcripts/m,
    );
  });
});
