/**
 * Reads the fields of named types out of TypeScript sources (a published `.d.mts` included) with
 * the compiler API: each field's name, whether it is optional, and the string literals of its
 * type when it is a union of them. For the oracle spec (official-sdk.spec.ts).
 */
import ts from 'typescript';

/** One field of a type, as the comparison needs it. */
export interface FieldShape {
  optional: boolean;
  /** The string literals of the field's type (sorted); empty when it has none. */
  literals: string[];
  /** Whether the type also admits any other string (`string`, `string & {}`). */
  open: boolean;
}

/** Fields by name, of each type by name. */
export type Shapes = Map<string, Map<string, FieldShape>>;

function literalsOf(type: ts.Type): { literals: string[]; open: boolean } {
  const parts = type.isUnion() ? type.types : [type];
  const literals: string[] = [];
  let open = false;
  for (const part of parts) {
    if (part.isStringLiteral()) literals.push(part.value);
    else if (part.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) continue;
    else if (part.flags & ts.TypeFlags.String || part.isIntersection()) open = true;
  }
  return { literals: literals.sort(), open };
}

/**
 * The fields of each type named, per file: one program reads every file (a type missing from
 * its file throws).
 */
export function shapesOf(wanted: Record<string, readonly string[]>): Map<string, Shapes> {
  const files = Object.keys(wanted);
  const program = ts.createProgram(files, {
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    noLib: true, // only the declarations' own fields are read: no lib.d.ts or @types to check
    types: [],
  });
  const checker = program.getTypeChecker();
  const byFile = new Map<string, Shapes>();
  for (const file of files) {
    const names = wanted[file] ?? [];
    const source = program.getSourceFile(file);
    if (!source) throw new Error(`cannot read ${file}`);
    const shapes: Shapes = new Map();
    for (const statement of source.statements) {
      if (!ts.isTypeAliasDeclaration(statement) && !ts.isInterfaceDeclaration(statement)) continue;
      const name = statement.name.text;
      if (!names.includes(name)) continue;
      const type = checker.getTypeAtLocation(statement.name);
      const fields = new Map<string, FieldShape>();
      for (const prop of checker.getPropertiesOfType(type)) {
        const propType = checker.getTypeOfSymbolAtLocation(prop, statement);
        fields.set(prop.name, {
          optional: (prop.flags & ts.SymbolFlags.Optional) !== 0,
          ...literalsOf(propType),
        });
      }
      shapes.set(name, fields);
    }
    for (const name of names)
      if (!shapes.has(name)) throw new Error(`type ${name} is not in ${file}`);
    byFile.set(file, shapes);
  }
  return byFile;
}
