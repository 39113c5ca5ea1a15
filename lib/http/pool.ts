/**
 * The HTTP side's libraries and the socket pool of one client: axios, axios-retry and
 * agentkeepalive loaded by the first client rather than at `require`, and the keep-alive agent
 * (or the proxy's, or the caller's own) its requests share.
 */
import type { Agent } from 'node:http';
import type { ResolvedConfig } from '../config';
import { proxyAgent } from '../internal/proxy';

/** The TCP keep-alive delay axios' http adapter sets on every request's socket. */
export const AXIOS_KEEPALIVE_MS = 60_000;

/** The HTTP libraries, loaded once per process by the first client rather than at `require` time. */
export interface HttpLibraries {
  axios: typeof import('axios').default;
  axiosRetry: typeof import('axios-retry').default;
  agents: typeof import('agentkeepalive');
  jsonAdapter: typeof import('./json-adapter').jsonAdapter;
}
let libraries: HttpLibraries | undefined;

/**
 * Loads axios, axios-retry and agentkeepalive (about four fifths of the package's load time):
 * a program that only imports the SDK, or only its types, error classes or webhook helpers,
 * never pays for them. The first client pays once, so first calls stay fast.
 */
export function httpLibraries(): HttpLibraries {
  /* eslint-disable @typescript-eslint/no-require-imports */
  libraries ??= {
    axios: (require('axios') as typeof import('axios')).default,
    axiosRetry: (require('axios-retry') as typeof import('axios-retry')).default,
    agents: require('agentkeepalive') as typeof import('agentkeepalive'),
    // It loads Node's https, tls and zlib, which a program that never calls needs not.
    jsonAdapter: (require('./json-adapter') as typeof import('./json-adapter')).jsonAdapter,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return libraries;
}

/** The agent of a client's requests: the caller's `httpAgent`, the proxy's, or a keep-alive pool. */
export function poolAgent(
  config: ResolvedConfig,
  agents: HttpLibraries['agents'],
  https: boolean,
): Agent {
  const agentOptions = {
    maxSockets: config.maxSockets,
    maxFreeSockets: config.maxFreeSockets,
    freeSocketTimeout: config.freeSocketTimeoutMs,
    // agentkeepalive's own socket timeout also fires on busy sockets: keep it above every
    // request's inactivity timeout so only ours decides.
    timeout: Math.max(config.timeoutMs, config.uploadTimeoutMs) + 5_000,
    // axios' http adapter (uploads) sets TCP keep-alive to 60 s on each request's socket; the
    // agent sets its own delay when the socket goes back to the pool. The same delay makes
    // both no-ops after the first (two setsockopt calls per request otherwise).
    keepAliveMsecs: AXIOS_KEEPALIVE_MS,
  };
  return (
    config.httpAgent ??
    (config.proxy !== undefined
      ? proxyAgent(config.proxy, agentOptions)
      : https
        ? new agents.HttpsAgent(agentOptions)
        : new agents.HttpAgent(agentOptions))
  );
}
