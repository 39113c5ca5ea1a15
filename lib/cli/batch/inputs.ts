/**
 * The inputs of `soniox transcribe a.wav dir/ ... --out-dir OUT`: each file named as given,
 * each directory walked for its audio files (recursively, sorted, hidden entries skipped), the
 * same file named twice kept once. Each input gets a key, its path relative to the batch root
 * (the closest directory holding every argument), with `/` separators: the output names and
 * the shards derive from it, so they are the same on every machine that runs the same command.
 * Directories are walked by bytes: a name that is not UTF-8 is an input like any other, keyed
 * and shown by its rendering (`a\xff.wav`), read by its bytes. An entry that looks like audio
 * but cannot be read (a dangling symlink) is reported, not dropped unseen.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileError, UsageError } from '../context';
import { decodeName } from '../render/name';

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
  /**
   * The path to read, as the user's arguments lead to it; for a name that is not UTF-8, a
   * rendering of it (each other byte as `\xNN`, render/name.ts) that cannot be opened: `bytes`
   * is the path then.
   */
  path: string;
  /** Its path relative to the batch root, `/`-separated: the stable name of the input. */
  key: string;
  /** The exact path, when its name is not UTF-8 (Linux names are bytes). */
  bytes?: Buffer;
}

/** Reports an entry of a walked directory left out though it looked like audio. */
export type OnLeftOut = (path: string, why: string) => void;

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

/** A file found by the walk: the path as bytes (exact) and as text (for display and keys). */
interface Found {
  text: string;
  bytes: Buffer | undefined;
}

const SEP = Buffer.from(path.sep);

/**
 * The audio files under `dir`, sorted; a directory reached twice (a symlink loop) is walked
 * once. Walked by bytes: a name that is not UTF-8 is read by its exact bytes, not a lossy
 * decoding that names no file.
 */
function walk(dir: Buffer, seen: Set<string>, found: Found[], onLeftOut: OnLeftOut): void {
  // The native call: the JS one decodes the path as UTF-8 first.
  const real = fs.realpathSync.native(dir, { encoding: 'buffer' }).toString('latin1');
  if (seen.has(real)) return;
  seen.add(real);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a directory the user gave, or under it
  const names = fs.readdirSync(dir, { encoding: 'buffer' });
  // Code-unit order of the names as shown, as before the walk went by bytes.
  const entries = names
    .map((name) => ({ name, text: decodeName(name).text }))
    .sort((a, b) => byCodeUnit(a.text, b.text));
  for (const { name, text } of entries) {
    if (text.startsWith('.')) continue;
    // As path.join(dir, name) would, by bytes.
    const full = Buffer.concat(dir.at(-1) === SEP[0] ? [dir, name] : [dir, SEP, name]);
    const audio = AUDIO_EXTENSIONS.has(path.extname(text).toLowerCase());
    let entry: fs.Stats;
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- under a directory the user gave
      entry = fs.statSync(full);
    } catch (e) {
      // Nothing to read; said when it looked like audio, so that it is not lost unseen.
      const code = (e as NodeJS.ErrnoException).code;
      if (audio)
        onLeftOut(
          decodeName(full).text,
          code === 'ENOENT' ? 'a dangling symlink' : `cannot read it (${code})`,
        );
      continue;
    }
    if (entry.isDirectory()) walk(full, seen, found, onLeftOut);
    else if (entry.isFile() && audio) {
      const { text: shown, exact } = decodeName(full);
      found.push({ text: shown, bytes: exact ? undefined : full });
    }
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
export function expandInputs(
  args: readonly string[],
  onLeftOut: OnLeftOut = () => undefined,
): BatchInput[] {
  const files: Found[] = [];
  const roots: string[] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    if (stat(arg).isDirectory()) {
      roots.push(path.resolve(arg));
      walk(Buffer.from(path.normalize(arg)), seen, files, onLeftOut);
    } else {
      roots.push(path.dirname(path.resolve(arg)));
      files.push({ text: arg, bytes: undefined });
    }
  }
  const root = commonRoot(roots);
  const byPath = new Map<string, BatchInput>();
  for (const { text, bytes } of files) {
    const absolute = path.resolve(text);
    // By bytes: a name shown as `a\xff.wav` is not the file named so.
    const id = bytes ? `bytes:${path.resolve(bytes.toString('latin1'))}` : absolute;
    if (byPath.has(id)) continue;
    byPath.set(id, {
      path: text,
      key: path.relative(root, absolute).split(path.sep).join('/'),
      ...(bytes && { bytes }),
    });
  }
  if (byPath.size === 0)
    throw new UsageError(
      `no audio files in ${args.join(', ')} (${[...AUDIO_EXTENSIONS].join(' ')})`,
    );
  return [...byPath.values()].sort((a, b) => byCodeUnit(a.key, b.key));
}
