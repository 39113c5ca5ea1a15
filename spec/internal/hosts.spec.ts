/**
 * Where a client's hosts come from (lib/internal/hosts.ts), as a team sees it through the
 * client's configuration: the region's hosts, the environment the official SDK reads too, and
 * the refusals of variables that say two things at once. config-env-hosts.spec.ts holds the
 * official SDK's variables; this file the rest of the rule, edge by edge.
 */
import { expect } from 'chai';
import { resolveConfig } from '../../lib/config';
import { SonioxConfigError } from '../../lib/errors';
import { REGION_DOMAINS, domainHosts, hostsOrIssue } from '../../lib/internal/hosts';

const hosts = (env: Record<string, string>, options: Record<string, unknown> = {}) => {
  const c = resolveConfig({ apiKey: 'k', env, ...options });
  return { region: c.region, baseURL: c.baseURL, realtimeURL: c.realtimeURL };
};

/** The SonioxConfigError resolveConfig throws for these options. */
function refused(env: Record<string, string>, options: Record<string, unknown> = {}) {
  try {
    resolveConfig({ apiKey: 'k', env, ...options });
  } catch (error) {
    expect(error).to.be.instanceOf(SonioxConfigError);
    return error as SonioxConfigError;
  }
  throw new Error('resolveConfig did not refuse');
}

describe('client hosts: regions and the environment', () => {
  it('each region has its own REST and realtime hosts; US without a word', () => {
    expect(REGION_DOMAINS).to.deep.equal({
      us: 'soniox.com',
      eu: 'eu.soniox.com',
      jp: 'jp.soniox.com',
    });
    expect(hosts({})).to.deep.equal({
      region: 'us',
      baseURL: 'https://api.soniox.com',
      realtimeURL: 'wss://stt-rt.soniox.com/transcribe-websocket',
    });
    expect(hosts({}, { region: 'jp' })).to.deep.equal({
      region: 'jp',
      baseURL: 'https://api.jp.soniox.com',
      realtimeURL: 'wss://stt-rt.jp.soniox.com/transcribe-websocket',
    });
    expect(domainHosts('example.test')).to.deep.equal({
      baseURL: 'https://api.example.test',
      realtimeURL: 'wss://stt-rt.example.test/transcribe-websocket',
    });
  });

  it('SONIOX_REGION alone picks its region; the region option wins over it', () => {
    expect(hosts({ SONIOX_REGION: 'eu' })).to.deep.equal({
      region: 'eu',
      baseURL: 'https://api.eu.soniox.com',
      realtimeURL: 'wss://stt-rt.eu.soniox.com/transcribe-websocket',
    });
    expect(hosts({ SONIOX_REGION: 'eu' }, { region: 'jp' }).baseURL).to.equal(
      'https://api.jp.soniox.com',
    );
  });

  it('an unknown SONIOX_REGION is refused, naming the region, not sent to the US hosts', () => {
    const error = refused({ SONIOX_REGION: 'mars' });
    expect(error.option).to.equal('region');
    expect(error.message).to.match(/region must be one of us, eu, jp, got mars/);
  });

  it("SONIOX_BASE_DOMAIN of a region's domain in any case is that region", () => {
    expect(hosts({ SONIOX_BASE_DOMAIN: 'JP.Soniox.COM' }).region).to.equal('jp');
    expect(hosts({ SONIOX_BASE_DOMAIN: 'soniox.com' }).region).to.equal('us');
  });

  it('SONIOX_BASE_DOMAIN and SONIOX_REGION that agree are taken', () => {
    expect(hosts({ SONIOX_BASE_DOMAIN: 'eu.soniox.com', SONIOX_REGION: 'eu' })).to.deep.equal({
      region: 'eu',
      baseURL: 'https://api.eu.soniox.com',
      realtimeURL: 'wss://stt-rt.eu.soniox.com/transcribe-websocket',
    });
  });

  it('SONIOX_BASE_DOMAIN of another domain keeps the US region name but its own hosts', () => {
    expect(hosts({ SONIOX_BASE_DOMAIN: 'soniox.internal.example' })).to.deep.equal({
      region: 'us',
      baseURL: 'https://api.soniox.internal.example',
      realtimeURL: 'wss://stt-rt.soniox.internal.example/transcribe-websocket',
    });
  });

  it('SONIOX_BASE_DOMAIN may name a port; a bad port, two ports or a long label are refused', () => {
    expect(hosts({ SONIOX_BASE_DOMAIN: 'localhost:8443' }).baseURL).to.equal(
      'https://api.localhost:8443',
    );
    expect(hosts({ SONIOX_BASE_DOMAIN: `${'a'.repeat(63)}.test` }).baseURL).to.equal(
      `https://api.${'a'.repeat(63)}.test`,
    );
    for (const bad of [
      'localhost:84x',
      'localhost:123456',
      'localhost:1:2',
      'localhost:',
      `${'a'.repeat(64)}.test`,
      'eu..soniox.com',
      'eu_soniox.com',
    ]) {
      const error = refused({ SONIOX_BASE_DOMAIN: bad });
      expect(error.option, bad).to.equal('region');
      expect(error.message, bad).to.match(/SONIOX_BASE_DOMAIN must be a domain/);
    }
  });

  it('SONIOX_REALTIME_URL wins over the base domain, and equals SONIOX_WS_URL when both are set', () => {
    expect(
      hosts({ SONIOX_BASE_DOMAIN: 'eu.soniox.com', SONIOX_REALTIME_URL: 'ws://127.0.0.1:9/rt' }),
    ).to.deep.equal({
      region: 'eu',
      baseURL: 'https://api.eu.soniox.com',
      realtimeURL: 'ws://127.0.0.1:9/rt',
    });
    expect(
      hosts({ SONIOX_WS_URL: 'ws://127.0.0.1:9/ws' }, { realtimeURL: 'ws://127.0.0.1:9/opt' })
        .realtimeURL,
    ).to.equal('ws://127.0.0.1:9/opt');
  });

  it('a contradiction of variables is named with the other bad options, in one error', () => {
    const error = refused(
      { SONIOX_BASE_DOMAIN: 'eu.soniox.com', SONIOX_REGION: 'jp' },
      { timeoutMs: -1 },
    );
    expect(error.issues.map((i) => i.field)).to.deep.equal(['region', 'timeoutMs']);
    expect(error.issues[0]?.message).to.match(
      /SONIOX_BASE_DOMAIN \(eu\.soniox\.com\) and SONIOX_REGION \(jp\) name different hosts/,
    );
    const ws = refused({ SONIOX_WS_URL: 'ws://127.0.0.1:9/a', SONIOX_REALTIME_URL: 'ws://b' });
    expect(ws.option).to.equal('realtimeURL');
  });

  it('hostsOrIssue passes on what is no configuration problem', () => {
    const env = new Proxy(
      {},
      {
        get() {
          throw new TypeError('unreadable environment');
        },
      },
    );
    expect(() =>
      hostsOrIssue({ region: undefined, baseURL: undefined, realtimeURL: undefined, env }),
    ).to.throw(TypeError, 'unreadable environment');
  });
});
