/**
 * Reads the cassettes of a directory for replay: every `*.json` in it (sorted by name, which
 * starts with the recording time), each checked, a bad one named with what is wrong.
 */
import fs from 'node:fs';
import path from 'node:path';
import { cassetteProblem, type Cassette } from './format';

/** The cassettes of `dir`, oldest first; throws an Error naming a file that is not one. */
// The directory and files are the ones the caller named for replay.
/* eslint-disable security/detect-non-literal-fs-filename */
export function loadCassettes(dir: string): Array<{ file: string; cassette: Cassette }> {
  let names: string[];
  try {
    names = fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort();
  } catch (error) {
    throw new Error(`cannot read the cassette directory ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return names.map((name) => {
    const file = path.join(dir, name);
    let value: unknown;
    try {
      value = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`${file} is not a cassette: ${(error as Error).message}`, { cause: error });
    }
    const problem = cassetteProblem(value);
    if (problem) throw new Error(`${file} is not a cassette: ${problem}`);
    return { file, cassette: value as Cassette };
  });
}
