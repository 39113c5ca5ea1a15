/** Small numeric helpers: percentiles of arrays, medians, formatting. */

/** The p-th percentile (0..100) of `values`, nearest rank; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** The median of `values`. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Milliseconds since `start` (from `process.hrtime.bigint()`). */
export function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Bytes as MB (MiB), the unit every figure here uses. */
export function mb(bytes: number): number {
  return bytes / 1024 / 1024;
}

/** A number with `digits` decimals, or `n/a` when it is not finite. */
export function fmt(value: number | undefined, digits = 1, unit = ''): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return `${value.toFixed(digits)}${unit}`;
}

/** A ratio as `1.23x`. */
export function ratio(value: number | undefined): string {
  return fmt(value, 2, 'x');
}

/** A share as a percentage. */
export function pct(value: number | undefined, digits = 1): string {
  return value === undefined || !Number.isFinite(value)
    ? 'n/a'
    : `${(value * 100).toFixed(digits)} %`;
}

/** Rounds for JSON (stable, readable keys; no 17-digit noise). */
export function round(value: number, digits = 4): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
