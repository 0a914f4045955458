// What one rebuild target is built with (pure): the recorded build, with only the updated sources
// changed. The recorded build is read from the provenance of what is rebuilt — the application's
// own source version and what it embeds, the libraries of its recorded closure (each build's
// `-cross` Depends, exact versions), the suites those builds read and the orig-only choices they
// made — so the solver cannot wander: an update's suite (`--suite trixie`) adds the updated
// source's new version and nothing else of that suite can take the place of a recorded version.
import type { AffectedSet, BuiltApplication, BuiltLibrary, PackageRef, ProvenanceGraph, SourceUpdate } from './affected.js';

export interface RebuildTarget {
  readonly arch: string;
  readonly target: string;
  readonly kind: 'application' | 'library';
}

/** One pinned source of a rebuild: the recorded version, or the update's. */
export interface PinnedSource {
  readonly source: string;
  readonly version: string;
  /** Set for an updated source: the versions the recorded build had. */
  readonly update?: { readonly from: readonly string[] };
}

export interface RebuildTargetInputs {
  /** Every pin, in the order shown: the application's source, its closure, then the updates. */
  readonly sources: readonly PinnedSource[];
  /** The suites the build reads: the recorded ones (the first is the build environment's), then where the updates come from. */
  readonly suites: readonly string[];
  /** Whether `suites` starts from the recorded suites or, with none recorded, from the defaults. */
  readonly suitesFrom: 'recorded' | 'default';
  /** Sources the recorded build made from the orig tarball alone: the same `--allow-orig-only` again. */
  readonly origOnly: readonly string[];
}

export interface RebuildInputOptions {
  /** Where the updates come from (`--suite`, `--from-suite`): added after the recorded suites. */
  readonly updateSuites: readonly string[];
  /** The suites when nothing recorded names its suites (a cache from before they were recorded). */
  readonly fallbackSuites: readonly string[];
}

/** The applications a target rebuilds (one recipe, one arch). */
export function targetApplications(set: AffectedSet, target: RebuildTarget): BuiltApplication[] {
  if (target.kind !== 'application') return [];
  return set.applications.map((a) => a.application).filter((a) => a.arch === target.arch && (a.target ?? a.source) === target.target);
}

/**
 * The libraries a recorded build was made from: the roots (each the latest build of that exact
 * source version on the arch), then every library providing a `-cross` package they Depend on, at
 * the version recorded, transitively.
 */
export function recordedClosure(graph: ProvenanceGraph, arch: string, roots: readonly { readonly source: string; readonly version: string }[]): BuiltLibrary[] {
  const onArch = graph.libraries.filter((l) => l.arch === arch);
  const latest = (candidates: readonly BuiltLibrary[]): BuiltLibrary | undefined =>
    [...candidates].sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : 0))[0];
  const providerOf = (ref: PackageRef): BuiltLibrary | undefined =>
    latest(onArch.filter((l) => l.packages.some((p) => p.name === ref.name && (ref.version === undefined || p.version === ref.version))));
  const out = new Map<string, BuiltLibrary>();
  const queue = roots.flatMap((r) => {
    const lib = latest(onArch.filter((l) => l.source === r.source && l.sourceVersion === r.version));
    return lib === undefined ? [] : [lib];
  });
  while (queue.length > 0) {
    const lib = queue.shift();
    if (lib === undefined || out.has(lib.source)) continue;
    out.set(lib.source, lib);
    for (const ref of lib.depends) {
      const dep = providerOf(ref);
      if (dep !== undefined && !out.has(dep.source)) queue.push(dep);
    }
  }
  return [...out.values()];
}

/** The recorded build of one target, with the updates in place of what they update. */
export function rebuildInputs(set: AffectedSet, graph: ProvenanceGraph, target: RebuildTarget, options: RebuildInputOptions): RebuildTargetInputs {
  const apps = targetApplications(set, target);
  const roots = target.kind === 'application'
    ? apps.flatMap((a) => a.embeds)
    : currentBuild(graph, target.arch, target.target);
  const closure = recordedClosure(graph, target.arch, roots);

  // What the application names first (its source, what it embeds), then the rest of its closure.
  const recorded = new Map<string, string>();
  for (const a of apps) recorded.set(a.source, a.sourceVersion);
  for (const a of apps) for (const e of a.embeds) if (!recorded.has(e.source)) recorded.set(e.source, e.version);
  for (const lib of closure) if (!recorded.has(lib.source)) recorded.set(lib.source, lib.sourceVersion);

  const sources: PinnedSource[] = [];
  for (const [source, version] of recorded) {
    const update = set.updates.find((u) => u.source === source);
    sources.push(update === undefined ? { source, version } : { source, version: update.version, update: { from: [version] } });
  }
  for (const u of set.updates) {
    if (!recorded.has(u.source) && affectsArch(set, u, target.arch)) sources.push({ source: u.source, version: u.version, update: { from: [] } });
  }

  const recordedSuites = apps.find((a) => a.suites !== undefined)?.suites ?? unionOf(closure.map((l) => l.suites));
  const base = recordedSuites.length > 0 ? recordedSuites : options.fallbackSuites;
  return {
    sources,
    suites: unionOf([base, options.updateSuites]),
    suitesFrom: recordedSuites.length > 0 ? 'recorded' : 'default',
    origOnly: closure.filter((l) => l.origOnly === true).map((l) => l.source).sort(),
  };
}

/** The pins of a target's build, source → version. */
export function pinsOf(inputs: RebuildTargetInputs): Map<string, string> {
  return new Map(inputs.sources.map((s) => [s.source, s.version]));
}

function currentBuild(graph: ProvenanceGraph, arch: string, source: string): { source: string; version: string }[] {
  const builds = graph.libraries.filter((l) => l.arch === arch && l.source === source);
  const last = [...builds].sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : -1))[0];
  return last === undefined ? [] : [{ source, version: last.sourceVersion }];
}

function affectsArch(set: AffectedSet, update: SourceUpdate, arch: string): boolean {
  return set.libraries.some((l) => l.library.arch === arch && l.library.source === update.source);
}

/** Suites in first-seen order, each once. */
function unionOf(lists: readonly (readonly string[] | undefined)[]): string[] {
  const out: string[] = [];
  for (const list of lists) for (const s of list ?? []) if (!out.includes(s)) out.push(s);
  return out;
}
