/**
 * A webhook URL carrying the caller's own query parameters: Soniox keeps a `webhook_url`'s query
 * as it is, so an order id or a tenant travels to the webhook receiver without a lookup. Checked
 * here against the create parameter's documented limits (http or https, at most 256 characters)
 * so a bad URL fails before any upload, naming the parameter.
 */
import { SonioxValidationError } from '../errors';

/** The API's limit on `webhook_url`. */
const MAX_WEBHOOK_URL = 256;

/** Query parameters: values that are strings, numbers or booleans; undefined ones are left out. */
export type WebhookQuery =
  URLSearchParams | Readonly<Record<string, string | number | boolean | undefined>>;

/** `base` with `query` appended after the parameters it already has. Throws SonioxValidationError. */
export function webhookUrl(base: string, query: WebhookQuery = {}): string {
  let url: URL | undefined;
  try {
    url = typeof base === 'string' ? new URL(base) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new SonioxValidationError('webhook_url: must be an http(s) URL', [
      { field: 'webhook_url', message: 'must be an http(s) URL' },
    ]);
  const entries =
    query instanceof URLSearchParams ? [...query.entries()] : Object.entries(query ?? {});
  const issues = entries
    .filter(
      ([, value]) => value !== undefined && !['string', 'number', 'boolean'].includes(typeof value),
    )
    .map(([name]) => ({ field: `query.${name}`, message: 'must be a string, number or boolean' }));
  if (issues.length > 0)
    throw new SonioxValidationError(
      `webhook_url: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      issues,
    );
  for (const [name, value] of entries)
    if (value !== undefined) url.searchParams.append(name, String(value));
  const text = url.toString();
  if (text.length > MAX_WEBHOOK_URL)
    throw new SonioxValidationError(
      `webhook_url: ${text.length} characters, the API takes at most ${MAX_WEBHOOK_URL}`,
      [{ field: 'webhook_url', message: `at most ${MAX_WEBHOOK_URL} characters` }],
    );
  return text;
}
