/**
 * Client options: every duration within what Node timers can hold, every flag of its type, and
 * an API key that can go in a header as it is. A SonioxConfigError names the option; nothing
 * is silently wrapped, stripped or coerced.
 */
import { expect } from 'chai';
import { SonioxClient } from '../lib/client';
import { SonioxConfigError } from '../lib/errors';

const base = { apiKey: 'sk-config-bounds-key', env: {} };
const refused = (options: Record<string, unknown>): SonioxConfigError => {
  try {
    new SonioxClient({ ...base, ...options });
  } catch (error) {
    expect(error).to.be.instanceOf(SonioxConfigError);
    return error as SonioxConfigError;
  }
  throw new Error(`accepted ${JSON.stringify(options)}`);
};

describe('config: bounds of every client option', () => {
  for (const [option, value] of [
    ['timeoutMs', 3e9],
    ['timeoutMs', Number.POSITIVE_INFINITY],
    ['uploadTimeoutMs', 2 ** 31],
    ['freeSocketTimeoutMs', 3e9],
  ] as const) {
    it(`refuses ${option}: ${value} (a Node timer would fire after 1 ms)`, () => {
      expect(refused({ [option]: value }).option).to.equal(option);
    });
  }

  for (const [option, value] of [
    ['baseDelayMs', 3e9],
    ['maxDelayMs', 3e9],
    ['maxRetryAfterMs', Number.MAX_SAFE_INTEGER],
  ] as const) {
    it(`refuses retry.${option}: ${value}`, () => {
      expect(refused({ retry: { [option]: value } }).option).to.equal(`retry.${option}`);
    });
  }

  it('accepts the largest duration a timer can hold', () => {
    expect(
      () =>
        new SonioxClient({
          ...base,
          timeoutMs: 2 ** 31 - 1,
          retry: { maxRetryAfterMs: 2 ** 31 - 1 },
        }),
    ).not.to.throw();
  });

  it("refuses validateResponses: 'no' (a string would be taken as true)", () => {
    expect(refused({ validateResponses: 'no' }).option).to.equal('validateResponses');
  });

  it('refuses a retry option that is not an object', () => {
    expect(refused({ retry: 5 }).option).to.equal('retry');
    expect(refused({ retry: null }).option).to.equal('retry');
  });

  for (const key of [
    'sk-\u00e9t\u00e9-123',
    'sk-\u0000-123',
    'sk-\t-123',
    'sk-\u007f-123',
    'sk- 123\u200b',
  ]) {
    it(`refuses an API key with a non-ASCII or control character (${JSON.stringify(key)}) instead of sending a mangled one`, () => {
      const error = refused({ apiKey: key });
      expect(error.option).to.equal('apiKey');
      expect(error.message).not.to.include(key);
    });
  }
});
