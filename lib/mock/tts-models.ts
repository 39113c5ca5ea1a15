/**
 * The text-to-speech models of `GET /v1/tts-models`, as the OpenAPI document's example lists them
 * (`GetTTSModelsResponse`: "Retrieves list of available TTS models and their attributes."). The
 * SDK does not use text-to-speech; the mock answers the documented route so that a client that
 * lists it (the official SDK's `tts.listModels()`) works offline. The document's `TTSVoice` is
 * `{ id }` only (the official SDK also types a description and a gender: not documented, not sent).
 */

/** One language of a model, `{ code, name }`. */
export interface TtsLanguage {
  code: string;
  name: string;
}

/** A text-to-speech model, the document's `TTSModel` (every field required). */
export interface TtsModel {
  id: string;
  aliased_model_id: string | null;
  name: string;
  voices: Array<{ id: string }>;
  languages: TtsLanguage[];
}

// "code:Name" pairs, as in the document's example (Names are one word there).
const LANGUAGES =
  'af:Afrikaans ar:Arabic az:Azerbaijani be:Belarusian bg:Bulgarian bn:Bengali bs:Bosnian ca:Catalan cs:Czech cy:Welsh da:Danish de:German el:Greek en:English es:Spanish et:Estonian eu:Basque fa:Persian fi:Finnish fr:French gl:Galician gu:Gujarati he:Hebrew hi:Hindi hr:Croatian hu:Hungarian id:Indonesian is:Icelandic it:Italian ja:Japanese kk:Kazakh kn:Kannada ko:Korean lt:Lithuanian lv:Latvian mk:Macedonian ml:Malayalam mr:Marathi ms:Malay nl:Dutch no:Norwegian pa:Punjabi pl:Polish pt:Portuguese ro:Romanian ru:Russian sk:Slovak sl:Slovenian sq:Albanian sr:Serbian su:Sundanese sv:Swedish sw:Swahili ta:Tamil te:Telugu th:Thai tl:Tagalog tr:Turkish uk:Ukrainian ur:Urdu uz:Uzbek vi:Vietnamese zh:Chinese';

const VOICES = 'Maya Daniel Noah Nina Emma Jack Adrian Claire Grace Owen Mina Kenji';

/** The models the mock lists: the document's example. */
export const TTS_MODELS: readonly TtsModel[] = [
  {
    id: 'tts-rt-v1-preview',
    aliased_model_id: null,
    name: 'TTS RT v1 Preview',
    voices: VOICES.split(' ').map((id) => ({ id })),
    languages: LANGUAGES.split(' ').map((pair) => {
      const [code = '', name = ''] = pair.split(':');
      return { code, name };
    }),
  },
];
