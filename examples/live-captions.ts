/**
 * Live captions of a two-language call: speakers, spoken languages and two-way translation
 * (English <-> Spanish) rendered as each utterance completes, WebVTT cues written as they close,
 * and at the end the SRT and one subtitle track per language, all with the library's
 * formatters (CueBuilder, formatCue, subtitleHeader, toSrt, toVtt, UtteranceBuffer).
 *
 *   node -r ts-node/register/transpile-only examples/live-captions.ts [call.wav] [out-dir]
 *
 * Writes captions.vtt (live, original speech), captions.srt, captions.en.vtt and
 * captions.es.vtt (each language's track: what was said in it plus the translations into it)
 * into out-dir (default: the current directory). Runs offline against the package's mock
 * unless SONIOX_API_KEY is set (see client-or-mock.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  CueBuilder,
  formatCue,
  subtitleHeader,
  toSrt,
  toVtt,
  UtteranceBuffer,
  type Cue,
  type RealtimeToken,
  type Utterance,
} from '../lib';
import { clientOrMock } from './client-or-mock';

/** One caption block: who spoke, in which language, and the translation beneath. */
function render(u: Utterance): string {
  const lines = [`Speaker ${u.speaker ?? '?'} [${u.language ?? '?'}]: ${u.text}`];
  for (const t of u.translations) lines.push(`    -> [${t.language}] ${t.text}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const wav = process.argv[2] ?? 'fixtures/audio/bilingual.wav';
  const out = process.argv[3] ?? '.';
  const { client, close } = await clientOrMock();
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the output directory named on the command line, by design
  const vtt = fs.createWriteStream(path.join(out, 'captions.vtt'));
  try {
    const stream = client.realtime({
      audio_format: 'auto',
      enable_speaker_diarization: true,
      enable_language_identification: true,
      enable_endpoint_detection: true,
      max_endpoint_delay_ms: 500,
      translation: { type: 'two_way', language_a: 'en', language_b: 'es' },
      tokens: 'final',
      markers: 'inband',
    });
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- the example reads the audio file named on its command line, by design
    fs.createReadStream(wav).pipe(stream);

    const utterances = new UtteranceBuffer();
    const cues = new CueBuilder({ maxLineChars: 42 });
    const finals: RealtimeToken[] = [];
    let written = 0;
    const writeCues = (done: Cue[]) => {
      for (const cue of done)
        vtt.write(`${written ? '\n' : ''}${formatCue(cue, ++written, 'vtt')}`);
    };
    vtt.write(subtitleHeader('vtt'));
    for await (const item of stream) {
      if (!('marker' in item)) {
        finals.push(item);
        writeCues(cues.push(item));
      }
      for (const u of utterances.push(item)) console.log(render(u));
    }
    for (const u of utterances.flush()) console.log(render(u));
    writeCues(cues.flush());

    const write = (name: string, text: string) =>
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the output directory named on the command line, by design
      fs.writeFileSync(path.join(out, name), text);
    write('captions.srt', toSrt(finals));
    for (const language of ['en', 'es'])
      write(`captions.${language}.vtt`, toVtt(finals, { translation: language }));
    console.log(
      `wrote ${written} live cues to ${path.join(out, 'captions.vtt')}, and captions.srt, captions.en.vtt, captions.es.vtt`,
    );
  } finally {
    await new Promise((resolve) => vtt.end(resolve));
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
