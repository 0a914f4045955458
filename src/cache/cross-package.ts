// Names and lays out the `-cross` binary packages of one finished library build (pure). They
// follow Debian's own cross library packages (libc6-dev-arm64-cross): `<binary>-<arch>-cross`,
// Architecture: all, Multi-Arch: foreign, Section: libdevel, files under /usr/<triplet>/,
// Built-Using the source. Provenance goes in X-Stubforge-* fields, so `dpkg-deb --field` and the
// repository's Packages index both say what was built from what.
import type { CacheKey, Sha256Hex } from '../model/brand.js';
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';
import { validateArchitecture, validatePackageName, validateVersion, type ControlField, type DebLayoutError } from '../deb/deb-fields.js';
import { buildDebLayout, type DataEntryInput, type DebDescription, type DebLayout } from '../deb/deb-layout.js';
import { crossLintianOverrides } from './cross-lintian.js';

export interface CrossBinarySpec {
  /** The Debian binary package the recipe publishes, e.g. `zlib1g-dev`. */
  readonly name: string;
  /** Paths relative to `usr/<triplet>/` (a file, or a directory and all below it) this package
   * takes. At most one binary may omit claims: it takes every unclaimed path. */
  readonly claims?: readonly string[];
}

/** A target dependency's published binary: becomes `Depends: <binary>-<arch>-cross (= version)`. */
export interface CrossDependency {
  readonly binary: string;
  readonly version: string;
}

export interface CrossBuild {
  readonly source: string;
  readonly sourceVersion: string;
  /** The packages' version: the source version, or with a binNMU suffix for a rebuild of it (default: the source version). */
  readonly version?: string;
  /** Debian architecture name of the partial arch: `musl-linux-amd64`. */
  readonly arch: string;
  /** GNU triplet: `x86_64-linux-musl`. */
  readonly triplet: string;
  readonly binaries: readonly CrossBinarySpec[];
  /** The staged output, paths relative to the staging root (`usr/<triplet>/lib/libz.a`). */
  readonly staged: readonly DataEntryInput[];
  readonly dependencies: readonly CrossDependency[];
  readonly recipeSha256: Sha256Hex;
  readonly cacheKey: CacheKey;
  /** The source's debian/copyright, shipped as /usr/share/doc/<package>/copyright. */
  readonly copyright: string | Uint8Array;
  readonly maintainer: string;
  /** The suites the build read, in order: recorded for `rebuild` (X-Stubforge-Suites). */
  readonly suites?: readonly string[];
  /** A recorded user choice, e.g. "built from the orig tarball alone: debian diff missing on the mirror". */
  readonly note?: string;
  readonly sourceDateEpoch: number;
  /** The recipe file, for error locations. */
  readonly origin?: SourceLocation;
}

/**
 * Why a build's output cannot become its -cross packages, as data (the messages are rendered in
 * cli/deb-messages.ts). `location`: the recipe, or a `recipe(<source>)` label.
 */
export type CrossPackageError = { readonly location: SourceLocation } & (
  | { readonly reason: 'invalid-triplet'; readonly triplet: string }
  | { readonly reason: 'no-binaries'; readonly source: string }
  | { readonly reason: 'duplicate-binary'; readonly binary: string }
  | { readonly reason: 'several-default-binaries'; readonly binaries: readonly string[] }
  /** A staged path outside `usr/<triplet>/` (`base`). */
  | { readonly reason: 'outside-triplet-dir'; readonly path: string; readonly base: string }
  | { readonly reason: 'unclaimed-path'; readonly path: string; readonly source: string }
  | { readonly reason: 'ambiguous-claim'; readonly path: string; readonly binaries: readonly string[] }
  | { readonly reason: 'claim-matches-nothing'; readonly claim: string; readonly binary: string; readonly base: string }
);

export interface CrossPackage {
  readonly binary: string;
  readonly description: DebDescription;
  readonly layout: DebLayout;
}

/**
 * The note recorded in the packages (X-Stubforge-Note) of a source built from its orig tarball:
 * `rebuild` reads it back to make the same choice (`--allow-orig-only`) again.
 */
export const ORIG_ONLY_NOTE = "built from the verified orig tarball alone (Debian's changes not applied): explicitly allowed with --allow-orig-only";

const TRIPLET_RE = /^[a-z0-9_]+(-[a-z0-9_.]+){1,3}$/;

export function crossPackageName(binary: string, arch: string): string {
  return `${binary}-${arch}-cross`;
}

export function buildCrossPackages(build: CrossBuild): Result<CrossPackage[], CrossPackageError | DebLayoutError> {
  const location = build.origin ?? { file: `recipe(${build.source})` };
  const checks = [
    validatePackageName(build.source, location),
    validateVersion(build.sourceVersion, location),
    validateVersion(build.version ?? build.sourceVersion, location),
    validateArchitecture(build.arch, location),
    ...build.binaries.map((b) => validatePackageName(b.name, location)),
    ...build.dependencies.map((d) => validatePackageName(d.binary, location)),
    ...build.dependencies.map((d) => validateVersion(d.version, location)),
  ];
  for (const check of checks) if (!check.ok) return check;
  if (!TRIPLET_RE.test(build.triplet)) {
    return err({ reason: 'invalid-triplet', triplet: build.triplet, location });
  }
  const assigned = assignPaths(build, location);
  if (!assigned.ok) return assigned;

  const out: CrossPackage[] = [];
  for (const spec of build.binaries) {
    const description = describeCrossPackage(build, spec.name, assigned.value.get(spec.name) ?? []);
    const layout = buildDebLayout(description);
    if (!layout.ok) return layout;
    out.push({ binary: spec.name, description, layout: layout.value });
  }
  return ok(out);
}

function describeCrossPackage(build: CrossBuild, binary: string, files: readonly DataEntryInput[]): DebDescription {
  const name = crossPackageName(binary, build.arch);
  const fields: ControlField[] = [
    { name: 'Source', value: build.source },
    { name: 'Section', value: 'libdevel' },
    { name: 'Priority', value: 'optional' },
    { name: 'Multi-Arch', value: 'foreign' },
    { name: 'Built-Using', value: `${build.source} (= ${build.sourceVersion})` },
    { name: 'X-Stubforge-Source', value: build.source },
    { name: 'X-Stubforge-Source-Version', value: build.sourceVersion },
    { name: 'X-Stubforge-Recipe-Sha256', value: build.recipeSha256 },
    { name: 'X-Stubforge-Cache-Key', value: build.cacheKey },
    { name: 'X-Stubforge-Arch', value: build.arch },
    ...(build.suites === undefined || build.suites.length === 0 ? [] : [{ name: 'X-Stubforge-Suites', value: build.suites.join(' ') }]),
  ];
  if (build.dependencies.length > 0) {
    const depends = build.dependencies.map((d) => `${crossPackageName(d.binary, build.arch)} (= ${d.version})`);
    fields.push({ name: 'Depends', value: depends.join(', ') });
  }
  if (build.note !== undefined) fields.push({ name: 'X-Stubforge-Note', value: build.note });
  const extended = [
    `Static libraries and headers of ${binary} from the Debian source package`,
    `${build.source} ${build.sourceVersion}, rebuilt by stubforge for the partial`,
    `architecture ${build.arch} (${build.triplet}) and installed under`,
    `/usr/${build.triplet}/ for cross-compiling.`,
    ...(build.note === undefined ? [] : ['', `Note: ${build.note}`]),
  ];
  return {
    package: name,
    version: build.version ?? build.sourceVersion,
    architecture: 'all',
    maintainer: build.maintainer,
    description: { synopsis: `${binary} for cross-compiling to ${build.arch}`, extended },
    fields,
    files: [
      ...files,
      { type: 'file', path: `usr/share/doc/${name}/copyright`, content: build.copyright },
      {
        type: 'file', path: `usr/share/lintian/overrides/${name}`,
        content: crossLintianOverrides(name, build.triplet, files, fields.map((f) => f.name).filter((f) => f.startsWith('X-'))),
      },
    ],
    sourceDateEpoch: build.sourceDateEpoch,
    ...(build.origin === undefined ? {} : { origin: build.origin }),
  };
}

/** Which staged paths go to which binary: claims first, the one claim-less binary takes the rest. */
function assignPaths(build: CrossBuild, location: SourceLocation): Result<Map<string, DataEntryInput[]>, CrossPackageError> {
  if (build.binaries.length === 0) return err({ reason: 'no-binaries', source: build.source, location });
  const names = build.binaries.map((b) => b.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) return err({ reason: 'duplicate-binary', binary: dup, location });
  const defaults = build.binaries.filter((b) => b.claims === undefined);
  if (defaults.length > 1) {
    return err({ reason: 'several-default-binaries', binaries: defaults.map((b) => b.name), location });
  }
  const base = `usr/${build.triplet}/`;
  const out = new Map<string, DataEntryInput[]>(names.map((n) => [n, []]));
  const used = new Set<string>();
  const stagedPaths = build.staged.map((e) => e.path.replace(/^\.?\//, ''));
  for (const [i, entry] of build.staged.entries()) {
    const path = stagedPaths[i] ?? entry.path;
    const inside = (path + (entry.type === 'directory' ? '/' : '')).startsWith(base);
    // The parents of usr/<triplet>/ are implied by the layout; anything else must not be there.
    if (!inside && !(entry.type === 'directory' && base.startsWith(`${path}/`))) {
      return err({ reason: 'outside-triplet-dir', path, base, location });
    }
    if (!inside) continue;
    const rel = path.slice(base.length);
    // A directory with something staged below it is implied; only an empty one needs an owner.
    if (entry.type === 'directory' && stagedPaths.some((p) => p.startsWith(`${path}/`))) continue;
    const owners = build.binaries.filter((b) => b.claims?.some((c) => covers(c, rel)) === true);
    if (owners.length > 1) return err({ reason: 'ambiguous-claim', path, binaries: owners.map((o) => o.name), location });
    for (const b of owners) for (const c of b.claims ?? []) if (covers(c, rel)) used.add(`${b.name}\0${c}`);
    const owner = owners[0] ?? defaults[0];
    if (owner === undefined) return err({ reason: 'unclaimed-path', path, source: build.source, location });
    out.get(owner.name)?.push({ ...entry, path });
  }
  for (const b of build.binaries) {
    for (const c of b.claims ?? []) {
      if (!used.has(`${b.name}\0${c}`)) return err({ reason: 'claim-matches-nothing', claim: c, binary: b.name, base, location });
    }
  }
  return ok(out);
}

function covers(claim: string, rel: string): boolean {
  const c = claim.replace(/^\/+|\/+$/g, '');
  return rel === c || rel.startsWith(`${c}/`);
}
