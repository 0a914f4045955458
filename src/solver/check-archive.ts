// Whole-archive check (docs/solver.md, "check-archive"): for every source package of the suites,
// can its Build-Depends be satisfied for the partial arch — the question dose-builddebcheck answers
// for full architectures. A source is `ok` when each of its relations gets a role and every
// target's link closure (the Depends of the chosen -dev, recursively) resolves; `blocked` when it
// is ok itself but a target source it needs is not; `not-for-arch` when its Architecture excludes
// the arch; `arch-indep` when it builds only `Architecture: all` packages (nothing to rebuild). Answers about one binary's link closure are computed once and shared. Pure.
import type { PartialArch } from '../arch/arch-file.js';
import type { ArchTable } from '../arch/dpkg-arch.js';
import type { ReduceContext } from '../control/relation-eval.js';
import type { ArchiveIndex, BinaryRecord, SourceRecord } from '../model/archive.js';
import { defaultRecipe, libraryRecipe, recipeForArch, type EffectiveRecipe, type RecipeSet } from '../recipe/recipe.js';
import { ArchiveView, binaryLocation, sourceLocation } from './archive-view.js';
import { archOnlyDrop, archOnlyNames, chooseNodeProfiles, NO_PROFILE_CHOICE, profileOnlyDrop, type NodeProfiles } from './node-profiles.js';
import { reduceGroup } from './reduce-group.js';
import { classifyGroup, sourceBuildsFor, type ClassifyContext } from './roles.js';
import type { RelationField, RelationOrigin, SolveEdge, SolveProblem } from './types.js';

export type SourceStatus = 'ok' | 'unsatisfiable' | 'blocked' | 'not-for-arch' | 'arch-indep';

export interface SourceCheck {
  readonly source: string;
  readonly version: string;
  readonly suite: string;
  readonly status: SourceStatus;
  /** Target source packages it needs rebuilt (direct and through link closures). */
  readonly targets: readonly string[];
  /** Its own unsatisfiable or invalid relations, with the chain from the source. */
  readonly problems: readonly SolveProblem[];
  /** For `blocked`: the target sources that are unsatisfiable or blocked themselves. */
  readonly blockedBy: readonly string[];
}

export interface ArchiveCheck {
  readonly arch: string;
  readonly suites: readonly string[];
  readonly counts: Readonly<Record<SourceStatus, number>>;
  readonly sources: readonly SourceCheck[];
}

export interface CheckArchiveInput {
  readonly archive: ArchiveIndex | ArchiveView;
  readonly arch: PartialArch;
  readonly table: ArchTable;
  readonly recipes: RecipeSet;
  /** Check only these source names (blocked-by is then judged among them only). */
  readonly only?: ReadonlySet<string>;
  /** `off`: the arch's and recipes' profiles only; default `auto`, the profiles `plan` would choose. */
  readonly profileChoice?: 'auto' | 'off';
}

interface Closure {
  readonly targets: ReadonlySet<string>;
  readonly problems: readonly SolveProblem[];
}

type Problem = Extract<SolveProblem, { reason: 'unsatisfiable' | 'invalid-relation' }>;

/** Prefix a problem's chain with the edge that led to it. */
function under(edge: SolveEdge, p: Problem): Problem {
  return { ...p, chain: [edge, ...p.chain] };
}

class Checker {
  private readonly closures = new Map<string, Closure>();
  private readonly recipes = new Map<string, EffectiveRecipe>();
  private readonly profiles = new Map<string, NodeProfiles>();
  private readonly archOnly = new Map<string, ReturnType<typeof archOnlyNames>>();
  private readonly used = new Set<string>();

  constructor(readonly input: CheckArchiveInput, readonly view: ArchiveView) {}

  recipeOf = (source: string): EffectiveRecipe => {
    let r = this.recipes.get(source);
    if (r === undefined) {
      const recipe = libraryRecipe(this.input.recipes, source);
      r = recipe === undefined ? defaultRecipe(source) : recipeForArch(recipe, this.input.arch.name);
      this.recipes.set(source, r);
    }
    return r;
  };

  private context(source: string): ClassifyContext {
    return {
      view: this.view, arch: this.input.arch, table: this.input.table, source, recipe: this.recipeOf(source),
      pins: new Map(), used: this.used, recipeOf: this.recipeOf,
    };
  }

  /**
   * The profiles `plan` would choose for a source (docs/solver.md, "Build profiles"), once per
   * source; the binaries its dependants need are not known here, so none is protected.
   */
  private profilesOf(source: string, record: SourceRecord | undefined = this.view.sources(source)[0]): NodeProfiles {
    const known = this.profiles.get(source);
    if (known !== undefined) return known;
    const recipe = this.recipeOf(source);
    const base = [...new Set([...this.input.arch.buildProfiles, ...recipe.build.profiles])];
    const arch = this.input.arch;
    const chosen = record === undefined || this.input.profileChoice === 'off' ? NO_PROFILE_CHOICE(base) : chooseNodeProfiles({
      record, base, needed: [], forbidden: new Set(), view: this.view,
      reduceContext: (profiles) => ({ hostArch: arch.name, buildArch: arch.buildArchitecture, table: this.input.table, profiles }),
      classify: (kept) => classifyGroup(kept, { ...this.context(source), used: new Set() }),
    });
    this.profiles.set(source, chosen);
    return chosen;
  }

  /** What the source build-depends on only where arch restrictions leave the partial arch out (as `plan`). */
  private archOnlyOf(source: string, reduce: ReduceContext): ReturnType<typeof archOnlyNames> {
    let known = this.archOnly.get(source);
    if (known === undefined) {
      const record = this.view.sources(source)[0];
      known = record === undefined ? new Map() : archOnlyNames(record, this.view, reduce);
      this.archOnly.set(source, known);
    }
    return known;
  }

  /** Relations of one field: targets reached and problems, following link closures. */
  private relations(source: string, field: RelationField, text: string | undefined, location: { file: string }, binary?: string): Closure {
    const targets = new Set<string>();
    const problems: SolveProblem[] = [];
    if (text === undefined) return { targets, problems };
    const base = { source, field, location, ...(binary === undefined ? {} : { binary }) };
    const parsed = this.view.field(text, location);
    if (!parsed.ok) return { targets, problems: [{ reason: 'invalid-relation', origin: { ...base, text }, chain: [], message: parsed.error.message }] };
    const ctx = this.context(source);
    const profiles = this.profilesOf(source);
    const reduce = {
      hostArch: this.input.arch.name, buildArch: this.input.arch.buildArchitecture, table: this.input.table, profiles: profiles.profiles,
    };
    for (const group of parsed.value) {
      const reduced = reduceGroup(group, reduce);
      if (reduced.kept.length === 0) continue;
      if (binary !== undefined && (profileOnlyDrop(reduced.kept, profiles, source) ?? archOnlyDrop(reduced.kept, this.archOnlyOf(source, reduce), source)) !== undefined) continue;
      const origin: RelationOrigin = { ...base, text: group.map((g) => g.text).join(' | ') };
      const decision = classifyGroup(reduced.kept, ctx, reduced.drops);
      if (decision.kind === 'unsatisfiable') {
        problems.push({ reason: 'unsatisfiable', origin, chain: [], attempts: decision.attempts, offers: decision.offers });
      } else if (decision.kind === 'target') {
        const to = decision.sourceRecord.package;
        targets.add(to);
        const edge: SolveEdge = { from: source, origin, role: 'target', roleReason: decision.roleReason, choice: decision.choice, to };
        const closure = this.linkClosure(decision.binary, to);
        for (const t of closure.targets) targets.add(t);
        for (const p of closure.problems) problems.push(p.reason === 'unsatisfiable' || p.reason === 'invalid-relation' ? under(edge, p) : p);
      }
    }
    return { targets, problems };
  }

  /** What linking against `binary` needs; a binary met again while being walked counts as fine. */
  private linkClosure(binary: BinaryRecord, source: string): Closure {
    const key = `${binary.package}\0${binary.version}\0${binary.suite}`;
    const known = this.closures.get(key);
    if (known !== undefined) return known;
    this.closures.set(key, { targets: new Set(), problems: [] });
    const location = binaryLocation(binary);
    const pre = this.relations(source, 'Pre-Depends', binary.preDepends, { file: `${location.file} Pre-Depends` }, binary.package);
    const dep = this.relations(source, 'Depends', binary.depends, { file: `${location.file} Depends` }, binary.package);
    const closure = { targets: new Set([...pre.targets, ...dep.targets]), problems: [...pre.problems, ...dep.problems] };
    this.closures.set(key, closure);
    return closure;
  }

  checkOne(record: SourceRecord): Omit<SourceCheck, 'blockedBy'> {
    const head = { source: record.package, version: record.version, suite: record.suite };
    const recipe = this.recipeOf(record.package);
    if (!sourceBuildsFor(record, this.input, recipe).ok) {
      const indep = recipe.recipe?.architecture === undefined && record.architecture.every((a) => a === 'all');
      return { ...head, status: indep ? 'arch-indep' : 'not-for-arch', targets: [], problems: [] };
    }
    const location = sourceLocation(record).file;
    this.profilesOf(record.package, record);
    const parts = [
      this.relations(record.package, 'Build-Depends', record.buildDepends, { file: `${location} Build-Depends` }),
      this.relations(record.package, 'Build-Depends-Arch', record.buildDependsArch, { file: `${location} Build-Depends-Arch` }),
    ];
    const targets = new Set(parts.flatMap((p) => [...p.targets]));
    targets.delete(record.package);
    const problems = parts.flatMap((p) => p.problems);
    return { ...head, status: problems.length > 0 ? 'unsatisfiable' : 'ok', targets: [...targets].sort(), problems };
  }
}

/** The newest record of every source name (an Extra-Source-Only record only when it is all there is). */
function newestSources(view: ArchiveView, only: ReadonlySet<string> | undefined): SourceRecord[] {
  const names = [...new Set(view.index.sources.map((s) => s.package))].filter((n) => only === undefined || only.has(n)).sort();
  const out: SourceRecord[] = [];
  for (const name of names) {
    const all = view.sources(name);
    const pick = all.find((s) => s.extraSourceOnly !== true) ?? all[0];
    if (pick !== undefined) out.push(pick);
  }
  return out;
}

export function checkArchive(input: CheckArchiveInput): ArchiveCheck {
  const view = input.archive instanceof ArchiveView ? input.archive : new ArchiveView(input.archive);
  const checker = new Checker(input, view);
  const results = newestSources(view, input.only).map((r) => checker.checkOne(r));
  const status = new Map(results.map((r) => [r.source, r.status]));
  // Blocked: ok itself, but some target source (transitively) is unsatisfiable.
  const dependants = new Map<string, string[]>();
  for (const r of results) for (const t of r.targets) (dependants.get(t) ?? dependants.set(t, []).get(t))?.push(r.source);
  const queue = results.filter((r) => r.status === 'unsatisfiable').map((r) => r.source);
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    for (const d of dependants.get(s) ?? []) {
      if (status.get(d) !== 'ok') continue;
      status.set(d, 'blocked');
      queue.push(d);
    }
  }
  const failing = (s: string): boolean => status.get(s) === 'unsatisfiable' || status.get(s) === 'blocked';
  const sources: SourceCheck[] = results.map((r) => ({
    ...r, status: status.get(r.source) ?? r.status,
    blockedBy: status.get(r.source) === 'blocked' ? r.targets.filter(failing) : [],
  }));
  const counts: Record<SourceStatus, number> = { ok: 0, unsatisfiable: 0, blocked: 0, 'not-for-arch': 0, 'arch-indep': 0 };
  for (const s of sources) counts[s.status]++;
  return { arch: input.arch.name, suites: view.index.suites.map((s) => s.suite), counts, sources };
}
