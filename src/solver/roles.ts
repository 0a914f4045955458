// The role of one alternative group (docs/solver.md, "Roles"): alternatives are tried in order;
// the recipe decides first, then the arch's toolchain, then the archive's own metadata
// (qualifier, Multi-Arch, Architecture: all, `-dev`). A group whose alternatives are all dropped
// is dropped; one with no usable alternative is unsatisfiable, with what the archive offers.
import type { ArchTable } from '../arch/dpkg-arch.js';
import type { PartialArch } from '../arch/arch-file.js';
import type { BinaryRecord, SourceRecord } from '../model/archive.js';
import type { AlternativeGroup, Relation } from '../model/relation.js';
import type { EffectiveRecipe } from '../recipe/recipe.js';
import type { ArchiveView } from './archive-view.js';
import type { Attempt, Choice, DropReason, Offer, Role } from './types.js';

export interface ClassifyContext {
  readonly view: ArchiveView;
  readonly arch: PartialArch;
  readonly table: ArchTable;
  /** The source whose build (or whose binary's Depends) holds the group. */
  readonly source: string;
  readonly recipe: EffectiveRecipe;
  /** Source name → the only version allowed (an explicit user choice). */
  readonly pins: ReadonlyMap<string, string>;
  /** Recipe list entries that matched a relation, `<list>\0<name>` (for unused-entry warnings). */
  readonly used: Set<string>;
  /** The effective recipe of another source (its Architecture override decides if it builds). */
  readonly recipeOf: (source: string) => EffectiveRecipe;
}

export type GroupDecision =
  | { readonly kind: 'target'; readonly relation: Relation; readonly choice: Choice; readonly binary: BinaryRecord; readonly sourceRecord: SourceRecord; readonly roleReason: string }
  | { readonly kind: 'native'; readonly relation: Relation; readonly choice: Choice; readonly binary: BinaryRecord; readonly roleReason: string }
  | { readonly kind: 'dropped'; readonly drops: readonly DropReason[] }
  | { readonly kind: 'unsatisfiable'; readonly attempts: readonly Attempt[]; readonly offers: readonly Offer[] };

interface Candidate {
  readonly record: BinaryRecord;
  readonly provides?: string;
}

/** Binaries satisfying `rel`: real packages newest first, then versioned/unversioned providers. */
export function satisfyingCandidates(rel: Relation, view: ArchiveView): readonly Candidate[] {
  const key = `candidates\0${rel.name}\0${rel.version?.op ?? ''}\0${rel.version?.version ?? ''}`;
  return view.memo(key, () => computeCandidates(rel, view));
}

/**
 * A provider is considered only when no real package of the name satisfies the relation (what
 * apt does for build dependencies), so a plan looks providers up for virtual names only.
 */
function computeCandidates(rel: Relation, view: ArchiveView): Candidate[] {
  const out: Candidate[] = [];
  for (const record of view.binaries(rel.name)) {
    if (view.satisfies(record.version, rel.version)) out.push({ record });
  }
  if (out.length > 0) return out;
  for (const p of view.providers(rel.name)) {
    // Policy §7.5: an unversioned Provides never satisfies a versioned relation.
    if (rel.version === undefined || (p.version !== undefined && view.satisfies(p.version, rel.version))) {
      out.push({ record: p.record, provides: rel.name });
    }
  }
  return out;
}

/** Everything the archive has under the names a relation asked for. */
export function offersFor(rel: Relation, view: ArchiveView): Offer[] {
  const offers: Offer[] = view.binaries(rel.name).map((r) => ({ name: r.package, version: r.version, suite: r.suite }));
  for (const p of view.providers(rel.name)) {
    offers.push({ name: rel.name, version: p.version ?? '(unversioned)', suite: p.record.suite, providedBy: `${p.record.package} ${p.record.version}` });
  }
  return offers;
}

function choiceOf(rel: Relation, c: Candidate, view: ArchiveView): Choice {
  const others = view.binaries(c.record.package)
    .filter((r) => r !== c.record)
    .map((r) => ({ version: r.version, suite: r.suite }));
  return {
    relation: rel.text, binary: c.record.package, version: c.record.version, suite: c.record.suite, others,
    ...(c.provides === undefined ? {} : { provides: c.provides }),
  };
}

type DefaultRole = { readonly role: Exclude<Role, 'dropped'>; readonly reason: string } | { readonly role: 'dropped'; readonly reason: string };

/** The role the archive's metadata gives a binary when no recipe names it. */
export function defaultRole(rel: Relation, record: BinaryRecord, source: string): DefaultRole {
  if (rel.archQualifier !== undefined) {
    return { role: 'native', reason: `:${rel.archQualifier} qualifier: the build machine's package satisfies it` };
  }
  if (record.multiArch === 'foreign') return { role: 'native', reason: 'Multi-Arch: foreign: a tool that runs on the build machine' };
  if (record.architecture === 'all') return { role: 'native', reason: 'Architecture: all: no code to rebuild' };
  if (record.source === source) return { role: 'dropped', reason: `built by ${source} itself (merged into its -cross package)` };
  if (record.package.endsWith('-dev')) {
    return { role: 'target', reason: `library -dev package (Multi-Arch: ${record.multiArch ?? 'no'}): rebuilt for the partial arch` };
  }
  return { role: 'native', reason: 'not a -dev package: runs on the build machine' };
}

/** Does the source (or the recipe's Architecture override) build for the partial arch? */
export function sourceBuildsFor(record: SourceRecord, ctx: Pick<ClassifyContext, 'arch' | 'table'>, recipe: EffectiveRecipe | undefined): { ok: boolean; words: readonly string[] } {
  const words = recipe?.recipe?.architecture?.arches ?? record.architecture;
  return { ok: words.some((w) => w !== 'all' && ctx.table.archIs(ctx.arch.name, w)), words };
}

function recipeDecision(rel: Relation, ctx: ClassifyContext): { explicit?: 'target' | 'native'; drop?: DropReason } {
  const roles = ctx.recipe.roles;
  const file = ctx.recipe.recipe?.location.file;
  const dropped = roles.drop.find((d) => d.name === rel.name);
  if (dropped !== undefined) {
    ctx.used.add(`Drop\0${rel.name}`);
    return { drop: { kind: 'recipe', relation: rel.text, detail: dropped.reason, location: dropped.location } };
  }
  if (roles.target.includes(rel.name)) {
    ctx.used.add(`Target\0${rel.name}`);
    return { explicit: 'target' };
  }
  if (roles.native.includes(rel.name)) {
    ctx.used.add(`Native\0${rel.name}`);
    return { explicit: 'native' };
  }
  if (roles.dropUnlisted !== undefined) {
    const at = roles.dropUnlisted.location;
    return { drop: { kind: 'recipe-unlisted', relation: rel.text, detail: `${roles.dropUnlisted.reason} (Drop-Unlisted in ${file ?? 'recipe'})`, location: at } };
  }
  if (ctx.arch.toolchainProvides.includes(rel.name)) {
    const how = ctx.arch.toolchain.kind === 'packages' ? ctx.arch.toolchain.packages.join(', ') : `the tree named by ${ctx.arch.toolchain.variable}`;
    const detail = `provided by the ${ctx.arch.name} toolchain (${how})`;
    // A name the toolchain stands in for with a pkg-config module: the evidence is that line.
    const pc = ctx.arch.toolchainPkgConfig.find((m) => m.standsFor === rel.name);
    if (pc !== undefined) {
      const supplied = `${detail}, which supplies ${pc.module}.pc (Version ${pc.version}, no flags) to pkg-config in its place (Toolchain-Pkg-Config, arch file ${ctx.arch.name} line ${pc.line}): nothing is rebuilt or embedded`;
      return { drop: { kind: 'toolchain', relation: rel.text, detail: supplied, location: { file: ctx.arch.location.file, line: pc.line } } };
    }
    return { drop: { kind: 'toolchain', relation: rel.text, detail, location: ctx.arch.location } };
  }
  return {};
}

/**
 * Classify one group; `preDrops` are its alternatives already removed by arch/profile reduction.
 * An alternative the toolchain or the source's own build provides satisfies the group (it is
 * dropped because it is already there). One the recipe drops does not, but once the recipe has
 * dropped an alternative, later ones count only if the recipe names them as target or native: a
 * recipe that drops `libfoo-dev` in `libfoo-dev | libbar-dev` means the group, not a detour.
 */
export function classifyGroup(group: AlternativeGroup, ctx: ClassifyContext, preDrops: readonly DropReason[] = []): GroupDecision {
  const drops: DropReason[] = [...preDrops];
  const attempts: Attempt[] = [];
  const offers: Offer[] = [];
  let recipeDropped: DropReason | undefined;
  for (const rel of group) {
    const decided = recipeDecision(rel, ctx);
    if (decided.drop !== undefined) {
      drops.push(decided.drop);
      if (decided.drop.kind === 'toolchain') return { kind: 'dropped', drops };
      recipeDropped ??= decided.drop;
      attempts.push({ relation: rel.text, outcome: 'dropped', detail: decided.drop.detail });
      continue;
    }
    if (recipeDropped !== undefined && decided.explicit === undefined) {
      const detail = `not tried: the recipe drops ${recipeDropped.relation} before it and does not name this one`;
      drops.push({ kind: recipeDropped.kind, relation: rel.text, detail, ...(recipeDropped.location === undefined ? {} : { location: recipeDropped.location }) });
      attempts.push({ relation: rel.text, outcome: 'dropped', detail });
      continue;
    }
    const candidates = satisfyingCandidates(rel, ctx.view);
    const first = candidates[0];
    if (first === undefined) {
      const any = ctx.view.binaries(rel.name).length + ctx.view.providers(rel.name).length > 0;
      attempts.push({
        relation: rel.text,
        outcome: any ? 'version-mismatch' : 'no-package',
        detail: any ? `no version in the suites satisfies ${rel.text}` : `no package ${rel.name} in the suites, and nothing provides it`,
      });
      offers.push(...offersFor(rel, ctx.view));
      continue;
    }
    const role = decided.explicit === undefined ? defaultRole(rel, first.record, ctx.source) : { role: decided.explicit, reason: `recipe lists ${rel.name} as ${decided.explicit}` };
    if (role.role === 'dropped') {
      drops.push({ kind: 'same-source', relation: rel.text, detail: role.reason });
      return { kind: 'dropped', drops };
    }
    if (role.role === 'native') {
      return { kind: 'native', relation: rel, choice: choiceOf(rel, first, ctx.view), binary: first.record, roleReason: role.reason };
    }
    const target = targetCandidate(rel, candidates, ctx);
    if ('attempt' in target) {
      attempts.push(target.attempt);
      offers.push(...offersFor(rel, ctx.view));
      continue;
    }
    const pin = ctx.pins.get(target.source.package);
    const choice = choiceOf(rel, target.candidate, ctx.view);
    return {
      kind: 'target', relation: rel, choice: pin === undefined ? choice : { ...choice, pin },
      binary: target.candidate.record, sourceRecord: target.source, roleReason: role.reason,
    };
  }
  if (attempts.every((a) => a.outcome === 'dropped')) return { kind: 'dropped', drops };
  return { kind: 'unsatisfiable', attempts, offers };
}

/**
 * A binary of the pinned source's name when the suites carry it only from another version of that
 * source: an archive keeps listing an older upload in Sources (other architectures still have its
 * binaries) after a point release replaced its amd64 binaries. The pinned version's own Sources
 * entry must list the binary (`Binary:`) and satisfy the relation; the library is rebuilt from that
 * source, so only the binary's name and its relations are taken from the version the suites carry.
 */
function pinnedStandIn(rel: Relation, candidates: readonly Candidate[], ctx: ClassifyContext): Candidate | undefined {
  return candidates.find((c) => {
    const pin = ctx.pins.get(c.record.source);
    if (pin === undefined || c.provides !== undefined) return false;
    const pinned = ctx.view.source(c.record.source, pin);
    return pinned !== undefined && pinned.binaries.includes(c.record.package) && ctx.view.satisfies(pin, rel.version);
  });
}

/** The newest satisfying candidate whose source is in the index, builds for the arch and fits a pin. */
function targetCandidate(rel: Relation, candidates: readonly Candidate[], ctx: ClassifyContext): { candidate: Candidate; source: SourceRecord } | { attempt: Attempt } {
  const pinnedOut: string[] = [];
  const usable = candidates.filter((c) => {
    const pin = ctx.pins.get(c.record.source);
    if (pin === undefined || pin === c.record.sourceVersion) return true;
    pinnedOut.push(`${c.record.package} ${c.record.version} (source ${c.record.source} ${c.record.sourceVersion}, pinned to ${pin})`);
    return false;
  });
  const first = usable[0] ?? pinnedStandIn(rel, candidates, ctx);
  if (first === undefined) return { attempt: { relation: rel.text, outcome: 'pinned-out', detail: `every candidate is excluded by a pin: ${pinnedOut.join('; ')}` } };
  const pin = ctx.pins.get(first.record.source);
  const source = ctx.view.source(first.record.source, pin !== undefined && usable[0] === undefined ? pin : first.record.sourceVersion);
  if (source === undefined) {
    const have = ctx.view.sources(first.record.source).map((s) => `${s.version} (${s.suite})`);
    return {
      attempt: {
        relation: rel.text,
        outcome: 'source-missing',
        detail: `${first.record.package} ${first.record.version} comes from source ${first.record.source} ${first.record.sourceVersion}, which is not in the Sources indices${have.length > 0 ? ` (they have ${have.join(', ')})` : ''}`,
      },
    };
  }
  const builds = sourceBuildsFor(source, ctx, ctx.recipeOf(source.package));
  if (!builds.ok) {
    return { attempt: { relation: rel.text, outcome: 'not-for-arch', detail: `source ${source.package} is built for "${builds.words.join(' ')}" only, not ${ctx.arch.name} (a recipe can set Architecture)` } };
  }
  return { candidate: first, source };
}
