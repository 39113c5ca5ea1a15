/**
 * What each output of a batch was written from: next to the journal (which knows inputs by
 * content), one JSON line per output written, `{"output":"a.txt","hash":"<sha256>"}`, appended
 * and fsync'd once the output is in place. A later run skips an input only when its output was
 * written from the content now at the input's path: contents swapped between runs, or new audio
 * under an old name, rewrite the output instead of leaving a stale one reported as skipped. And
 * content the journal knows under another name (a log rotated, a file renamed) is found here by
 * its hash, so its output is copied from the one written earlier instead of transcribed again.
 *
 * An output about to be overwritten that is the last one holding its content is moved aside
 * first (to the stash, a directory next to the ledger, emptied at each run's start and end): an
 * input later in the run that now holds that content (contents swapped) gets a copy of it.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The ledger of the journal `journal`: the same name, `.outputs.jsonl` for `.jsonl`. */
export function ledgerName(journal: string): string {
  return journal.replace(/\.jsonl$/, '') + '.outputs.jsonl';
}

/** The stash of the ledger `ledger`. */
function stashName(ledger: string): string {
  return ledger.replace(/\.jsonl$/, '') + '.stash';
}

/** One batch's ledger, open for a run. Output names are relative to OUT, `/`-separated. */
export class OutputLedger {
  /** Output to the hash of what it was written from. */
  private readonly written = new Map<string, string>();
  /** Hash to the outputs written from it (the reverse of `written`). */
  private readonly holders = new Map<string, Set<string>>();
  /** Hash to a stashed copy of its last output. */
  private readonly stashed = new Map<string, string>();
  private readonly stash: string;

  /**
   * @param file the ledger's path.
   * @param outDir OUT, which the output names are relative to.
   * @param legacy the journal predates ledgers (it exists, the ledger does not): an output the
   *   ledger has no line for is trusted as written from the content the journal has done, as
   *   before ledgers, and recorded so from then on.
   */
  private constructor(
    private readonly file: string,
    private readonly outDir: string,
    readonly legacy: boolean,
  ) {
    this.stash = stashName(file);
  }

  /** Reads the ledger at `file` (if any) and empties a stash a stopped run left. */
  static open(file: string, outDir: string, journalExists: boolean): OutputLedger {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- in the --out-dir the user gave
    const exists = fs.existsSync(file);
    const ledger = new OutputLedger(file, outDir, journalExists && !exists);
    if (exists) {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- as above
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        try {
          const { output, hash } = JSON.parse(line) as { output?: unknown; hash?: unknown };
          if (typeof output === 'string' && typeof hash === 'string') ledger.note(output, hash);
        } catch {
          // An empty line, or a line torn by a crash mid-write: its output is not trusted.
        }
      }
    }
    ledger.clearStash();
    return ledger;
  }

  private absolute(output: string): string {
    return path.join(this.outDir, output);
  }

  private note(output: string, hash: string): void {
    const before = this.written.get(output);
    if (before !== undefined) this.holders.get(before)?.delete(output);
    this.written.set(output, hash);
    const set = this.holders.get(hash) ?? new Set<string>();
    set.add(output);
    this.holders.set(hash, set);
  }

  /** Whether `output` is there and was written from `hash`. */
  holds(output: string, hash: string): boolean {
    const recorded = this.written.get(output);
    if (recorded !== undefined ? recorded !== hash : !this.legacy) return false;
    return isFile(this.absolute(output));
  }

  /** A file holding the output of `hash` (an output written from it, or its stashed copy). */
  copyOf(hash: string): string | undefined {
    for (const output of this.holders.get(hash) ?? []) {
      const file = this.absolute(output);
      if (isFile(file)) return file;
    }
    const stashed = this.stashed.get(hash);
    return stashed !== undefined && isFile(stashed) ? stashed : undefined;
  }

  /**
   * `output` is about to be written from `hash`: if it is the last output holding other content,
   * that is moved to the stash first (see the file comment).
   */
  async beforeWrite(output: string, hash: string): Promise<void> {
    const old = this.written.get(output);
    if (old === undefined || old === hash || this.stashed.has(old)) return;
    if ([...(this.holders.get(old) ?? [])].some((o) => o !== output && isFile(this.absolute(o))))
      return;
    const file = this.absolute(output);
    if (!isFile(file)) return;
    const stashed = path.join(this.stash, `${old}${path.extname(output)}`);
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- in the --out-dir the user gave
      await fs.promises.mkdir(this.stash, { recursive: true });
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- as above
      await fs.promises.rename(file, stashed);
      this.stashed.set(old, stashed);
    } catch {
      // Nothing lost but a copy: an input that needs this content has it fetched or transcribed.
    }
  }

  /** `output` was written from `hash`: appended and fsync'd before the input is journaled done. */
  record(output: string, hash: string): void {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- in the --out-dir the user gave
    const fd = fs.openSync(this.file, 'a');
    try {
      fs.writeSync(fd, `${JSON.stringify({ output, hash })}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.note(output, hash);
  }

  /** Removes the stash (at the end of a run: what it held was copied where it was needed). */
  clearStash(): void {
    fs.rmSync(this.stash, { recursive: true, force: true });
    this.stashed.clear();
  }
}

function isFile(file: string): boolean {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- under the --out-dir the user gave
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true;
}
