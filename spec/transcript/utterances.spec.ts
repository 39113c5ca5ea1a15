import { expect } from 'chai';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  UtteranceBuffer,
  utterances,
  utteranceTransform,
  type Utterance,
  type UtteranceInput,
} from '../../lib/transcript';
import type { RealtimeToken } from '../../lib/types';
import { fixture as audioFixture } from '../audio';
import { fixture, until } from '../helpers';
import { END, FIN, said, translated, TWO_WAY } from './tokens';

/** What a voice agent reads of an utterance. */
const view = (u: Utterance) => ({
  text: u.text,
  speaker: u.speaker,
  language: u.language,
  start_ms: u.start_ms,
  end_ms: u.end_ms,
  end: u.end,
  translations: u.translations,
});

/** TWO_WAY as the realtime stream delivers it in in-band mode: specials replaced by markers. */
const IN_BAND: UtteranceInput[] = TWO_WAY.map((t) =>
  t.text === '<end>' ? { marker: 'endpoint' as const } : t,
);

const FIRST = {
  text: 'Good morning.',
  speaker: '1',
  language: 'en',
  start_ms: 120,
  end_ms: 620,
  end: 'endpoint',
  translations: [{ language: 'es', text: 'Buenos días.' }],
};
const SECOND = {
  text: 'Hola amigo',
  speaker: '2',
  language: 'es',
  start_ms: 2_000,
  end_ms: 2_700,
  end: 'endpoint',
  translations: [{ language: 'en', text: 'Hello friend' }],
};

describe('transcript: utterance buffer', () => {
  it('yields each utterance, with speaker, language, timings and its translation, when its <end> arrives', () => {
    const buffer = new UtteranceBuffer();
    const seen: Array<[number, Utterance[]]> = [];
    TWO_WAY.forEach((token, i) => {
      const done = buffer.push(token);
      if (done.length) seen.push([i, done]);
    });
    expect(seen.map(([i]) => i)).to.deep.equal([7, 14]);
    expect(seen.flatMap(([, done]) => done.map(view))).to.deep.equal([FIRST, SECOND]);
    expect(buffer.flush()).to.deep.equal([]);
  });

  it('takes the realtime stream in-band markers; finalized ends an utterance too', () => {
    const buffer = new UtteranceBuffer();
    const done = IN_BAND.flatMap((item) => buffer.push(item));
    expect(done.map(view)).to.deep.equal([FIRST, SECOND]);
    const fin = new UtteranceBuffer();
    expect(fin.push(said('Stop', 0, 300, '1', 'en'))).to.deep.equal([]);
    expect(fin.push({ marker: 'finalized' }).map((u) => [u.text, u.end])).to.deep.equal([
      ['Stop', 'finalized'],
    ]);
    expect(fin.push(said(' go', 400, 500, '1', 'en'))).to.deep.equal([]);
    expect(fin.push(FIN).map((u) => [u.text, u.end])).to.deep.equal([['go', 'finalized']]);
  });

  it('ignores non-final tokens: only finals make utterances', () => {
    const buffer = new UtteranceBuffer();
    const tail: RealtimeToken = { text: ' may', start_ms: 300, end_ms: 400, is_final: false };
    expect(buffer.push(said('Yes', 0, 200, '1', 'en'))).to.deep.equal([]);
    expect(buffer.push(tail)).to.deep.equal([]);
    const [u] = buffer.push(END);
    expect(u).to.include({ text: 'Yes', end_ms: 200 });
    expect(u?.tokens).to.have.length(1);
  });

  it('an endpoint with nothing before it yields nothing; flush yields the unfinished utterance', () => {
    const buffer = new UtteranceBuffer();
    expect(buffer.push(END)).to.deep.equal([]);
    expect(buffer.push({ marker: 'endpoint' })).to.deep.equal([]);
    expect(buffer.flush()).to.deep.equal([]);
    buffer.push(said('Half', 0, 200, '1', 'en'));
    expect(buffer.flush().map(view)).to.deep.equal([
      {
        text: 'Half',
        speaker: '1',
        language: 'en',
        start_ms: 0,
        end_ms: 200,
        end: 'flush',
        translations: [],
      },
    ]);
  });

  it('holds an utterance whose translation comes after its endpoint until the translation is done', () => {
    const buffer = new UtteranceBuffer();
    expect(buffer.push(said('Yes', 0, 200, '1', 'en', 'original'))).to.deep.equal([]);
    expect(buffer.push(END)).to.deep.equal([]);
    expect(buffer.push(translated('Sí', '1', 'es', 'en'))).to.deep.equal([]);
    const [yes] = buffer.push(said(' ok', 900, 1_000, '1', 'en', 'original'));
    expect(yes && view(yes)).to.deep.equal({
      text: 'Yes',
      speaker: '1',
      language: 'en',
      start_ms: 0,
      end_ms: 200,
      end: 'endpoint',
      translations: [{ language: 'es', text: 'Sí' }],
    });
    expect(yes?.pairs.map((p) => [p.original?.text, p.translation?.text])).to.deep.equal([
      ['Yes', 'Sí'],
    ]);
    const [ok] = buffer.flush();
    expect(ok).to.include({ text: 'ok', end: 'flush' });
  });

  it('an utterance of two speakers or languages names neither and lists its segments', () => {
    const buffer = new UtteranceBuffer();
    buffer.push(said('Hi', 0, 100, '1', 'en'));
    buffer.push(said(' hola', 200, 300, '2', 'es'));
    const [u] = buffer.push({ marker: 'endpoint' });
    expect(u).to.not.have.property('speaker');
    expect(u).to.not.have.property('language');
    expect(u?.text).to.equal('Hi hola');
    expect(u?.segments.map((s) => [s.speaker, s.language, s.text])).to.deep.equal([
      ['1', 'en', 'Hi'],
      ['2', 'es', 'hola'],
    ]);
  });

  it('an utterance with two speakers in one language has two segments, one per speaker', () => {
    const buffer = new UtteranceBuffer();
    buffer.push(said('Yes', 0, 100, '1', 'en'));
    buffer.push(said(' no', 200, 300, '2', 'en'));
    const [u] = buffer.push(END);
    expect(u).to.include({ text: 'Yes no', language: 'en' });
    expect(u).to.not.have.property('speaker');
    expect(u?.segments.map((s) => [s.speaker, s.text])).to.deep.equal([
      ['1', 'Yes'],
      ['2', 'no'],
    ]);
  });

  it('an utterance of one speaker in two languages has two segments, one per language', () => {
    const buffer = new UtteranceBuffer();
    buffer.push(said('Yes', 0, 100, '1', 'en'));
    buffer.push(said(' sí', 200, 300, '1', 'es'));
    const [u] = buffer.push(END);
    expect(u).to.include({ speaker: '1' });
    expect(u?.segments.map((s) => [s.language, s.text])).to.deep.equal([
      ['en', 'Yes'],
      ['es', 'sí'],
    ]);
  });

  it('utterances(): an async iterable of tokens and markers in, completed utterances out', async () => {
    const out: Utterance[] = [];
    for await (const u of utterances(Readable.from(IN_BAND))) out.push(u);
    expect(out.map(view)).to.deep.equal([FIRST, SECOND]);
    const tail: Utterance[] = [];
    for await (const u of utterances(Readable.from([said('Tail', 0, 100, '1', 'en')])))
      tail.push(u);
    expect(tail.map((u) => [u.text, u.end])).to.deep.equal([['Tail', 'flush']]);
  });

  it('utteranceTransform(): pipes a token stream into utterances, backpressure and all', async () => {
    const out: Utterance[] = [];
    await pipeline(
      Readable.from([...IN_BAND, said('Tail', 3_000, 3_100, '1', 'en')]),
      utteranceTransform(),
      new Writable({
        objectMode: true,
        highWaterMark: 1,
        write(u: Utterance, _encoding, done) {
          out.push(u);
          setImmediate(done);
        },
      }),
    );
    expect(out.map((u) => u.text)).to.deep.equal(['Good morning.', 'Hola amigo', 'Tail']);
  });

  describe('on a realtime stream', () => {
    const t = fixture({ mock: { realtimePacing: false } });

    it("fed by the stream's result messages, yields the utterance at the server's <fin>", async () => {
      const audio = audioFixture('hello-world.wav');
      const stream = t.client.realtime({
        audio_format: 'pcm_s16le',
        sample_rate: 16000,
        num_channels: 1,
      });
      t.defer(() => stream.destroy());
      const buffer = new UtteranceBuffer();
      const got: Utterance[] = [];
      stream.on('result', (m) => m.tokens.forEach((token) => got.push(...buffer.push(token))));
      stream.resume();
      stream.write(audio.pcm);
      stream.finalize();
      await until(() => got.length > 0, 10_000);
      expect(got.map((u) => [u.text, u.end])).to.deep.equal([[audio.text, 'finalized']]);
      stream.end();
      await new Promise<void>((resolve) => stream.once('end', () => resolve()));
      expect(buffer.flush()).to.deep.equal([]);
    });

    it("piped straight from the stream's in-band markers into utterances()", async () => {
      const audio = audioFixture('hello-world.wav');
      const stream = t.client.realtime({
        audio_format: 'pcm_s16le',
        sample_rate: 16000,
        num_channels: 1,
        markers: 'inband',
      });
      t.defer(() => stream.destroy());
      stream.write(audio.pcm);
      stream.finalize();
      const got: Utterance[] = [];
      for await (const u of utterances(stream)) {
        got.push(u);
        if (got.length === 1) stream.end();
      }
      expect(got.map((u) => [u.text, u.end])).to.deep.equal([[audio.text, 'finalized']]);
    });
  });
});
