// Reduce a relation field for one build, as dpkg-checkbuilddeps and sbuild do (Dpkg::Deps
// `deps_parse` with `reduce_restrictions`): a relation whose `[arch]` list excludes the host
// architecture goes, then one whose `<profile>` formula is false for the active profiles, then an
// alternative group left empty. Kept relations lose their `[...]` and `<...>` (they now hold
// unconditionally), as dpkg prints them; `text` keeps what was written.
//
// Architecture lists are evaluated for the *host* architecture, including for `:native`
// relations (Policy §7.1: "the host architecture"; `Dpkg::Deps::Simple::arch_is_concerned`
// takes only the host arch). `buildArch` is carried for callers that resolve `:native`.
import type { ArchTable } from '../model/arch-table.js';
import type { AlternativeGroup, ProfileTerm, Relation, RelationList } from '../model/relation.js';

export interface ReduceContext {
  readonly hostArch: string;
  readonly buildArch: string;
  /** Active build profiles (DEB_BUILD_PROFILES), e.g. `['cross', 'nocheck']`. */
  readonly profiles: readonly string[];
  readonly table: ArchTable;
}

export interface DroppedRelation {
  readonly relation: Relation;
  readonly reason: 'arch' | 'profile';
  /** Why, in words: `[!musl-linux-any] excludes musl-linux-amd64`, `<!nocheck> is false for profiles nocheck`. */
  readonly detail: string;
  /** Index of the relation's alternative group in the input list. */
  readonly group: number;
}

export interface ReducedRelations {
  readonly kept: RelationList;
  readonly dropped: readonly DroppedRelation[];
}

/**
 * `evaluate_restriction_formula`: true when one `<...>` group has all its terms true; a term
 * `p` is true when p is active, `!p` when it is not.
 */
export function profilesSatisfied(formula: readonly (readonly ProfileTerm[])[], active: readonly string[]): boolean {
  return formula.some((group) => group.every((term) => active.includes(term.profile) !== term.negated));
}

function formatArchs(r: Relation): string {
  return `[${(r.archs ?? []).map((a) => (a.negated ? '!' : '') + a.arch).join(' ')}]`;
}

function formatProfiles(r: Relation): string {
  return (r.profiles ?? []).map((g) => `<${g.map((p) => (p.negated ? '!' : '') + p.profile).join(' ')}>`).join(' ');
}

function unconditional(r: Relation): Relation {
  return {
    name: r.name,
    ...(r.archQualifier === undefined ? {} : { archQualifier: r.archQualifier }),
    ...(r.version === undefined ? {} : { version: r.version }),
    text: r.text,
  };
}

/** The reduced list with, for each relation dropped, the reason and the words to show. */
export function reduceRelationsExplained(list: RelationList, ctx: ReduceContext): ReducedRelations {
  const kept: AlternativeGroup[] = [];
  const dropped: DroppedRelation[] = [];
  const active = ctx.profiles.length === 0 ? 'no profiles' : `profiles ${ctx.profiles.join(' ')}`;
  list.forEach((group, index) => {
    const alternatives: Relation[] = [];
    for (const relation of group) {
      if (relation.archs !== undefined && !ctx.table.archIsConcerned(ctx.hostArch, relation.archs)) {
        dropped.push({
          relation,
          reason: 'arch',
          detail: `${formatArchs(relation)} excludes host architecture ${ctx.hostArch}`,
          group: index,
        });
        continue;
      }
      if (relation.profiles !== undefined && !profilesSatisfied(relation.profiles, ctx.profiles)) {
        dropped.push({
          relation,
          reason: 'profile',
          detail: `${formatProfiles(relation)} is false with ${active}`,
          group: index,
        });
        continue;
      }
      alternatives.push(unconditional(relation));
    }
    if (alternatives.length > 0) kept.push(alternatives);
  });
  return { kept, dropped };
}

/** The relations that apply to this build (see reduceRelationsExplained for the why). */
export function reduceRelations(list: RelationList, ctx: ReduceContext): RelationList {
  return reduceRelationsExplained(list, ctx).kept;
}
