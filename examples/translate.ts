/**
 * README translation: `client.translate()` one-way and two-way, then a realtime session with
 * `translate`, a gateway header, `keepAlive()` and coalesced `finalize()` calls.
 */
import fs from 'node:fs';
import { SonioxClient, type TranscriptToken } from '../lib';

/** The translated words of a transcript, apart from the spoken ones. */
const translated = (tokens: TranscriptToken[]): string =>
  tokens
    .filter((token) => token.translation_status === 'translation')
    .map((token) => token.text)
    .join('');

async function main(): Promise<void> {
  const file = process.argv[2] ?? 'fixtures/audio/hello-world.wav';
  // `headers` go on every REST call and on the realtime upgrade request (a gateway's, say).
  const client = new SonioxClient({ headers: { 'X-Team': 'captions' } });
  try {
    // One-way: every spoken language into Spanish; `from` hints the source language.
    const spanish = await client.translate(file, { to: 'es', from: 'en' });
    console.log(`one-way: ${translated(spanish.tokens)}`);
    // Two-way: English into French and French into English.
    const both = await client.translate(file, { between: ['en', 'fr'] });
    console.log(`two-way: ${translated(both.tokens)}`);

    // Realtime: the same shorthand.
    const live = client.realtime({
      audio_format: 'auto',
      translate: { to: 'es' },
      tokens: 'final',
    });
    await live.connect();
    live.keepAlive(); // {"type":"keepalive"} now, e.g. while your app holds the audio back
    live.finalize();
    live.finalize(); // within 2 s of the first: coalesced, sent once the interval has passed
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the example reads the audio file named on its command line, by design
    fs.createReadStream(file).pipe(live);
    for await (const token of live) void token;
    console.log(`realtime: ${live.translation}`);
  } finally {
    client.close();
  }
}

void main();
