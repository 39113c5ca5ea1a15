import { expect } from 'chai';
import * as sdk from '../lib/index';
import * as mockEntry from '../lib/mock/index';
import type {
  FastifyLikeReply,
  FastifyLikeRequest,
  KoaLikeContext,
  WebhookAnswer,
  WebhookDelivery,
  WebhookHandler,
  WebhookHandlerOptions,
  WebhookHeaders,
  WebhookRequest,
} from '../lib/index';

describe('package entry points', () => {
  it('export the public names of the design', () => {
    for (const name of [
      'SonioxClient',
      'RealtimeStream',
      'SonioxError',
      'SonioxConfigError',
      'SonioxValidationError',
      'SonioxAPIError',
      'SonioxAuthenticationError',
      'SonioxPermissionError',
      'SonioxNotFoundError',
      'SonioxRateLimitError',
      'SonioxResponseError',
      'SonioxServerError',
      'SonioxConnectionError',
      'SonioxTimeoutError',
      'SonioxTranscriptionError',
      'SonioxWebSocketError',
      'SonioxAbortError',
    ]) {
      expect(sdk, name).to.have.property(name);
    }
    expect(mockEntry).to.have.property('startMockServer');
    expect(mockEntry).to.have.property('parseFaultFlag');
  });

  it('export nothing else: internals (retry policy, config resolution, redaction) stay inside', () => {
    expect(Object.keys(sdk).sort()).to.deep.equal([
      'ChannelSplitStream',
      'CueBuilder',
      'DEFAULT_ASYNC_MODEL',
      'DEFAULT_REALTIME_MODEL',
      'MAX_FILE_SIZE',
      'MediaStreamTranscriber',
      'RealtimeStream',
      'SonioxAPIError',
      'SonioxAbortError',
      'SonioxAuthenticationError',
      'SonioxBadRequestError',
      'SonioxClient',
      'SonioxConfigError',
      'SonioxConflictError',
      'SonioxConnectionError',
      'SonioxError',
      'SonioxHookError',
      'SonioxJournalError',
      'SonioxJournalLockedError',
      'SonioxNotFoundError',
      'SonioxOutcomeUnknownError',
      'SonioxPayloadTooLargeError',
      'SonioxPaymentRequiredError',
      'SonioxPermissionError',
      'SonioxRateLimitError',
      'SonioxResponseError',
      'SonioxServerError',
      'SonioxTimeoutError',
      'SonioxTranscriptionError',
      'SonioxUploadError',
      'SonioxUploadNotRetryableError',
      'SonioxValidationError',
      'SonioxWebSocketError',
      'UtteranceBuffer',
      'formatCue',
      'pairTranslations',
      'paragraphs',
      'realtimeModelIssues',
      'segments',
      'sentences',
      'splitTranslation',
      'subtitleHeader',
      'toSrt',
      'toVtt',
      'tokensText',
      'transcriptText',
      'utteranceTransform',
      'utterances',
      'webhookUrl',
    ]);
  });

  it('give every error class its own literal code', () => {
    const codes = Object.values(sdk)
      .filter(
        (value): value is typeof sdk.SonioxError =>
          typeof value === 'function' && value.prototype instanceof Error,
      )
      .map(
        (ErrorClass) =>
          new (ErrorClass as unknown as new (...args: string[]) => { code: sdk.SonioxErrorCode })(
            'x',
            'y',
            'z',
          ).code,
      );
    expect(new Set(codes).size).to.equal(codes.length);
    // Checked by npm run typecheck: a code outside the union, or a subclass's code widened, does not compile.
    // @ts-expect-error 'timed_out' is not a code
    const misspelt: sdk.SonioxErrorCode = 'timed_out';
    // @ts-expect-error a rate-limit error's code is exactly 'rate_limited'
    const widened: sdk.SonioxRateLimitError['code'] = 'server_error';
    expect([misspelt, widened]).to.have.length(2);
  });

  it('export the types of the public surface, and no dead or internal one (npm run typecheck)', () => {
    // The webhook handler's types: what handler() takes and returns, and what its adapters take.
    const options: WebhookHandlerOptions = { onEvent: (event: WebhookDelivery) => void event.id };
    const headers: WebhookHeaders = { 'content-type': 'application/json' };
    const request: WebhookRequest = { method: 'POST', headers, body: '' };
    const answer: WebhookAnswer = { status: 200, body: '' };
    type Adapters = [WebhookHandler, FastifyLikeRequest, FastifyLikeReply, KoaLikeContext];
    const adapters: Adapters | undefined = undefined;
    // @ts-expect-error deprecated before it ever shipped: TranslationPair is the one name
    type Dead1 = sdk.SegmentPair;
    // @ts-expect-error deprecated before it ever shipped: TranslationPair is the one name
    type Dead2 = sdk.RealtimeTranslationPair;
    // @ts-expect-error the retry loop's internal record of an attempt
    type Internal = sdk.AttemptFailure;
    const unused: Array<[Dead1, Dead2, Internal]> = [];
    expect([options, request, answer, adapters, unused]).to.have.length(5);
  });
});
