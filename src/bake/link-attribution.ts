// Who owns each archive the linker used (pure; the dpkg question is passed in). The answer — not
// the plan — is the provenance of the binary (Static-Built-Using): an archive is owned by
// - a `-cross` package of the staged closure (its installed file list says so): source + version;
// - the toolchain's own Debian package (musl-dev's libc.a → source musl), as dpkg says;
// - a user-supplied toolchain tree (rumprun's sysroot, with NetBSD's own libz 1.2.3): part of the
//   toolchain, not of the archive — it has no Debian source and must never stand in for one;
// - nobody we know: unknown.
// A recipe names the libraries that must come from the closure; a trace that shows the same
// library taken from anywhere else is an error value, never a silent substitution.
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';
import type { LinkedArchive, LinkEvidence } from './link-trace.js';

/** The -cross package that installs a file, and what it was built from. */
export interface CrossOwner {
  readonly package: string;
  readonly source: string;
  readonly sourceVersion: string;
}

/** A Debian package of the build image that owns a file (dpkg -S), with its source. */
export interface HostPackageOwner {
  readonly package: string;
  readonly source: string;
  readonly sourceVersion: string;
}

export interface HostQueryError {
  readonly reason: 'host-query-failed';
  readonly path: string;
  readonly detail: string;
}

/** dpkg -S + dpkg-query, or a stand-in: `undefined` when no package owns the path. */
export type HostOwnerQuery = (path: string) => Promise<Result<HostPackageOwner | undefined, HostQueryError>>;

/** A toolchain supplied as a tree (rumprun): files under `root` belong to it. */
export interface ToolchainTree {
  readonly name: string;
  /** The absolute path the trace shows (the as-built path the tree is mounted at). */
  readonly root: string;
}

/** The recipe's word: archives named `lib<library>.a` must come from this closure source. */
export interface LibraryRequirement {
  /** The `-l` name: `z` for libz.a, `glib-2.0` for libglib-2.0.a. */
  readonly library: string;
  readonly source: string;
  readonly location: SourceLocation;
}

export interface AttributionContext {
  /** Installed path (as the link saw it) → the -cross package shipping it. */
  readonly owners: ReadonlyMap<string, CrossOwner>;
  readonly toolchainTrees: readonly ToolchainTree[];
  readonly hostOwner: HostOwnerQuery;
  readonly requirements: readonly LibraryRequirement[];
}

/** yes: members were pulled; no: opened, nothing pulled; unknown: the evidence has no member detail. */
export type Linked = 'yes' | 'no' | 'unknown';

export type ArchiveAttribution =
  | { readonly kind: 'closure'; readonly archive: LinkedArchive; readonly linked: Linked; readonly owner: CrossOwner }
  | { readonly kind: 'toolchain-package'; readonly archive: LinkedArchive; readonly linked: Linked; readonly owner: HostPackageOwner }
  | { readonly kind: 'toolchain-tree'; readonly archive: LinkedArchive; readonly linked: Linked; readonly tree: ToolchainTree; readonly relativePath: string }
  | { readonly kind: 'unknown'; readonly archive: LinkedArchive; readonly linked: Linked; readonly detail: string };

export type AttributionError =
  | {
    readonly reason: 'wrong-library-linked';
    readonly library: string;
    /** The archive the trace shows, and who owns it. */
    readonly used: { readonly path: string; readonly owner: string };
    /** What the recipe asked for: the source, and where the closure installs that library. */
    readonly expected: { readonly source: string; readonly paths: readonly string[] };
    readonly location: SourceLocation;
    readonly requiredAt: SourceLocation;
  }
  | (HostQueryError & { readonly location: SourceLocation });

export interface SourceUse {
  readonly source: string;
  readonly version: string;
  readonly origin: 'closure' | 'toolchain-package';
  /** Debian binary packages the archives came from (`zlib1g-dev-musl-linux-amd64-cross`, `musl-dev:amd64`). */
  readonly packages: readonly string[];
  readonly archives: readonly string[];
}

export interface Attribution {
  readonly archives: readonly ArchiveAttribution[];
  /** Sources whose code is in the binary, sorted by name: what Static-Built-Using lists. */
  readonly sources: readonly SourceUse[];
  /** Linked archives with no Debian source (toolchain tree, unknown): named, never dropped. */
  readonly unattributed: readonly ArchiveAttribution[];
  /** Requirements whose library the link did not use at all. */
  readonly unusedRequirements: readonly LibraryRequirement[];
}

export function linkedState(archive: LinkedArchive): Linked {
  if (archive.members === undefined) return 'unknown';
  return archive.members.length > 0 ? 'yes' : 'no';
}

function underRoot(path: string, root: string): string | undefined {
  const base = root.endsWith('/') ? root : `${root}/`;
  return path.startsWith(base) ? path.slice(base.length) : undefined;
}

async function attributeOne(archive: LinkedArchive, context: AttributionContext): Promise<Result<ArchiveAttribution, AttributionError>> {
  const path = archive.normalizedPath;
  const linked = linkedState(archive);
  const owner = context.owners.get(path);
  if (owner !== undefined) return ok({ kind: 'closure', archive, linked, owner });
  for (const tree of context.toolchainTrees) {
    const relativePath = underRoot(path, tree.root);
    if (relativePath !== undefined) return ok({ kind: 'toolchain-tree', archive, linked, tree, relativePath });
  }
  if (!path.startsWith('/')) {
    return ok({ kind: 'unknown', archive, linked, detail: 'relative path: the link directory was not given' });
  }
  const host = await context.hostOwner(path);
  if (!host.ok) return err({ ...host.error, location: archive.location });
  if (host.value !== undefined) return ok({ kind: 'toolchain-package', archive, linked, owner: host.value });
  return ok({ kind: 'unknown', archive, linked, detail: 'not in the closure, not under a toolchain tree, not owned by any Debian package' });
}

export function archiveLibraryName(path: string): string | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const match = /^lib(.+)\.a$/.exec(name);
  return match?.[1];
}

export function describeOwner(a: ArchiveAttribution): string {
  switch (a.kind) {
    case 'closure':
      return `${a.owner.package} (source ${a.owner.source} ${a.owner.sourceVersion})`;
    case 'toolchain-package':
      return `toolchain package ${a.owner.package} (source ${a.owner.source} ${a.owner.sourceVersion})`;
    case 'toolchain-tree':
      return `toolchain tree ${a.tree.name} (${a.relativePath}), not the archive`;
    case 'unknown':
      return `unknown owner: ${a.detail}`;
  }
}

function checkRequirements(archives: readonly ArchiveAttribution[], context: AttributionContext): { errors: AttributionError[]; unused: LibraryRequirement[] } {
  const errors: AttributionError[] = [];
  const unused: LibraryRequirement[] = [];
  for (const requirement of context.requirements) {
    // Opened with unknown member detail counts as used: with -l the first archive found is the one
    // the linker searches, so an opened sysroot libz.a means the closure's was not.
    const candidates = archives.filter((a) => a.linked !== 'no' && archiveLibraryName(a.archive.normalizedPath) === requirement.library);
    if (candidates.length === 0) unused.push(requirement);
    for (const used of candidates) {
      if (used.kind === 'closure' && used.owner.source === requirement.source) continue;
      const expectedPaths = [...context.owners.entries()]
        .filter(([p, o]) => o.source === requirement.source && archiveLibraryName(p) === requirement.library)
        .map(([p]) => p)
        .sort();
      errors.push({
        reason: 'wrong-library-linked',
        library: requirement.library,
        used: { path: used.archive.normalizedPath, owner: describeOwner(used) },
        expected: { source: requirement.source, paths: expectedPaths },
        location: used.archive.location,
        requiredAt: requirement.location,
      });
    }
  }
  return { errors, unused };
}

function collectSources(archives: readonly ArchiveAttribution[]): SourceUse[] {
  const bySource = new Map<string, { source: string; version: string; origin: SourceUse['origin']; packages: Set<string>; archives: string[] }>();
  for (const a of archives) {
    if (a.linked === 'no' || (a.kind !== 'closure' && a.kind !== 'toolchain-package')) continue;
    const version = a.owner.sourceVersion;
    const key = `${a.owner.source} ${version}`;
    let entry = bySource.get(key);
    if (entry === undefined) {
      entry = { source: a.owner.source, version, origin: a.kind, packages: new Set(), archives: [] };
      bySource.set(key, entry);
    }
    entry.packages.add(a.owner.package);
    entry.archives.push(a.archive.normalizedPath);
  }
  return [...bySource.values()]
    .map((e) => ({ source: e.source, version: e.version, origin: e.origin, packages: [...e.packages].sort(), archives: e.archives }))
    .sort((x, y) => (x.source < y.source ? -1 : x.source > y.source ? 1 : 0));
}

/**
 * Attributes every archive of the evidence and checks the recipe's requirements. All errors are
 * returned together (a maintainer fixes them in one go).
 */
export async function attributeArchives(evidence: LinkEvidence, context: AttributionContext): Promise<Result<Attribution, readonly AttributionError[]>> {
  const archives: ArchiveAttribution[] = [];
  const errors: AttributionError[] = [];
  for (const archive of evidence.archives) {
    const one = await attributeOne(archive, context);
    if (one.ok) archives.push(one.value);
    else errors.push(one.error);
  }
  const requirements = checkRequirements(archives, context);
  errors.push(...requirements.errors);
  if (errors.length > 0) return err(errors);
  return ok({
    archives,
    sources: collectSources(archives),
    unattributed: archives.filter((a) => a.linked !== 'no' && (a.kind === 'toolchain-tree' || a.kind === 'unknown')),
    unusedRequirements: requirements.unused,
  });
}

/** `Static-Built-Using` syntax: `src (= version), ...` in source order. */
export function formatBuiltUsing(sources: readonly SourceUse[]): string {
  return sources.map((s) => `${s.source} (= ${s.version})`).join(', ');
}

export function describeAttributionError(error: AttributionError): string {
  switch (error.reason) {
    case 'wrong-library-linked': {
      const expected = error.expected.paths.length > 0 ? error.expected.paths.join(', ') : `no lib${error.library}.a of ${error.expected.source} in the closure`;
      return `lib${error.library}.a: the link used ${error.used.path} (${error.used.owner}); the recipe wants it from ${error.expected.source}: ${expected}`;
    }
    case 'host-query-failed':
      return `asking dpkg who owns ${error.path} failed: ${error.detail}`;
  }
}
