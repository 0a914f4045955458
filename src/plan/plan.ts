// From a solution to a BuildPlan (docs/solver.md, "Plan"): a topological order of the target
// source packages where, among the ready ones, the node with the longest remaining path to the
// end of the build (its critical-path priority) goes first. Pure; the executor runs the plan.
import type { PartialArch } from '../arch/arch-file.js';
import type { Sha256Hex } from '../model/brand.js';
import type { FileChecksum } from '../model/archive.js';
import { err, ok, type Result } from '../model/result.js';
import type { ChosenProfile, NativeTool, Solution, SolveEdge, SolveWarning } from '../solver/types.js';

/** Used when a recipe gives no Estimated-Build-Seconds (and for sources without a recipe). */
export const DEFAULT_BUILD_SECONDS = 60;

export interface PlanNode {
  readonly source: string;
  readonly version: string;
  readonly suite: string;
  /** Pool directory and files (with SHA-256) from the Sources index. */
  readonly directory: string;
  readonly files: readonly FileChecksum[];
  readonly kind: 'library' | 'application';
  /** Recipe name and content digest; absent for a source built with the defaults. */
  readonly recipe?: { readonly name: string; readonly sha256: Sha256Hex };
  readonly depends: readonly string[];
  readonly dependants: readonly string[];
  readonly durationSeconds: number;
  readonly durationFrom: 'recipe' | 'default';
  /** Seconds from this node's start to the end of the build along its longest path. */
  readonly priority: number;
  /** 1-based position in the build order. */
  readonly order: number;
  readonly why: readonly SolveEdge[];
  /** Binary packages of this source its dependants need (published as -cross packages). */
  readonly neededBinaries: readonly string[];
  /**
   * The build profiles this source is built with, sorted: the arch's `Build-Profiles`, the
   * recipe's and those the solver chose. The build step exports them as `DEB_BUILD_PROFILES`
   * (space-separated, this order); they are part of the node's cache key.
   */
  readonly profiles: readonly string[];
  /** The profiles the solver chose for this source, each with what it dropped (shown by `plan`). */
  readonly chosenProfiles: readonly ChosenProfile[];
}

export interface BuildPlan {
  readonly target: string;
  readonly root: string;
  readonly arch: string;
  readonly triplet: string;
  readonly archSha256: Sha256Hex;
  /** The arch file's Build-Profiles (every node's profiles include them). */
  readonly archProfiles: readonly string[];
  /** In build order. */
  readonly nodes: readonly PlanNode[];
  readonly criticalPath: { readonly sources: readonly string[]; readonly seconds: number };
  readonly natives: readonly NativeTool[];
  /** The arch's toolchain packages and its config-files package: in every node's build image. */
  readonly toolchainPackages: readonly string[];
  /** Every node's native tools together: the arch's toolchain, then the native tools (shown by `plan`). */
  readonly imagePackages: readonly string[];
  readonly dropped: readonly SolveEdge[];
  readonly edges: readonly SolveEdge[];
  readonly cLibrary?: Solution['cLibrary'];
  readonly warnings: readonly SolveWarning[];
}

export interface PlanError {
  readonly reason: 'cycle';
  /** Sources left when no node was ready (the solver reports cycles first; this is a guard). */
  readonly remaining: readonly string[];
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function buildPlan(solution: Solution, arch: PartialArch, defaultSeconds = DEFAULT_BUILD_SECONDS): Result<BuildPlan, PlanError> {
  const nodes = new Map(solution.nodes.map((n) => [n.source, n]));
  const dependants = new Map<string, string[]>(solution.nodes.map((n) => [n.source, []]));
  for (const n of solution.nodes) for (const d of n.depends) dependants.get(d)?.push(n.source);
  const duration = (source: string): number => nodes.get(source)?.recipe.recipe?.estimatedBuildSeconds ?? defaultSeconds;

  // Reverse topological order first (dependants before what they depend on), for priorities.
  const priority = new Map<string, number>();
  const pending = new Map(solution.nodes.map((n) => [n.source, (dependants.get(n.source) ?? []).length]));
  const done: string[] = [...pending].filter(([, c]) => c === 0).map(([s]) => s).sort(byName);
  for (let i = 0; i < done.length; i++) {
    const s = done[i] ?? '';
    const after = Math.max(0, ...(dependants.get(s) ?? []).map((d) => priority.get(d) ?? 0));
    priority.set(s, duration(s) + after);
    for (const d of nodes.get(s)?.depends ?? []) {
      const left = (pending.get(d) ?? 0) - 1;
      pending.set(d, left);
      if (left === 0) done.push(d);
    }
  }
  if (done.length !== solution.nodes.length) {
    return err({ reason: 'cycle', remaining: solution.nodes.map((n) => n.source).filter((s) => !priority.has(s)).sort(byName) });
  }

  // Kahn's algorithm; among ready nodes the highest priority first, then by name.
  const waiting = new Map(solution.nodes.map((n) => [n.source, n.depends.length]));
  const ready = [...waiting].filter(([, c]) => c === 0).map(([s]) => s);
  const order: string[] = [];
  const rank = (a: string, b: string): number => (priority.get(b) ?? 0) - (priority.get(a) ?? 0) || byName(a, b);
  while (ready.length > 0) {
    ready.sort(rank);
    const s = ready.shift() ?? '';
    order.push(s);
    for (const d of dependants.get(s) ?? []) {
      const left = (waiting.get(d) ?? 0) - 1;
      waiting.set(d, left);
      if (left === 0) ready.push(d);
    }
  }

  const planNodes: PlanNode[] = order.map((source, i) => {
    const n = nodes.get(source);
    if (n === undefined) throw new Error(`plan: node ${source} vanished`); // cannot happen: order comes from nodes
    const recipe = n.recipe.recipe;
    return {
      source, version: n.version, suite: n.suite, directory: n.record.directory, files: n.record.files,
      kind: recipe?.kind ?? 'library',
      ...(recipe === undefined ? {} : { recipe: { name: recipe.name, sha256: recipe.contentSha256 } }),
      depends: n.depends, dependants: [...(dependants.get(source) ?? [])].sort(byName),
      durationSeconds: duration(source), durationFrom: recipe?.estimatedBuildSeconds === undefined ? 'default' : 'recipe',
      priority: priority.get(source) ?? 0, order: i + 1, why: n.why, neededBinaries: n.neededBinaries,
      profiles: n.profiles, chosenProfiles: n.chosenProfiles,
    };
  });

  // The critical path: from the highest-priority node, always on to the dependant that carries it.
  const path: string[] = [];
  let at = [...planNodes].sort((a, b) => b.priority - a.priority || byName(a.source, b.source))[0]?.source;
  while (at !== undefined) {
    path.push(at);
    at = [...(dependants.get(at) ?? [])].sort(rank)[0];
  }
  const toolchainPackages = [...new Set([...arch.toolchain.packages, arch.configFilesPackage])];
  const imagePackages = [...new Set([...toolchainPackages, ...solution.natives.map((t) => t.binary)])];
  return ok({
    target: solution.target, root: solution.root, arch: arch.name, triplet: arch.gnuTriplet, archSha256: arch.contentSha256,
    archProfiles: [...arch.buildProfiles],
    nodes: planNodes,
    criticalPath: { sources: path, seconds: priority.get(path[0] ?? '') ?? 0 },
    natives: solution.natives, toolchainPackages, imagePackages, dropped: solution.dropped, edges: solution.edges,
    ...(solution.cLibrary === undefined ? {} : { cLibrary: solution.cLibrary }),
    warnings: solution.warnings,
  });
}
