/**
 * What a user sees of `new SonioxClient(options)`'s checks and defaults, through resolveConfig
 * alone (no client, no socket): each bad option refused in words that name it, every problem in
 * one error, every default as docs/client.md gives it.
 */
import { expect } from 'chai';
import http from 'node:http';
import sinon from 'sinon';
import { resolveConfig } from '../lib/config';
import { SonioxConfigError, type FieldIssue } from '../lib/errors';

const KEY = 'sk-config-checks-key';
const base = { apiKey: KEY, env: {} };

/** The issues of the one SonioxConfigError resolveConfig throws for these options. */
function issuesOf(options: Record<string, unknown>): FieldIssue[] {
  try {
    resolveConfig({ ...base, ...options });
  } catch (error) {
    expect(error).to.be.instanceOf(SonioxConfigError);
    const e = error as SonioxConfigError;
    expect(e.message).not.to.include(KEY);
    expect(e.option).to.equal(e.issues[0]?.field);
    return e.issues;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
}
const accepts = (options: Record<string, unknown>) => resolveConfig({ ...base, ...options });
const one = (field: string, message: string) => [{ field, message }];

/** Sets process.env variables for one test, then puts them back. */
function withProcessEnv(vars: Record<string, string>, run: () => void): void {
  const saved = Object.keys(vars).map((name) => [name, process.env[name]] as const);
  Object.assign(process.env, vars);
  try {
    run();
  } finally {
    for (const [name, value] of saved)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  }
}

describe('config: what a newcomer sees of the client options', () => {
  afterEach(() => sinon.restore());

  describe('defaults', () => {
    it('gives every documented default when only a key is passed', () => {
      const c = accepts({});
      expect(c).to.deep.include({
        apiKey: KEY,
        region: 'us',
        baseURL: 'https://api.soniox.com',
        realtimeURL: 'wss://stt-rt.soniox.com/transcribe-websocket',
        timeoutMs: 60_000,
        uploadTimeoutMs: 120_000,
        retry: { maxRetries: 3, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 },
        maxSockets: 100,
        maxFreeSockets: 20,
        freeSocketTimeoutMs: 4_000,
        validateResponses: true,
        adaptiveRate: true,
        readConcurrencyLimit: undefined,
        autoClientReferenceId: true,
        proxy: undefined,
        realtimeProxy: undefined,
        httpAgent: undefined,
        asyncModel: 'stt-async-v5',
        realtimeModel: 'stt-rt-v5',
        onRequest: undefined,
        onResponse: undefined,
        onRetry: undefined,
        record: undefined,
        headers: {},
        log: undefined,
      });
    });

    it('keeps every option given', () => {
      const agent = new http.Agent();
      const hook = () => undefined;
      const headers = { 'X-Tenant': 'a' };
      const c = accepts({
        region: 'eu',
        timeoutMs: 1_500,
        uploadTimeoutMs: 2_500,
        maxRetries: 0,
        retry: { baseDelayMs: 0, maxDelayMs: 10, maxRetryAfterMs: 20 },
        maxSockets: 50,
        maxFreeSockets: 0,
        freeSocketTimeoutMs: 1,
        validateResponses: false,
        adaptiveRate: false,
        readConcurrencyLimit: false,
        autoClientReferenceId: false,
        httpAgent: agent,
        asyncModel: 'a-model',
        realtimeModel: 'r-model',
        onRequest: hook,
        onResponse: hook,
        onRetry: hook,
        record: '/tmp/cassettes',
        headers,
      });
      expect(c).to.deep.include({
        region: 'eu',
        timeoutMs: 1_500,
        uploadTimeoutMs: 2_500,
        retry: { maxRetries: 0, baseDelayMs: 0, maxDelayMs: 10, maxRetryAfterMs: 20 },
        maxSockets: 50,
        maxFreeSockets: 0,
        freeSocketTimeoutMs: 1,
        validateResponses: false,
        adaptiveRate: false,
        readConcurrencyLimit: false,
        autoClientReferenceId: false,
        asyncModel: 'a-model',
        realtimeModel: 'r-model',
        record: '/tmp/cassettes',
      });
      expect(c.httpAgent).to.equal(agent);
      expect([c.onRequest, c.onResponse, c.onRetry]).to.deep.equal([hook, hook, hook]);
      expect(c.headers).to.deep.equal(headers);
      expect(c.headers).not.to.equal(headers);
      expect(c.readConcurrencyLimit).to.equal(false);
      expect(accepts({ readConcurrencyLimit: true }).readConcurrencyLimit).to.equal(true);
    });

    it('keeps 20 idle sockets of a larger pool, and no more idle sockets than the pool holds', () => {
      expect(accepts({ maxSockets: 50 }).maxFreeSockets).to.equal(20);
      expect(accepts({ maxSockets: 5 }).maxFreeSockets).to.equal(5);
    });

    it('drops the trailing slashes of both URLs', () => {
      const c = accepts({ baseURL: 'http://127.0.0.1:9//', realtimeURL: 'ws://127.0.0.1:9/rt/' });
      expect([c.baseURL, c.realtimeURL]).to.deep.equal([
        'http://127.0.0.1:9',
        'ws://127.0.0.1:9/rt',
      ]);
    });

    it('reads process.env when no env is given, and with no options at all', () => {
      withProcessEnv({ SONIOX_API_KEY: 'sk-from-process', SONIOX_RECORD: '/tmp/rec' }, () => {
        const c = resolveConfig();
        expect(c.apiKey).to.equal('sk-from-process');
        expect(c.record).to.equal('/tmp/rec');
        expect(resolveConfig({ apiKey: KEY }).apiKey).to.equal(KEY);
      });
    });

    it('records to SONIOX_RECORD, not when it is empty, and the option over it', () => {
      expect(accepts({ env: { SONIOX_RECORD: '/tmp/r' } }).record).to.equal('/tmp/r');
      expect(accepts({ env: { SONIOX_RECORD: '' } }).record).to.equal(undefined);
      expect(accepts({ record: '/tmp/mine', env: { SONIOX_RECORD: '/tmp/r' } }).record).to.equal(
        '/tmp/mine',
      );
      expect(accepts({ record: '' }).record).to.equal('');
    });

    it('logs through the logger with the key redacted, and is silent without one', () => {
      const logger = {
        debug: sinon.spy(),
        info: sinon.spy(),
        warn: sinon.spy(),
        error: sinon.spy(),
      };
      const log = accepts({ logger }).log;
      expect(log).to.be.a('function');
      log?.('error', `failed with ${KEY}`);
      expect(logger.error.firstCall.args[0]).to.equal('soniox: failed with [redacted]');
      const envLog = resolveConfig({ env: { SONIOX_API_KEY: KEY }, logger }).log;
      envLog?.('warn', `retry ${KEY}`);
      expect(logger.warn.firstCall.args[0]).to.equal('soniox: retry [redacted]');
      expect(accepts({ logLevel: 'off' }).log).to.be.a('function');
    });
  });

  describe('the proxy', () => {
    it('takes HTTPS_PROXY for both hosts by default, and the proxy option over it', () => {
      const env = { HTTPS_PROXY: 'http://127.0.0.1:3128' };
      expect(accepts({ env })).to.include({
        proxy: 'http://127.0.0.1:3128',
        realtimeProxy: 'http://127.0.0.1:3128',
      });
      expect(accepts({ env, proxy: 'https://127.0.0.1:1' })).to.include({
        proxy: 'https://127.0.0.1:1',
        realtimeProxy: 'https://127.0.0.1:1',
      });
      expect(accepts({ env, proxy: false })).to.include({
        proxy: undefined,
        realtimeProxy: undefined,
      });
    });

    it('takes HTTP_PROXY for a ws:// realtime URL, as for its http:// upgrade', () => {
      const env = { HTTP_PROXY: 'http://127.0.0.1:8080' };
      const c = accepts({ env, baseURL: 'https://api.test', realtimeURL: 'ws://rt.test/x' });
      expect(c).to.include({ proxy: undefined, realtimeProxy: 'http://127.0.0.1:8080' });
    });

    it('refuses a proxy that is not an http(s) URL, once, never echoing it', () => {
      expect(issuesOf({ proxy: 5 })).to.deep.equal(
        one('proxy', 'proxy must be a URL string or false'),
      );
      expect(issuesOf({ proxy: 'socks5://user:pw@p:1' })).to.deep.equal(
        one('proxy', 'proxy must be an http: or https: URL'),
      );
      expect(issuesOf({ proxy: 'not a url' })).to.deep.equal(
        one('proxy', 'proxy must be an http: or https: URL'),
      );
      expect(issuesOf({ env: { HTTPS_PROXY: 'socks5://user:pw@p:1' } })).to.deep.equal(
        one('proxy', 'proxy (from HTTPS_PROXY / HTTP_PROXY) must be an http: or https: URL'),
      );
    });

    it('refuses a bad proxy of the realtime host alone', () => {
      const env = { HTTP_PROXY: 'ftp://p:1' };
      expect(
        issuesOf({ env, baseURL: 'https://api.test', realtimeURL: 'ws://rt.test/x' }),
      ).to.deep.equal(
        one('proxy', 'proxy (from HTTPS_PROXY / HTTP_PROXY) must be an http: or https: URL'),
      );
    });
  });

  describe('checks, each naming its option', () => {
    it('refuses options that are not an object', () => {
      for (const options of [null, 'apiKey', [], 5]) {
        expect(() => resolveConfig(options as never))
          .to.throw(SonioxConfigError, 'options must be an object')
          .with.property('option', 'options');
      }
    });

    it('names an unknown option with the closest known one', () => {
      const [issue] = issuesOf({ apikey: 'x' });
      expect(issue?.field).to.equal('apikey');
      expect(issue?.message).to.match(/did you mean apiKey\?/);
      const [retry] = issuesOf({ retry: { baseDelay: 5 } });
      expect(retry?.field).to.equal('retry.baseDelay');
      expect(retry?.message).to.match(/retry\.baseDelayMs/);
    });

    it('refuses an env that is not an object of variables', () => {
      const message = 'env must be an object of environment variables (such as process.env)';
      expect(issuesOf({ env: 'SONIOX_API_KEY=x' })).to.deep.equal(one('env', message));
      expect(issuesOf({ env: null })).to.deep.equal(one('env', message));
    });

    it('refuses a missing, blank or non-string key in words that say where a key comes from', () => {
      const message = 'No API key: pass the apiKey option or set SONIOX_API_KEY';
      expect(issuesOf({ apiKey: undefined })).to.deep.equal(one('apiKey', message));
      expect(issuesOf({ apiKey: ' \t ' })).to.deep.equal(one('apiKey', message));
      expect(issuesOf({ apiKey: 12345 })).to.deep.equal(one('apiKey', message));
      expect(accepts({ apiKey: undefined, env: { SONIOX_API_KEY: 'sk-env' } }).apiKey).to.equal(
        'sk-env',
      );
    });

    it('refuses a key with a space inside, and takes one with spaces around it', () => {
      const message =
        'apiKey must be printable ASCII (no spaces inside, no control or non-ASCII characters)';
      expect(issuesOf({ apiKey: 'sk-a b' })).to.deep.equal(one('apiKey', message));
      expect(issuesOf({ apiKey: ' sk-\u00e9 ' })).to.deep.equal(one('apiKey', message));
      expect(accepts({ apiKey: ' sk-padded ' }).apiKey).to.equal(' sk-padded ');
      expect(accepts({ apiKey: '!~' }).apiKey).to.equal('!~');
    });

    it('refuses a region it has no hosts for, checking only the URLs given', () => {
      expect(issuesOf({ region: 'mars' })).to.deep.equal(
        one('region', 'region must be one of us, eu, jp, got mars'),
      );
      expect(issuesOf({ region: 'constructor' })).to.deep.equal(
        one('region', 'region must be one of us, eu, jp, got constructor'),
      );
      expect(issuesOf({ region: 'mars', baseURL: 'ftp://x' })).to.deep.equal([
        { field: 'region', message: 'region must be one of us, eu, jp, got mars' },
        { field: 'baseURL', message: 'baseURL must use http or https, got ftp' },
      ]);
      expect(issuesOf({ region: 'mars', realtimeURL: 'http://x' })).to.deep.equal([
        { field: 'region', message: 'region must be one of us, eu, jp, got mars' },
        { field: 'realtimeURL', message: 'realtimeURL must use ws or wss, got http' },
      ]);
    });

    it('checks the URLs and proxies the environment gives as it checks options', () => {
      expect(issuesOf({ env: { SONIOX_API_BASE_URL: 'ftp://api.test' } })).to.deep.equal(
        one('baseURL', 'baseURL must use http or https, got ftp'),
      );
      expect(issuesOf({ env: { SONIOX_REALTIME_URL: 'http://rt.test' } })).to.deep.equal(
        one('realtimeURL', 'realtimeURL must use ws or wss, got http'),
      );
      const env = { SONIOX_API_BASE_URL: 'https://api.test', HTTPS_PROXY: 'socks5://p:1' };
      expect(issuesOf({ env, realtimeURL: 'ws://rt.test/x' })).to.deep.equal(
        one('proxy', 'proxy (from HTTPS_PROXY / HTTP_PROXY) must be an http: or https: URL'),
      );
    });

    it('checks no proxy of the hosts of a region it does not know', () => {
      expect(issuesOf({ region: 'mars', env: { HTTPS_PROXY: 'socks5://p:1' } })).to.deep.equal(
        one('region', 'region must be one of us, eu, jp, got mars'),
      );
    });

    it('refuses URLs that do not parse, of the wrong scheme or with credentials', () => {
      expect(issuesOf({ baseURL: 'api.soniox.com' })).to.deep.equal(
        one('baseURL', 'baseURL is not a valid URL'),
      );
      expect(issuesOf({ realtimeURL: 'https://rt.test' })).to.deep.equal(
        one('realtimeURL', 'realtimeURL must use ws or wss, got https'),
      );
      for (const baseURL of ['http://user@api.test', 'https://:pw@api.test'])
        expect(issuesOf({ baseURL })).to.deep.equal(
          one('baseURL', 'baseURL must not carry credentials'),
        );
      expect(accepts({ baseURL: 'https://api.test', realtimeURL: 'wss://rt.test' })).to.include({
        baseURL: 'https://api.test',
        realtimeURL: 'wss://rt.test',
      });
    });

    it('refuses a retry option that is not an object, once, without reading it', () => {
      const message = 'retry must be an object such as { baseDelayMs: 500 }';
      for (const retry of ['fast', 5, null, [1]])
        expect(issuesOf({ retry })).to.deep.equal(one('retry', message));
    });

    for (const option of [
      'validateResponses',
      'adaptiveRate',
      'readConcurrencyLimit',
      'autoClientReferenceId',
    ]) {
      it(`refuses ${option} that is not true or false`, () => {
        expect(issuesOf({ [option]: 'no' })).to.deep.equal(
          one(option, `${option} must be true or false`),
        );
      });
    }

    it('refuses a record that is not a directory path', () => {
      expect(issuesOf({ record: 5 })).to.deep.equal(
        one('record', 'record must be a directory path (a string)'),
      );
    });

    it('refuses headers, a logger and a log level it cannot use', () => {
      expect(issuesOf({ headers: 'x' })[0]?.field).to.equal('headers');
      expect(issuesOf({ logger: {} })[0]?.field).to.equal('logger');
      expect(issuesOf({ logLevel: 'loud' })[0]?.field).to.equal('logLevel');
    });

    it('refuses an httpAgent that is not an http.Agent', () => {
      expect(issuesOf({ httpAgent: { keepAlive: true } })).to.deep.equal(
        one('httpAgent', 'httpAgent must be an http.Agent (or https.Agent)'),
      );
    });

    for (const [option, value, message] of [
      ['maxSockets', 0, 'maxSockets must be an integer >= 1, got 0'],
      ['maxSockets', 2.5, 'maxSockets must be an integer >= 1, got 2.5'],
      ['maxSockets', '10', 'maxSockets must be an integer >= 1, got 10'],
      ['maxSockets', Infinity, 'maxSockets must be an integer >= 1, got Infinity'],
      ['maxRetries', -1, 'maxRetries must be an integer >= 0, got -1'],
      ['maxFreeSockets', -1, 'maxFreeSockets must be an integer >= 0, got -1'],
      ['timeoutMs', 0, 'timeoutMs must be a number >= 1, got 0'],
      ['uploadTimeoutMs', 0.5, 'uploadTimeoutMs must be a number >= 1, got 0.5'],
      ['timeoutMs', Infinity, 'timeoutMs must be a number >= 1, got Infinity'],
      ['freeSocketTimeoutMs', 0, 'freeSocketTimeoutMs must be a number >= 1, got 0'],
      [
        'timeoutMs',
        2 ** 31,
        'timeoutMs must be at most 2147483647 ms (Node timers cannot wait longer), got 2147483648',
      ],
      ['asyncModel', '  ', 'asyncModel must be a non-empty string'],
      ['realtimeModel', 5, 'realtimeModel must be a non-empty string'],
      ['onRequest', 'log', 'onRequest must be a function'],
      ['onResponse', {}, 'onResponse must be a function'],
      ['onRetry', true, 'onRetry must be a function'],
    ] as const) {
      it(`refuses ${option}: ${JSON.stringify(value)}`, () => {
        expect(issuesOf({ [option]: value })).to.deep.equal(one(option, message));
      });
    }

    for (const option of ['baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs']) {
      it(`refuses retry.${option} below 0 or over a timer's reach`, () => {
        expect(issuesOf({ retry: { [option]: -1 } })).to.deep.equal(
          one(`retry.${option}`, `retry.${option} must be a number >= 0, got -1`),
        );
        expect(issuesOf({ retry: { [option]: 2 ** 31 } })[0]?.field).to.equal(`retry.${option}`);
      });
    }

    it('takes each bound itself: 1 socket, 0 retries, 1 ms, a fractional ms, the longest timer', () => {
      const c = accepts({
        maxSockets: 1,
        maxRetries: 0,
        maxFreeSockets: 0,
        timeoutMs: 1,
        uploadTimeoutMs: 2.5,
        freeSocketTimeoutMs: 2 ** 31 - 1,
        retry: { baseDelayMs: 0, maxDelayMs: 2 ** 31 - 1, maxRetryAfterMs: 0 },
      });
      expect(c).to.include({ maxSockets: 1, timeoutMs: 1, uploadTimeoutMs: 2.5 });
      expect(c.freeSocketTimeoutMs).to.equal(2 ** 31 - 1);
    });

    it('names every problem in one error, the first as its option', () => {
      const issues = issuesOf({ timeoutMs: -1, asyncModel: '', onRetry: 1, region: 'mars' });
      expect(issues.map((i) => i.field)).to.deep.equal([
        'region',
        'timeoutMs',
        'asyncModel',
        'onRetry',
      ]);
    });
  });
});
