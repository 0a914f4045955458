// Build environments: one image per (suite, arch), `stubforge-env:<suite>-<arch>`, made from the
// Debian archive alone (no registry): an mmdebstrap base (env-base.ts) and one layer from
// docker/env/Dockerfile with the arch's toolchain, the native tools and the `builder` user. The
// image ID (`digest`) is what goes into every cache key; every operation answers it.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log/logger.js';
import { ok, err, type Result } from '../model/result.js';
import type { SourceLocation } from '../model/location.js';
import type { ContainerRuntime, ImageDigest, ImageInfo, RuntimeError } from './container-runtime.js';
import { ensureBase, type BaseError } from './env-base.js';
import {
  BASE_INCLUDE, BUILDER, DEFAULT_ARCH, DEFAULT_SUITE, ENV_DOCKERFILES, ENV_DOCKER_DIR, environmentHash,
  environmentRef, envLabels, envLayerArgs, extraRef, normalizeSpec, packagesLayerArgs, updateLayerArgs,
  validatePackageNames, type EnvSpecError, type EnvironmentSpec,
} from './env-spec.js';
import type { HostCommandRunner } from './host-command.js';
import { Label, newRunId } from './labels.js';

export interface EnvironmentInfo {
  readonly name: string;
  readonly suite: string;
  readonly arch: string;
  readonly created: string;
  readonly updated: string;
  readonly sizeBytes: number;
  readonly digest: ImageDigest;
  readonly isDefault: boolean;
  readonly packages: readonly string[];
}

export type EnvironmentError =
  | BaseError
  | EnvSpecError
  | { readonly reason: 'env-not-found'; readonly name: string; readonly location: SourceLocation }
  | { readonly reason: 'not-an-environment'; readonly name: string; readonly kind: string; readonly location: SourceLocation }
  | { readonly reason: 'env-in-use'; readonly name: string; readonly containers: readonly string[]; readonly location: SourceLocation };

export interface EnvironmentOptions {
  readonly runHost?: HostCommandRunner;
  readonly tmpDir?: string;
  readonly clock?: () => Date;
  /** Folder holding the environment Dockerfiles; default the package's docker/env. */
  readonly dockerDir?: string;
  readonly runId?: string;
  readonly signal?: AbortSignal;
  /** Packages of the mmdebstrap base; default BASE_INCLUDE. */
  readonly baseInclude?: readonly string[];
  /** Rebuild even when an environment with the same package list exists. */
  readonly force?: boolean;
  /** Build output lines (apt), for a verbose CLI. */
  readonly onLine?: (line: string) => void;
}

/** stubforge's own folder (holding docker/, arch/): found from this module's place, in src/ as in dist/src/. */
export function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, ENV_DOCKER_DIR))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export function defaultDockerDir(): string {
  return join(findPackageRoot(), ENV_DOCKER_DIR);
}

function runIdOf(options: EnvironmentOptions, clock: () => Date): string {
  return options.runId ?? newRunId(clock(), process.pid, randomBytes(3).toString('hex'));
}

export function toEnvironmentInfo(image: ImageInfo, name: string, defaultRef = environmentRef(DEFAULT_SUITE, DEFAULT_ARCH)): EnvironmentInfo {
  const created = image.labels[Label.created] ?? image.created;
  const packages = image.labels[Label.packages] ?? '';
  return {
    name,
    suite: image.labels[Label.suite] ?? '',
    arch: image.labels[Label.arch] ?? '',
    created,
    updated: image.labels[Label.updated] ?? created,
    sizeBytes: image.sizeBytes,
    digest: image.digest,
    isDefault: name === defaultRef,
    packages: packages === '' ? [] : packages.split(' '),
  };
}

/** The image behind an environment name, checked to be an environment. */
async function inspectEnvironment(runtime: ContainerRuntime, name: string): Promise<Result<ImageInfo, EnvironmentError>> {
  const found = await runtime.inspectImage(name);
  if (!found.ok) return found;
  if (found.value === undefined) return err({ reason: 'env-not-found', name, location: { file: name } });
  const kind = found.value.labels[Label.kind] ?? 'none';
  if (kind !== 'env') return err({ reason: 'not-an-environment', name, kind, location: { file: name } });
  return ok(found.value);
}

export async function createEnvironment(spec: EnvironmentSpec, runtime: ContainerRuntime, log: Logger, options: EnvironmentOptions = {}): Promise<Result<EnvironmentInfo, EnvironmentError>> {
  const normalized = normalizeSpec(spec);
  if (!normalized.ok) return normalized;
  const env = normalized.value;
  const clock = options.clock ?? (() => new Date());
  const run = runIdOf(options, clock);
  const include = options.baseInclude ?? BASE_INCLUDE;
  const hash = environmentHash(env, include);
  const elog = log.child({ env: env.ref });

  const existing = await runtime.inspectImage(env.ref);
  if (!existing.ok) return existing;
  if (existing.value !== undefined && existing.value.labels[Label.packagesHash] === hash && options.force !== true) {
    elog.info({ digest: existing.value.digest }, 'environment up to date');
    return ok(toEnvironmentInfo(existing.value, env.ref));
  }

  const base = await ensureBase(env.suite, include, env.mirror, {
    runtime, log: elog, run, clock,
    ...(options.runHost === undefined ? {} : { runHost: options.runHost }),
    ...(options.tmpDir === undefined ? {} : { tmpDir: options.tmpDir }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (!base.ok) return base;

  const now = clock().toISOString();
  elog.info({ base: base.value.digest, packages: env.packages.length }, 'building environment');
  const built = await runtime.buildImage({
    contextDir: options.dockerDir ?? defaultDockerDir(),
    dockerfile: ENV_DOCKERFILES.env,
    ref: env.ref,
    buildArgs: envLayerArgs(base.value.digest, env),
    labels: envLabels({ spec: env, run, hash, created: now, updated: now }),
    network: 'default',
    noCache: options.force === true,
    ...(options.onLine === undefined ? {} : { onLine: options.onLine }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (!built.ok) return built;
  elog.info({ digest: built.value.digest, sizeBytes: built.value.sizeBytes }, 'environment created');
  return ok(toEnvironmentInfo(built.value, env.ref));
}

export async function listEnvironments(runtime: ContainerRuntime, defaultRef = environmentRef(DEFAULT_SUITE, DEFAULT_ARCH)): Promise<Result<readonly EnvironmentInfo[], RuntimeError>> {
  const listed = await runtime.listImages({ [Label.kind]: 'env' });
  if (!listed.ok) return listed;
  const out: EnvironmentInfo[] = [];
  for (const image of listed.value) {
    const name = image.labels[Label.env];
    // An image that lost its tag (an older version after `env update`) is no environment any more.
    if (name === undefined || !image.refs.includes(name)) continue;
    out.push(toEnvironmentInfo(image, name, defaultRef));
  }
  return ok(out.sort((a, b) => a.name.localeCompare(b.name)));
}

/** Newest packages of the suite in a new layer (`apt-get update && apt-get -y upgrade`). */
export async function updateEnvironment(name: string, runtime: ContainerRuntime, log: Logger, options: EnvironmentOptions = {}): Promise<Result<EnvironmentInfo, EnvironmentError>> {
  const current = await inspectEnvironment(runtime, name);
  if (!current.ok) return current;
  const clock = options.clock ?? (() => new Date());
  const elog = log.child({ env: name });
  elog.info({ from: current.value.digest }, 'updating environment');
  const built = await runtime.buildImage({
    contextDir: options.dockerDir ?? defaultDockerDir(),
    dockerfile: ENV_DOCKERFILES.update,
    ref: name,
    buildArgs: updateLayerArgs(current.value.digest),
    labels: { ...current.value.labels, [Label.run]: runIdOf(options, clock), [Label.updated]: clock().toISOString() },
    network: 'default',
    noCache: true,
    ...(options.onLine === undefined ? {} : { onLine: options.onLine }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (!built.ok) return built;
  elog.info({ from: current.value.digest, digest: built.value.digest }, 'environment updated');
  return ok(toEnvironmentInfo(built.value, name));
}

export interface CleanOptions {
  readonly yes: boolean;
  /** Asked unless `yes`; answers whether to go on. */
  readonly confirm: (question: string) => Promise<boolean>;
}

export interface CleanReport {
  readonly removed: boolean;
  readonly images: readonly string[];
}

/** Removes an environment and its extra-tool layers, unless a running build uses them. */
export async function cleanEnvironment(name: string, options: CleanOptions, runtime: ContainerRuntime, log: Logger): Promise<Result<CleanReport, EnvironmentError>> {
  const env = await inspectEnvironment(runtime, name);
  if (!env.ok) return env;
  const extras = await runtime.listImages({ [Label.kind]: 'env-extra', [Label.env]: name });
  if (!extras.ok) return extras;
  const digests = new Set<string>([env.value.digest, ...extras.value.map((i) => i.digest)]);
  const running = await runtime.listContainers({ [Label.run]: true }, { runningOnly: true });
  if (!running.ok) return running;
  const users = running.value.filter((c) => digests.has(c.imageDigest) || c.labels[Label.env] === name).map((c) => c.id);
  if (users.length > 0) return err({ reason: 'env-in-use', name, containers: users, location: { file: name } });

  if (!options.yes) {
    const size = Math.round(env.value.sizeBytes / 1e6);
    const go = await options.confirm(`Remove environment ${name} (${env.value.digest.slice(7, 19)}, ${size} MB)?`);
    if (!go) return ok({ removed: false, images: [] });
  }
  const removed: string[] = [];
  for (const extra of extras.value) {
    const gone = await runtime.removeImage(extra.digest);
    if (!gone.ok) return gone;
    removed.push(extra.refs[0] ?? extra.digest);
  }
  const gone = await runtime.removeImage(name);
  if (!gone.ok) return gone;
  removed.push(name);
  log.info({ env: name, images: removed }, 'environment removed');
  return ok({ removed: true, images: removed });
}

export interface EnsuredEnvironment {
  /** The image to run steps in: the environment itself, or a layer on it with the added tools. */
  readonly ref: string;
  readonly digest: ImageDigest;
  readonly added: readonly string[];
}

/** Names of the packages installed in an image (dpkg's `ii` state), read in a throwaway step. */
export async function installedPackages(runtime: ContainerRuntime, image: string, run: string): Promise<Result<ReadonlySet<string>, RuntimeError>> {
  const created = await runtime.createStep({
    image, cmd: ['dpkg-query', '-W', '-f=${db:Status-Abbrev}\\t${Package}\\n'], user: `${BUILDER.uid}:${BUILDER.gid}`,
    network: 'none', timeoutMs: 60_000, labels: { run, package: image, key: 'dpkg-query', kind: 'probe' },
  });
  if (!created.ok) return created;
  await using handle = created.value;
  const names = new Set<string>();
  const ran = await handle.run((stream, line) => {
    const [status, name] = line.split('\t');
    if (stream === 'stdout' && status?.startsWith('ii') === true && name !== undefined) names.add(name);
  });
  if (!ran.ok) return ran;
  if (ran.value.exitCode !== 0) return err({ reason: 'engine-error', operation: 'dpkg-query', detail: `exit status ${ran.value.exitCode}`, location: { file: image } });
  return ok(names);
}

/**
 * Makes sure the native tools of a plan are in its environment. Missing ones are installed in one
 * layer on top, tagged `<env>-x<hash of the requested set>`; the same request on the same
 * environment answers the same image (and digest) without building again.
 */
export async function ensurePackages(env: Pick<EnvironmentInfo, 'name'>, extraPackages: readonly string[], runtime: ContainerRuntime, log: Logger, options: EnvironmentOptions = {}): Promise<Result<EnsuredEnvironment, EnvironmentError>> {
  const wanted = validatePackageNames(extraPackages, { file: env.name });
  if (!wanted.ok) return wanted;
  const base = await inspectEnvironment(runtime, env.name);
  if (!base.ok) return base;
  const clock = options.clock ?? (() => new Date());
  const run = runIdOf(options, clock);
  const ref = extraRef(env.name, wanted.value);
  const prior = await runtime.inspectImage(ref);
  if (!prior.ok) return prior;
  if (prior.value !== undefined && prior.value.labels[Label.parent] === base.value.digest) {
    return ok({ ref, digest: prior.value.digest, added: (prior.value.labels[Label.packages] ?? '').split(' ').filter((p) => p !== '') });
  }
  const installed = await installedPackages(runtime, base.value.digest, run);
  if (!installed.ok) return installed;
  const missing = wanted.value.filter((p) => !installed.value.has(p));
  if (missing.length === 0) return ok({ ref: env.name, digest: base.value.digest, added: [] });

  const elog = log.child({ env: env.name });
  elog.info({ packages: missing }, 'adding native tools to environment');
  const built = await runtime.buildImage({
    contextDir: options.dockerDir ?? defaultDockerDir(),
    dockerfile: ENV_DOCKERFILES.packages,
    ref,
    buildArgs: packagesLayerArgs(base.value.digest, missing),
    labels: {
      ...base.value.labels,
      [Label.run]: run, [Label.package]: ref, [Label.key]: ref.slice(ref.lastIndexOf('-x') + 2), [Label.kind]: 'env-extra',
      [Label.env]: env.name, [Label.parent]: base.value.digest, [Label.packages]: missing.join(' '),
    },
    network: 'default',
    ...(options.onLine === undefined ? {} : { onLine: options.onLine }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (!built.ok) return built;
  // The layer built on an older version of the environment is of no use any more.
  if (prior.value !== undefined && prior.value.digest !== built.value.digest) await runtime.removeImage(prior.value.digest);
  elog.info({ ref, digest: built.value.digest }, 'native tools added');
  return ok({ ref, digest: built.value.digest, added: missing });
}
