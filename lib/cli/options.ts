/** Parsers of flag values for commander: a bad value is a usage error (exit 2) naming the flag. */
import { InvalidArgumentError } from 'commander';

/** An integer parser bounded to [min, max]. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}.`,
      );
    }
    return n;
  };
}

/** `en,fr` -> ['en', 'fr'] (repeatable: `--language en --language fr` adds up). */
export function list(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0)
    throw new InvalidArgumentError('must list at least one value, comma separated.');
  return [...(previous ?? []), ...items];
}

/** Whether `source` is an http(s) URL (transcribed with audio_url, not uploaded). */
export function isURL(source: string): boolean {
  return /^https?:\/\/\S+$/i.test(source);
}

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An age such as `90s`, `30m`, `12h` or `7d`, in ms. */
export function duration(value: string): number {
  const text = value.trim();
  const factor = UNIT_MS[text.slice(-1)];
  const amount = text.slice(0, -1);
  const n = Number(amount);
  if (factor === undefined || !/^[0-9.]+$/.test(amount) || !Number.isFinite(n))
    throw new InvalidArgumentError(
      'must be a number and a unit s, m, h or d, such as 30m, 12h, 7d.',
    );
  return Math.round(n * factor);
}
