// One alternative group reduced for the partial arch (arch restrictions for the host arch, build
// profiles), keeping the link to the relations as written: the solver needs the original
// `<profile>` formula to say which profile could break a cycle.
import { profilesSatisfied, reduceRelationsExplained, type ReduceContext } from '../control/relation-eval.js';
import type { AlternativeGroup, Relation } from '../model/relation.js';
import type { DropReason } from './types.js';

export interface ReducedGroup {
  /** Alternatives that apply to this build, in order (may be empty). */
  readonly kept: AlternativeGroup;
  /** The original (unreduced) relation for each kept one, same order. */
  readonly originals: readonly Relation[];
  readonly drops: readonly DropReason[];
}

/**
 * `base`: the profiles active without the solver's choice (the arch's and the recipe's). A relation
 * that only the chosen ones drop says so: its drop names the chosen profiles that are in its formula.
 */
export function reduceGroup(group: AlternativeGroup, ctx: ReduceContext, base?: readonly string[]): ReducedGroup {
  const reduced = reduceRelationsExplained([group], ctx);
  const kept = reduced.kept[0] ?? [];
  const drops: DropReason[] = reduced.dropped.map((d) => {
    const formula = d.relation.profiles;
    const byChoice = d.reason === 'profile' && base !== undefined && formula !== undefined && profilesSatisfied(formula, base);
    if (!byChoice) return { kind: d.reason, relation: d.relation.text, detail: d.detail };
    const chosen = [...new Set(formula.flat().map((t) => t.profile))].filter((p) => !base.includes(p) && ctx.profiles.includes(p)).sort();
    return { kind: d.reason, relation: d.relation.text, detail: `${d.detail} (${chosen.join(' ')} chosen by the solver)`, chosenProfiles: chosen };
  });
  const droppedSet = new Set(reduced.dropped.map((d) => d.relation));
  const originals = group.filter((r) => !droppedSet.has(r));
  return { kept, originals, drops };
}

/**
 * Profiles that, added to `active`, would make this relation's `<...>` formula false: the ones
 * that could drop it (e.g. `stage1` for `<!stage1>`). Empty when no profile can.
 */
export function breakingProfiles(relation: Relation, active: readonly string[]): string[] {
  const formula = relation.profiles;
  if (formula === undefined) return [];
  const candidates = new Set<string>();
  for (const conj of formula) for (const term of conj) if (term.negated && !active.includes(term.profile)) candidates.add(term.profile);
  return [...candidates].filter((p) => !profilesSatisfied(formula, [...active, p])).sort();
}
