// Solver problems and warnings in words, for the CLI and reports. Pure text; one place per
// reason, ending in an exhaustiveness check so a new reason cannot go unprinted.
import { formatLocation } from '../model/location.js';
import { assertNever } from '../model/result.js';
import { describeChain, describeEdge } from './why.js';
import type { RelationOrigin, SolveEdge, SolveProblem, SolveWarning } from './types.js';

function originText(o: RelationOrigin): string {
  const field = o.binary === undefined ? o.field : `${o.field} of ${o.binary}`;
  return `${o.source} ${field}: ${o.text}  (${formatLocation(o.location)})`;
}

function chainLines(chain: readonly SolveEdge[]): string[] {
  return chain.length === 0 ? ['  chain from the target: (the target itself)'] : ['  chain from the target:', ...describeChain(chain, '    ')];
}

export function describeProblem(p: SolveProblem): string[] {
  switch (p.reason) {
    case 'unknown-target':
      return [`unknown target ${p.target}: ${p.message}`];
    case 'unsatisfiable': {
      const lines = [`unsatisfiable: ${originText(p.origin)}`, ...chainLines(p.chain), '  tried:'];
      for (const a of p.attempts) lines.push(`    ${a.relation}: ${a.outcome} — ${a.detail}`);
      if (p.offers.length === 0) lines.push('  the archive offers nothing under these names');
      else {
        lines.push('  the archive offers:');
        for (const o of p.offers) {
          lines.push(o.providedBy === undefined ? `    ${o.name} ${o.version} (${o.suite})` : `    ${o.name} ${o.version} provided by ${o.providedBy} (${o.suite})`);
        }
      }
      return lines;
    }
    case 'cycle': {
      const names = p.edges.map((e) => e.from);
      const lines = [`dependency cycle (${names.length} sources): ${[...names, names[0] ?? ''].join(' → ')}`];
      for (const e of p.edges) lines.push(`    ${describeEdge(e)}`);
      if (p.breakers.length === 0) {
        lines.push('  no build profile or alternative on these relations can break it: a recipe must drop or re-role one of them');
      }
      for (const b of p.breakers) {
        if (b.profiles.length > 0) {
          lines.push(`  could be broken by building ${b.edge.from} with profile ${b.profiles.join(' or ')} (drops ${b.edge.origin.text}): Build-Profiles in recipes/${b.edge.from}`);
        }
        if (b.alternatives.length > 0) {
          lines.push(`  could be broken by satisfying ${b.edge.origin.text} with ${b.alternatives.join(' or ')} instead: Drop/Target in recipes/${b.edge.from}`);
        }
      }
      return lines;
    }
    case 'invalid-relation':
      return [`invalid relation: ${originText(p.origin)}: ${p.message}`, ...chainLines(p.chain)];
    case 'version-conflict':
      return [`version conflict on ${p.source}: ${p.message}`, `  at ${originText(p.origin)}`, ...chainLines(p.chain)];
    default:
      return assertNever(p, 'solver problem');
  }
}

export function describeWarning(w: SolveWarning): string {
  switch (w.reason) {
    case 'unused-recipe-entry':
      return `${formatLocation(w.location)}: ${w.list} lists ${w.name}, but no relation of ${w.source} names it`;
    case 'unpublished-binary':
      return `${formatLocation(w.location)}: ${w.binary} of ${w.source} is needed by a dependant but not in Publish`;
    case 'invalid-version':
      return `index ${w.suite}: ${w.name} has an invalid version "${w.version}" (never chosen)`;
    case 'c-library-missing':
      return `${formatLocation(w.location)}: C library source ${w.source} is not in the suites (Static-Built-Using will lack it)`;
    default:
      return assertNever(w, 'solver warning');
  }
}
