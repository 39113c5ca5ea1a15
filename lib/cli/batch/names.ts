/**
 * Output names of a batch: the input's key with its audio extension replaced by the format's
 * (`calls/2024/a.wav` -> `calls/2024/a.txt` under OUT). Two inputs that would share a name
 * (`a.wav` and `a.mp3`, or `A.wav` and `a.wav` on a case-insensitive disk) are told apart
 * deterministically: in key order, the first keeps the name, the next get `a-2.txt`, `a-3.txt`,
 * never a name another input has by right. Computed over all inputs before sharding, so every
 * shard names its outputs as an unsharded run would.
 */
import path from 'node:path';
import { byCodeUnit, type BatchInput } from './inputs';

/** The file extension of each output format. */
export const OUTPUT_EXTENSIONS = { text: '.txt', json: '.json', srt: '.srt', vtt: '.vtt' } as const;

/** An input and its output path, relative to OUT (`/`-separated). */
export interface PlannedInput extends BatchInput {
  output: string;
}

function stem(key: string): string {
  const ext = path.posix.extname(key);
  return ext === '' ? key : key.slice(0, -ext.length);
}

/** Gives each input its output name (see the file comment). */
export function planOutputs(inputs: readonly BatchInput[], extension: string): PlannedInput[] {
  const sorted = [...inputs].sort((a, b) => byCodeUnit(a.key, b.key));
  // Every name an input has by right is reserved first: a suffixed name never takes one.
  const reserved = new Set(sorted.map((input) => `${stem(input.key)}${extension}`.toLowerCase()));
  const given = new Set<string>();
  return sorted.map((input) => {
    const base = stem(input.key);
    let output = `${base}${extension}`;
    if (given.has(output.toLowerCase())) {
      let n = 2;
      while (
        reserved.has(`${base}-${n}${extension}`.toLowerCase()) ||
        given.has(`${base}-${n}${extension}`.toLowerCase())
      )
        n++;
      output = `${base}-${n}${extension}`;
    }
    given.add(output.toLowerCase());
    return { ...input, output };
  });
}
