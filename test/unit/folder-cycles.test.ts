// No two folders of src/ depend on each other, directly or round a longer loop: a folder is a room
// with a direction (docs/architecture.md, the folder table), and a loop means one of them holds
// something that belongs lower down (io/ holds what every I/O folder shares). Imports are read
// from the source text: static `import … from`, `export … from` and `import('…')`, type-only ones
// included, since they too say which room a thing lives in.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The folder of src/ a file sits in (`.` for src/ itself). */
function folderOf(path: string): string {
  const parts = relative(SRC, path).split('/');
  return parts.length > 1 ? (parts[0] ?? '.') : '.';
}

/** folder → folders it imports from, each edge with one file that makes it. */
export function folderGraph(files: readonly { path: string; text: string }[]): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const { path, text } of files) {
    const from = folderOf(path);
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)'(\.{1,2}\/[^']+)'/g)) {
      const to = folderOf(resolve(dirname(path), m[1] ?? ''));
      if (to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, relative(SRC, path));
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Strongly connected components of more than one folder (Tarjan). */
export function folderCycles(graph: ReadonlyMap<string, ReadonlyMap<string, string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (;;) {
      const w = stack.pop();
      if (w === undefined) break;
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

describe('folder import cycles', () => {
  it('finds a loop of three folders and names its members', () => {
    const graph = folderGraph([
      { path: join(SRC, 'a/x.ts'), text: "import { y } from '../b/y.js';" },
      { path: join(SRC, 'b/y.ts'), text: "import type { z } from '../c/z.js';" },
      { path: join(SRC, 'c/z.ts'), text: "export { x } from '../a/x.js';" },
      { path: join(SRC, 'd/w.ts'), text: "const m = await import('../a/x.js');" },
    ]);
    expect(folderCycles(graph)).toEqual([['a', 'b', 'c']]);
  });

  it('src/ has none', () => {
    const files = sourceFiles(SRC).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
    const graph = folderGraph(files);
    const described = folderCycles(graph).map((members) => members.map((m) => {
      const edges = [...(graph.get(m) ?? new Map<string, string>())].filter(([to]) => members.includes(to));
      return `${m} → ${edges.map(([to, file]) => `${to} (${file})`).join(', ')}`;
    }).join('; '));
    expect(described).toEqual([]);
  });
});
