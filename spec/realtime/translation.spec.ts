/**
 * Translation kept apart: with two-way translation the stream never glues both directions into
 * one string; originals per spoken language, translations per target language, and each
 * translated segment paired with its original. Tokens as the Soniox API documentation shows
 * them (translation_status original/translation, language, source_language), from a scripted
 * server.
 */
import { expect } from 'chai';
import { once } from 'node:events';
import { SonioxClient } from '../../lib/client';
import { pairTranslations } from '../../lib/transcript';
import type { RealtimeStream, RealtimeStreamConfig } from '../../lib/realtime/stream';
import type { RealtimeToken } from '../../lib/types';
import { PCM } from '../audio';
import { SECRET_KEY, fixture } from '../helpers';
import { onEndOfAudio, scriptedServer, sendJson, tok } from './scripted-server';

const original = (text: string, at: number, language: string, speaker = '1'): RealtimeToken =>
  tok(text, at, { translation_status: 'original', language, speaker });
const translated = (text: string, language: string, source: string): RealtimeToken => ({
  text,
  is_final: true,
  translation_status: 'translation',
  language,
  source_language: source,
});

/** A two-way en <-> es conversation: each segment's original, then its translation. */
const TWO_WAY: RealtimeToken[][] = [
  [original('Good', 0, 'en'), original(' morning', 300, 'en')],
  [translated('Buenos', 'es', 'en'), translated(' días', 'es', 'en')],
  [original(' Hola', 1000, 'es', '2'), original(' amigo', 1300, 'es', '2')],
  [translated(' Hello', 'en', 'es'), translated(' friend', 'en', 'es')],
  [original(' How', 2000, 'en'), original(' are', 2200, 'en')],
  // The non-final tail of the next segment: never part of any text.
  [original(' you', 2400, 'en'), { ...translated(' Cómo', 'es', 'en'), is_final: false }],
  [translated(' Cómo', 'es', 'en'), translated(' estás', 'es', 'en')],
];

describe('realtime translation kept apart (scripted server)', () => {
  const t = fixture();

  async function session(config: RealtimeStreamConfig, frames: RealtimeToken[][]) {
    const server = await scriptedServer((ws) =>
      onEndOfAudio(ws, () => {
        for (const tokens of frames) sendJson(ws, { tokens });
        sendJson(ws, { tokens: [], finished: true });
      }),
    );
    t.defer(() => server.close());
    const client = new SonioxClient({ apiKey: SECRET_KEY, realtimeURL: server.url, env: {} });
    const stream: RealtimeStream = client.realtime({ ...PCM, ...config });
    t.defer(() => stream.destroy());
    stream.resume();
    stream.end(Buffer.alloc(3200));
    await once(stream, 'finished');
    return stream;
  }

  it('keeps both directions of two-way translation apart, per language', async () => {
    const stream = await session(
      { translation: { type: 'two_way', language_a: 'en', language_b: 'es' } },
      TWO_WAY,
    );
    expect(stream.translations).to.deep.equal({
      es: 'Buenos días Cómo estás',
      en: 'Hello friend',
    });
    expect(stream.originals).to.deep.equal({ en: 'Good morning How are you', es: 'Hola amigo' });
    // No single string holds two languages: two-way has no one translation.
    expect(stream.translation).to.equal('');
    expect(stream.translation).not.to.include('Hello');
  });

  it('gives no one translation for two-way translation even while only one direction has been spoken', async () => {
    const stream = await session(
      { translation: { type: 'two_way', language_a: 'en', language_b: 'es' } },
      TWO_WAY.slice(0, 2),
    );
    expect(stream.translations).to.deep.equal({ es: 'Buenos días' });
    // Which direction `translation` would hold depends on who spoke first: it holds none.
    expect(stream.translation).to.equal('');
  });

  it('pairs each translated segment with the original it translates', async () => {
    const stream = await session(
      { translation: { type: 'two_way', language_a: 'en', language_b: 'es' } },
      TWO_WAY,
    );
    const pairs = stream.translationPairs.map(({ original: o, translation: tr }) => ({
      from: o?.language,
      to: tr?.language,
      original: o?.text,
      translation: tr?.text,
      start_ms: o?.start_ms,
      end_ms: o?.end_ms,
      speaker: o?.speaker,
    }));
    expect(pairs).to.deep.equal([
      {
        from: 'en',
        to: 'es',
        original: 'Good morning',
        translation: 'Buenos días',
        start_ms: 0,
        end_ms: 400,
        speaker: '1',
      },
      {
        from: 'es',
        to: 'en',
        original: 'Hola amigo',
        translation: 'Hello friend',
        start_ms: 1000,
        end_ms: 1400,
        speaker: '2',
      },
      {
        from: 'en',
        to: 'es',
        original: 'How are you',
        translation: 'Cómo estás',
        start_ms: 2000,
        end_ms: 2500,
        speaker: '1',
      },
    ]);
  });

  it('pairs its final tokens exactly as pairTranslations pairs the same tokens of a transcript', async () => {
    const stream = await session(
      { translation: { type: 'two_way', language_a: 'en', language_b: 'es' } },
      TWO_WAY,
    );
    const finals = TWO_WAY.flat().filter((token) => token.is_final);
    expect(stream.translationPairs).to.deep.equal(pairTranslations(finals));
  });

  it('gives one-way translation as translation and under its target language', async () => {
    const stream = await session({ translation: { type: 'one_way', target_language: 'fr' } }, [
      [original('Hello', 0, 'en'), original(' there', 300, 'en')],
      [translated('Bonjour', 'fr', 'en'), translated(' à vous', 'fr', 'en')],
    ]);
    expect(stream.translation).to.equal('Bonjour à vous');
    expect(stream.translations).to.deep.equal({ fr: 'Bonjour à vous' });
    expect(stream.transcript).to.equal('Hello there');
    expect(
      stream.translationPairs.map((p) => [p.original?.text, p.translation?.text]),
    ).to.deep.equal([['Hello there', 'Bonjour à vous']]);
  });
});
