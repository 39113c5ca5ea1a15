/**
 * What spec/schemas/openapi.spec.ts needs of the published OpenAPI document, and no more: for
 * each component it compares, the required fields and each property's JSON types. Kept in
 * fixtures/openapi-digest.json so the comparison runs everywhere; where the document itself is
 * present (CI always) the spec checks that the digest still says what the document says.
 */

/** A component as the comparison sees it. */
export interface ComponentDigest {
  required: string[];
  /** Property -> its JSON types (sorted; `integer` kept apart from `number`). */
  properties: Record<string, string[]>;
}

export type Schema = Record<string, unknown>;

/** The JSON types a schema admits: `type`, `enum` values, `const`, and anyOf/oneOf branches. */
export function typesOf(
  raw: Schema | undefined,
  resolve: (s: Schema) => Schema = (s) => s,
): Set<string> {
  const out = new Set<string>();
  if (!raw) return out;
  const s = resolve(raw);
  for (const branch of (s.anyOf ?? s.oneOf ?? []) as Schema[])
    for (const t of typesOf(branch, resolve)) out.add(t);
  if (typeof s.type === 'string') out.add(s.type);
  if (Array.isArray(s.enum)) for (const v of s.enum) out.add(v === null ? 'null' : typeof v);
  if (s.const !== undefined) out.add(typeof s.const);
  if (s.properties && !s.type) out.add('object');
  return out;
}

/** The digest of `names` from an OpenAPI document's components (following `$ref`s). */
export function digestOf(
  doc: { components: { schemas: Record<string, Schema> } },
  names: string[],
): Record<string, ComponentDigest> {
  const components = doc.components.schemas;
  const resolve = (s: Schema): Schema => {
    const ref = s.$ref as string | undefined;
    if (!ref) return s;
    const target = components[ref.split('/').pop() ?? ''];
    if (!target) throw new Error(`${ref} names no schema of the document`);
    return resolve(target);
  };
  const out: Record<string, ComponentDigest> = {};
  for (const name of [...names].sort()) {
    const component = components[name];
    if (!component) throw new Error(`the document has no component ${name}`);
    const s = resolve(component);
    const properties: Record<string, string[]> = {};
    for (const [prop, schema] of Object.entries((s.properties ?? {}) as Record<string, Schema>))
      properties[prop] = [...typesOf(schema, resolve)].sort();
    out[name] = { required: [...((s.required ?? []) as string[])].sort(), properties };
  }
  return out;
}
