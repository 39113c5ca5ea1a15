/**
 * The transport's axios instance with its defaults trimmed to what a call reads. axios merges an
 * instance's defaults into every call's config, deep-copying each plain object among them: the
 * headers as axios keeps them (`common` plus one bucket per method, six of them empty) and the
 * `transitional` flags, which it then checks one by one, on every call, and `env` (FormData and
 * Blob classes). Flattened and dropped, a JSON call allocates about 7 KB less (of the ~50 KB it
 * allocates over raw Node), and its
 * collections, the tail of its latency, come less often (issue 31). What goes on the wire is the
 * same: the same headers, and axios reads its own transitional defaults when an instance has none.
 */
import type { AxiosInstance } from 'axios';

/** axios' per-method header buckets (merged with `common` into each call's headers). */
const BUCKETS = [
  'common',
  'delete',
  'get',
  'head',
  'post',
  'put',
  'patch',
  'query',
  'options',
  'purge',
  'link',
  'unlink',
];

/** True for a plain object with no key: a bucket axios made and nobody filled. */
function empty(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

/**
 * Flattens `http.defaults.headers` (the `common` bucket's headers, then the instance's own) when
 * every method's bucket is empty, and drops `http.defaults.transitional` (axios' own defaults
 * apply), `env` and the xsrf cookie and header names. A filled method bucket is left as it is: its headers go on that method's calls only.
 */
export function leanDefaults(http: AxiosInstance): void {
  const defaults = http.defaults as unknown as Record<string, unknown>;
  const headers = defaults.headers as Record<string, unknown>;
  const methods = BUCKETS.slice(1).filter((method) => method in headers);
  if (methods.every((method) => empty(headers[method]))) {
    const flat: Record<string, unknown> = { ...(headers.common as Record<string, unknown>) };
    for (const [name, value] of Object.entries(headers)) {
      if (!BUCKETS.includes(name)) flat[name] = value;
    }
    defaults.headers = flat;
  }
  delete defaults.transitional;
  // Read only by FormData bodies (env, deep-copied into every call) and the browser adapters
  // (the xsrf names): the transport sends neither.
  delete defaults.env;
  delete defaults.xsrfCookieName;
  delete defaults.xsrfHeaderName;
}
