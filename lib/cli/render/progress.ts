/**
 * Progress on stderr. On a terminal: a cli-progress bar for uploads of known size and one
 * status line rewritten in place (`\r` + erase line). Elsewhere (a pipe, a log file) with
 * --verbose: plain lines, one per event, no control characters. Silent otherwise, so a piped
 * run writes nothing but its result.
 */
import { SingleBar } from 'cli-progress';
import type { Output } from '../io';

/** Erases the current terminal line and returns to its start. */
export const ERASE_LINE = '\r\x1b[2K';

const mb = (bytes: number): string => (bytes / 1_048_576).toFixed(1);

/** Upload bar plus status line (see the file comment). */
export class Progress {
  private bar: SingleBar | undefined;
  private statusShown = false;
  private uploadStarted = 0;
  private lastPlain = -1;

  /**
   * @param out stderr
   * @param mode `tty`: bar and in-place line; `plain`: lines; `off`: nothing.
   */
  constructor(
    private readonly out: Output,
    private readonly mode: 'tty' | 'plain' | 'off',
    private readonly now: () => number = Date.now,
  ) {}

  /** Upload progress (`total` undefined for a stream of unknown size). */
  upload(loaded: number, total: number | undefined): void {
    if (this.mode === 'off') return;
    if (this.uploadStarted === 0) this.uploadStarted = this.now();
    const seconds = Math.max((this.now() - this.uploadStarted) / 1000, 0.001);
    const speed = `${mb(loaded / seconds)} MB/s`;
    if (this.mode === 'plain') {
      // One line per 10 % (or per 10 MB when the size is unknown), and the last.
      const step = total ? Math.floor((loaded / total) * 10) : Math.floor(loaded / 10_485_760);
      if (step !== this.lastPlain || (total !== undefined && loaded === total)) {
        this.lastPlain = step;
        this.out.write(
          `upload: ${mb(loaded)}${total ? ` / ${mb(total)}` : ''} MB${total ? ` (${Math.round((loaded / total) * 100)} %)` : ''}\n`,
        );
      }
      return;
    }
    if (total === undefined) {
      this.status(`uploading: ${mb(loaded)} MB, ${speed}`);
      return;
    }
    if (!this.bar) {
      this.clearStatus();
      this.bar = new SingleBar({
        stream: this.out as NodeJS.WritableStream,
        format: 'upload [{bar}] {percentage}% | {done}/{size} MB | {speed}',
        barsize: 30,
        hideCursor: false,
        clearOnComplete: true,
        fps: 10,
      });
      this.bar.start(total, 0, { done: mb(0), size: mb(total), speed });
    }
    this.bar.update(loaded, { done: mb(loaded), size: mb(total), speed });
  }

  /** The upload ended: the bar goes away. */
  uploadDone(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  /** Replaces the status line (tty) or prints a line (plain). */
  status(text: string): void {
    if (this.mode === 'off') return;
    if (this.mode === 'plain') {
      this.out.write(`${text}\n`);
      return;
    }
    this.out.write(`${ERASE_LINE}${text}`);
    this.statusShown = true;
  }

  /** A line that stays (tty: printed above the status line). */
  line(text: string): void {
    if (this.mode === 'off') return;
    this.clearStatus();
    this.out.write(`${text}\n`);
  }

  /** Clears the status line and the bar. */
  clearStatus(): void {
    if (this.statusShown) this.out.write(ERASE_LINE);
    this.statusShown = false;
  }

  /** Stops everything it shows. */
  stop(): void {
    this.uploadDone();
    this.clearStatus();
  }
}
