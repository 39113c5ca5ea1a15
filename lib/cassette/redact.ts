/**
 * Secrets out of what a cassette holds: fields that carry keys or auth values by name, and any
 * string that contains one of the known secrets (the client's key) wherever it appears.
 */
import { REDACTED, type CassetteJson } from './format';

/** Fields (JSON bodies, start messages, headers, lower-cased) whose value is always a secret. */
const SECRET_FIELDS = new Set([
  'api_key',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'webhook_auth_header_value',
]);

/** `value` as JSON with every secret replaced by `[redacted]` (a copy; `value` is untouched). */
export function redactSecrets(value: unknown, secrets: readonly string[]): CassetteJson {
  const known = secrets.filter((s) => s.length > 0);
  const visit = (v: unknown): CassetteJson => {
    if (typeof v === 'string') {
      let out = v;
      for (const secret of known) out = out.split(secret).join(REDACTED);
      return out;
    }
    if (typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
    if (Array.isArray(v)) return v.map(visit);
    if (typeof v === 'object') {
      const out: Record<string, CassetteJson> = {};
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        if (item === undefined) continue;
        out[k] = SECRET_FIELDS.has(k.toLowerCase()) && item !== null ? REDACTED : visit(item);
      }
      return out;
    }
    // undefined, functions, symbols: not JSON.
    return null;
  };
  return visit(value);
}
