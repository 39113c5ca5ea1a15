/**
 * What the session's options do to recognised words, shared by the async and realtime halves:
 * speakers (`enable_speaker_diarization`), languages (`enable_language_identification`,
 * `language_hints_strict`) and translation tokens (`translation` one_way / two_way), plus the
 * checks of hints and translation languages against the model's catalogue.
 */
import type { TranscriptToken, TranslationConfig } from '../types';
import { languageCodes } from './models';

/** A recognised word with what the audio says about it (fixture manifest or placeholder rule). */
export interface SpokenWord {
  text: string;
  start_ms: number;
  end_ms: number;
  confidence: number;
  /** Who said it ("1", "2", ...). */
  speaker: string;
  /** The spoken language (ISO code). */
  language: string;
  /** Index of its speech segment (a phrase between pauses): translations are per segment. */
  segment: number;
}

/** The options of a request that shape tokens (async create body or realtime start message). */
export interface FeatureOptions {
  enable_speaker_diarization?: boolean | null;
  enable_language_identification?: boolean | null;
  language_hints?: string[] | null;
  language_hints_strict?: boolean | null;
  translation?: TranslationConfig | null;
}

/** A language problem found in the options: where, and what to say. */
export interface LanguageIssue {
  /** Dotted field path, e.g. `language_hints.1` or `translation.target_language`. */
  field: string;
  message: string;
}

/** Confidence the mock gives translation tokens (the API sends one; timings it does not). */
const TRANSLATION_CONFIDENCE = 0.9;

/**
 * Hint and translation codes the model does not list, as the API refuses them (400). An unknown
 * model is left to the model check.
 */
export function languageIssues(model: string, options: FeatureOptions): LanguageIssue[] {
  const known = languageCodes(model);
  if (!known) return [];
  const issues: LanguageIssue[] = [];
  (options.language_hints ?? []).forEach((code, i) => {
    if (!known.has(code))
      issues.push({ field: `language_hints.${i}`, message: `Invalid language hint "${code}".` });
  });
  const t = options.translation;
  const fields: Array<'target_language' | 'language_a' | 'language_b'> =
    t?.type === 'two_way' ? ['language_a', 'language_b'] : ['target_language'];
  for (const field of t ? fields : []) {
    const code = (t as Record<string, unknown> | undefined)?.[field];
    if (typeof code === 'string' && !known.has(code))
      issues.push({
        field: `translation.${field}`,
        message: `Unsupported translation language "${code}".`,
      });
  }
  return issues;
}

/**
 * The language the mock reports for a word: the spoken one, except that strict hints confine
 * recognition to the hinted languages, so speech in any other is reported as the first hint.
 */
export function reportedLanguage(word: SpokenWord, options: FeatureOptions): string {
  const hints = options.language_hints ?? [];
  if (options.language_hints_strict === true && hints.length > 0 && !hints.includes(word.language))
    return hints[0] as string;
  return word.language;
}

/** The language a segment spoken in `language` is translated into, if any. */
export function translationTarget(language: string, options: FeatureOptions): string | undefined {
  const t = options.translation;
  if (!t) return undefined;
  if (t.type === 'one_way')
    return t.target_language && t.target_language !== language ? t.target_language : undefined;
  if (language === t.language_a) return t.language_b;
  if (language === t.language_b) return t.language_a;
  return undefined;
}

/** The fields the options add to an original word's token (speaker, language, translation_status). */
export function originalFields(
  word: SpokenWord,
  options: FeatureOptions,
): Pick<TranscriptToken, 'speaker' | 'language' | 'translation_status'> {
  const out: Pick<TranscriptToken, 'speaker' | 'language' | 'translation_status'> = {};
  if (options.enable_speaker_diarization === true) out.speaker = word.speaker;
  const language = reportedLanguage(word, options);
  if (options.enable_language_identification === true || options.translation)
    out.language = language;
  if (options.translation)
    out.translation_status = translationTarget(language, options) ? 'original' : 'none';
  return out;
}

/**
 * Translation tokens of one segment (no timings, as the API sends them), or none when the
 * segment is not translated. `translations` maps target codes to text (from the manifest); a
 * target it lacks gets the documented placeholder `[<target>] <original text>`.
 */
export function translationTokens(
  segmentWords: SpokenWord[],
  translations: Record<string, string> | undefined,
  options: FeatureOptions,
  firstOfStream: boolean,
): TranscriptToken[] {
  const head = segmentWords[0];
  if (!head) return [];
  const source = reportedLanguage(head, options);
  const target = translationTarget(source, options);
  if (!target) return [];
  const text = translations?.[target] ?? `[${target}] ${segmentWords.map((w) => w.text).join(' ')}`;
  return text
    .split(' ')
    .filter((w) => w !== '')
    .map((w, i) => ({
      text: i === 0 && firstOfStream ? w : ` ${w}`,
      confidence: TRANSLATION_CONFIDENCE,
      ...(options.enable_speaker_diarization === true ? { speaker: head.speaker } : {}),
      language: target,
      source_language: source,
      translation_status: 'translation' as const,
    }));
}

/**
 * A whole transcript's tokens (async): each segment's words, then its translation when the
 * options ask for one. Leading spaces separate words within the original and within the
 * translated stream.
 */
export function transcriptTokens(
  words: SpokenWord[],
  translationsOf: (segment: number) => Record<string, string> | undefined,
  options: FeatureOptions,
): TranscriptToken[] {
  const out: TranscriptToken[] = [];
  let translated = 0;
  words.forEach((w, i) => {
    out.push({
      text: i === 0 ? w.text : ` ${w.text}`,
      start_ms: w.start_ms,
      end_ms: w.end_ms,
      confidence: w.confidence,
      ...originalFields(w, options),
    });
    const next = words[i + 1];
    if (next && next.segment === w.segment) return;
    const segmentWords = words.filter((x) => x.segment === w.segment);
    const tokens = translationTokens(
      segmentWords,
      translationsOf(w.segment),
      options,
      translated === 0,
    );
    translated += tokens.length;
    out.push(...tokens);
  });
  return out;
}

/**
 * A transcript's `text` from its tokens: joined as they are, with one space where a run of
 * translation tokens meets the original words (each run spaces its own words and starts with
 * none, so a plain join would glue `everyone` to `buenas`).
 */
export function transcriptText(tokens: readonly TranscriptToken[]): string {
  let text = '';
  let previous: TranscriptToken | undefined;
  for (const token of tokens) {
    const turn =
      previous !== undefined &&
      (previous.translation_status === 'translation') !==
        (token.translation_status === 'translation');
    text += turn && !/^\s/.test(token.text) && !/\s$/.test(text) ? ` ${token.text}` : token.text;
    previous = token;
  }
  return text;
}
