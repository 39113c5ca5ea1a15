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
