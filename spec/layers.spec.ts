import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The layers of lib/ (docs/design.md, "Layers"), read from the code: a file imports only files of
 * its own room or of a lower layer, and no files import each other in a circle. Two rooms on one
 * layer do not import each other either: realtime/ takes its helpers from internal/, not http/
 * (which stands above it, on config.ts), and reads no client option itself.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['audio.ts', 'suggest.ts', 'quota.ts', 'schemas/', 'cassette/'],
  ['types.ts'],
  ['errors.ts', 'transcript/', 'mock/'],
  ['internal/'],
  ['config.ts', 'realtime/'],
  ['http/'],
  ['resources/'],
  ['job.ts', 'model-catalogue.ts'],
  ['transcribe.ts', 'batch/'],
  ['translate.ts'],
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

/** The local files a file imports (static imports and re-exports, type-only ones included). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.{1,2}\/[^']*)'/gms)];
  return specs.map((m) => {
    const target = path.resolve(path.dirname(file), m[1]!);
    return fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts');
  });
}

/** Every circle of imports in `graph` (file -> the files it imports), as paths under `base`. */
function circlesOf(graph: ReadonlyMap<string, readonly string[]>, base: string): string[] {
  const circles: string[] = [];
  const done = new Set<string>();
  const visit = (file: string, trail: string[]) => {
    const at = trail.indexOf(file);
    if (at >= 0) {
      circles.push([...trail.slice(at), file].map((f) => path.relative(base, f)).join(' -> '));
      return;
    }
    if (done.has(file)) return;
    for (const target of graph.get(file) ?? []) visit(target, [...trail, file]);
    done.add(file);
  };
  for (const file of graph.keys()) visit(file, []);
  return circles;
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
    expect(circlesOf(graph, LIB)).to.deep.equal([]);
  });
});

describe('perf/: no circles', () => {
  // The perf harness runs (npm run perf, perf:check): its files may not import each other in a
  // loop either (a worker once took `tally` from the harness module that imports its types).
  const PERF = path.join(__dirname, '..', 'perf');
  const graph = new Map(sources(PERF).map((f) => [f, importsOf(f)]));

  it('reads the imports it checks (the parse is not empty)', () => {
    expect(graph.get(path.join(PERF, 'run.ts'))?.length).to.be.above(0);
  });

  it('has no circle of imports', () => {
    expect(circlesOf(graph, PERF)).to.deep.equal([]);
  });
});
