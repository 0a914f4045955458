// Dependency cycles among target nodes, reported as the whole loop with the relation of each
// edge and the profiles that could break it (`<!stage1>`-style terms on an edge's relation).
// Tarjan's strongly connected components, then the shortest loop through each component's
// first node (by name), so the report is stable from run to run.
import type { Solution, SolveEdge, SolveProblem } from './types.js';

function stronglyConnected(names: readonly string[], next: (n: string) => readonly string[]): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  // Iterative, so a deep chain in a whole-archive graph cannot overflow the call stack.
  for (const start of names) {
    if (index.has(start)) continue;
    const work: { node: string; i: number }[] = [{ node: start, i: 0 }];
    index.set(start, counter); low.set(start, counter); counter++;
    stack.push(start); onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame === undefined) break;
      const succ = next(frame.node);
      if (frame.i < succ.length) {
        const w = succ[frame.i++] ?? '';
        if (!index.has(w)) {
          index.set(w, counter); low.set(w, counter); counter++;
          stack.push(w); onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(w) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
          onStack.delete(w);
          component.push(w);
          if (w === frame.node) break;
        }
        out.push(component);
      }
    }
  }
  return out;
}

/** Shortest loop through `start` inside `members`, as a list of node names (start first). */
function loopThrough(start: string, members: ReadonlySet<string>, next: (n: string) => readonly string[]): string[] {
  const parent = new Map<string, string>();
  const queue = [start];
  for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
    for (const w of next(n)) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [n];
        for (let p = parent.get(n); p !== undefined; p = parent.get(p)) path.unshift(p);
        return path[0] === start ? path : [start, ...path];
      }
      if (!parent.has(w) && w !== start) {
        parent.set(w, n);
        queue.push(w);
      }
    }
  }
  return [start];
}

/** Every cycle among the solution's target nodes, one problem per strongly connected component. */
export function findCycles(solution: Solution): SolveProblem[] {
  const deps = new Map(solution.nodes.map((n) => [n.source, n.depends]));
  const next = (n: string): readonly string[] => deps.get(n) ?? [];
  const targetEdges = new Map<string, SolveEdge[]>();
  for (const e of solution.edges) {
    if (e.role !== 'target' || e.to === undefined) continue;
    const key = `${e.from}\0${e.to}`;
    const list = targetEdges.get(key);
    if (list === undefined) targetEdges.set(key, [e]);
    else list.push(e);
  }
  const names = solution.nodes.map((n) => n.source).sort();
  const problems: SolveProblem[] = [];
  for (const component of stronglyConnected(names, next)) {
    if (component.length < 2) continue;
    const members = new Set(component);
    const start = [...component].sort()[0] ?? '';
    const loop = loopThrough(start, members, next);
    const edges: SolveEdge[] = [];
    const breakers: { edge: SolveEdge; profiles: string[]; alternatives: string[] }[] = [];
    loop.forEach((from, i) => {
      const to = loop[(i + 1) % loop.length] ?? start;
      const parallel = targetEdges.get(`${from}\0${to}`) ?? [];
      const first = parallel[0];
      if (first === undefined) return;
      edges.push(first);
      // A profile breaks the pair only if every relation from `from` to `to` carries one; another
      // alternative only if there is one relation between them.
      const profiles = parallel.every((e) => (e.breakingProfiles ?? []).length > 0)
        ? [...new Set(parallel.flatMap((e) => e.breakingProfiles ?? []))].sort() : [];
      const alternatives = parallel.length === 1 ? [...(first.otherAlternatives ?? [])] : [];
      if (profiles.length > 0 || alternatives.length > 0) breakers.push({ edge: first, profiles, alternatives });
    });
    problems.push({ reason: 'cycle', edges, breakers });
  }
  return problems;
}
