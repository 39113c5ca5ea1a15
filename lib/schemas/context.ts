/**
 * The documented size limit of `context` (docs/api.md §5, the context page: "Maximum 8,000
 * tokens (~10,000 characters) ... If you exceed the limit, the API will return an error", async
 * and realtime alike). A JSON Schema cannot sum the strings of a structured context, so the
 * check is code; it counts characters the way the mock does (lib/mock/session-limits.ts).
 */

/** Characters a context may hold: the documented ~10,000 (8,000 tokens of Latin script). */
export const MAX_CONTEXT_CHARACTERS = 10_000;

/** Characters of a context: a string's length, or the sum over a structured one's strings. */
export function contextCharacters(context: unknown): number {
  if (typeof context === 'string') return context.length;
  if (context === null || typeof context !== 'object') return 0;
  // The structured shape, read defensively (schemas/ sits below types.ts: no import of it).
  const c = context as {
    text?: unknown;
    general?: Array<{ key?: unknown; value?: unknown } | null>;
    terms?: unknown[];
    translation_terms?: Array<{ source?: unknown; target?: unknown } | null>;
  };
  const len = (s: unknown) => (typeof s === 'string' ? s.length : 0);
  let n = len(c.text);
  if (Array.isArray(c.general)) for (const g of c.general) n += len(g?.key) + len(g?.value);
  if (Array.isArray(c.terms)) for (const term of c.terms) n += len(term);
  if (Array.isArray(c.translation_terms))
    for (const tt of c.translation_terms) n += len(tt?.source) + len(tt?.target);
  return n;
}

/** The issue of a context over the documented limit, none otherwise (CJK text may hit 8,000 tokens sooner: the API decides). */
export function contextIssue(context: unknown): Array<{ field: string; message: string }> {
  const n = contextCharacters(context);
  if (n <= MAX_CONTEXT_CHARACTERS) return [];
  return [
    {
      field: 'context',
      message: `is ${n} characters; the API accepts at most 8,000 tokens (~10,000 characters)`,
    },
  ];
}
