/** Connection pool figures of a client's agent: agentkeepalive's own, or what node:http shows. */
import type { Agent } from 'node:http';
import type { HttpAgent } from 'agentkeepalive';

/** Connection pool figures, from agentkeepalive. */
export interface PoolStats {
  /** Sockets opened since the client was made. */
  socketsCreated: number;
  /** Requests sent (every attempt counts). */
  requests: number;
  /** Share of requests that went out on an already open socket (0..1). */
  reuseRatio: number;
  /** Requests waiting for a socket right now. */
  queued: number;
  /** Sockets busy right now. */
  activeSockets: number;
  /** Idle sockets kept open right now. */
  freeSockets: number;
}

const sum = (counts: Record<string, number>): number =>
  Object.values(counts).reduce((a, b) => a + b, 0);

/** Entries across the per-origin lists of a node:http agent. */
const count = (lists: NodeJS.ReadOnlyDict<readonly unknown[]>): number =>
  Object.values(lists).reduce((a: number, list) => a + (list?.length ?? 0), 0);

/** Whether the agent is agentkeepalive's (it reports its own pool figures). */
function isKeepAliveAgent(agent: Agent): agent is HttpAgent {
  return typeof (agent as Partial<HttpAgent>).getCurrentStatus === 'function';
}

/** The pool figures of `agent` (all zero before the first request made one). */
export function poolStatsOf(agent: Agent | undefined): PoolStats {
  // No agent yet: nothing sent, nothing open.
  const none = { socketsCreated: 0, requests: 0, reuseRatio: 0 };
  if (!agent) return { ...none, queued: 0, activeSockets: 0, freeSockets: 0 };
  if (!isKeepAliveAgent(agent)) {
    // A proxy tunnel or your own agent: what node:http shows (it counts no sockets made).
    const { requests: waiting, sockets, freeSockets } = agent;
    return {
      ...none,
      queued: count(waiting),
      activeSockets: count(sockets),
      freeSockets: count(freeSockets),
    };
  }
  const s = agent.getCurrentStatus();
  const requests = s.requestCount;
  return {
    socketsCreated: s.createSocketCount,
    requests,
    reuseRatio: requests === 0 ? 0 : Math.max(0, requests - s.createSocketCount) / requests,
    queued: sum(s.requests),
    activeSockets: sum(s.sockets),
    freeSockets: sum(s.freeSockets),
  };
}
