/**
 * The live suite: `npm run test:live` (scripts/test-live.js). The end-to-end flows of flows.ts
 * against the real Soniox API with SONIOX_API_KEY; with `--record <dir>` each client writes
 * its cassettes there (SONIOX_RECORD) for the mock to replay. Skipped, with its reason, when no
 * key is set. Never part of `npm test`: its name does not end in .spec.ts (CI has no key).
 */
import {
  realtimeFlow,
  skipReason,
  temporaryKeyFlow,
  transcribeFlow,
  translationFlow,
  webhookFlow,
  webhookSettings,
} from './flows';

describe('live: the real Soniox API', function () {
  this.timeout(600_000);
  const env = process.env;

  before(function () {
    const reason = skipReason(env);
    if (reason) {
      console.log(`  live suite skipped: ${reason}`);
      this.skip();
    }
    if (env.SONIOX_RECORD) console.log(`  recording cassettes to ${env.SONIOX_RECORD}`);
  });

  it('uploads, transcribes with diarization and language identification, cleans up', () =>
    transcribeFlow(env));
  it('translates two ways (English and Spanish)', () => translationFlow(env));
  it('runs a paced realtime session with endpoints', () => realtimeFlow(env));
  it('mints a temporary key and opens a realtime session with it', () => temporaryKeyFlow(env));
  it('delivers a webhook with the configured auth header (if configured)', async function () {
    const settings = webhookSettings(env);
    if (typeof settings === 'string') {
      console.log(`  webhook flow skipped: ${settings}`);
      this.skip();
    }
    await webhookFlow(env, settings);
  });
});
