/**
 * client.transcribe resolves to the transcription as it ended (status, audio_duration_ms, model,
 * created_at, client_reference_id...) with its transcript attached: what billing and reports
 * need is not thrown away with the job that cleanup deletes. `id`, `text` and `tokens` stay
 * where the transcript had them.
 */
import { expect } from 'chai';
import { fixture } from './helpers';

const hello = 'fixtures/audio/hello-world.wav';

describe('client.transcribe: the transcription with its transcript', () => {
  const t = fixture({ mock: { timing: { queuedMs: 1, processingMs: 1 } } });

  it('resolves to the ended transcription, its transcript attached, after cleanup deleted the job', async () => {
    const result = await t.client.transcribe(hello, {
      client_reference_id: 'order-42',
      pollIntervalMs: 10,
    });
    // The job is gone (cleanup), yet its record is in the result.
    expect(t.server.state.transcriptions.size).to.equal(0);
    expect(result.status).to.equal('completed');
    expect(result.client_reference_id).to.equal('order-42');
    expect(result.audio_duration_ms).to.be.a('number').and.above(0);
    expect(result.model).to.be.a('string').and.not.equal('');
    expect(Date.parse(result.created_at)).to.be.above(0);
    // The transcript readers of before keep working, and the transcript is there whole.
    expect(result.text).to.equal('hello world this is a test');
    expect(result.tokens.map((token) => token.text).join('')).to.equal(result.text);
    expect(result.transcript).to.deep.equal({
      id: result.id,
      text: result.text,
      tokens: result.tokens,
    });
  });

  it('names the transcription by the id its transcript has, for a job kept with cleanup: false', async () => {
    const result = await t.client.transcribe(hello, { cleanup: false, pollIntervalMs: 10 });
    const kept = await t.client.transcriptions.get(result.id);
    expect(result.transcript.id).to.equal(kept.id);
    expect(result.status).to.equal(kept.status);
    expect(result.audio_duration_ms).to.equal(kept.audio_duration_ms);
    expect(result.filename).to.equal(kept.filename);
  });
});
