/**
 * Fault injection: which fault applies to a request or a realtime session, and the parser of
 * the CLI's `--fault` flags. Faults are matched in order; `times` and `probability` are honoured.
 */
import type { HttpFault, MockFaults, WsFault } from './contracts';

interface Counted<T> {
  fault: T;
  remaining: number;
}

/** The faults in force, replaceable at run time (`setFaults`). */
export class FaultBook {
  private http: Array<Counted<HttpFault>> = [];
  private ws: Array<Counted<WsFault>> = [];

  constructor(
    faults: MockFaults | undefined,
    private readonly random: () => number,
  ) {
    this.set(faults);
  }

  /** Replaces every fault. */
  set(faults: MockFaults | undefined): void {
    this.http = (faults?.http ?? []).map((fault) => ({
      fault,
      remaining: fault.times ?? Infinity,
    }));
    this.ws = (faults?.ws ?? []).map((fault) => ({ fault, remaining: fault.times ?? Infinity }));
  }

  /** The fault for a request on `route` (`METHOD /pattern`), consuming one of its `times`. */
  forRequest(route: string): HttpFault | undefined {
    for (const entry of this.http) {
      if (entry.remaining <= 0) continue;
      if (entry.fault.route !== '*' && entry.fault.route !== route) continue;
      if (entry.fault.probability !== undefined && this.random() >= entry.fault.probability)
        continue;
      entry.remaining -= 1;
      return entry.fault;
    }
    return undefined;
  }

  /** The fault for a new realtime session, consuming one of its `times`. */
  forSession(): WsFault | undefined {
    for (const entry of this.ws) {
      if (entry.remaining <= 0) continue;
      entry.remaining -= 1;
      return entry.fault;
    }
    return undefined;
  }
}

const NUMBER_FIELDS = new Set([
  'status',
  'retryAfterMs',
  'delayMs',
  'slowBodyMs',
  'times',
  'probability',
]);

/**
 * Parses a CLI fault: `ROUTE=field=value,field=value`, where a bare number is the status, e.g.
 * `POST /v1/files=503,retryAfter=2,times=1` or `*=reset=mid-response,probability=0.3`.
 */
export function parseFaultFlag(flag: string): HttpFault {
  const eq = flag.indexOf('=');
  if (eq <= 0) throw new Error(`fault "${flag}" must look like "METHOD /path=503,retryAfter=2"`);
  const route = flag.slice(0, eq).trim();
  const fault: HttpFault = { route };
  const bag = fault as unknown as Record<string, unknown>;
  for (const part of flag
    .slice(eq + 1)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    if (/^\d+$/.test(part)) {
      fault.status = Number(part);
      continue;
    }
    const sep = part.indexOf('=');
    const key = sep < 0 ? part : part.slice(0, sep);
    const value = sep < 0 ? '' : part.slice(sep + 1);
    if (NUMBER_FIELDS.has(key)) {
      const n = Number(value);
      if (value === '' || Number.isNaN(n))
        throw new Error(`fault field ${key} needs a number, got "${value}"`);
      bag[key] = n;
    } else if (key === 'retryAfter') {
      // eslint-disable-next-line security/detect-unsafe-regex -- linear: the optional group starts with a '.', which `\d+` cannot match, so an input splits one way only
      bag[key] = /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    } else if (
      key === 'reset' &&
      ['before', 'mid-request', 'after-handler', 'mid-response'].includes(value)
    ) {
      fault.reset = value as NonNullable<HttpFault['reset']>;
    } else if (key === 'body' && ['truncated', 'invalid-json', 'html-page'].includes(value)) {
      fault.body = value as NonNullable<HttpFault['body']>;
    } else if (key === 'encoding' && ['gzip', 'deflate', 'br'].includes(value)) {
      fault.encoding = value as NonNullable<HttpFault['encoding']>;
    } else {
      throw new Error(`unknown fault field "${part}"`);
    }
  }
  return fault;
}
