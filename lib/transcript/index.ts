/** Pure helpers over transcript tokens (async and realtime): segments, utterances, translation, subtitles, text. */
export * from './tokens';
export * from './segments';
export * from './sentences';
export * from './translation';
export * from './utterances';
export * from './subtitles';
export * from './text';
