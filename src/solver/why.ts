// `why`: for a name — a source package in the closure, a native tool, or a relation that was
// dropped — every place the solution met it, each with the whole chain from the target.
import type { Solution, SolveEdge } from './types.js';

export type WhyMatch =
  | { readonly kind: 'target'; readonly source: string; readonly version: string; readonly chain: readonly SolveEdge[] }
  | { readonly kind: 'native'; readonly binary: string; readonly version: string; readonly edge: SolveEdge; readonly chain: readonly SolveEdge[] }
  | { readonly kind: 'dropped'; readonly relation: string; readonly edge: SolveEdge; readonly chain: readonly SolveEdge[] };

/** The package name a relation text starts with (`libfoo-dev:any (>= 1) [..]` → `libfoo-dev`). */
export function relationName(text: string): string {
  return /^[^\s:(<[|,]+/.exec(text.trim())?.[0] ?? text.trim();
}

export function explainWhy(solution: Solution, name: string): WhyMatch[] {
  const chainOf = new Map(solution.nodes.map((n) => [n.source, n.why]));
  const chainTo = (edge: SolveEdge): readonly SolveEdge[] => [...(chainOf.get(edge.from) ?? []), edge];
  const matches: WhyMatch[] = [];
  const node = solution.nodes.find((n) => n.source === name || n.neededBinaries.includes(name));
  if (node !== undefined) matches.push({ kind: 'target', source: node.source, version: node.version, chain: node.why });
  for (const tool of solution.natives) {
    if (tool.binary !== name && !tool.neededBy.some((e) => relationName(e.choice?.relation ?? '') === name)) continue;
    for (const edge of tool.neededBy) matches.push({ kind: 'native', binary: tool.binary, version: tool.version, edge, chain: chainTo(edge) });
  }
  for (const edge of solution.dropped) {
    for (const drop of edge.drops ?? []) {
      if (relationName(drop.relation) === name) matches.push({ kind: 'dropped', relation: drop.relation, edge, chain: chainTo(edge) });
    }
  }
  return matches;
}

/** One edge in words: `qemu Build-Depends: zlib1g-dev → target zlib (zlib1g-dev 1:1.2.13.dfsg-1, bookworm)`. */
export function describeEdge(edge: SolveEdge): string {
  const field = edge.origin.binary === undefined ? edge.origin.field : `${edge.origin.field} of ${edge.origin.binary}`;
  const head = `${edge.from} ${field}: ${edge.origin.text}`;
  const c = edge.choice;
  const picked = c === undefined ? '' : `${c.binary} ${c.version} from ${c.suite}${c.provides === undefined ? '' : `, providing ${c.provides}`}${c.pin === undefined ? '' : `, pinned`}`;
  const over = c === undefined || c.others.length === 0 ? '' : `; not ${c.others.map((o) => `${o.version} (${o.suite})`).join(', ')}`;
  switch (edge.role) {
    case 'target':
      return `${head} → target ${edge.to ?? '?'} (${picked}${over}) — ${edge.roleReason}`;
    case 'native':
      return `${head} → native (${picked}${over}) — ${edge.roleReason}`;
    case 'dropped':
      return `${head} → dropped — ${(edge.drops ?? []).map((d) => `${d.kind}: ${d.detail}`).join('; ')}`;
  }
}

export function describeChain(chain: readonly SolveEdge[], indent = '  '): string[] {
  return chain.map((edge, i) => `${indent}${'  '.repeat(i)}${i === 0 ? '' : '└ '}${describeEdge(edge)}`);
}
