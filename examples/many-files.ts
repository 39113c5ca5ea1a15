/**
 * docs/batch.md "Many files": every .wav of a folder through `client.transcribeMany`, resumable by its
 * journal; a transcript per input in the output folder. Stopped and run again, it skips what is
 * done. Usage: many-files.ts [dir (fixtures/audio)] [out (transcripts)]
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { SonioxClient } from '../lib';

/** The folder's .wav files, listed lazily, as the batch pulls them. */
async function* wavs(dir: string): AsyncGenerator<string> {
  for await (const entry of await fs.opendir(dir))
    if (entry.name.endsWith('.wav')) yield path.join(dir, entry.name);
}

async function main(): Promise<void> {
  const [dir = 'fixtures/audio', out = 'transcripts'] = process.argv.slice(2);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the folder the user named
  await fs.mkdir(out, { recursive: true });
  const client = new SonioxClient();
  let failed = 0;
  try {
    const results = client.transcribeMany(wavs(dir), {
      concurrency: 8, // inputs in flight (1..100, default 4)
      journal: path.join(out, 'batch.jsonl'), // makes the batch resumable, exactly once
      language_hints: ['en'], // every create parameter applies to each input
      onProgress: (p) => console.error(`${p.done} done, ${p.skipped} skipped, ${p.failed} failed`),
    });
    for await (const r of results) {
      const name = path.join(out, `${path.basename(r.input, '.wav')}.txt`);
      // Written before the next result is asked for: only then is the input journaled done.
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- in the folder the user named
      if (r.status === 'done') await fs.writeFile(name, r.transcript.text);
      else if (r.status === 'failed') {
        failed++;
        console.error(`${r.input}: ${r.error.code} ${r.error.message}`);
      }
      // 'skipped': done by an earlier run (r.reason 'journaled') or same audio as another input.
      else console.log(`${r.input}: skipped (${r.reason})`);
    }
  } finally {
    client.close();
  }
  process.exitCode = failed ? 1 : 0;
}

void main();
