/**
 * Request headers of the caller's own (client-wide `headers`, a call's `headers`): HTTP tokens
 * for names, no line breaks in values, and none of the headers the SDK must own: Authorization
 * (set from apiKey, never replaced silently) and the framing the transport sets. Issues name the
 * header, never its value (a gateway's header may carry a secret).
 */
import type { FieldIssue } from '../errors';

/** Header names the caller may not set (lower case), with why. */
const OWNED: Readonly<Record<string, string>> = {
  authorization: 'is set from apiKey and never replaced',
  'content-length': 'is set by the transport',
  'transfer-encoding': 'is set by the transport',
  host: 'is set by the transport',
  connection: 'is set by the transport',
};

/** An HTTP header name (RFC 9110 token). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The issues of a `headers` option (none when left out): every name and value checked. */
export function headerIssues(field: string, headers: unknown): FieldIssue[] {
  if (headers === undefined) return [];
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers))
    return [{ field, message: `${field} must be an object of header names and string values` }];
  const issues: FieldIssue[] = [];
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    const at = `${field}.${name}`;
    if (!TOKEN.test(name)) issues.push({ field: at, message: `${at}: not a header name` });
    else if (Object.hasOwn(OWNED, name.toLowerCase()))
      issues.push({ field: at, message: `${at} ${OWNED[name.toLowerCase()]}` });
    else if (typeof value !== 'string' || /[\r\n\0]/.test(value))
      issues.push({ field: at, message: `${at}: the value must be a string without line breaks` });
  }
  return issues;
}
