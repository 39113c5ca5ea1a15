/**
 * Progress figures of a batch, kept as counters and handed to the caller's callback at each
 * change. The ETA comes from this run's pace: time per finished input times inputs left.
 */
import type { BatchProgress } from './types';

/** The counters behind `onProgress`. */
export class ProgressTracker {
  private readonly startedAt = Date.now();
  private readonly figures: Omit<BatchProgress, 'inFlight' | 'elapsedMs' | 'etaMs'> & {
    inFlight: number;
  };

  constructor(
    total: number | undefined,
    private readonly onProgress: ((progress: BatchProgress) => void) | undefined,
  ) {
    this.figures = {
      started: 0,
      done: 0,
      skipped: 0,
      failed: 0,
      inFlight: 0,
      total,
      bytesUploaded: 0,
      audioHours: 0,
      quotaWaits: 0,
    };
  }

  /** An input was pulled. */
  started(): void {
    this.figures.started++;
    this.figures.inFlight++;
    this.emit();
  }

  /** An input ended with `status`. */
  finished(status: 'done' | 'skipped' | 'failed'): void {
    this.figures[status]++;
    this.figures.inFlight--;
    this.emit();
  }

  /** More file bytes were sent (negative: an attempt that failed and is sent again). */
  uploaded(bytes: number): void {
    if (bytes === 0) return;
    this.figures.bytesUploaded += bytes;
    this.emit();
  }

  /** A transcription of `ms` of audio completed. */
  transcribed(ms: number | undefined): void {
    if (!ms) return;
    this.figures.audioHours += ms / 3_600_000;
    this.emit();
  }

  /** A quota answer is being waited on. */
  quotaWait(): void {
    this.figures.quotaWaits++;
    this.emit();
  }

  /** The figures now. */
  snapshot(): BatchProgress {
    const elapsedMs = Date.now() - this.startedAt;
    const { total, done, skipped, failed } = this.figures;
    const finished = done + skipped + failed;
    let etaMs: number | undefined;
    if (total !== undefined && finished >= total) etaMs = 0;
    else if (total !== undefined && finished > 0)
      etaMs = Math.round((elapsedMs / finished) * (total - finished));
    return { ...this.figures, elapsedMs, etaMs };
  }

  private emit(): void {
    this.onProgress?.(this.snapshot());
  }
}
