// What a source update makes stale (pure): the reverse closure of the updated sources through the
// *recorded provenance* — the `-cross` packages the repository holds (each build's source,
// version and the `-cross` packages it Depends on) and the application packages that name what
// they embed (Static-Built-Using / Built-Using). Not the plan of today's archive: what was built
// is what needs rebuilding, and everything outside the set is expected to be a cache hit.
//
// Only the *current* build of each (arch, source) counts: the repository keeps older keys (the
// build before the last rebuild) and they are not what anything installed today was built from.
import { err, ok, type Result } from '../model/result.js';
import { compareVersionStrings } from '../version/index.js';

export interface PackageRef {
  readonly name: string;
  /** The exact version a `(= v)` relation names; undefined for an unversioned relation. */
  readonly version?: string;
}

/** One published cache key: a library build and its `-cross` packages. */
export interface BuiltLibrary {
  readonly key: string;
  readonly source: string;
  readonly sourceVersion: string;
  readonly arch: string;
  readonly packages: readonly { readonly name: string; readonly version: string }[];
  /** The Depends of its packages: other `-cross` packages it was built against. */
  readonly depends: readonly PackageRef[];
  /** ISO time of the publish: the later of two builds of one version is the current one. */
  readonly publishedAt: string;
  /** The suites its build read, in order (X-Stubforge-Suites); undefined when not recorded. */
  readonly suites?: readonly string[];
  /** Built from the orig tarball alone (`--allow-orig-only`): a rebuild makes the same choice. */
  readonly origOnly?: boolean;
}

/** One application package and what it embeds. */
export interface BuiltApplication {
  readonly package: string;
  readonly version: string;
  /** The partial arch it was built for (X-Stubforge-Arch), or its Architecture field. */
  readonly arch: string;
  readonly source: string;
  readonly sourceVersion: string;
  /** The recipe that builds it (X-Stubforge-Target), when the package records it. */
  readonly target?: string;
  readonly embeds: readonly { readonly source: string; readonly version: string }[];
  readonly origin: string;
  /** The suites its build read, in order (X-Stubforge-Suites); undefined when not recorded. */
  readonly suites?: readonly string[];
  /** Its Maintainer field: a rebuild keeps it (as a binNMU does). */
  readonly maintainer?: string;
}

export interface ProvenanceGraph {
  readonly libraries: readonly BuiltLibrary[];
  readonly applications: readonly BuiltApplication[];
}

export interface SourceUpdate {
  readonly source: string;
  readonly version: string;
}

export type AffectedReason =
  | { readonly kind: 'updated'; readonly from: string; readonly to: string }
  /** Built against a `-cross` package of an affected library. */
  | { readonly kind: 'depends'; readonly on: string; readonly package: string };

export interface AffectedLibrary {
  readonly library: BuiltLibrary;
  readonly because: AffectedReason;
}

export interface AffectedApplication {
  readonly application: BuiltApplication;
  /** The embedded sources that are affected, at the version embedded. */
  readonly because: readonly { readonly source: string; readonly version: string }[];
}

export interface AffectedSet {
  readonly updates: readonly SourceUpdate[];
  /** Dependencies before dependants (the updated libraries first). */
  readonly libraries: readonly AffectedLibrary[];
  readonly applications: readonly AffectedApplication[];
  /** Current builds outside the set: a rebuild must find each of them in the cache. */
  readonly unaffected: readonly BuiltLibrary[];
  /** Updates no current build uses at an older version (nothing to do for them). */
  readonly alreadyCurrent: readonly { readonly update: SourceUpdate; readonly builds: readonly string[] }[];
}

export type AffectedError =
  | { readonly reason: 'not-built'; readonly source: string }
  | { readonly reason: 'downgrade'; readonly source: string; readonly built: string; readonly wanted: string; readonly arch: string }
  /** `detail`: what the version parser said. */
  | { readonly reason: 'invalid-version'; readonly source: string; readonly version: string; readonly detail: string }
  | { readonly reason: 'duplicate-update'; readonly source: string };

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** dpkg order; an invalid version is an error value, never an ordering. */
function order(a: string, b: string, source: string): Result<number, AffectedError> {
  const c = compareVersionStrings(a, b);
  if (c.ok) return ok(c.value);
  return err({ reason: 'invalid-version', source, version: c.error.text, detail: c.error.message });
}

/**
 * The current build of each (arch, source): the highest source version, and of two builds of
 * that version the later publish (a rebuild against a newer dependency).
 */
export function currentLibraries(libraries: readonly BuiltLibrary[]): Result<BuiltLibrary[], AffectedError> {
  const best = new Map<string, BuiltLibrary>();
  for (const lib of libraries) {
    const id = `${lib.arch}\0${lib.source}`;
    const have = best.get(id);
    if (have === undefined) {
      best.set(id, lib);
      continue;
    }
    const c = order(lib.sourceVersion, have.sourceVersion, lib.source);
    if (!c.ok) return c;
    if (c.value > 0 || (c.value === 0 && cmp(lib.publishedAt, have.publishedAt) > 0)) best.set(id, lib);
  }
  return ok([...best.values()].sort((a, b) => cmp(a.arch, b.arch) || cmp(a.source, b.source)));
}

/** The reverse closure of `updates` through the recorded provenance. */
export function affectedSet(graph: ProvenanceGraph, updates: readonly SourceUpdate[]): Result<AffectedSet, AffectedError> {
  const names = new Set<string>();
  for (const u of updates) {
    if (names.has(u.source)) return err({ reason: 'duplicate-update', source: u.source });
    names.add(u.source);
  }
  const current = currentLibraries(graph.libraries);
  if (!current.ok) return current;
  const libs = current.value;
  const affected = new Map<string, AffectedLibrary>();
  const alreadyCurrent: { update: SourceUpdate; builds: string[] }[] = [];

  for (const u of updates) {
    const builds = libs.filter((l) => l.source === u.source);
    const embedded = graph.applications.some((a) => a.embeds.some((e) => e.source === u.source));
    if (builds.length === 0 && !embedded) {
      return err({ reason: 'not-built', source: u.source });
    }
    const uptodate: string[] = [];
    for (const lib of builds) {
      const c = order(lib.sourceVersion, u.version, u.source);
      if (!c.ok) return c;
      if (c.value > 0) {
        return err({ reason: 'downgrade', source: u.source, built: lib.sourceVersion, wanted: u.version, arch: lib.arch });
      }
      if (c.value === 0) uptodate.push(`${lib.arch}/${lib.key}`);
      else affected.set(lib.key, { library: lib, because: { kind: 'updated', from: lib.sourceVersion, to: u.version } });
    }
    if (builds.length > 0 && uptodate.length === builds.length) alreadyCurrent.push({ update: u, builds: uptodate });
  }

  // Reverse edges: which current library of the same arch provides a package another depends on.
  const provider = new Map<string, BuiltLibrary>();
  for (const lib of libs) for (const p of lib.packages) provider.set(`${lib.arch}\0${p.name}\0${p.version}`, lib);
  const providerOf = (arch: string, ref: PackageRef): BuiltLibrary | undefined => {
    if (ref.version !== undefined) return provider.get(`${arch}\0${ref.name}\0${ref.version}`);
    return libs.find((l) => l.arch === arch && l.packages.some((p) => p.name === ref.name));
  };
  let grew = true;
  while (grew) {
    grew = false;
    for (const lib of libs) {
      if (affected.has(lib.key)) continue;
      for (const ref of lib.depends) {
        const dep = providerOf(lib.arch, ref);
        if (dep !== undefined && affected.has(dep.key)) {
          affected.set(lib.key, { library: lib, because: { kind: 'depends', on: dep.source, package: ref.name } });
          grew = true;
          break;
        }
      }
    }
  }

  const stale = new Set([...affected.values()].map((a) => `${a.library.arch}\0${a.library.source}\0${a.library.sourceVersion}`));
  const applications: AffectedApplication[] = [];
  for (const app of graph.applications) {
    const because: { source: string; version: string }[] = [];
    for (const e of app.embeds) {
      const update = updates.find((u) => u.source === e.source);
      let older = false;
      if (update !== undefined) {
        const c = order(e.version, update.version, e.source);
        if (!c.ok) return c;
        older = c.value < 0;
      }
      if (older || stale.has(`${app.arch}\0${e.source}\0${e.version}`)) because.push(e);
    }
    if (because.length > 0) applications.push({ application: app, because });
  }

  return ok({
    updates,
    libraries: dependencyOrder([...affected.values()]),
    applications: applications.sort((a, b) => cmp(a.application.package, b.application.package) || cmp(a.application.arch, b.application.arch)),
    unaffected: libs.filter((l) => !affected.has(l.key)),
    alreadyCurrent,
  });
}

/** Dependencies first: a library comes after every affected library it depends on. */
function dependencyOrder(items: readonly AffectedLibrary[]): AffectedLibrary[] {
  const out: AffectedLibrary[] = [];
  const placed = new Set<string>();
  const rest = [...items].sort((a, b) => cmp(a.library.arch, b.library.arch) || cmp(a.library.source, b.library.source));
  while (rest.length > 0) {
    const i = rest.findIndex((a) => a.because.kind === 'updated' || placed.has(`${a.library.arch}\0${a.because.on}`));
    const [next] = rest.splice(i < 0 ? 0 : i, 1);
    if (next === undefined) break;
    out.push(next);
    placed.add(`${next.library.arch}\0${next.library.source}`);
  }
  return out;
}

/**
 * What to build, per arch: the affected applications' targets; where an arch has affected
 * libraries but no application recorded, the affected libraries nothing else affected depends
 * on (building those rebuilds the rest of the set on the way).
 */
export function rebuildTargets(set: AffectedSet): { readonly arch: string; readonly target: string; readonly kind: 'application' | 'library' }[] {
  const out: { arch: string; target: string; kind: 'application' | 'library' }[] = [];
  const arches = new Set([...set.libraries.map((a) => a.library.arch), ...set.applications.map((a) => a.application.arch)]);
  for (const arch of [...arches].sort(cmp)) {
    const apps = set.applications.filter((a) => a.application.arch === arch);
    if (apps.length > 0) {
      for (const t of new Set(apps.map((a) => a.application.target ?? a.application.source))) out.push({ arch, target: t, kind: 'application' });
      continue;
    }
    const libs = set.libraries.filter((a) => a.library.arch === arch);
    const below = new Set(libs.flatMap((a) => (a.because.kind === 'depends' ? [a.because.on] : [])));
    for (const a of libs) if (!below.has(a.library.source)) out.push({ arch, target: a.library.source, kind: 'library' });
  }
  return out;
}

/** Current builds whose source the archive (one suite) has in a newer version: `--from-suite`. */
export function updatesFromSuite(
  current: readonly BuiltLibrary[],
  available: readonly { readonly source: string; readonly version: string }[],
): Result<SourceUpdate[], AffectedError> {
  const newest = new Map<string, string>();
  for (const a of available) {
    const have = newest.get(a.source);
    if (have === undefined) {
      newest.set(a.source, a.version);
      continue;
    }
    const c = order(a.version, have, a.source);
    if (!c.ok) return c;
    if (c.value > 0) newest.set(a.source, a.version);
  }
  const updates = new Map<string, string>();
  for (const lib of current) {
    const candidate = newest.get(lib.source);
    if (candidate === undefined) continue;
    const c = order(candidate, lib.sourceVersion, lib.source);
    if (!c.ok) return c;
    if (c.value > 0) updates.set(lib.source, candidate);
  }
  return ok([...updates].map(([source, version]) => ({ source, version })).sort((a, b) => cmp(a.source, b.source)));
}

/** `zlib=1:1.3.dfsg-1` as given to `--updated`. */
export function parseUpdateArg(text: string): Result<SourceUpdate, string> {
  const m = /^([a-z0-9][a-z0-9.+-]+)=(\S+)$/.exec(text);
  if (m === null) return err(`"${text}": expected SOURCE=VERSION`);
  const source = m[1] ?? '';
  const version = m[2] ?? '';
  const checked = compareVersionStrings(version, version);
  if (!checked.ok) return err(`"${text}": invalid version: ${checked.error.message}`);
  return ok({ source, version });
}
