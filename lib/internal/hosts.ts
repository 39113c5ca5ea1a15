/**
 * Where the client's hosts come from: the options, else the environment, read the way the
 * official Node SDK reads it too (`SONIOX_BASE_DOMAIN`, `SONIOX_WS_URL`), so a team moving
 * from it with `SONIOX_BASE_DOMAIN=eu.soniox.com` keeps its EU hosts (a project's keys work
 * only in its own region). Contradictory variables are refused, never settled silently.
 */
import { SonioxConfigError, type FieldIssue } from '../errors';

/** Regions with their own hosts; a project's keys only work in its region. */
export type SonioxRegion = 'us' | 'eu' | 'jp';

/** The base domain of each region: `api.<base>` and `stt-rt.<base>`. */
export const REGION_DOMAINS: Record<SonioxRegion, string> = {
  us: 'soniox.com',
  eu: 'eu.soniox.com',
  jp: 'jp.soniox.com',
};

/** The REST origin and WebSocket URL of a base domain (the official SDK's rule). */
export function domainHosts(domain: string): { baseURL: string; realtimeURL: string } {
  return {
    baseURL: `https://api.${domain}`,
    realtimeURL: `wss://stt-rt.${domain}/transcribe-websocket`,
  };
}

/** A host name with an optional port: labels of letters, digits and dashes (no scheme, no path). */
function isDomain(value: string): boolean {
  const [host = '', port, ...rest] = value.split(':');
  if (rest.length > 0 || (port !== undefined && !/^\d{1,5}$/.test(port))) return false;
  return host.split('.').every((label) => /^[a-z0-9-]{1,63}$/i.test(label));
}

/** What the hosts are chosen from: the client's options and its environment. */
export interface HostSources {
  region: string | undefined;
  baseURL: string | undefined;
  realtimeURL: string | undefined;
  env: Record<string, string | undefined>;
}

/** The region (unchecked) and the URLs `resolveHosts` derives. */
export interface ResolvedHosts {
  region: unknown;
  domain: string;
  baseURL: string;
  realtimeURL: string;
}

/**
 * The region and the (unchecked) URLs. Each URL: its option, else its variable
 * (`SONIOX_API_BASE_URL`; `SONIOX_REALTIME_URL` or `SONIOX_WS_URL`), else derived from the
 * `region` option, else from `SONIOX_BASE_DOMAIN`, else from `SONIOX_REGION`, else `us`.
 */
export function resolveHosts(sources: HostSources): ResolvedHosts {
  const { env } = sources;
  const wsURL = env.SONIOX_WS_URL;
  const realtimeURL = env.SONIOX_REALTIME_URL;
  if (wsURL !== undefined && realtimeURL !== undefined && wsURL !== realtimeURL)
    throw new SonioxConfigError(
      'realtimeURL',
      'SONIOX_WS_URL (the official SDK’s) and SONIOX_REALTIME_URL (this SDK’s) name different URLs: set one',
    );
  const base = env.SONIOX_BASE_DOMAIN;
  if (base !== undefined && !isDomain(base))
    throw new SonioxConfigError(
      'region',
      'SONIOX_BASE_DOMAIN must be a domain such as eu.soniox.com (no scheme, no path)',
    );
  const baseRegion = (Object.keys(REGION_DOMAINS) as SonioxRegion[]).find(
    (r) => REGION_DOMAINS[r] === base?.toLowerCase(),
  );
  const envRegion = env.SONIOX_REGION;
  if (base !== undefined && envRegion !== undefined && baseRegion !== envRegion)
    throw new SonioxConfigError(
      'region',
      `SONIOX_BASE_DOMAIN (${base}) and SONIOX_REGION (${envRegion}) name different hosts: set one`,
    );
  // The option first; then the environment, the base domain before the region (as the official SDK).
  const region: unknown = sources.region ?? baseRegion ?? envRegion ?? 'us';
  const domain =
    sources.region === undefined && base !== undefined
      ? base
      : typeof region === 'string' && Object.hasOwn(REGION_DOMAINS, region)
        ? REGION_DOMAINS[region as SonioxRegion]
        : REGION_DOMAINS.us;
  const derived = domainHosts(domain);
  return {
    region,
    domain,
    baseURL: sources.baseURL ?? env.SONIOX_API_BASE_URL ?? derived.baseURL,
    realtimeURL: sources.realtimeURL ?? realtimeURL ?? wsURL ?? derived.realtimeURL,
  };
}

/** `resolveHosts`, or the issue of variables that contradict each other (collected, not thrown). */
export function hostsOrIssue(sources: HostSources): ResolvedHosts | FieldIssue {
  try {
    return resolveHosts(sources);
  } catch (error) {
    if (!(error instanceof SonioxConfigError)) throw error;
    return { field: error.option, message: error.message };
  }
}
