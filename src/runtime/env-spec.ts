// What an environment is, as values: its name, the build arguments of its Dockerfile layers
// (docker/env/), the apt sources it is configured with, its labels and the hash of its package
// list. No I/O here, so all of it is unit-tested; environments.ts does the work.
import { createHash } from 'node:crypto';
import { ok, err, type Result } from '../model/result.js';
import type { SourceLocation } from '../model/location.js';
import { Label } from './labels.js';

export const DEFAULT_SUITE = 'bookworm';
export const DEFAULT_ARCH = 'musl-linux-amd64';
export const ENV_REPOSITORY = 'stubforge-env';
export const BASE_REPOSITORY = 'stubforge-base';

/**
 * Packages every base has (mmdebstrap --include): the toolchain of the build machine and what
 * `dpkg-buildpackage`-style work needs. The arch's own toolchain goes into the environment layer.
 */
export const BASE_INCLUDE: readonly string[] = ['build-essential', 'ca-certificates', 'dpkg-dev', 'fakeroot'];

/**
 * Native tools every environment carries besides the arch's toolchain: what the build drivers
 * (autotools, meson, cmake, plain make) and Debian source handling run on the build machine.
 */
export const DRIVER_NATIVE_TOOLS: readonly string[] = [
  'build-essential', 'pkg-config', 'meson', 'ninja-build', 'cmake', 'autoconf', 'automake', 'libtool',
  'autotools-dev', 'dpkg-dev', 'python3',
];

/** The key Debian's own archive is signed with, as installed in every base by apt's dependencies. */
/** What goes into an environment: the arch's toolchain, its config.sub/guess package, the drivers' tools. */
export function environmentPackages(arch: { readonly toolchain: { readonly packages: readonly string[] }; readonly configFilesPackage: string }): string[] {
  return [...arch.toolchain.packages, arch.configFilesPackage, ...DRIVER_NATIVE_TOOLS];
}

export const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** uid/gid of the non-root `builder` user made in every environment. */
export const BUILDER = { name: 'builder', uid: 1000, gid: 1000 } as const;

/** One deb822 entry of apt sources, as read from the machine's apt configuration. */
export interface AptSource {
  readonly uris: readonly string[];
  readonly suites: readonly string[];
  readonly components: readonly string[];
  readonly signedBy?: string;
}

export interface EnvironmentSpec {
  readonly suite: string;
  readonly arch: string;
  /** The arch's toolchain and native tools (from its arch file), installed in one layer. */
  readonly packages: readonly string[];
  /** Archive mirror URL, from the machine's apt configuration or the user; never a default. */
  readonly mirror: string;
  /** Further apt entries for the image (e.g. `<suite>-updates`, `<suite>-security`). */
  readonly extraSources?: readonly AptSource[];
  /** Image repository; tests use their own so they never touch a user's environments. */
  readonly repository?: string;
  /** Where the package list came from (an arch file), for error messages. */
  readonly origin?: SourceLocation;
}

export type EnvSpecError = {
  readonly reason: 'invalid-name';
  readonly what: 'suite' | 'arch' | 'package' | 'mirror' | 'repository';
  readonly value: string;
  readonly location: SourceLocation;
};

export interface NormalizedEnvironmentSpec {
  readonly suite: string;
  readonly arch: string;
  /** Sorted, without duplicates. */
  readonly packages: readonly string[];
  readonly mirror: string;
  readonly extraSources: readonly AptSource[];
  readonly repository: string;
  readonly ref: string;
  readonly baseRef: string;
}

// Debian policy §5.6.1 for package names; suites and arches are plainer still. A name that fits
// these can go into a Dockerfile argument and an image tag without quoting.
const PACKAGE_RE = /^[a-z0-9][a-z0-9+.-]+$/;
const SUITE_RE = /^[a-z0-9][a-z0-9.-]*$/;
const ARCH_RE = /^[a-z0-9][a-z0-9-]*$/;
const REPOSITORY_RE = /^[a-z0-9][a-z0-9._/-]*$/;
const MIRROR_RE = /^(https?|file):\/\/[^\s"'\\]+$/;

export function environmentRef(suite: string, arch: string, repository = ENV_REPOSITORY): string {
  return `${repository}:${suite}-${arch}`;
}

export function baseRef(suite: string, repository = BASE_REPOSITORY): string {
  return `${repository}:${suite}`;
}

export function validatePackageNames(names: readonly string[], location: SourceLocation): Result<readonly string[], EnvSpecError> {
  for (const name of names) {
    if (!PACKAGE_RE.test(name)) return err({ reason: 'invalid-name', what: 'package', value: name, location });
  }
  return ok([...new Set(names)].sort());
}

export function normalizeSpec(spec: EnvironmentSpec): Result<NormalizedEnvironmentSpec, EnvSpecError> {
  const location = spec.origin ?? { file: '<environment spec>' };
  const repository = spec.repository ?? ENV_REPOSITORY;
  const checks: [EnvSpecError['what'], string, RegExp][] = [
    ['suite', spec.suite, SUITE_RE], ['arch', spec.arch, ARCH_RE], ['mirror', spec.mirror, MIRROR_RE], ['repository', repository, REPOSITORY_RE],
  ];
  for (const [what, value, re] of checks) {
    if (!re.test(value)) return err({ reason: 'invalid-name', what, value, location });
  }
  for (const source of spec.extraSources ?? []) {
    for (const uri of source.uris) {
      if (!MIRROR_RE.test(uri)) return err({ reason: 'invalid-name', what: 'mirror', value: uri, location });
    }
  }
  const packages = validatePackageNames(spec.packages, location);
  if (!packages.ok) return packages;
  return ok({
    suite: spec.suite,
    arch: spec.arch,
    packages: packages.value,
    mirror: spec.mirror,
    extraSources: spec.extraSources ?? [],
    repository,
    ref: environmentRef(spec.suite, spec.arch, repository),
    baseRef: baseRef(spec.suite),
  });
}

/** Short content hash of a list of names (order and duplicates do not matter). */
export function packagesHash(parts: readonly string[]): string {
  return createHash('sha256').update([...new Set(parts)].sort().join('\n')).digest('hex').slice(0, 16);
}

/** The hash recorded on an environment: what it was asked to contain on top of which base. */
export function environmentHash(spec: Pick<NormalizedEnvironmentSpec, 'suite' | 'arch' | 'packages'>, baseInclude: readonly string[]): string {
  return packagesHash([`suite=${spec.suite}`, `arch=${spec.arch}`, ...baseInclude.map((p) => `base:${p}`), ...spec.packages]);
}

/** apt sources (deb822) the environment's apt uses: the caller's mirror, then the extras. */
export function renderAptSources(spec: Pick<NormalizedEnvironmentSpec, 'mirror' | 'suite' | 'extraSources'>): string {
  const entries: AptSource[] = [
    { uris: [spec.mirror], suites: [spec.suite], components: ['main'], signedBy: DEBIAN_KEYRING },
    ...spec.extraSources,
  ];
  return entries
    .map((e) => [
      'Types: deb',
      `URIs: ${e.uris.join(' ')}`,
      `Suites: ${e.suites.join(' ')}`,
      `Components: ${e.components.join(' ')}`,
      ...(e.signedBy === undefined ? [] : [`Signed-By: ${e.signedBy}`]),
    ].join('\n'))
    .join('\n\n')
    .concat('\n');
}

/** The folder under docker/ holding the environment Dockerfiles (also the build context). */
export const ENV_DOCKER_DIR = 'docker/env';
export const ENV_DOCKERFILES = { env: 'Dockerfile', packages: 'packages.Dockerfile', update: 'update.Dockerfile' } as const;

/** Build arguments of docker/env/Dockerfile (every ARG it declares). */
export function envLayerArgs(base: string, spec: Pick<NormalizedEnvironmentSpec, 'mirror' | 'suite' | 'extraSources' | 'packages'>): Record<string, string> {
  return {
    BASE: base,
    PACKAGES: spec.packages.join(' '),
    BUILDER_NAME: BUILDER.name,
    BUILDER_UID: String(BUILDER.uid),
    BUILDER_GID: String(BUILDER.gid),
    APT_SOURCES: renderAptSources(spec).trimEnd(),
  };
}

/** Build arguments of docker/env/packages.Dockerfile. */
export function packagesLayerArgs(base: string, packages: readonly string[]): Record<string, string> {
  return { BASE: base, PACKAGES: packages.join(' ') };
}

/** Build arguments of docker/env/update.Dockerfile. */
export function updateLayerArgs(base: string): Record<string, string> {
  return { BASE: base };
}

export interface EnvLabelInput {
  readonly spec: NormalizedEnvironmentSpec;
  readonly run: string;
  readonly hash: string;
  readonly created: string;
  readonly updated: string;
}

/** Labels of an environment image. `package` is the image's name and `key` its package hash. */
export function envLabels(input: EnvLabelInput): Record<string, string> {
  return {
    [Label.run]: input.run,
    [Label.package]: input.spec.ref,
    [Label.key]: input.hash,
    [Label.kind]: 'env',
    [Label.env]: input.spec.ref,
    [Label.suite]: input.spec.suite,
    [Label.arch]: input.spec.arch,
    [Label.created]: input.created,
    [Label.updated]: input.updated,
    [Label.packagesHash]: input.hash,
    [Label.packages]: input.spec.packages.join(' '),
  };
}

export function baseLabels(suite: string, include: readonly string[], run: string, created: string): Record<string, string> {
  const hash = packagesHash([`suite=${suite}`, ...include]);
  return {
    [Label.run]: run,
    [Label.package]: baseRef(suite),
    [Label.key]: hash,
    [Label.kind]: 'base',
    [Label.suite]: suite,
    [Label.created]: created,
    [Label.packagesHash]: hash,
    [Label.packages]: [...include].sort().join(' '),
  };
}

/** Name of an environment with extra native tools: derived from the env and the added set. */
export function extraRef(envRef: string, packages: readonly string[]): string {
  return `${envRef}-x${packagesHash(packages).slice(0, 12)}`;
}

/** The mmdebstrap command line of a base: minbase plus `include`, written to `tarPath`. */
export function mmdebstrapArgv(suite: string, include: readonly string[], tarPath: string, mirror: string): string[] {
  return ['mmdebstrap', '--variant=minbase', '--format=tar', ...(include.length === 0 ? [] : [`--include=${[...include].sort().join(',')}`]), suite, tarPath, mirror];
}
