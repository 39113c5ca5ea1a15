/**
 * Issue 28: the official SDK's environment variables SONIOX_BASE_DOMAIN and SONIOX_WS_URL are
 * honoured, never silently ignored: a team migrating with SONIOX_BASE_DOMAIN=eu.soniox.com must
 * not send its EU key to the US hosts. A contradiction is refused, naming both variables.
 */
import { expect } from 'chai';
import { resolveConfig } from '../lib/config';
import { SonioxConfigError } from '../lib/errors';

const hosts = (env: Record<string, string>, options: Record<string, unknown> = {}) => {
  const c = resolveConfig({ apiKey: 'k', env, ...options });
  return { region: c.region, baseURL: c.baseURL, realtimeURL: c.realtimeURL };
};
const refusal = (env: Record<string, string>) => {
  try {
    resolveConfig({ apiKey: 'k', env });
  } catch (error) {
    expect(error).to.be.instanceOf(SonioxConfigError);
    return (error as Error).message;
  }
  throw new Error('resolveConfig did not refuse');
};

describe('config: the official SDK’s environment variables', () => {
  it('SONIOX_BASE_DOMAIN picks the hosts (and the region) as the official SDK does', () => {
    expect(hosts({ SONIOX_BASE_DOMAIN: 'eu.soniox.com' })).to.deep.equal({
      region: 'eu',
      baseURL: 'https://api.eu.soniox.com',
      realtimeURL: 'wss://stt-rt.eu.soniox.com/transcribe-websocket',
    });
    expect(hosts({ SONIOX_BASE_DOMAIN: 'soniox.internal.example' })).to.deep.include({
      baseURL: 'https://api.soniox.internal.example',
      realtimeURL: 'wss://stt-rt.soniox.internal.example/transcribe-websocket',
    });
  });

  it('SONIOX_WS_URL sets the realtime URL as SONIOX_REALTIME_URL does', () => {
    expect(hosts({ SONIOX_WS_URL: 'ws://127.0.0.1:9/ws' }).realtimeURL).to.equal(
      'ws://127.0.0.1:9/ws',
    );
    expect(
      hosts({ SONIOX_WS_URL: 'ws://127.0.0.1:9/ws', SONIOX_REALTIME_URL: 'ws://127.0.0.1:9/ws' })
        .realtimeURL,
    ).to.equal('ws://127.0.0.1:9/ws');
  });

  it('explicit URLs and options still win over SONIOX_BASE_DOMAIN', () => {
    const env = { SONIOX_BASE_DOMAIN: 'eu.soniox.com', SONIOX_API_BASE_URL: 'http://127.0.0.1:1' };
    expect(hosts(env).baseURL).to.equal('http://127.0.0.1:1');
    expect(hosts(env).realtimeURL).to.equal('wss://stt-rt.eu.soniox.com/transcribe-websocket');
    expect(hosts({ SONIOX_BASE_DOMAIN: 'eu.soniox.com' }, { region: 'jp' }).baseURL).to.equal(
      'https://api.jp.soniox.com',
    );
  });

  it('refuses contradictions, naming both variables', () => {
    expect(
      refusal({ SONIOX_WS_URL: 'ws://127.0.0.1:9/a', SONIOX_REALTIME_URL: 'ws://127.0.0.1:9/b' }),
    ).to.match(/SONIOX_WS_URL.*SONIOX_REALTIME_URL/);
    expect(refusal({ SONIOX_BASE_DOMAIN: 'eu.soniox.com', SONIOX_REGION: 'us' })).to.match(
      /SONIOX_BASE_DOMAIN.*SONIOX_REGION/,
    );
  });

  it('refuses a SONIOX_BASE_DOMAIN that is not a host name', () => {
    for (const bad of ['https://eu.soniox.com', 'eu.soniox.com/v1', ' ', 'a b'])
      expect(refusal({ SONIOX_BASE_DOMAIN: bad })).to.match(
        /SONIOX_BASE_DOMAIN must be a domain such as eu\.soniox\.com/,
      );
  });
});
