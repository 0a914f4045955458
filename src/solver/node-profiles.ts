// The solver's side of build-profile choice (profiles.ts): the relations of one source record
// handed to the chooser, the drop a chosen profile makes in a binary's Depends, and the check that
// a chosen profile still builds every binary a dependant needs. Pure.
import type { ReduceContext } from '../control/relation-eval.js';
import type { SourceRecord } from '../model/archive.js';
import type { AlternativeGroup, RelationList } from '../model/relation.js';
import { profilesSatisfied } from '../control/relation-eval.js';
import type { ArchiveView } from './archive-view.js';
import { sourceLocation } from './archive-view.js';
import { binaryFormulas, chooseProfiles, declaredProfiles, type Probe, type ProfileChoice, type ProfileFormula, type ProfileGroup } from './profiles.js';
import { reduceGroup } from './reduce-group.js';
import type { GroupDecision } from './roles.js';
import type { DropReason, RelationField } from './types.js';

export interface NodeProfiles extends ProfileChoice {
  /** The arch's and the recipe's profiles. */
  readonly base: readonly string[];
  readonly binaries: ReadonlyMap<string, ProfileFormula>;
}

/** No choice: the base profiles only. */
export function NO_PROFILE_CHOICE(base: readonly string[]): NodeProfiles {
  return { base, profiles: [...base].sort(), chosen: [], profileOnly: new Map(), binaries: new Map() };
}

export interface NodeProfileInput {
  readonly record: SourceRecord;
  readonly base: readonly string[];
  readonly needed: readonly string[];
  readonly forbidden: ReadonlySet<string>;
  readonly view: ArchiveView;
  readonly reduceContext: (profiles: readonly string[]) => ReduceContext;
  readonly classify: (kept: AlternativeGroup) => GroupDecision;
}

function probeOf(decision: GroupDecision): Probe {
  switch (decision.kind) {
    case 'target': return { role: 'target', to: decision.sourceRecord.package, binary: decision.binary.package };
    case 'native': return { role: 'native', binary: decision.binary.package };
    default: return { role: decision.kind };
  }
}

/** Choose the profiles of one source from its Build-Depends, Build-Depends-Arch and Package-List. */
export function chooseNodeProfiles(input: NodeProfileInput): NodeProfiles {
  const r = input.record;
  const fields: [RelationField, string | undefined][] = [
    ['Build-Depends', r.buildDepends], ['Build-Depends-Arch', r.buildDependsArch], ['Build-Depends-Indep', r.buildDependsIndep],
  ];
  const lists: RelationList[] = [];
  const groups: ProfileGroup[] = [];
  for (const [field, text] of fields) {
    if (text === undefined) continue;
    const parsed = input.view.field(text, { file: `${sourceLocation(r).file} ${field}` });
    if (!parsed.ok) continue;
    lists.push(parsed.value);
    if (field === 'Build-Depends-Indep') continue;
    for (const group of parsed.value) groups.push({ field, group, text: group.map((g) => g.text).join(' | ') });
  }
  const binaries = binaryFormulas(r.binaryProfiles);
  const declared = declaredProfiles(lists, binaries);
  if (![...declared].some((p) => !input.base.includes(p))) return { ...NO_PROFILE_CHOICE(input.base), binaries };
  const choice = chooseProfiles({
    source: r.package, groups, declared, base: input.base, forbidden: input.forbidden, binaries, needed: input.needed,
    reduce: (group, profiles) => reduceGroup(group, input.reduceContext(profiles)).kept,
    probe: (kept) => probeOf(input.classify(kept)),
  });
  return { ...choice, base: input.base, binaries };
}

/**
 * A group of a binary's Depends whose every alternative the source build-depends on only under a
 * chosen profile: the archive's binary was built without that profile; built with it, the binary
 * does not need it (a -dev's Depends on a language runtime's -dev, say). Undefined otherwise.
 */
export function profileOnlyDrop(kept: AlternativeGroup, profiles: NodeProfiles, source: string): DropReason[] | undefined {
  if (kept.length === 0 || profiles.profileOnly.size === 0) return undefined;
  const drops: DropReason[] = [];
  for (const rel of kept) {
    const why = profiles.profileOnly.get(rel.name);
    if (why === undefined) return undefined;
    drops.push({
      kind: 'profile', relation: rel.text, chosenProfiles: [why.profile],
      detail: `${source} build-depends on ${rel.name} only through ${why.relation}, and is built with ${why.profile} (chosen by the solver)`,
    });
  }
  return drops;
}

/** Chosen profiles of a source that stop it building `binary` (its Package-List formula). */
export function profileConflict(profiles: NodeProfiles, binary: string): string[] {
  const formula = profiles.binaries.get(binary);
  if (formula === undefined || profiles.chosen.length === 0 || profilesSatisfied(formula, profiles.profiles)) return [];
  const named = new Set(formula.flat().map((t) => t.profile));
  return profiles.chosen.map((c) => c.profile).filter((p) => named.has(p));
}

/**
 * Names the source's Build-Depends(-Arch) name only in alternatives the partial arch's arch
 * restrictions drop (`libunwind-dev [i386 amd64 ...]` in gstreamer1.0's): name → that
 * relation as written and why it does not apply. A name also kept by another alternative is left
 * out.
 */
export function archOnlyNames(
  record: SourceRecord, view: ArchiveView, reduceContext: ReduceContext,
): ReadonlyMap<string, { readonly relation: string; readonly detail: string }> {
  const out = new Map<string, { relation: string; detail: string }>();
  const kept = new Set<string>();
  const fields: [RelationField, string | undefined][] = [['Build-Depends', record.buildDepends], ['Build-Depends-Arch', record.buildDependsArch]];
  for (const [field, text] of fields) {
    if (text === undefined) continue;
    const parsed = view.field(text, { file: `${sourceLocation(record).file} ${field}` });
    if (!parsed.ok) continue;
    for (const group of parsed.value) {
      const reduced = reduceGroup(group, reduceContext);
      for (const rel of reduced.kept) kept.add(rel.name);
      for (const d of reduced.drops) {
        if (d.kind !== 'arch') continue;
        const rel = group.find((r) => r.text === d.relation);
        if (rel !== undefined && !out.has(rel.name)) out.set(rel.name, { relation: d.relation, detail: d.detail });
      }
    }
  }
  for (const name of kept) out.delete(name);
  return out;
}

/**
 * A group of a binary's Depends whose every alternative the source build-depends on only where
 * an arch restriction leaves the partial arch out: the archive's binary was built for an arch the
 * restriction includes (libgstreamer1.0-dev Depends on libunwind-dev because gstreamer1.0 was
 * built with it on amd64); built for the partial arch, it is not. Undefined otherwise.
 */
export function archOnlyDrop(
  kept: AlternativeGroup, archOnly: ReadonlyMap<string, { readonly relation: string; readonly detail: string }>, source: string,
): DropReason[] | undefined {
  if (kept.length === 0 || archOnly.size === 0) return undefined;
  const drops: DropReason[] = [];
  for (const rel of kept) {
    const why = archOnly.get(rel.name);
    if (why === undefined) return undefined;
    drops.push({ kind: 'arch', relation: rel.text, detail: `${source} build-depends on ${rel.name} only as ${why.relation}: ${why.detail}` });
  }
  return drops;
}
