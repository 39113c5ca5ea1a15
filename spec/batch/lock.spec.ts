/**
 * The journal's lock: held while a journal is open, refused to a second run while its holder
 * lives, taken over when its holder is dead (a killed run), released on close and on a failed
 * open.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import sinon from 'sinon';
import { SonioxJournalError, SonioxJournalLockedError } from '../../lib/errors';
import { Journal } from '../../lib/batch/journal';
import { JournalLock, lockPathOf } from '../../lib/batch/lock';
import { withoutCoverage } from '../without-coverage';

/** The pid of a process that has exited (and been reaped): no process has it now. */
function deadPid(): number {
  const child = spawnSync(
    ...withoutCoverage(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']),
  );
  return Number(child.stdout.toString());
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('batch journal lock', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'soniox-lock-'));
    file = path.join(dir, 'j.jsonl');
  });
  afterEach(() => {
    sinon.restore();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const writeLock = (holder: object | string) =>
    fs.writeFileSync(
      lockPathOf(file),
      typeof holder === 'string' ? holder : JSON.stringify(holder),
    );

  it('is held while the journal is open, naming this process, and released on close', () => {
    const journal = Journal.open(file);
    const holder = JSON.parse(fs.readFileSync(lockPathOf(file), 'utf8')) as Record<string, unknown>;
    expect(holder).to.include({ pid: process.pid, hostname: os.hostname() });
    expect(new Date(String(holder.startedAt)).getTime()).to.be.closeTo(Date.now(), 60_000);
    const error = thrown(() => Journal.open(file));
    expect(error).to.be.instanceOf(SonioxJournalLockedError);
    expect((error as SonioxJournalLockedError).pid).to.equal(process.pid);
    expect(error.message).to.include(`pid ${process.pid}`);
    expect(error.message).to.include(lockPathOf(file));
    expect(() => JournalLock.check(file)).to.throw(SonioxJournalLockedError);
    journal.close();
    expect(fs.existsSync(lockPathOf(file))).to.equal(false);
    expect(() => JournalLock.check(file)).not.to.throw();
    // Nothing left but the journal: no draft or moved-aside lock file.
    expect(fs.readdirSync(dir)).to.deep.equal(['j.jsonl']);
    Journal.open(file).close();
  });

  it('takes over a lock whose process is dead on this host (a killed run)', () => {
    const pid = deadPid();
    writeLock({ pid, hostname: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' });
    expect(() => JournalLock.check(file)).not.to.throw();
    const journal = Journal.open(file);
    const holder = JSON.parse(fs.readFileSync(lockPathOf(file), 'utf8')) as Record<string, unknown>;
    expect(holder.pid).to.equal(process.pid);
    journal.close();
    expect(fs.readdirSync(dir)).to.deep.equal(['j.jsonl']);
  });

  it('takes over a lock naming this very pid that this process does not hold (a restarted container)', () => {
    // A container restarted (a Kubernetes pod replaced) runs under the same hostname, and its
    // node process often gets the same pid as the run that was killed: that lock is stale.
    writeLock({ pid: process.pid, hostname: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z' });
    expect(() => JournalLock.check(file)).not.to.throw();
    const journal = Journal.open(file);
    const holder = JSON.parse(fs.readFileSync(lockPathOf(file), 'utf8')) as Record<string, unknown>;
    expect(holder.startedAt).not.to.equal('2026-01-01T00:00:00.000Z');
    expect(() => Journal.open(file)).to.throw(SonioxJournalLockedError);
    journal.close();
  });

  describe('a pid alive now (Linux: start times from /proc)', function () {
    let child: ChildProcess | undefined;
    beforeEach(async function () {
      // The start time of a process is read from /proc, which only Linux has.
      if (process.platform !== 'linux') this.skip();
      child = spawn(...withoutCoverage(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)']), {
        stdio: 'ignore',
      });
      await once(child, 'spawn');
    });
    afterEach(() => {
      child?.kill();
      child = undefined;
    });

    it('takes over a lock whose pid now names a process started after the lock (a reused pid)', () => {
      const startedAt = new Date(Date.now() - 3_600_000).toISOString();
      writeLock({ pid: child!.pid, hostname: os.hostname(), startedAt });
      expect(() => JournalLock.check(file)).not.to.throw();
      Journal.open(file).close();
      expect(fs.readdirSync(dir)).to.deep.equal(['j.jsonl']);
    });

    it('respects a lock of a live process that started before the lock was taken', () => {
      const startedAt = new Date(Date.now() + 5_000).toISOString();
      writeLock({ pid: child!.pid, hostname: os.hostname(), startedAt });
      expect(() => Journal.open(file)).to.throw(SonioxJournalLockedError);
      expect(() => JournalLock.check(file)).to.throw(SonioxJournalLockedError);
    });

    it('respects a lock its live process took as it started (start times in /proc are coarse)', () => {
      // /proc dates a start from the boot time, in whole seconds: a process that locked at once
      // may seem to have started a little after its lock, or before. Either way it holds it.
      writeLock({ pid: child!.pid, hostname: os.hostname(), startedAt: new Date().toISOString() });
      expect(() => Journal.open(file)).to.throw(SonioxJournalLockedError);
      expect(() => JournalLock.check(file)).to.throw(SonioxJournalLockedError);
    });
  });

  it('respects a lock of a live process, of another host, or that names no run', () => {
    const cases: Array<[object | string, RegExp]> = [
      // pid 1 is alive on every host (init): another process's, not ours.
      [{ pid: 1, hostname: os.hostname(), startedAt: 'then' }, /pid 1 since then\)/],
      [{ pid: deadPid(), hostname: 'elsewhere.example' }, /pid \d+ on elsewhere\.example\)/],
      ['', /names no run: if no batch is running on it, remove /],
      ['{"pid":"x"}', /names no run/],
    ];
    for (const [holder, message] of cases) {
      writeLock(holder);
      const error = thrown(() => Journal.open(file));
      expect(error, JSON.stringify(holder)).to.be.instanceOf(SonioxJournalLockedError);
      expect(error.message).to.match(message);
      expect(() => JournalLock.check(file)).to.throw(SonioxJournalLockedError);
      // Left as it was.
      expect(fs.readFileSync(lockPathOf(file), 'utf8')).to.equal(
        typeof holder === 'string' ? holder : JSON.stringify(holder),
      );
    }
  });

  it('does not remove a lock that another run took over meanwhile', () => {
    const pid = deadPid();
    const stale = { pid, hostname: os.hostname(), startedAt: 'stale' };
    const live = { pid: 1, hostname: os.hostname(), startedAt: 'live' };
    writeLock(stale);
    // Between this run's read of the stale lock and its removal, another run replaced it.
    const rename = fs.renameSync.bind(fs);
    sinon.stub(fs, 'renameSync').callsFake((from, to) => {
      if (String(from) === lockPathOf(file)) writeLock(live);
      rename(from, to);
    });
    expect(() => Journal.open(file)).to.throw(SonioxJournalLockedError);
    expect(JSON.parse(fs.readFileSync(lockPathOf(file), 'utf8'))).to.deep.equal(live);
    // Put back, not copied: nothing else is left beside the journal's lock.
    expect(fs.readdirSync(dir)).to.deep.equal(['j.jsonl.lock']);
  });

  it('takes a stale lock that another run removed first; leaves a lock it no longer holds', () => {
    writeLock({ pid: deadPid(), hostname: os.hostname(), startedAt: 'stale' });
    // Between this run's read of the stale lock and its removal, another run removed it.
    const rename = fs.renameSync.bind(fs);
    sinon.stub(fs, 'renameSync').callsFake((from, to) => {
      if (String(from) === lockPathOf(file)) fs.rmSync(lockPathOf(file));
      rename(from, to);
    });
    const journal = Journal.open(file);
    sinon.restore();
    // Someone replaced the lock while this run held it: closing does not remove theirs.
    const theirs = { pid: 1, hostname: os.hostname(), startedAt: 'theirs' };
    writeLock(theirs);
    journal.close();
    expect(JSON.parse(fs.readFileSync(lockPathOf(file), 'utf8'))).to.deep.equal(theirs);
  });

  it('reads a lock without a host as naming no run, and one without a start time as undated', () => {
    writeLock({ pid: 1 });
    expect(() => Journal.open(file)).to.throw(SonioxJournalLockedError, /names no run/);
    writeLock({ pid: 1, hostname: os.hostname(), startedAt: 1_700_000_000_000 });
    const error = thrown(() => Journal.open(file)) as SonioxJournalLockedError;
    expect(error.message).to.include('(pid 1):');
    expect(error.startedAt).to.equal(undefined);
  });

  it("respects a lock of a live process it may not signal (another user's run)", () => {
    writeLock({ pid: 4_000_000, hostname: os.hostname(), startedAt: 'then' });
    // kill(pid, 0) on another user's process: EPERM, which says it is alive.
    sinon
      .stub(process, 'kill')
      .throws(Object.assign(new Error('kill EPERM'), { code: 'EPERM', syscall: 'kill' }));
    expect(() => Journal.open(file)).to.throw(SonioxJournalLockedError, /pid 4000000 since then/);
    expect(() => JournalLock.check(file)).to.throw(SonioxJournalLockedError);
  });

  it('takes a lock released between its attempt and its look at the holder', () => {
    writeLock({ pid: 1, hostname: os.hostname(), startedAt: 'then' });
    // The holder ends between this run's link (refused: the file exists) and its read.
    const link = fs.linkSync.bind(fs);
    let first = true;
    sinon.stub(fs, 'linkSync').callsFake((from, to) => {
      if (first && String(to) === lockPathOf(file)) {
        first = false;
        fs.rmSync(lockPathOf(file));
        throw Object.assign(new Error('EEXIST: file already exists, link'), { code: 'EEXIST' });
      }
      link(from, to);
    });
    const journal = Journal.open(file);
    sinon.restore();
    expect(JSON.parse(fs.readFileSync(lockPathOf(file), 'utf8'))).to.include({ pid: process.pid });
    journal.close();
  });

  it('fails with the reason when a stale lock cannot be moved aside, rather than calling it held', () => {
    writeLock({ pid: deadPid(), hostname: os.hostname(), startedAt: 'stale' });
    const eacces = Object.assign(new Error('EACCES: permission denied, rename'), {
      code: 'EACCES',
    });
    sinon.stub(fs, 'renameSync').throws(eacces);
    const error = thrown(() => Journal.open(file));
    expect(error).to.be.instanceOf(SonioxJournalError);
    expect(error).not.to.be.instanceOf(SonioxJournalLockedError);
    expect((error as SonioxJournalError).errno).to.equal('EACCES');
  });

  it('adds one exit handler however many journals are open, and leaves none once all are closed', () => {
    const before = process.listenerCount('exit');
    const first = Journal.open(file);
    const second = Journal.open(path.join(dir, 'k.jsonl'));
    expect(process.listenerCount('exit')).to.equal(before + 1);
    first.close();
    expect(process.listenerCount('exit')).to.equal(before + 1);
    second.close();
    expect(process.listenerCount('exit')).to.equal(before);
    Journal.open(file).close();
    expect(process.listenerCount('exit')).to.equal(before);
  });

  it('a lock released twice leaves alone the lock a later run took since', () => {
    // Both takes in the same millisecond: the later lock names the very same holder.
    sinon.useFakeTimers({ now: Date.parse('2026-12-07T12:00:00.000Z'), toFake: ['Date'] });
    const first = JournalLock.acquire(file);
    first.release();
    const later = JournalLock.acquire(file);
    first.release();
    expect(fs.existsSync(lockPathOf(file))).to.equal(true);
    expect(() => JournalLock.acquire(file)).to.throw(SonioxJournalLockedError);
    later.release();
    expect(fs.existsSync(lockPathOf(file))).to.equal(false);
  });

  it('does not remove a lock that another run replaced with one it cannot read', () => {
    writeLock({ pid: deadPid(), hostname: os.hostname(), startedAt: 'stale' });
    const rename = fs.renameSync.bind(fs);
    sinon.stub(fs, 'renameSync').callsFake((from, to) => {
      if (String(from) === lockPathOf(file)) writeLock('{"half written');
      rename(from, to);
    });
    expect(() => Journal.open(file)).to.throw(SonioxJournalLockedError);
    expect(fs.readFileSync(lockPathOf(file), 'utf8')).to.equal('{"half written');
    expect(fs.readdirSync(dir)).to.deep.equal(['j.jsonl.lock']);
  });

  it('on close, leaves a lock another run took in the same millisecond (another pid or host)', () => {
    sinon.useFakeTimers({ now: Date.parse('2026-12-07T12:00:00.000Z'), toFake: ['Date'] });
    const startedAt = new Date().toISOString();
    for (const theirs of [
      { pid: 1, hostname: os.hostname(), startedAt },
      { pid: process.pid, hostname: 'elsewhere.example', startedAt },
    ]) {
      const journal = Journal.open(file);
      writeLock(theirs);
      journal.close();
      expect(JSON.parse(fs.readFileSync(lockPathOf(file), 'utf8'))).to.deep.equal(theirs);
      fs.rmSync(lockPathOf(file));
    }
  });

  it('gives up when a stale lock is back after its takeover, rather than fighting on', () => {
    // Another run, as quick as this one, takes the place each time this one clears it.
    const stale = () => writeLock({ pid: deadPid(), hostname: os.hostname(), startedAt: 'stale' });
    stale();
    const link = fs.linkSync.bind(fs);
    let refusals = 0;
    sinon.stub(fs, 'linkSync').callsFake((from, to) => {
      if (String(to) === lockPathOf(file) && refusals < 2) {
        refusals++;
        if (!fs.existsSync(lockPathOf(file))) stale();
      }
      link(from, to);
    });
    expect(() => Journal.open(file)).to.throw(SonioxJournalLockedError);
    expect(refusals).to.equal(2);
  });

  it('fails with the reason on a file system without hard links, rather than calling the journal held', () => {
    sinon
      .stub(fs, 'linkSync')
      .throws(Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' }));
    const error = thrown(() => Journal.open(file));
    expect(error).to.be.instanceOf(SonioxJournalError);
    expect(error).not.to.be.instanceOf(SonioxJournalLockedError);
    expect((error as SonioxJournalError).errno).to.equal('EPERM');
  });

  it("takes over a lock copied from a journal this process holds (the copy's run is not running)", () => {
    const held = Journal.open(file);
    const copy = path.join(dir, 'copy.jsonl');
    // The journal's folder copied, lock file and all, while this process runs the original.
    fs.copyFileSync(lockPathOf(file), lockPathOf(copy));
    const journal = Journal.open(copy);
    journal.close();
    held.close();
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['copy.jsonl', 'j.jsonl']);
  });

  it('respects a lock it cannot read, and so does the check before a journal is deleted', () => {
    fs.mkdirSync(lockPathOf(file));
    expect(() => Journal.open(file)).to.throw(SonioxJournalLockedError, /names no run/);
    expect(() => JournalLock.check(file)).to.throw(SonioxJournalLockedError, /names no run/);
  });

  it('is released when the journal cannot be opened, and a lock that cannot be made is a SonioxJournalError', () => {
    fs.mkdirSync(file);
    const error = thrown(() => Journal.open(file));
    expect(error).to.be.instanceOf(SonioxJournalError);
    expect((error as SonioxJournalError).errno).to.equal('EISDIR');
    expect(fs.existsSync(lockPathOf(file))).to.equal(false);

    const missing = path.join(dir, 'no-such-dir', 'j.jsonl');
    const cannot = thrown(() => Journal.open(missing));
    expect(cannot).to.be.instanceOf(SonioxJournalError);
    expect(cannot).not.to.be.instanceOf(SonioxJournalLockedError);
    expect(cannot.message).to.match(/^cannot lock the journal .*j\.jsonl: ENOENT/);
    expect((cannot as SonioxJournalError).errno).to.equal('ENOENT');
  });

  it('is released when the process exits without closing the journal', () => {
    const script = `
      require('ts-node/register/transpile-only');
      const { Journal } = require(${JSON.stringify(path.join(__dirname, '../../lib/batch/journal'))});
      Journal.open(${JSON.stringify(file)});
      process.exit(3);
    `;
    const child = spawnSync(process.execPath, ['-e', script], {
      cwd: path.join(__dirname, '../..'),
    });
    expect(child.status, child.stderr.toString()).to.equal(3);
    expect(fs.existsSync(lockPathOf(file))).to.equal(false);
    expect(fs.existsSync(file)).to.equal(true);
  });
});
