/**
 * `transcriptions.wait(id, { webhook: client.webhooks })`: resolves on the first of a verified
 * webhook delivery for that id or the polled status; polling slows while the webhook is
 * expected, duplicates are dropped, and a webhook that never comes costs only the slow polls.
 * Soniox's webhook guide: a failed delivery can be made up by fetching the transcription.
 */
import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixture, until } from '../helpers';

const GET = 'GET /v1/transcriptions/:id';
const AUDIO = { audio_url: 'https://example.com/call.wav' };

describe('transcriptions.wait with a webhook', () => {
  describe('on a fake clock', () => {
    // The mock ends the job 10 s after its creation (fake time); real I/O keeps running.
    const t = fixture({
      mock: { timing: { queuedMs: 1_000, processingMs: 9_000 } },
      clock: { toFake: ['setTimeout', 'clearTimeout', 'Date'] },
    });

    /** Advances the fake clock by `ms` in steps, letting real I/O run between them. */
    async function advance(ms: number, step = 500) {
      for (let done = 0; done < ms; done += step) {
        await t.clock.tickAsync(step);
        await new Promise((resolve) => setImmediate(resolve));
      }
    }

    it('webhook first: resolves on the delivery, having polled only at the slow interval', async () => {
      const { id } = await t.client.transcriptions.create(AUDIO);
      let result: { status: string } | undefined;
      void t.client.transcriptions
        .wait(id, { webhook: t.client.webhooks, webhookPollIntervalMs: 60_000 })
        .then((r) => (result = r));
      await advance(12_000); // the job ended at 10 s; no poll since the first
      expect(result).to.equal(undefined);
      expect(t.server.state.hits[GET]).to.equal(1);
      t.client.webhooks.notify({ id, status: 'completed' });
      await advance(500);
      expect(result?.status).to.equal('completed');
      expect(t.server.state.hits[GET]).to.equal(2); // the first poll, then one fetch on the delivery
    });

    it('webhook never comes: the slow poll finds the job ended', async () => {
      const { id } = await t.client.transcriptions.create(AUDIO);
      let result: { status: string } | undefined;
      void t.client.transcriptions
        .wait(id, { webhook: t.client.webhooks, webhookPollIntervalMs: 30_000 })
        .then((r) => (result = r));
      await advance(29_000);
      expect(result).to.equal(undefined);
      await advance(2_000);
      expect(result?.status).to.equal('completed');
      expect(t.server.state.hits[GET]).to.equal(2);
    });

    it('webhook twice, and before the wait began: one resolution, one fetch, the duplicate dropped', async () => {
      const { id } = await t.client.transcriptions.create(AUDIO);
      await advance(10_500);
      t.client.webhooks.notify({ id, status: 'completed' });
      t.client.webhooks.notify({ id, status: 'completed' });
      const waiting = t.client.transcriptions.wait(id, {
        webhook: t.client.webhooks,
        webhookPollIntervalMs: 60_000,
      });
      await advance(500);
      expect((await waiting).status).to.equal('completed');
      expect(t.server.state.hits[GET]).to.equal(1);
      t.client.webhooks.notify({ id, status: 'completed' });
      await advance(500);
      expect(t.server.state.hits[GET]).to.equal(1);
    });

    it('a delivery for another id does not end the wait', async () => {
      const { id } = await t.client.transcriptions.create(AUDIO);
      let result: unknown;
      void t.client.transcriptions
        .wait(id, { webhook: t.client.webhooks, webhookPollIntervalMs: 60_000 })
        .then((r) => (result = r));
      await advance(500);
      t.client.webhooks.notify({ id: '0b6f6c1e-1c7a-4a43-9d52-3c1f8e0c2a11', status: 'completed' });
      await advance(500);
      expect(result).to.equal(undefined);
      expect(t.server.state.hits[GET]).to.equal(1);
    });
  });

  describe('over the wire', () => {
    const t = fixture({ mock: { timing: { queuedMs: 1, processingMs: 1 } } });
    let receiver: http.Server | undefined;
    afterEach(async () => {
      receiver?.closeAllConnections();
      await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
      receiver = undefined;
    });

    it('the mock delivers to client.webhooks.handler, which ends the wait without a slow poll', async () => {
      const auth = { name: 'X-Webhook-Secret', secret: 'hook-secret-1' };
      const events: string[] = [];
      const hook = t.client.webhooks.handler({
        auth,
        onEvent: (event) => void events.push(event.status),
      });
      receiver = http.createServer((req, res) => void hook(req, res));
      await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
      const { port } = receiver.address() as AddressInfo;
      const { id } = await t.client.transcriptions.create({
        ...AUDIO,
        webhook_url: `http://127.0.0.1:${port}/soniox`,
        webhook_auth_header_name: auth.name,
        webhook_auth_header_value: auth.secret,
      });
      const done = await t.client.transcriptions.wait(id, {
        webhook: t.client.webhooks,
        webhookPollIntervalMs: 3_600_000,
        timeoutMs: 10_000,
      });
      expect(done.status).to.equal('completed');
      // onEvent runs after the delivery was announced: it is told too.
      await until(() => events.length > 0);
      expect(events).to.deep.equal(['completed']);
    });
  });
});
