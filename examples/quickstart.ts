/** README quick start: transcribe a file (reads SONIOX_API_KEY and friends from the environment). */
import { SonioxClient } from '../lib';

async function main(): Promise<void> {
  const file = process.argv[2] ?? 'fixtures/audio/hello-world.wav';
  const client = new SonioxClient();
  try {
    const transcript = await client.transcribe(file, {
      language_hints: ['en'],
      onProgress: ({ loaded, total }) => console.error(`uploaded ${loaded}/${total}`),
    });
    console.log(transcript.text);
  } finally {
    client.close();
  }
}

void main();
