/**
 * The library's logger (issue 30, item 4): silent by default; `logLevel` alone logs to the
 * console; `logger` (any object with debug/info/warn/error) gets one line per attempt, answer,
 * retry, give-up, realtime reconnect and realtime give-up, at their levels, the key never in it.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { SonioxClient } from '../../lib';
import { SonioxConfigError } from '../../lib/errors';
import { fixture, rejection, SECRET_KEY } from '../helpers';

type Level = 'debug' | 'info' | 'warn' | 'error';

function recorder() {
  const lines: Array<[Level, string]> = [];
  const at = (level: Level) => (message: string) => void lines.push([level, message]);
  return {
    lines,
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
  };
}

describe('logger', () => {
  const t = fixture({ mock: { timing: { queuedMs: 1, processingMs: 1 } } });
  afterEach(() => sinon.restore());

  const clientWith = (options: ConstructorParameters<typeof SonioxClient>[0]) => {
    const client = new SonioxClient({
      apiKey: SECRET_KEY,
      baseURL: t.server.url,
      realtimeURL: t.server.realtimeURL,
      retry: { baseDelayMs: 1, maxDelayMs: 1 },
      ...options,
    });
    t.defer(() => client.close());
    return client;
  };

  it('logs each attempt and answer at debug, a retry at warn and a give-up at error, the key never', async () => {
    const { lines, logger } = recorder();
    const client = clientWith({ logger, logLevel: 'debug', maxRetries: 1 });
    t.server.setFaults({ http: [{ route: 'GET /v1/models', status: 503, retryAfterMs: 1 }] });
    await rejection(client.models.list());
    const shown = lines.map(([level, line]) => `${level} ${line}`);
    expect(shown[0]).to.match(/^debug soniox: GET \/v1\/models attempt 1$/);
    expect(shown[1]).to.match(/^debug soniox: GET \/v1\/models answered 503 in \d+ ms/);
    expect(shown[2]).to.match(/^warn soniox: retry 1 of GET \/v1\/models in \d+ ms: .*503/);
    expect(shown.at(-1)).to.match(/^error soniox: GET \/v1\/models failed: .*503/);
    expect(lines.every(([, line]) => !line.includes(SECRET_KEY))).to.equal(true);
  });

  it('keeps to its level: info shows retries and give-ups, not attempts', async () => {
    const { lines, logger } = recorder();
    const client = clientWith({ logger });
    t.server.setFaults({
      http: [{ route: 'GET /v1/models', status: 503, retryAfterMs: 1, times: 1 }],
    });
    await client.models.list();
    expect(lines.map(([level]) => level)).to.deep.equal(['warn']);
  });

  it('is silent by default, and logs to the console when only logLevel is set', async () => {
    const warn = sinon.stub(console, 'warn');
    t.server.setFaults({
      http: [{ route: 'GET /v1/models', status: 503, retryAfterMs: 1, times: 1 }],
    });
    await clientWith({}).models.list();
    expect(warn.callCount).to.equal(0);
    t.server.setFaults({
      http: [{ route: 'GET /v1/models', status: 503, retryAfterMs: 1, times: 1 }],
    });
    await clientWith({ logLevel: 'warn' }).models.list();
    expect(warn.callCount).to.equal(1);
    expect(String(warn.firstCall.args[0])).to.match(/^soniox: retry 1 of GET \/v1\/models/);
  });

  it('logs a realtime reconnect at warn', async () => {
    const { lines, logger } = recorder();
    const client = clientWith({ logger });
    t.server.setFaults({ ws: [{ abruptClose: true, afterAudioMs: 500, times: 1 }] });
    const stream = client.realtime({
      audio_format: 'pcm_s16le',
      sample_rate: 16_000,
      num_channels: 1,
      reconnect: { maxAttempts: 3 },
    });
    stream.resume();
    stream.end(Buffer.alloc(64_000));
    await new Promise<void>((resolve, reject) => {
      stream.once('close', () => resolve());
      stream.once('error', reject);
    });
    const reconnects = lines.filter(([, line]) => /^soniox: realtime reconnect 1\b/.test(line));
    expect(reconnects.map(([level]) => level)).to.deep.equal(['warn']);
  });

  it('refuses a logger without the four methods and an unknown level', () => {
    expect(() => new SonioxClient({ apiKey: 'k', logger: { info: () => {} } as never })).to.throw(
      SonioxConfigError,
      /logger must have debug, info, warn and error methods/,
    );
    expect(() => new SonioxClient({ apiKey: 'k', logLevel: 'loud' as never })).to.throw(
      SonioxConfigError,
      /logLevel must be one of debug, info, warn, error, off/,
    );
  });
});
