/**
 * The display of a batch. On a terminal: two lines redrawn in place (cli-progress), the overall
 * bar with the count, failures, rate and ETA, and below it what is in flight, uploaded and
 * transcribed; failures are printed above them as they happen. Elsewhere (a pipe, a log file):
 * one plain line per finished input, no control characters.
 */
import { MultiBar, type SingleBar } from 'cli-progress';
import type { BatchProgress } from '../../batch';
import type { Output } from '../io';
import { shownName } from './name';
import { bytes } from './table';

/** How a finished input is reported. */
export interface FinishedLine {
  status: 'done' | 'skipped' | 'copied' | 'fetched' | 'failed';
  text: string;
}

/** `95 s` -> `1m35s`; under a minute, seconds. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Rate and ETA from the inputs transcribed or failed in this run: skipped inputs cost no time
 * and would make a resumed run look faster than it is.
 */
export function pace(p: BatchProgress): {
  perMinute: number | undefined;
  etaMs: number | undefined;
} {
  const worked = p.done + p.failed;
  if (worked === 0 || p.elapsedMs <= 0) return { perMinute: undefined, etaMs: undefined };
  const perMs = worked / p.elapsedMs;
  const left = p.total === undefined ? undefined : p.total - worked - p.skipped;
  return { perMinute: perMs * 60_000, etaMs: left === undefined ? undefined : left / perMs };
}

/** The batch display (see the file comment). */
export class BatchDisplay {
  private multi: MultiBar | undefined;
  private overall: SingleBar | undefined;
  private detail: SingleBar | undefined;
  private finished = 0;
  /** Failed inputs, from the lines: the batch's own count misses outputs that could not be written. */
  private failures = 0;

  /**
   * @param out stderr (or the demo's stdout)
   * @param tty bars redrawn in place, or plain lines
   * @param total the number of inputs
   */
  constructor(
    private readonly out: Output,
    private readonly tty: boolean,
    private readonly total: number,
  ) {}

  /** New figures from the batch. */
  progress(p: BatchProgress): void {
    if (!this.tty) return;
    const { perMinute, etaMs } = pace(p);
    // Payload names of their own: `eta` and `total` are cli-progress's.
    const overall = {
      failures: this.failures ? `, ${this.failures} failed` : '',
      rate: perMinute === undefined ? '' : ` | ${perMinute.toFixed(1)} files/min`,
      left: etaMs === undefined ? '' : ` | ETA ${shortDuration(etaMs)}`,
    };
    const detail = {
      text: `${p.inFlight} in flight | ${bytes(p.bytesUploaded)} uploaded | ${p.audioHours.toFixed(2)} h of audio${p.quotaWaits ? ` | ${p.quotaWaits} quota waits` : ''}`,
    };
    const value = p.done + p.skipped + p.failed;
    if (!this.multi) {
      this.multi = new MultiBar({
        stream: this.out as NodeJS.WritableStream,
        hideCursor: false,
        clearOnComplete: true,
        gracefulExit: false,
        fps: 10,
        barsize: 30,
      });
      this.overall = this.multi.create(this.total, value, overall, {
        format: '[{bar}] {value}/{total} files{failures}{rate}{left}',
      });
      this.detail = this.multi.create(1, 0, detail, { format: '{text}' });
      return;
    }
    this.overall?.update(value, overall);
    this.detail?.update(0, detail);
  }

  /** An input finished: a plain line, or (on a terminal) a line above the bars for a failure. */
  line(line: FinishedLine): void {
    this.finished++;
    // One line per input, whatever the names in it hold.
    const shown = shownName(line.text);
    if (line.status === 'failed') this.failures++;
    if (!this.tty) {
      this.out.write(`[${this.finished}/${this.total}] ${line.status} ${shown}\n`);
      return;
    }
    if (line.status !== 'failed') return;
    const text = `failed ${shown}\n`;
    if (this.multi) this.multi.log(text);
    else this.out.write(text);
  }

  /** Takes the bars away (their last log lines printed first). */
  stop(): void {
    if (!this.multi) return;
    this.multi.update();
    this.multi.stop();
    this.multi = undefined;
  }
}
