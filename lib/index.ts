/** soniox-pro-sdk: public exports only. */
export { SonioxClient } from './client';
export type { TranscribeOptions, TranscribeSource, CleanupTarget } from './client';
export { resolveConfig, regionHosts } from './config';
export type { SonioxClientOptions, SonioxRegion, RequestEvent, ResponseEvent, RetryEvent } from './config';
export * from './errors';
export * from './types';
export type { CallOptions, PoolStats } from './http/transport';
export { backoffDelay, parseRetryAfter, isRetryableFailure, DEFAULT_RETRY_POLICY } from './http/retry';
export type { RetryPolicyOptions, AttemptFailure } from './http/retry';
export type { UploadInput } from './http/upload-source';
export type { UploadOptions, UploadProgress } from './resources/files';
export type { WaitOptions } from './resources/transcriptions';
export { nextPollInterval } from './resources/transcriptions';
export type { WebhookAuth } from './resources/webhooks';
export { RealtimeStream } from './realtime/stream';
export type { RealtimeStreamConfig, RealtimeOptions, ReconnectOptions, ReconnectEvent, RealtimeContext, RealtimePhase, WebSocketFactory, RealtimeStreamEvents } from './realtime/stream';
