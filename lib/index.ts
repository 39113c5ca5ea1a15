/**
 * soniox-pro-sdk: the public surface, named one by one so nothing internal leaks out by
 * `export *` (a spec holds the exact list). Internals (the retry policy's pure
 * functions, config resolution, redaction, the realtime context) stay importable only by path
 * inside the package.
 */
export { SonioxClient } from './client';
export type {
  TranscribeOptions,
  TranscribeResult,
  TranscribeSource,
  CleanupTarget,
  CleanupEvent,
} from './client';
export type { TranslateOptions, TranslateMode } from './translate';
export type {
  BatchSource,
  TranscribeManyOptions,
  BatchResult,
  BatchDone,
  BatchSkipped,
  BatchFailed,
  BatchProgress,
} from './batch';
export type {
  SonioxClientOptions,
  SonioxRegion,
  RequestEvent,
  ResponseEvent,
  RetryEvent,
} from './config';
export {
  SonioxError,
  SonioxConfigError,
  SonioxValidationError,
  SonioxAPIError,
  SonioxBadRequestError,
  SonioxAuthenticationError,
  SonioxPaymentRequiredError,
  SonioxPermissionError,
  SonioxNotFoundError,
  SonioxConflictError,
  SonioxPayloadTooLargeError,
  SonioxRateLimitError,
  SonioxServerError,
  SonioxConnectionError,
  SonioxUploadNotRetryableError,
  SonioxOutcomeUnknownError,
  SonioxResponseError,
  SonioxUploadError,
  SonioxHookError,
  SonioxTimeoutError,
  SonioxAbortError,
  SonioxTranscriptionError,
  SonioxWebSocketError,
  SonioxJournalError,
  SonioxJournalLockedError,
} from './errors';
export type {
  SonioxErrorCode,
  SonioxAPIErrorCode,
  SonioxErrorOptions,
  FieldIssue,
  APIErrorDetails,
  WebSocketErrorDetails,
  SonioxQuota,
  JournalLockHolder,
} from './errors';
export { MAX_FILE_SIZE, DEFAULT_ASYNC_MODEL, DEFAULT_REALTIME_MODEL } from './types';
export type {
  ApiValidationError,
  ApiErrorBody,
  SonioxFile,
  FileList,
  ListParams,
  TranslationConfig,
  StructuredContext,
  CreateTranscriptionParams,
  TranscriptionStatus,
  Transcription,
  TranscriptionList,
  TranscriptToken,
  Transcript,
  Model,
  ModelList,
  ResourceCount,
  CreateTemporaryKeyParams,
  TemporaryKey,
  RealtimeAudioFormat,
  RealtimeRawAudioFormat,
  RealtimeContainerAudioFormat,
  RealtimeConfigFields,
  RealtimeRawAudio,
  RealtimeContainerAudio,
  RealtimeConfig,
  RealtimeStartMessage,
  RealtimeToken,
  RealtimeMessage,
  WebhookEvent,
  UsageLog,
  UsageLogList,
  UsageSummary,
  UsageSummaryEntry,
  ConcurrencyScope,
  ConcurrencyLimitsInfo,
  ConcurrentStreamsHistory,
  ConcurrentStreamsHistoryEntry,
} from './types';
export type { CallOptions, PoolStats } from './http/transport';
export type { RetryPolicyOptions } from './internal/backoff';
export type { UploadInput } from './http/upload-source';
export type { Files, UploadOptions, UploadProgress } from './resources/files';
export type {
  Transcriptions,
  WaitOptions,
  TranscriptionBulkDeleteOptions,
} from './resources/transcriptions';
// The resource handles of `client.models` and `client.auth`: types only (the client makes them).
export type { Models } from './resources/models';
export type { Auth } from './resources/auth';
export type { BulkDeleteOptions, BulkDeleteResult, BulkDeleteProgress } from './resources/bulk';
export type {
  Webhooks,
  WebhookAuth,
  WebhookHandlerOptions,
  WebhookDelivery,
  WebhookHandler,
  WebhookRequest,
  WebhookAnswer,
  WebhookHeaders,
  FastifyLikeRequest,
  FastifyLikeReply,
  KoaLikeContext,
} from './resources/webhooks';
export { webhookUrl, type WebhookQuery } from './resources/webhook-url';
export type { WebhookArrivalSource } from './resources/webhook-arrivals';
export type { Logger, LogLevel } from './internal/log';
export type { UsageLogs, UsageLogListParams } from './resources/usage-logs';
export type {
  ConcurrencyLimits,
  ConcurrentStreamsHistoryParams,
} from './resources/concurrency-limits';
export type { TimeWindow, TimeInput } from './resources/time-window';
export { RealtimeStream } from './realtime/stream';
export type { WarmPool, PreconnectOptions } from './realtime/warm-pool';
export type { FinalizeOptions } from './realtime/control';
export type {
  RealtimeStreamConfig,
  RealtimeOptions,
  ReconnectOptions,
  ReconnectEvent,
  RolloverOptions,
  RolloverEvent,
  RealtimePhase,
  WebSocketFactory,
  RealtimeSocket,
  RealtimeSocketOptions,
  RealtimeSocketData,
  RealtimeStreamEvents,
  RealtimeMarker,
  RealtimeItem,
  RealtimeUsage,
  RealtimeStreamError,
  MarkerDelivery,
  RealtimeStreamIterator,
  RealtimeListener,
} from './realtime/stream';
export type { SaveAudioTarget } from './realtime/save-audio';
export { ChannelSplitStream } from './realtime/channel-split';
export type {
  ChannelSplitConfig,
  ChannelToken,
  OpenChannelSession,
} from './realtime/channel-split';
export { MediaStreamTranscriber } from './realtime/media-stream';
export type { MediaStreamConfig, PhoneToken, OpenRealtimeSession } from './realtime/media-stream';
export type {
  MediaStreamEvent,
  MediaStreamFormat,
  MediaStreamStart,
} from './realtime/media-stream-messages';
export {
  segments,
  sentences,
  paragraphs,
  pairTranslations,
  splitTranslation,
  UtteranceBuffer,
  utterances,
  utteranceTransform,
  CueBuilder,
  formatCue,
  subtitleHeader,
  toSrt,
  toVtt,
  tokensText,
  transcriptText,
} from './transcript';
export type {
  TokenLike,
  Segment,
  SegmentBoundary,
  SegmentKind,
  SegmentOptions,
  Paragraph,
  ParagraphOptions,
  TranslationPair,
  TranslationTexts,
  TranslationText,
  Utterance,
  UtteranceInput,
  UtteranceMarker,
  Cue,
  SubtitleFormat,
  SubtitleOptions,
  TextOptions,
} from './transcript';
export { realtimeModelIssues } from './model-catalogue';
export type { RealtimeModelParams } from './model-catalogue';
