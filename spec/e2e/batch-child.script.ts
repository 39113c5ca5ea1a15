/**
 * A batch run in a child process, for the kill-and-resume spec: transcribes the files of a
 * folder with a journal, against the mock server given by the parent, printing one line per
 * result. SIGINT aborts the batch (as Ctrl-C would); SIGKILL comes from the parent, anywhere.
 *
 *   node -r ts-node/register/transpile-only batch-child.script.ts BASE_URL KEY DIR JOURNAL
 */
import fs from 'node:fs';
import path from 'node:path';
import { SonioxClient } from '../../lib/client';

async function main(): Promise<void> {
  const [baseURL, apiKey, dir, journal] = process.argv.slice(2);
  if (!baseURL || !apiKey || !dir || !journal) throw new Error('usage: BASE_URL KEY DIR JOURNAL');
  const client = new SonioxClient({ apiKey, baseURL, env: {}, retry: { baseDelayMs: 1 } });
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  // A generator: the inputs are listed lazily, as a real folder walk would.
  function* inputs(): Generator<string> {
    for (const name of fs.readdirSync(dir as string).sort()) yield path.join(dir as string, name);
  }
  try {
    for await (const result of client.transcribeMany(inputs(), {
      journal,
      concurrency: 3,
      pollIntervalMs: 10,
      signal: controller.signal,
    })) {
      process.stdout.write(`${result.status} ${path.basename(String(result.input))}\n`);
    }
  } finally {
    client.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stdout.write(`stopped ${(error as Error).name}\n`);
    process.exit(130);
  },
);
