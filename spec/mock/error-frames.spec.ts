import { expect } from 'chai';
import { PCM } from '../audio';
import { fixture } from '../helpers';
import { openSession } from './flows';

/**
 * The API reference: "The WebSocket APIs currently return only an HTTP status code
 * (`error_code`) and a human-readable `error_message`"; the real-time error-handling page shows
 * `{"error_code": 400, "error_message": "Invalid model specified."}`. Other pages show a richer
 * frame (`error_type`, `request_id`, `more_info`): the mock sends it only when asked.
 */
describe('mock: realtime error frames', () => {
  const BAD_MODEL = { model: 'no-such-model', ...PCM };

  describe('by default', () => {
    const t = fixture();

    it('carry only error_code and error_message, as the API reference documents', async () => {
      const s = await openSession(t.server, BAD_MODEL);
      await s.closed();
      expect(s.messages).to.have.length(1);
      expect(s.messages[0]).to.deep.equal({
        error_code: 400,
        error_message: 'Invalid model specified.',
      });
    });

    it('a scripted error too, unless it names its type', async () => {
      t.server.scripts.realtime({ steps: [{ on: { audioMs: 0 }, error: { code: 503 } }] });
      const s = await openSession(t.server, { model: 'stt-rt-v5', ...PCM });
      s.ws.send(Buffer.alloc(3200));
      await s.closed();
      expect(Object.keys(s.messages.at(-1) ?? {}).sort()).to.deep.equal([
        'error_code',
        'error_message',
      ]);
    });
  });

  describe("with realtimeErrorShape: 'rich'", () => {
    const t = fixture({ mock: { realtimeErrorShape: 'rich' } });

    it('add tokens, error_type, more_info and request_id', async () => {
      const s = await openSession(t.server, BAD_MODEL);
      await s.closed();
      const frame = s.messages[0] as unknown as Record<string, unknown>;
      expect(frame).to.include({
        error_code: 400,
        error_type: 'model_not_available',
        error_message: 'Invalid model specified.',
        more_info: 'https://soniox.com/docs/api-reference/errors#model-not-available',
      });
      expect(frame.tokens).to.deep.equal([]);
      expect(frame.request_id).to.match(/^[0-9a-f-]{36}$/);
    });
  });
});
