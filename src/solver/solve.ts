// The build-dependency walk (docs/solver.md). From the target's source, breadth first: every
// Build-Depends / Build-Depends-Arch group (reduced for the partial arch and its profiles) and
// every recipe addition gets a role; a `target` pulls in the source that builds the chosen binary
// and the Depends of that binary (what a consumer needs staged to link against it). Pure.
import type { PartialArch } from '../arch/arch-file.js';
import type { ArchTable } from '../arch/dpkg-arch.js';
import type { ReduceContext } from '../control/relation-eval.js';
import type { ArchiveIndex, BinaryRecord, SourceRecord } from '../model/archive.js';
import type { AlternativeGroup, Relation } from '../model/relation.js';
import { err, ok, type Result } from '../model/result.js';
import { defaultRecipe, libraryRecipe, recipeForArch, type EffectiveRecipe, type RecipeSet } from '../recipe/recipe.js';
import { ArchiveView, binaryLocation, sourceLocation } from './archive-view.js';
import { findCycles } from './cycles.js';
import { archOnlyDrop, archOnlyNames, chooseNodeProfiles, NO_PROFILE_CHOICE, profileConflict, profileOnlyDrop, type NodeProfiles } from './node-profiles.js';
import { breakingProfiles, reduceGroup } from './reduce-group.js';
import { classifyGroup, sourceBuildsFor, type ClassifyContext } from './roles.js';
import { collectWarnings } from './warnings.js';
import type { NativeTool, RelationField, RelationOrigin, Solution, SolveEdge, SolveFailure, SolveNode, SolveProblem } from './types.js';

export interface SolveInput {
  /** The archive indices, or a view over them reused across solves. */
  readonly archive: ArchiveIndex | ArchiveView;
  readonly arch: PartialArch;
  /** dpkg's architecture tables, taught the partial arch (its Dpkg-* lines). */
  readonly table: ArchTable;
  readonly recipes: RecipeSet;
  /** An application recipe name or a source package name. */
  readonly target: string;
  /** Source name → the only version to use (an explicit user choice). */
  readonly pins?: ReadonlyMap<string, string>;
  /** `off`: build every source with the arch's and recipe's profiles only (default `auto`). */
  readonly profileChoice?: 'auto' | 'off';
}

interface NodeState {
  readonly record: SourceRecord;
  readonly recipe: EffectiveRecipe;
  readonly profiles: NodeProfiles;
  /** Build-dependency names only arch restrictions that leave the partial arch out keep (archOnlyNames). */
  readonly archOnly: ReturnType<typeof archOnlyNames>;
  readonly why: readonly SolveEdge[];
  readonly depends: Set<string>;
  readonly neededBinaries: Set<string>;
  readonly used: Set<string>;
}

/** The newest source record of `name` that a pin allows. */
function newestSource(view: ArchiveView, name: string, pins: ReadonlyMap<string, string>): SourceRecord | undefined {
  const pin = pins.get(name);
  return view.sources(name).find((s) => pin === undefined || s.version === pin);
}

class Walk {
  readonly nodes = new Map<string, NodeState>();
  readonly edges: SolveEdge[] = [];
  readonly natives = new Map<string, { binary: BinaryRecord; neededBy: SolveEdge[] }>();
  readonly problems: SolveProblem[] = [];
  private readonly queue: string[] = [];
  private readonly walkedBinaries = new Set<string>();
  private readonly recipeCache = new Map<string, EffectiveRecipe>();

  /** Profiles found to remove a binary a dependant needs: source → profiles (the next round avoids them). */
  readonly conflicts = new Map<string, Set<string>>();

  constructor(
    readonly input: SolveInput, readonly view: ArchiveView, readonly pins: ReadonlyMap<string, string>,
    private readonly forbidden: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  recipeOf = (source: string): EffectiveRecipe => {
    let r = this.recipeCache.get(source);
    if (r === undefined) {
      const recipe = libraryRecipe(this.input.recipes, source);
      r = recipe === undefined ? defaultRecipe(source) : recipeForArch(recipe, this.input.arch.name);
      this.recipeCache.set(source, r);
    }
    return r;
  };

  addNode(record: SourceRecord, recipe: EffectiveRecipe, why: readonly SolveEdge[], needed: readonly string[] = []): void {
    const base = [...new Set([...this.input.arch.buildProfiles, ...recipe.build.profiles])];
    const profiles = this.input.profileChoice === 'off' ? NO_PROFILE_CHOICE(base) : chooseNodeProfiles({
      record, base, needed, forbidden: this.forbidden.get(record.package) ?? new Set(), view: this.view,
      reduceContext: (p) => ({ hostArch: this.input.arch.name, buildArch: this.input.arch.buildArchitecture, profiles: p, table: this.input.table }),
      classify: (kept) => classifyGroup(kept, { ...this.classifyContextFor(record.package, recipe), used: new Set() }),
    });
    const archOnly = archOnlyNames(record, this.view, { hostArch: this.input.arch.name, buildArch: this.input.arch.buildArchitecture, profiles: profiles.profiles, table: this.input.table });
    this.nodes.set(record.package, { record, recipe, profiles, archOnly, why, depends: new Set(), neededBinaries: new Set(), used: new Set() });
    this.queue.push(record.package);
  }

  run(): void {
    for (let name = this.queue.shift(); name !== undefined; name = this.queue.shift()) {
      const node = this.nodes.get(name);
      if (node !== undefined) this.buildRelations(node);
    }
  }

  private reduceContext(node: NodeState): ReduceContext {
    const arch = this.input.arch;
    return {
      hostArch: arch.name,
      buildArch: arch.buildArchitecture,
      profiles: node.profiles.profiles,
      table: this.input.table,
    };
  }

  private classifyContextFor(source: string, recipe: EffectiveRecipe): Omit<ClassifyContext, 'used'> {
    return { view: this.view, arch: this.input.arch, table: this.input.table, source, recipe, pins: this.pins, recipeOf: this.recipeOf };
  }

  private classifyContext(node: NodeState): ClassifyContext {
    return { ...this.classifyContextFor(node.record.package, node.recipe), used: node.used };
  }

  /** Build-Depends, Build-Depends-Arch, Build-Depends-Indep and the recipe's additions of one node. */
  private buildRelations(node: NodeState): void {
    const r = node.record;
    const fields: [RelationField, string | undefined][] = [
      ['Build-Depends', r.buildDepends], ['Build-Depends-Arch', r.buildDependsArch], ['Build-Depends-Indep', r.buildDependsIndep],
    ];
    for (const [field, text] of fields) {
      if (text === undefined) continue;
      const location = { file: `${sourceLocation(r).file} ${field}` };
      const parsed = this.view.field(text, location);
      if (!parsed.ok) {
        const origin: RelationOrigin = { source: r.package, field, text, location };
        this.problems.push({ reason: 'invalid-relation', origin, chain: node.why, message: parsed.error.message });
        continue;
      }
      for (const group of parsed.value) {
        const origin: RelationOrigin = { source: r.package, field, text: group.map((g) => g.text).join(' | '), location };
        if (field === 'Build-Depends-Indep') this.dropIndep(node, group, origin);
        else this.relate(node, group, origin);
      }
    }
    for (const add of node.recipe.roles.add) {
      this.relate(node, add.group, { source: r.package, field: 'Add-Build-Depends', text: add.text, location: add.location });
    }
  }

  /** Only the architecture-dependent part is built: Build-Depends-Indep never applies. */
  private dropIndep(node: NodeState, group: AlternativeGroup, origin: RelationOrigin): void {
    const drops = group.map((rel) => ({ kind: 'indep' as const, relation: rel.text, detail: 'Build-Depends-Indep: architecture-independent packages are not built' }));
    this.edges.push({ from: node.record.package, origin, role: 'dropped', roleReason: 'Build-Depends-Indep', drops });
  }

  /** The Depends of a chosen binary, classified with its source's recipe (once per binary). */
  private linkClosure(binary: BinaryRecord, node: NodeState): void {
    const key = `${binary.package}\0${binary.version}\0${binary.suite}`;
    if (this.walkedBinaries.has(key)) return;
    this.walkedBinaries.add(key);
    const fields: [RelationField, string | undefined][] = [['Pre-Depends', binary.preDepends], ['Depends', binary.depends]];
    for (const [field, text] of fields) {
      if (text === undefined) continue;
      const location = { file: `${binaryLocation(binary).file} ${field}` };
      const parsed = this.view.field(text, location);
      const base = { source: node.record.package, field, binary: binary.package, location };
      if (!parsed.ok) {
        this.problems.push({ reason: 'invalid-relation', origin: { ...base, text }, chain: node.why, message: parsed.error.message });
        continue;
      }
      for (const group of parsed.value) this.relate(node, group, { ...base, text: group.map((g) => g.text).join(' | ') });
    }
  }

  /** Give one group its role and follow it. */
  private relate(node: NodeState, group: AlternativeGroup, origin: RelationOrigin): void {
    const from = node.record.package;
    const rctx = this.reduceContext(node);
    const reduced = reduceGroup(group, rctx, node.profiles.base);
    const onlyUnderProfile = origin.binary === undefined ? undefined : profileOnlyDrop(reduced.kept, node.profiles, from) ?? archOnlyDrop(reduced.kept, node.archOnly, from);
    if (onlyUnderProfile !== undefined) {
      const reason = [...new Set(onlyUnderProfile.map((d) => d.kind))].join(', ');
      this.edges.push({ from, origin, role: 'dropped', roleReason: reason, drops: [...reduced.drops, ...onlyUnderProfile] });
      return;
    }
    if (reduced.kept.length === 0) {
      this.edges.push({ from, origin, role: 'dropped', roleReason: reduced.drops.map((d) => d.kind).join(', '), drops: reduced.drops });
      return;
    }
    const decision = classifyGroup(reduced.kept, this.classifyContext(node), reduced.drops);
    switch (decision.kind) {
      case 'dropped':
        this.edges.push({ from, origin, role: 'dropped', roleReason: [...new Set(decision.drops.map((d) => d.kind))].join(', '), drops: decision.drops });
        return;
      case 'unsatisfiable':
        this.problems.push({ reason: 'unsatisfiable', origin, chain: node.why, attempts: decision.attempts, offers: decision.offers });
        return;
      case 'native': {
        const edge: SolveEdge = { from, origin, role: 'native', roleReason: decision.roleReason, choice: decision.choice };
        this.edges.push(edge);
        const key = `${decision.binary.package}\0${decision.binary.version}`;
        const entry = this.natives.get(key);
        if (entry === undefined) this.natives.set(key, { binary: decision.binary, neededBy: [edge] });
        else entry.neededBy.push(edge);
        return;
      }
      case 'target': {
        const original = reduced.originals[reduced.kept.indexOf(decision.relation)];
        const breakers = original === undefined ? [] : breakingProfiles(original, rctx.profiles);
        const to = decision.sourceRecord.package;
        const others = reduced.kept.filter((r) => r !== decision.relation).map((r) => r.text);
        const edge: SolveEdge = {
          from, origin, role: 'target', roleReason: decision.roleReason, choice: decision.choice, to,
          ...(breakers.length > 0 ? { breakingProfiles: breakers } : {}),
          ...(others.length > 0 ? { otherAlternatives: others } : {}),
        };
        this.edges.push(edge);
        this.follow(node, edge, decision.relation, decision.binary, decision.sourceRecord);
        return;
      }
    }
  }

  private follow(node: NodeState, edge: SolveEdge, relation: Relation, binary: BinaryRecord, source: SourceRecord): void {
    const existing = this.nodes.get(source.package);
    // One version per source in a plan: the one chosen first must also satisfy this relation (the
    // rebuilt -cross package carries the source version). Provided names keep their own versions.
    if (existing !== undefined && existing.record.version !== source.version && edge.choice?.provides === undefined &&
        !this.view.satisfies(existing.record.version, relation.version)) {
      this.problems.push({
        reason: 'version-conflict', source: source.package, chosen: existing.record.version, origin: edge.origin, chain: [...node.why, edge],
        message: `${relation.text} is not satisfied by ${source.package} ${existing.record.version}, chosen first for this plan`,
      });
      return;
    }
    if (existing === undefined) this.addNode(source, this.recipeOf(source.package), [...node.why, edge], [binary.package]);
    node.depends.add(source.package);
    const target = this.nodes.get(source.package);
    if (target === undefined) return;
    target.neededBinaries.add(binary.package);
    for (const p of profileConflict(target.profiles, binary.package)) {
      (this.conflicts.get(source.package) ?? this.conflicts.set(source.package, new Set()).get(source.package))?.add(p);
    }
    this.linkClosure(binary, target);
  }
}

function toSolution(walk: Walk, target: string, root: string): Solution {
  const { input, view } = walk;
  const nodes: SolveNode[] = [...walk.nodes.values()].map((n) => ({
    source: n.record.package, version: n.record.version, suite: n.record.suite, record: n.record, recipe: n.recipe,
    why: n.why, depends: [...n.depends].filter((d) => d !== n.record.package).sort(), neededBinaries: [...n.neededBinaries].sort(),
    profiles: n.profiles.profiles, chosenProfiles: n.profiles.chosen,
  }));
  const natives: NativeTool[] = [...walk.natives.values()]
    .map(({ binary, neededBy }) => ({ binary: binary.package, version: binary.version, suite: binary.suite, neededBy }))
    .sort((a, b) => (a.binary < b.binary ? -1 : a.binary > b.binary ? 1 : 0));
  const cName = input.arch.cLibrarySource;
  const c = cName === undefined ? undefined : newestSource(view, cName, walk.pins);
  return {
    target, root, arch: input.arch.name, nodes, edges: walk.edges, natives,
    dropped: walk.edges.filter((e) => e.role === 'dropped'),
    ...(c === undefined ? {} : { cLibrary: { source: c.package, version: c.version, suite: c.suite } }),
    warnings: collectWarnings([...walk.nodes.values()].map((n) => ({ source: n.record.package, recipe: n.recipe, used: n.used, neededBinaries: n.neededBinaries })), view, input.arch, c !== undefined),
  };
}

/**
 * Solve the closure of `input.target` for the partial arch. A profile chosen for a source that
 * turns out to remove a binary some dependant needs is forbidden for that source, and the closure
 * is solved again (each round forbids at least one more, so this ends).
 */
export function solve(input: SolveInput): Result<Solution, SolveFailure> {
  const view = input.archive instanceof ArchiveView ? input.archive : new ArchiveView(input.archive);
  const forbidden = new Map<string, Set<string>>();
  for (;;) {
    const round = solveWith(input, view, forbidden);
    let more = false;
    for (const [source, profiles] of round.walk.conflicts) {
      const known = forbidden.get(source) ?? forbidden.set(source, new Set()).get(source) ?? new Set();
      for (const p of profiles) if (!known.has(p)) { known.add(p); more = true; }
    }
    if (!more) return round.result;
  }
}

function solveWith(input: SolveInput, view: ArchiveView, forbidden: ReadonlyMap<string, ReadonlySet<string>>): { result: Result<Solution, SolveFailure>; walk: Walk } {
  const pins = input.pins ?? new Map<string, string>();
  const walk = new Walk(input, view, pins, forbidden);
  const done = (result: Result<Solution, SolveFailure>): { result: Result<Solution, SolveFailure>; walk: Walk } => ({ result, walk });
  const app = input.recipes.byName.get(input.target);
  const rootName = app?.kind === 'application' ? app.source : input.target;
  const rootRecipe = app?.kind === 'application' ? recipeForArch(app, input.arch.name) : walk.recipeOf(rootName);
  const record = newestSource(view, rootName, pins);
  if (record === undefined) {
    const pin = pins.get(rootName);
    const message = `no source package ${rootName}${pin === undefined ? '' : ` at pinned version ${pin}`} in the suites${app === undefined ? ' and no application recipe of that name' : ''}`;
    return done(err({ reason: 'unsolvable', problems: [{ reason: 'unknown-target', target: input.target, message }], partial: toSolution(walk, input.target, rootName) }));
  }
  const builds = sourceBuildsFor(record, input, rootRecipe);
  if (!builds.ok) {
    const message = `source ${rootName} is built for "${builds.words.join(' ')}" only, not ${input.arch.name} (a recipe can set Architecture)`;
    return done(err({ reason: 'unsolvable', problems: [{ reason: 'unknown-target', target: input.target, message }], partial: toSolution(walk, input.target, rootName) }));
  }
  walk.addNode(record, rootRecipe, []);
  walk.run();
  const solution = toSolution(walk, input.target, rootName);
  const problems = [...walk.problems, ...findCycles(solution)];
  return done(problems.length > 0 ? err({ reason: 'unsolvable', problems, partial: solution }) : ok(solution));
}
