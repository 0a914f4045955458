// Build profiles the solver chooses per source (docs/solver.md, "Build profiles"), the way a
// cross-bootstrapper sets them by hand: a profile the source declares (in a `<...>` formula of its
// Build-Depends, or on a binary of its Package-List) is activated when it removes something this
// build does not need and takes nothing away that a dependant needs. Pure.
import { profilesSatisfied } from '../control/relation-eval.js';
import type { AlternativeGroup, ProfileTerm, RelationList } from '../model/relation.js';
import type { ChosenProfile, ProfileDrop, RelationField } from './types.js';

/** A `<...>` formula: a disjunction of conjunctions (`<!a !b> <!c>`). */
export type ProfileFormula = readonly (readonly ProfileTerm[])[];

/**
 * Why a profile may be chosen, which decides when it is:
 * - `packaging`: changes how the package is built, not what the library does (tests, docs,
 *   udebs): chosen when it removes any relation;
 * - `binding`: a language binding or runtime (`nopython`, `nogir` ...): the partial arch has no
 *   such runtime to build it against, so it is chosen when it removes any relation;
 * - `feature`: leaves a feature out of the library (`stage1`, `pkg.<source>.no*`,
 *   `pkg.<source>.libonly`): chosen only
 *   when it removes a library that would be rebuilt, or a relation that cannot be satisfied.
 */
export type ProfileClass = 'packaging' | 'binding' | 'feature';

const PACKAGING = new Set(['cross', 'nocheck', 'nodoc', 'noinsttest', 'noudeb', 'nobiarch']);
const BINDING = new Set(['nopython', 'nogir', 'noperl', 'nojava', 'noruby', 'nolua', 'noguile', 'nocil']);
const FEATURE = new Set(['stage1', 'stage2']);
const CLASS_ORDER: readonly ProfileClass[] = ['packaging', 'binding', 'feature'];

/** The class of a profile for `source`; undefined for one the solver never chooses. */
export function profileClass(profile: string, source: string): ProfileClass | undefined {
  if (PACKAGING.has(profile)) return 'packaging';
  if (BINDING.has(profile)) return 'binding';
  if (FEATURE.has(profile)) return 'feature';
  const own = `pkg.${source}.`;
  if (!profile.startsWith(own)) return undefined;
  const name = profile.slice(own.length);
  // `pkg.<source>.libonly` (unbound, gnutls28's way to python): the library without its tools
  // and bindings, which is all a -cross package ships.
  return name.startsWith('no') || name === 'libonly' ? 'feature' : undefined;
}

/** `!stage1,!nocheck+!stage2` (Package-List syntax) → formula. */
export function parsePackageListFormula(text: string): ProfileFormula {
  return text.split('+').map((group) => group.split(',').filter((t) => t !== '').map((t) => (
    t.startsWith('!') ? { negated: true, profile: t.slice(1) } : { negated: false, profile: t }
  )));
}

/** `binaryProfiles` of a source record (`<binary> <formula>` lines) → formula by binary. */
export function binaryFormulas(text: string | undefined): ReadonlyMap<string, ProfileFormula> {
  const out = new Map<string, ProfileFormula>();
  for (const line of (text ?? '').split('\n')) {
    const [binary, formula] = line.split(' ');
    if (binary !== undefined && binary !== '' && formula !== undefined) out.set(binary, parsePackageListFormula(formula));
  }
  return out;
}

/** Every profile named in the relation lists' formulas and the binaries' formulas. */
export function declaredProfiles(lists: readonly RelationList[], binaries: ReadonlyMap<string, ProfileFormula>): Set<string> {
  const out = new Set<string>();
  const add = (formula: ProfileFormula | undefined): void => {
    for (const conj of formula ?? []) for (const term of conj) out.add(term.profile);
  };
  for (const list of lists) for (const group of list) for (const rel of group) add(rel.profiles);
  for (const formula of binaries.values()) add(formula);
  return out;
}

/** One relation group of the source's build, as the chooser sees it. */
export interface ProfileGroup {
  readonly field: RelationField;
  readonly group: AlternativeGroup;
  /** The group as written. */
  readonly text: string;
}

/** What a group would do in the closure: its role, and the source or binary it would bring. */
export interface Probe {
  readonly role: ProfileDrop['role'];
  readonly to?: string;
  readonly binary?: string;
}

export interface ChooseInput {
  readonly source: string;
  readonly groups: readonly ProfileGroup[];
  readonly declared: ReadonlySet<string>;
  /** Profiles active anyway (the arch's and the recipe's). */
  readonly base: readonly string[];
  /** Profiles this source must not be built with (they would remove a binary a dependant needs). */
  readonly forbidden: ReadonlySet<string>;
  readonly binaries: ReadonlyMap<string, ProfileFormula>;
  /** Binaries of this source that dependants are known to need. */
  readonly needed: readonly string[];
  /** The alternatives of a group that apply with these profiles (arch and profile reduction). */
  readonly reduce: (group: AlternativeGroup, profiles: readonly string[]) => AlternativeGroup;
  readonly probe: (kept: AlternativeGroup) => Probe;
}

export interface ProfileChoice {
  /** Every active profile, sorted: the base and the chosen ones (DEB_BUILD_PROFILES). */
  readonly profiles: readonly string[];
  readonly chosen: readonly ChosenProfile[];
  /**
   * Names that the source's build needs only through groups a chosen profile removed: a binary of
   * this source whose Depends names one was made with that relation; built with the profile, it
   * does not need it. Name → the profile and the relation as written.
   */
  readonly profileOnly: ReadonlyMap<string, { readonly profile: string; readonly relation: string }>;
}

const REASONS: Record<ProfileClass, string> = {
  packaging: 'declared by the source; leaves out tests, documentation or packaging only',
  binding: 'declared by the source; the partial arch has no language runtime to build this binding against',
  feature: 'declared by the source; removes a library the closure would otherwise rebuild',
};

/** Greedy, one profile at a time in class order (then by name), each measured against the ones chosen so far. */
export function chooseProfiles(input: ChooseInput): ProfileChoice {
  const active = [...input.base];
  const chosen: ChosenProfile[] = [];
  const candidates = [...input.declared]
    .flatMap((p) => {
      const cls = profileClass(p, input.source);
      return cls === undefined || active.includes(p) || input.forbidden.has(p) ? [] : [{ profile: p, cls }];
    })
    .sort((a, b) => CLASS_ORDER.indexOf(a.cls) - CLASS_ORDER.indexOf(b.cls) || (a.profile < b.profile ? -1 : a.profile > b.profile ? 1 : 0));
  for (const { profile, cls } of candidates) {
    const next = [...active, profile];
    if (input.needed.some((b) => removesBinary(input.binaries.get(b), active, next))) continue;
    const dropped: ProfileDrop[] = [];
    let adds = false;
    for (const g of input.groups) {
      const before = input.reduce(g.group, active);
      const after = input.reduce(g.group, next);
      if (before.length > 0 && after.length === 0) {
        const probe = input.probe(before);
        if (probe.role !== 'dropped') dropped.push({ field: g.field, text: g.text, ...probe });
      } else if (before.length === 0 && after.length > 0) {
        const probe = input.probe(after);
        if (probe.role === 'target' || probe.role === 'unsatisfiable') adds = true;
      }
    }
    if (adds || dropped.length === 0) continue;
    if (cls === 'feature' && !dropped.some((d) => d.role === 'target' || d.role === 'unsatisfiable')) continue;
    active.push(profile);
    chosen.push({ profile, reason: REASONS[cls], dropped });
  }
  return { profiles: [...new Set(active)].sort(), chosen, profileOnly: profileOnlyNames(input, chosen, active) };
}

function removesBinary(formula: ProfileFormula | undefined, before: readonly string[], after: readonly string[]): boolean {
  return formula !== undefined && profilesSatisfied(formula, before) && !profilesSatisfied(formula, after);
}

function profileOnlyNames(input: ChooseInput, chosen: readonly ChosenProfile[], active: readonly string[]): Map<string, { profile: string; relation: string }> {
  const out = new Map<string, { profile: string; relation: string }>();
  if (chosen.length === 0) return out;
  const kept = new Set<string>();
  for (const g of input.groups) for (const rel of input.reduce(g.group, active)) kept.add(rel.name);
  for (const c of chosen) {
    for (const d of c.dropped) {
      const group = input.groups.find((g) => g.text === d.text && g.field === d.field)?.group ?? [];
      for (const rel of group) if (!kept.has(rel.name) && !out.has(rel.name)) out.set(rel.name, { profile: c.profile, relation: d.text });
    }
  }
  return out;
}
