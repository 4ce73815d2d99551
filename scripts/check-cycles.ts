/**
 * Import-cycle guard for apps/ and libs/ (part of `npm run lint`): a cycle
 * means a boundary is wrong, so none is allowed — type-only imports included
 * (eslint-plugin-import-x's no-cycle skips those, and the cycle this guard was
 * written for, path/policy.ts <-> path/result.ts, was one).
 *
 * Every import/export/require specifier is resolved the way tsc resolves it
 * (tsconfig.json, so the @jointcert/* aliases too); the strongly connected
 * components of the file graph are the cycles. Prints one loop per component
 * and exits 1 when there is any.
 */
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..');
const SCOPES = ['apps', 'libs'];

function compilerOptions(): ts.CompilerOptions {
  const file = join(ROOT, 'tsconfig.json');
  const read: { config?: unknown; error?: ts.Diagnostic } = ts.readConfigFile(file, (p) => ts.sys.readFile(p));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, undefined, file).options;
}

function sourceFiles(): string[] {
  return SCOPES.flatMap((dir) =>
    ts.sys.readDirectory(join(ROOT, dir), ['.ts'], ['**/node_modules', '**/dist'], undefined).filter((f) => !f.endsWith('.d.ts')),
  );
}

/** file -> files it imports (inside apps/ and libs/ only). */
function importGraph(files: string[], options: ts.CompilerOptions): Map<string, string[]> {
  const inScope = new Set(files);
  const host = ts.createCompilerHost(options);
  const cache = ts.createModuleResolutionCache(ROOT, (f) => f, options);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = new Set<string>();
    for (const { fileName } of importedFiles) {
      const resolved = ts.resolveModuleName(fileName, file, options, host, cache).resolvedModule?.resolvedFileName;
      if (resolved && inScope.has(resolved) && resolved !== file) targets.add(resolved);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Tarjan's strongly connected components with more than one file. */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** The shortest loop from the component's first file back to itself (breadth-first inside the component). */
function loopOf(component: string[], graph: Map<string, string[]>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0]!;
  const parent = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const loop = [start];
        for (let at = v; at !== start; at = parent.get(at)!) loop.splice(1, 0, at);
        return [...loop, start];
      }
      if (!parent.has(w)) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return component;
}

const show = (f: string): string => relative(ROOT, f).split(sep).join('/');
const graph = importGraph(sourceFiles(), compilerOptions());
const found = cycles(graph);
for (const component of found) {
  console.error(`import cycle (${component.length} files): ${loopOf(component, graph).map(show).join(' -> ')}`);
}
if (found.length) {
  console.error(`${found.length} import cycle(s) in ${SCOPES.join('/, ')}/: move what both sides need into a module of its own`);
  process.exitCode = 1;
} else {
  console.log(`check-cycles: no import cycles among ${graph.size} files in ${SCOPES.join('/, ')}/`);
}
