import { expect } from 'chai';
import * as sdk from '../lib/index';
import * as mockEntry from '../lib/mock/index';

describe('package entry points', () => {
  it('export the public names of the design', () => {
    for (const name of [
      'SonioxClient', 'RealtimeStream', 'SonioxError', 'SonioxConfigError', 'SonioxValidationError', 'SonioxAPIError',
      'SonioxAuthenticationError', 'SonioxPermissionError', 'SonioxNotFoundError', 'SonioxRateLimitError', 'SonioxServerError',
      'SonioxConnectionError', 'SonioxTimeoutError', 'SonioxTranscriptionError', 'SonioxWebSocketError', 'SonioxAbortError',
      'backoffDelay', 'parseRetryAfter',
    ]) {
      expect(sdk, name).to.have.property(name);
    }
    expect(mockEntry).to.have.property('startMockServer');
    expect(mockEntry).to.have.property('parseFaultFlag');
  });
});
