import { expect } from 'chai';
import { SonioxConfigError } from '../lib/errors';
import { regionHosts, resolveConfig } from '../lib/config';

describe('config', () => {
  const env = {};

  it('reads the key and URLs from the environment', () => {
    const c = resolveConfig({
      env: {
        SONIOX_API_KEY: 'k-env',
        SONIOX_API_BASE_URL: 'http://127.0.0.1:9/',
        SONIOX_REALTIME_URL: 'ws://127.0.0.1:9/x',
      },
    });
    expect(c.apiKey).to.equal('k-env');
    expect(c.baseURL).to.equal('http://127.0.0.1:9');
    expect(c.realtimeURL).to.equal('ws://127.0.0.1:9/x');
  });

  it('lets options win over the environment', () => {
    const c = resolveConfig({
      apiKey: 'opt',
      baseURL: 'https://example.test',
      env: { SONIOX_API_KEY: 'env', SONIOX_API_BASE_URL: 'http://x' },
    });
    expect(c.apiKey).to.equal('opt');
    expect(c.baseURL).to.equal('https://example.test');
  });

  it('defaults to the US hosts, models, timeouts and pool sizes of the design', () => {
    const c = resolveConfig({ apiKey: 'k', env });
    expect(c.baseURL).to.equal('https://api.soniox.com');
    expect(c.realtimeURL).to.equal('wss://stt-rt.soniox.com/transcribe-websocket');
    expect(c).to.include({
      timeoutMs: 60_000,
      maxSockets: 100,
      maxFreeSockets: 20,
      validateResponses: true,
    });
    expect(c.retry.maxRetries).to.equal(3);
    expect(c.asyncModel).to.equal('stt-async-v5');
    expect(c.realtimeModel).to.equal('stt-rt-v5');
  });

  it('picks regional hosts for eu and jp, from the option or SONIOX_REGION', () => {
    expect(resolveConfig({ apiKey: 'k', region: 'eu', env }).baseURL).to.equal(
      'https://api.eu.soniox.com',
    );
    expect(resolveConfig({ apiKey: 'k', env: { SONIOX_REGION: 'jp' } }).realtimeURL).to.equal(
      'wss://stt-rt.jp.soniox.com/transcribe-websocket',
    );
    expect(regionHosts('us').baseURL).to.equal('https://api.soniox.com');
  });

  const rejects = (options: object, option: string) => {
    let error: unknown;
    try {
      resolveConfig({ apiKey: 'secret-key-123', env, ...options });
    } catch (e) {
      error = e;
    }
    expect(error, option).to.be.instanceOf(SonioxConfigError);
    expect((error as SonioxConfigError).option).to.equal(option);
    expect((error as SonioxConfigError).code).to.equal('config_error');
    expect((error as Error).message).to.include(option);
    expect((error as Error).message).not.to.include('secret-key-123');
  };

  it('rejects a missing or blank key, naming the option and the variable', () => {
    expect(() => resolveConfig({ env })).to.throw(SonioxConfigError, /SONIOX_API_KEY/);
    rejects({ apiKey: '  ' }, 'apiKey');
    rejects({ apiKey: 'a\nb' }, 'apiKey');
  });

  it('rejects malformed URLs and wrong protocols', () => {
    rejects({ baseURL: 'not a url' }, 'baseURL');
    rejects({ baseURL: 'ftp://x' }, 'baseURL');
    rejects({ baseURL: 'http://user:pw@x' }, 'baseURL');
    rejects({ realtimeURL: 'http://x' }, 'realtimeURL');
  });

  it('rejects negative, fractional or non-numeric limits', () => {
    rejects({ timeoutMs: -1 }, 'timeoutMs');
    rejects({ timeoutMs: Number.NaN }, 'timeoutMs');
    rejects({ maxRetries: 1.5 }, 'maxRetries');
    rejects({ maxSockets: 0 }, 'maxSockets');
    rejects({ retry: { baseDelayMs: -5 } }, 'retry.baseDelayMs');
    rejects({ uploadTimeoutMs: '5' }, 'uploadTimeoutMs');
  });

  it('rejects an unknown region, empty models, non-function hooks and non-object options', () => {
    rejects({ region: 'mars' }, 'region');
    rejects({ asyncModel: '' }, 'asyncModel');
    rejects({ onRetry: 'no' }, 'onRetry');
    expect(() => resolveConfig(null as never)).to.throw(SonioxConfigError);
  });

  it('caps the default idle sockets at maxSockets', () => {
    expect(resolveConfig({ apiKey: 'k', env, maxSockets: 5 }).maxFreeSockets).to.equal(5);
  });
});
