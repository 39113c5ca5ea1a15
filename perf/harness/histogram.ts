/** Latency histograms (hdr-histogram-js), recorded in microseconds, read in milliseconds. */
import * as hdr from 'hdr-histogram-js';

/** The percentiles a distribution chart plots (the max is left out: one GC pause would flatten the rest). */
export const CURVE = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9];

/** A latency distribution. */
export class LatencyHistogram {
  private readonly h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });

  /** Records a latency in ms (sub-µs values count as 1 µs). */
  recordMs(ms: number): void {
    this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.h.totalCount;
  }

  /** The p-th percentile (0..100) in ms. */
  p(q: number): number {
    return this.count === 0 ? NaN : this.h.getValueAtPercentile(q) / 1000;
  }

  get maxMs(): number {
    return this.count === 0 ? NaN : this.h.maxValue / 1000;
  }

  get meanMs(): number {
    return this.count === 0 ? NaN : this.h.mean / 1000;
  }

  /** [percentile, ms] pairs for a chart. */
  curve(): Array<[number, number]> {
    return this.count === 0 ? [] : CURVE.map((q) => [q, this.p(q)]);
  }
}
