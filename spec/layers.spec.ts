import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The layers of lib/ (docs/design.md, "Layers"), read from the code: a file imports only files of
 * its own room or of a lower layer, and no files import each other in a circle. Two rooms on one
 * layer do not import each other either: realtime/ takes its helpers from internal/, not http/.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['audio.ts', 'suggest.ts', 'quota.ts', 'schemas/', 'cassette/'],
  ['types.ts'],
  ['errors.ts', 'transcript/', 'mock/'],
  ['internal/'],
  ['config.ts'],
  ['http/', 'realtime/'],
  ['resources/'],
  ['job.ts', 'model-catalogue.ts'],
  ['transcribe.ts', 'batch/'],
  ['client.ts'],
  ['index.ts', 'cli/'],
];

const LIB = path.join(__dirname, '..', 'lib');

/** The room of a file under lib/: its first directory, or the file itself at the top. */
function roomOf(file: string): string {
  const [first = '', ...rest] = path.relative(LIB, file).split(path.sep);
  return rest.length > 0 ? `${first}/` : first;
}

function layerOf(room: string): number {
  const layer = LAYERS.findIndex((rooms) => rooms.includes(room));
  if (layer < 0) throw new Error(`lib/${room} is on no layer: add it to LAYERS`);
  return layer;
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sources(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/** The lib/ files a file imports (static imports and re-exports, type-only ones included). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.{1,2}\/[^']*)'/gms)];
  return specs.map((m) => {
    const target = path.resolve(path.dirname(file), m[1]!);
    return fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts');
  });
}

describe('lib/: layers', () => {
  const files = sources(LIB);
  const graph = new Map(files.map((f) => [f, importsOf(f)]));

  it('reads the imports it checks (the parse is not empty)', () => {
    expect(graph.get(path.join(LIB, 'client.ts'))).to.include(path.join(LIB, 'config.ts'));
  });

  it('puts every room on a layer, and no import on its own layer or a higher one', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      const from = roomOf(file);
      for (const target of targets) {
        const to = roomOf(target);
        if (to !== from && layerOf(to) >= layerOf(from)) {
          upward.push(`${path.relative(LIB, file)} -> ${path.relative(LIB, target)}`);
        }
      }
    }
    expect(upward).to.deep.equal([]);
  });

  it('has no circle of imports', () => {
    const circles: string[] = [];
    const done = new Set<string>();
    const visit = (file: string, trail: string[]) => {
      const at = trail.indexOf(file);
      if (at >= 0) {
        circles.push([...trail.slice(at), file].map((f) => path.relative(LIB, f)).join(' -> '));
        return;
      }
      if (done.has(file)) return;
      for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
      done.add(file);
    };
    for (const file of files) visit(file, []);
    expect(circles).to.deep.equal([]);
  });
});
