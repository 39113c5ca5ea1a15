/**
 * client.transcribe: bad parameters are refused before a byte is uploaded, and an aborted flow
 * rejects at once while its cleanup goes on in the background, bounded, reporting failures.
 */
import { expect } from 'chai';
import { SonioxAbortError, SonioxValidationError, type SonioxError } from '../lib/errors';
import { rejection, until, fixture } from './helpers';

const UPLOAD = 'POST /v1/files';

describe('client.transcribe: up-front checks and aborts', () => {
  const t = fixture({ mock: { timing: { queuedMs: 3_600_000, processingMs: 1 } } });

  for (const [what, options] of [
    ['an unknown create parameter type', { language_hints: 'en' }],
    ['a model that is not a string', { model: 5 }],
    ['a client_reference_id over 256 characters', { client_reference_id: 'x'.repeat(300) }],
    ['a cleanup that is neither boolean nor a list of targets', { cleanup: 'yes' }],
    ['a cleanup list with an unknown target', { cleanup: ['bogus'] }],
    ['a cleanup that is a number', { cleanup: 5 }],
    ['an onCleanupError that is not a function', { onCleanupError: 'log' }],
    ['a poll interval of 0', { pollIntervalMs: 0 }],
  ] as const) {
    it(`refuses ${what} before uploading anything`, async () => {
      const client = t.client;
      const error = await rejection(client.transcribe(Buffer.alloc(64_000, 1), options as never));
      expect(error).to.be.instanceOf(SonioxValidationError);
      expect(t.server.state.hits[UPLOAD] ?? 0).to.equal(0);
    });
  }

  it('rejects an aborted flow at once with SonioxAbortError; its cleanup goes on in the background and reports a failure', async () => {
    // Deleting hangs: an awaited cleanup would hold the rejection for as long.
    t.server.setFaults({
      http: [
        { route: 'DELETE /v1/transcriptions/:id', delayMs: 30_000 },
        { route: 'DELETE /v1/files/:id', delayMs: 30_000 },
      ],
    });
    const client = t.client;
    const controller = new AbortController();
    const cleanupErrors: Array<[SonioxError, string]> = [];
    const flow = rejection(
      client.transcribe(Buffer.alloc(64_000, 1), {
        signal: controller.signal,
        pollIntervalMs: 50,
        onCleanupError: (e, target) => cleanupErrors.push([e, target]),
      }),
    );
    // Waiting: the transcription exists and the client knows its id.
    await until(() => (t.server.state.hits['GET /v1/transcriptions/:id'] ?? 0) >= 1);
    const started = process.hrtime.bigint();
    controller.abort();
    const error = await flow;
    expect(Number(process.hrtime.bigint() - started) / 1e6).to.be.below(500);
    expect(error).to.be.instanceOf(SonioxAbortError);
    await until(() => (t.server.state.hits['DELETE /v1/transcriptions/:id'] ?? 0) === 1);
    // Closing the client ends the cleanup in flight: it is reported, not lost.
    client.close();
    await until(() => cleanupErrors.length >= 1);
    expect(cleanupErrors[0]![1]).to.equal('transcription');
  });
});
