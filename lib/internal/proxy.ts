/**
 * Which proxy REST calls go through, and the agent that tunnels through it. The environment is
 * read as Node tools usually read it (proxy-from-env: `HTTPS_PROXY` / `HTTP_PROXY` by the
 * origin's scheme, upper or lower case, `NO_PROXY` exemptions); the tunnel is an HTTP CONNECT
 * through https-proxy-agent, kept alive like the direct pool.
 */
import type { Agent } from 'node:http';

/** Options of the tunnelling agent (the direct pool's, where they apply). */
export interface ProxyAgentOptions {
  maxSockets: number;
  maxFreeSockets: number;
  timeout: number;
  keepAliveMsecs: number;
  /**
   * Closes the tunnel's socket to the proxy when aborted: a CONNECT the proxy never answers is
   * otherwise held open (https-proxy-agent hands its options to the net.Socket it makes).
   */
  signal?: AbortSignal;
}

/**
 * The proxy URL for `origin`: the `proxy` option when a string, none when `false`, else what
 * `env` says. proxy-from-env reads `process.env` only: it is handed `env` (the client's `env`
 * option, or process.env itself) for the one synchronous call.
 */
export function proxyFor(
  origin: string,
  option: string | false | undefined,
  env: Record<string, string | undefined>,
): string | undefined {
  if (option === false) return undefined;
  if (option !== undefined) return option;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when a client is made
  const { getProxyForUrl } = require('proxy-from-env') as {
    getProxyForUrl: (url: string) => string;
  };
  const saved = process.env;
  try {
    if (env !== saved) process.env = env;
    return getProxyForUrl(origin) || undefined;
  } finally {
    process.env = saved;
  }
}

/** A keep-alive agent that reaches every origin through a CONNECT tunnel on `proxy`. */
export function proxyAgent(proxy: string, options: ProxyAgentOptions): Agent {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only with a proxy
  const { HttpsProxyAgent } = require('https-proxy-agent') as typeof import('https-proxy-agent');
  return new HttpsProxyAgent(proxy, { keepAlive: true, ...options });
}
