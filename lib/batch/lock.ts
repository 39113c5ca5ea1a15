/**
 * One run at a time per journal: a lock file next to it (`<journal>.lock`) naming the run that
 * holds it (pid, host, start time). Two runs on one journal would each transcribe every input
 * the other has not journaled yet, that is all of them.
 *
 * The lock file appears whole or not at all (written under a temporary name, then hard-linked
 * into place, which fails if it exists), so a reader never sees a half-written one. A lock left
 * by a run that died (SIGKILL, a crash) is stale when its pid is not alive on this host, or names
 * another process now (a restarted container reuses pids), and is taken over; a lock from
 * another host cannot be checked and is respected.
 */
import fs from 'node:fs';
import { SonioxJournalError, SonioxJournalLockedError, type JournalLockHolder } from '../errors';
import { nodeOs } from '../internal/node-builtins';

/** Locks this process holds, released on the way out even if their batch never was closed. */
const held = new Set<JournalLock>();
const releaseAll = () => {
  for (const lock of held) lock.release();
};

function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The lock file of `journal`. */
export function lockPathOf(journal: string): string {
  return `${journal}.lock`;
}

/** The holder written in a lock file; undefined when the file is gone, null when unreadable. */
function readHolder(file: string): JournalLockHolder | null | undefined {
  let text: string;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- next to the caller's journal
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    return null;
  }
  try {
    const value = JSON.parse(text) as Partial<Record<string, unknown>>;
    const { pid, hostname, startedAt } = value;
    if (!Number.isInteger(pid) || typeof hostname !== 'string') return null;
    return {
      pid: pid as number,
      hostname,
      startedAt: typeof startedAt === 'string' ? startedAt : undefined,
    };
  } catch {
    return null;
  }
}

/**
 * When process `pid` of this host started (ms since the epoch), from /proc: undefined where
 * that cannot be read (not Linux, the process gone). Start times are in clock ticks since boot;
 * USER_HZ is 100 on every architecture Node runs on.
 */
function processStartMs(pid: number): number | undefined {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- /proc of an integer pid
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const boot = /^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'));
    if (!boot || !Number.isFinite(ticks)) return undefined;
    return Number(boot[1]) * 1000 + ticks * 10;
  } catch {
    return undefined;
  }
}

/** Slack for clocks and tick rounding when a start time is compared with `startedAt`. */
const START_SLACK_MS = 2_000;

/**
 * Whether the holder may still be running: only a run on this very host can be checked. It is
 * gone when its pid is gone; when its pid is this process's own and this process does not hold
 * the lock (a restarted container gets the pid of the run that was killed); and when its pid
 * names a process that started after the lock was taken (a pid reused).
 */
function mayBeAlive(holder: JournalLockHolder, file: string): boolean {
  if (holder.hostname !== nodeOs().hostname() || holder.pid === undefined) return true;
  if (holder.pid === process.pid) return [...held].some((lock) => lock.is(file, holder));
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: alive, someone else's.
    return errnoOf(error) !== 'ESRCH';
  }
  const lockedAt = Date.parse(holder.startedAt ?? '');
  const started = processStartMs(holder.pid);
  return !(started !== undefined && started > lockedAt + START_SLACK_MS);
}

function sameHolder(a: JournalLockHolder | null | undefined, b: JournalLockHolder): boolean {
  return (
    a !== null &&
    a !== undefined &&
    a.pid === b.pid &&
    a.hostname === b.hostname &&
    a.startedAt === b.startedAt
  );
}

function lockedError(journal: string, holder: JournalLockHolder | null): SonioxJournalLockedError {
  const file = lockPathOf(journal);
  if (holder === null)
    return new SonioxJournalLockedError(
      `the journal ${journal} is locked by ${file}, which names no run: if no batch is running on it, remove that file`,
      journal,
    );
  const where = holder.hostname === nodeOs().hostname() ? '' : ` on ${holder.hostname ?? '?'}`;
  const since = holder.startedAt ? ` since ${holder.startedAt}` : '';
  return new SonioxJournalLockedError(
    `the journal ${journal} is in use by another run (pid ${holder.pid ?? '?'}${where}${since}): one run at a time per journal; if that run is gone, remove ${file}`,
    journal,
    holder,
  );
}

/**
 * Removes a lock judged stale, unless it changed since it was read (another run took it over
 * first): it is moved aside under a name of this process's, read again, and put back if it is
 * not the stale one after all. Resolves whether the stale lock is gone.
 */
function removeStale(file: string, stale: JournalLockHolder): boolean {
  const aside = `${file}.${process.pid}.stale`;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- next to the caller's journal
    fs.renameSync(file, aside);
  } catch (error) {
    // Gone already: another run removed it; try to take it.
    if (errnoOf(error) === 'ENOENT') return true;
    throw error;
  }
  if (sameHolder(readHolder(aside), stale)) {
    fs.rmSync(aside, { force: true });
    return true;
  }
  // A live lock was moved aside: put it back (unless yet another run is in place by now).
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- next to the caller's journal
    fs.linkSync(aside, file);
  } catch {
    /* the place is taken again: that run holds the journal */
  }
  fs.rmSync(aside, { force: true });
  return false;
}

/** A journal's lock, held by this process until `release()`. */
export class JournalLock {
  private released = false;

  private constructor(
    private readonly file: string,
    private readonly holder: JournalLockHolder,
  ) {}

  /**
   * Takes the lock of `journal`, taking over a stale one. Throws SonioxJournalLockedError when
   * another run holds it, SonioxJournalError when the lock file cannot be written.
   */
  static acquire(journal: string): JournalLock {
    const file = lockPathOf(journal);
    const holder: JournalLockHolder = {
      pid: process.pid,
      hostname: nodeOs().hostname(),
      startedAt: new Date().toISOString(),
    };
    const draft = `${file}.${process.pid}.${Date.now()}.tmp`;
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- next to the caller's journal
      fs.writeFileSync(draft, `${JSON.stringify(holder)}\n`, { flag: 'wx' });
      // Twice at most: a stale lock is taken over once; losing that race again means a live run.
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          // eslint-disable-next-line security/detect-non-literal-fs-filename -- as above
          fs.linkSync(draft, file);
          const lock = new JournalLock(file, holder);
          if (held.size === 0) process.once('exit', releaseAll);
          held.add(lock);
          return lock;
        } catch (error) {
          if (errnoOf(error) !== 'EEXIST') throw error;
        }
        const current = readHolder(file);
        if (current === undefined) continue;
        if (current === null || mayBeAlive(current, file) || !removeStale(file, current))
          throw lockedError(journal, current ?? null);
      }
      throw lockedError(journal, readHolder(file) ?? null);
    } catch (error) {
      if (error instanceof SonioxJournalError) throw error;
      const errno = errnoOf(error);
      throw new SonioxJournalError(
        `cannot lock the journal ${journal}: ${error instanceof Error ? error.message : String(error)}`,
        journal,
        { errno, cause: error },
      );
    } finally {
      fs.rmSync(draft, { force: true });
    }
  }

  /**
   * Throws SonioxJournalLockedError if another live run holds the lock of `journal` (a check
   * before acting, e.g. before a journal is deleted; `acquire` is what excludes).
   */
  static check(journal: string): void {
    const current = readHolder(lockPathOf(journal));
    if (current === undefined) return;
    if (current === null || mayBeAlive(current, lockPathOf(journal)))
      throw lockedError(journal, current);
  }

  /** Whether this is the lock `file` taken by `holder`. */
  is(file: string, holder: JournalLockHolder): boolean {
    return this.file === file && sameHolder(this.holder, holder);
  }

  /** Removes the lock file if it is still this run's; idempotent, never throws. */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    if (held.size === 0) process.removeListener('exit', releaseAll);
    try {
      if (sameHolder(readHolder(this.file), this.holder)) fs.rmSync(this.file, { force: true });
    } catch {
      /* a lock that cannot be removed is stale once this process is gone */
    }
  }
}
