import { expect } from 'chai';
import { SonioxAbortError, SonioxTimeoutError } from '../../lib/errors';
import { abortError } from '../../lib/internal/abort-error';

describe('internal/abort-error: what an aborted wait or call rejects with', () => {
  it('says the caller aborted, naming what was cut', () => {
    const error = abortError(AbortSignal.abort(), 'POST /v1/files');
    expect(error).to.be.instanceOf(SonioxAbortError).and.not.instanceOf(SonioxTimeoutError);
    expect(error.message).to.equal('POST /v1/files: aborted');
  });

  it('says a deadline passed when the signal timed out', () => {
    const error = abortError(AbortSignal.abort(new DOMException('t', 'TimeoutError')), 'poll');
    expect(error).to.be.instanceOf(SonioxTimeoutError);
    expect(error.message).to.equal('poll: deadline exceeded');
  });

  it('treats any other reason, even none at all, as an abort', () => {
    for (const reason of [null, 'stop', new Error('bye'), { name: 'AbortError' }]) {
      const controller = new AbortController();
      controller.abort(reason);
      expect(abortError(controller.signal, 'x')).to.be.instanceOf(SonioxAbortError);
    }
  });
});
