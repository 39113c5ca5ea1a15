/**
 * Issue 28: the API reference says "The WebSocket APIs currently return only an HTTP status code
 * (error_code) and a human-readable error_message". A realtime error built from that minimal
 * frame carries both (the server's message as given, in `serverMessage`), leaves what the frame
 * lacks undefined, and the error guide says which fields may be absent live.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { SonioxWebSocketError } from '../../lib/errors';
import { parseServerMessage } from '../../lib/realtime/protocol';

describe('realtime errors from the documented minimal frame', () => {
  it('carries error_code and error_message; errorType and requestId are undefined', () => {
    const error = parseServerMessage(
      '{"error_code":400,"error_message":"Invalid model specified."}',
    ) as SonioxWebSocketError;
    expect(error).to.be.instanceOf(SonioxWebSocketError);
    expect(error.serverCode).to.equal(400);
    expect(error.serverMessage).to.equal('Invalid model specified.');
    expect(error.errorType).to.equal(undefined);
    expect(error.requestId).to.equal(undefined);
    expect(error.retryable).to.equal(false);
    expect(error.message).to.equal('realtime session failed with 400: Invalid model specified.');
  });

  it('keeps the key out of serverMessage', () => {
    const error = parseServerMessage('{"error_code":401,"error_message":"bad key sk-1234"}', [
      'sk-1234',
    ]) as SonioxWebSocketError;
    expect(error.serverMessage).to.not.include('sk-1234');
  });

  it('the error guide and the README say which fields may be absent live', () => {
    const root = path.join(__dirname, '..', '..');
    const guide = fs.readFileSync(path.join(root, 'docs', 'errors.md'), 'utf8');
    expect(guide).to.match(/only `error_code` and `error_message`/);
    expect(guide).to.match(/`errorType`, `requestId`[^.]*undefined/);
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).to.match(/realtime errors.*`errorType`.*may be\s+undefined/is);
  });
});
