import { expect } from 'chai';
import http from 'node:http';
import type { Agent } from 'node:http';
import { resolveConfig, type SonioxClientOptions } from '../../lib/config';
import { AXIOS_KEEPALIVE_MS, httpLibraries, poolAgent } from '../../lib/http/pool';
import { poolStatsOf } from '../../lib/http/pool-stats';

/** A client's resolved options with no environment (no proxy from the machine running the spec). */
const config = (options: SonioxClientOptions = {}) =>
  resolveConfig({ apiKey: 'k', env: {}, ...options });

/** What agentkeepalive and node:http keep of the options an agent was made with. */
interface AgentFields {
  maxSockets: number;
  maxFreeSockets: number;
  keepAlive: boolean;
  keepAliveMsecs: number;
  protocol: string;
  options: { freeSocketTimeout?: number; timeout?: number };
}
const fields = (agent: Agent) => agent as unknown as AgentFields;

describe('http/pool (the agent of a client and its figures)', () => {
  const made: Agent[] = [];
  const keep = (agent: Agent) => (made.push(agent), agent);
  afterEach(() => made.splice(0).forEach((agent) => agent.destroy()));

  describe('httpLibraries', () => {
    it('loads axios, axios-retry, agentkeepalive and the JSON adapter once per process', () => {
      const first = httpLibraries();
      expect(first.axios.create).to.be.a('function');
      expect(first.axiosRetry).to.be.a('function');
      expect(first.agents.HttpsAgent).to.be.a('function');
      expect(first.jsonAdapter).to.be.a('function');
      expect(httpLibraries()).to.equal(first);
    });
  });

  describe('poolAgent', () => {
    const { agents } = httpLibraries();

    it('keeps sockets alive over plain http with the pool options of the client', () => {
      const c = config({ maxSockets: 7, maxFreeSockets: 3, freeSocketTimeoutMs: 1_234 });
      const agent = fields(keep(poolAgent(c, agents, false)));
      expect(agent).to.be.instanceOf(agents.HttpAgent).and.not.instanceOf(agents.HttpsAgent);
      expect(agent.protocol).to.equal('http:');
      expect(agent).to.include({ maxSockets: 7, maxFreeSockets: 3, keepAlive: true });
      expect(agent.keepAliveMsecs).to.equal(AXIOS_KEEPALIVE_MS);
      expect(agent.options.freeSocketTimeout).to.equal(1_234);
    });

    it('uses a TLS pool for an https origin', () => {
      const agent = fields(keep(poolAgent(config(), agents, true)));
      expect(agent).to.be.instanceOf(agents.HttpsAgent);
      expect(agent.protocol).to.equal('https:');
      expect(agent).to.include({ maxSockets: 100, maxFreeSockets: 20 });
    });

    it("never lets the pool's own socket timeout cut a request before the client's timeouts do", () => {
      const longUploads = fields(
        keep(poolAgent(config({ timeoutMs: 1_000, uploadTimeoutMs: 9_000 }), agents, false)),
      );
      expect(longUploads.options.timeout).to.equal(14_000);
      const longCalls = fields(
        keep(poolAgent(config({ timeoutMs: 9_000, uploadTimeoutMs: 1_000 }), agents, false)),
      );
      expect(longCalls.options.timeout).to.equal(14_000);
    });

    it('tunnels through the proxy, with the same pool limits, when one is set', () => {
      const c = config({ proxy: 'http://127.0.0.1:3128', maxSockets: 9, maxFreeSockets: 2 });
      const agent = keep(poolAgent(c, agents, true));
      expect(agent).to.not.be.instanceOf(agents.HttpAgent);
      expect((agent as unknown as { proxy: URL }).proxy.href).to.equal('http://127.0.0.1:3128/');
      expect(fields(agent)).to.include({ maxSockets: 9, maxFreeSockets: 2, keepAlive: true });
      expect(fields(agent).keepAliveMsecs).to.equal(AXIOS_KEEPALIVE_MS);
    });

    it("uses the caller's own httpAgent as given, even with a proxy set", () => {
      const own = keep(new http.Agent({ keepAlive: true }));
      expect(poolAgent(config({ httpAgent: own }), agents, true)).to.equal(own);
      const proxied = config({ httpAgent: own, proxy: 'http://127.0.0.1:3128' });
      expect(poolAgent(proxied, agents, false)).to.equal(own);
    });
  });

  describe('poolStatsOf', () => {
    const zero = {
      socketsCreated: 0,
      requests: 0,
      reuseRatio: 0,
      queued: 0,
      activeSockets: 0,
      freeSockets: 0,
    };

    it('reads all zero before a first request made an agent', () => {
      expect(poolStatsOf(undefined)).to.deep.equal(zero);
    });

    it("counts a keep-alive pool's sockets, requests and reuse across origins", () => {
      const { agents } = httpLibraries();
      const agent = keep(new agents.HttpAgent());
      const status = {
        createSocketCount: 4,
        requestCount: 10,
        requests: { 'a:80:': 2, 'b:80:': 1 },
        sockets: { 'a:80:': 3, 'b:80:': 1 },
        freeSockets: { 'a:80:': 1, 'c:80:': 4 },
      };
      Object.assign(agent, { getCurrentStatus: () => status });
      expect(poolStatsOf(agent)).to.deep.equal({
        socketsCreated: 4,
        requests: 10,
        reuseRatio: 0.6,
        queued: 3,
        activeSockets: 4,
        freeSockets: 5,
      });
    });

    it('reads a reuse of 0, never a negative share or NaN, when sockets outnumber requests', () => {
      const { agents } = httpLibraries();
      const none = { requests: {}, sockets: {}, freeSockets: {} };
      const fresh = keep(new agents.HttpAgent());
      Object.assign(fresh, {
        getCurrentStatus: () => ({ createSocketCount: 0, requestCount: 0, ...none }),
      });
      expect(poolStatsOf(fresh)).to.deep.equal(zero);
      const failedSockets = keep(new agents.HttpAgent());
      Object.assign(failedSockets, {
        getCurrentStatus: () => ({ createSocketCount: 3, requestCount: 2, ...none }),
      });
      expect(poolStatsOf(failedSockets)).to.include({ requests: 2, reuseRatio: 0 });
    });

    it("counts what node:http shows of the caller's own agent (it keeps no totals)", () => {
      const agent = keep(new http.Agent({ keepAlive: true }));
      const lists = agent as unknown as Record<
        'requests' | 'sockets' | 'freeSockets',
        Record<string, unknown[] | undefined>
      >;
      lists.requests['a:80:'] = [1, 2];
      lists.requests['b:80:'] = undefined;
      lists.sockets['a:80:'] = [1];
      lists.sockets['b:80:'] = [1, 2, 3];
      lists.freeSockets['c:80:'] = [1, 2, 3, 4];
      expect(poolStatsOf(agent)).to.deep.equal({
        socketsCreated: 0,
        requests: 0,
        reuseRatio: 0,
        queued: 2,
        activeSockets: 4,
        freeSockets: 4,
      });
      for (const name of ['requests', 'sockets', 'freeSockets'] as const)
        for (const key of Object.keys(lists[name])) delete lists[name][key];
    });
  });
});
