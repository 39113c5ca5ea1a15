/** Batch transcription: many inputs, bounded concurrency, quota waits, resumable by journal. */
export { transcribeMany, BATCH_DEFAULTS, type BatchDeps } from './run';
export type {
  BatchSource,
  TranscribeManyOptions,
  BatchResult,
  BatchDone,
  BatchSkipped,
  BatchFailed,
  BatchProgress,
} from './types';
