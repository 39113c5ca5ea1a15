/**
 * Parsers of the recognition flags shared by the request-building commands: context and terms
 * read from files, decimals in a range, a language pair. A bad value is a usage error (exit 2)
 * naming the flag, raised before anything connects.
 */
import fs from 'node:fs';
import { InvalidArgumentError } from 'commander';
import type { StructuredContext } from '../types';
import { assertInputFile, assertOutputFile } from './context';
import { shownName } from './render/name';

/** Reads a file the user named; a missing or unreadable one is a usage error. */
function readUserFile(file: string): string {
  try {
    assertInputFile(file);
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the path the user gave
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/**
 * `--context <file>`: a JSON object is the structured context (general, text, terms,
 * translation_terms); any other content is the context's free text.
 */
export function contextFile(file: string): StructuredContext {
  const content = readUserFile(file).trim();
  if (!content.startsWith('{')) return { text: content };
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (e) {
    throw new InvalidArgumentError(`${shownName(file)} is not valid JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new InvalidArgumentError(`${shownName(file)} must hold a JSON object.`);
  return parsed;
}

/** `--terms <file>`: one term per line (blank lines skipped). */
export function termsFile(file: string): string[] {
  return readUserFile(file)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

/** A decimal parser bounded to [min, max]. */
export function decimal(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be a number from ${min} to ${max}.`);
    return n;
  };
}

/** `en,es`: two different language codes. */
export function languagePair(value: string): [string, string] {
  const [a, b, ...rest] = value.split(',').map((s) => s.trim());
  if (!a || !b || rest.length > 0 || a === b)
    throw new InvalidArgumentError('must be two different language codes, comma separated: en,es.');
  return [a, b];
}

/** An output file path whose directory exists (checked before the session starts). */
export function outputFile(file: string): string {
  try {
    assertOutputFile(file);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
  return file;
}
