/**
 * The inputs of `soniox transcribe a.wav dir/ ... --out-dir OUT`: each file named as given,
 * each directory walked for its audio files (recursively, sorted, hidden entries skipped), the
 * same file named twice kept once. Each input gets a key, its path relative to the batch root
 * (the closest directory holding every argument), with `/` separators: the output names and
 * the shards derive from it, so they are the same on every machine that runs the same command.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileError, UsageError } from '../context';

/** Audio containers the API detects (docs/api.md §5), by file extension. */
export const AUDIO_EXTENSIONS: ReadonlySet<string> = new Set([
  '.aac',
  '.aif',
  '.aiff',
  '.amr',
  '.asf',
  '.flac',
  '.m4a',
  '.mp3',
  '.mp4',
  '.oga',
  '.ogg',
  '.opus',
  '.wav',
  '.webm',
  '.wma',
]);

/** One input of a batch. */
export interface BatchInput {
  /** The path to read, as the user's arguments lead to it. */
  path: string;
  /** Its path relative to the batch root, `/`-separated: the stable name of the input. */
  key: string;
}

/** Code-unit order: the same on every machine, whatever its locale. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function stat(file: string): fs.Stats {
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- an input path the user gave
    return fs.statSync(file);
  } catch (e) {
    throw fileError(e, file, 'read');
  }
}

/** The audio files under `dir`, sorted; a directory reached twice (a symlink loop) is walked once. */
function walk(dir: string, seen: Set<string>, found: string[]): void {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a directory the user gave, or under it
  const real = fs.realpathSync(dir);
  if (seen.has(real)) return;
  seen.add(real);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- as above
  const names = fs.readdirSync(dir).sort(byCodeUnit);
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const full = path.join(dir, name);
    let entry: fs.Stats;
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- under a directory the user gave
      entry = fs.statSync(full);
    } catch {
      continue; // A dangling symlink: nothing to read.
    }
    if (entry.isDirectory()) walk(full, seen, found);
    else if (entry.isFile() && AUDIO_EXTENSIONS.has(path.extname(name).toLowerCase()))
      found.push(full);
  }
}

/** The deepest directory that holds every one of `dirs` (absolute paths). */
function commonRoot(dirs: string[]): string {
  const [first, ...rest] = dirs.map((d) => d.split(path.sep));
  let shared = first ?? [];
  for (const parts of rest) {
    let i = 0;
    while (i < shared.length && i < parts.length && shared[i] === parts[i]) i++;
    shared = shared.slice(0, i);
  }
  return shared.join(path.sep) || path.sep;
}

/**
 * Expands the arguments into inputs (see the file comment). A missing argument is a usage
 * error; so is a batch with no audio file at all.
 */
export function expandInputs(args: readonly string[]): BatchInput[] {
  const files: string[] = [];
  const roots: string[] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    if (stat(arg).isDirectory()) {
      roots.push(path.resolve(arg));
      walk(arg, seen, files);
    } else {
      roots.push(path.dirname(path.resolve(arg)));
      files.push(arg);
    }
  }
  const root = commonRoot(roots);
  const byPath = new Map<string, BatchInput>();
  for (const file of files) {
    const absolute = path.resolve(file);
    if (byPath.has(absolute)) continue;
    byPath.set(absolute, {
      path: file,
      key: path.relative(root, absolute).split(path.sep).join('/'),
    });
  }
  if (byPath.size === 0)
    throw new UsageError(
      `no audio files in ${args.join(', ')} (${[...AUDIO_EXTENSIONS].join(' ')})`,
    );
  return [...byPath.values()].sort((a, b) => byCodeUnit(a.key, b.key));
}
