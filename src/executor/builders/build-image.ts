// The image a node builds in, and its digest (part of that node's cache key): the environment of
// (suite, arch), plus one layer with that node's own native tools when the environment lacks some
// (runtime/environments.ts: ensurePackages; plan/node-image.ts). Nodes with the same packages
// share an image: the layer is tagged by its package list. `findBuildImage` only looks (for
// `plan`'s cached column and for a no-op build that must not start a container);
// `prepareBuildImage` makes what is missing.
import type { Logger } from '../../log/logger.js';
import { err, ok, type Result } from '../../model/result.js';
import type { ContainerRuntime, ImageDigest, ImageInfo, ImageLookup, RuntimeError } from '../../runtime/container-runtime.js';
import { BUILDER, environmentRef, extraRef, validatePackageNames } from '../../runtime/env-spec.js';
import { ensurePackages, type EnvironmentError, type EnvironmentOptions } from '../../runtime/environments.js';
import { Label } from '../../runtime/labels.js';

export interface BuildImage {
  /** The environment the image is (or is layered on). */
  readonly env: string;
  readonly ref: string;
  readonly digest: ImageDigest;
  /** Packages a layer added for this plan (empty when the environment had them all). */
  readonly added: readonly string[];
  /** The environment was made by this call. */
  readonly createdEnvironment: boolean;
}

/** The image for `packages` on environment `env`, if it exists already; `undefined` if it does not. */
export async function findBuildImage(runtime: ImageLookup, env: string, packages: readonly string[]): Promise<Result<BuildImage | undefined, EnvironmentError | RuntimeError>> {
  const base = await runtime.inspectImage(env);
  if (!base.ok) return base;
  return base.value === undefined ? ok(undefined) : imageOnBase(runtime, env, base.value, packages);
}

/** The image for `packages` on the environment `base` (inspected already), if it exists. */
async function imageOnBase(runtime: ImageLookup, env: string, base: ImageInfo, packages: readonly string[]): Promise<Result<BuildImage | undefined, EnvironmentError | RuntimeError>> {
  const wanted = validatePackageNames(packages, { file: env });
  if (!wanted.ok) return wanted;
  const layerRef = extraRef(env, wanted.value);
  const layer = await runtime.inspectImage(layerRef);
  if (!layer.ok) return layer;
  if (layer.value !== undefined && layer.value.labels[Label.parent] === base.digest) {
    const added = (layer.value.labels[Label.packages] ?? '').split(' ').filter((p) => p !== '');
    return ok({ env, ref: layerRef, digest: layer.value.digest, added, createdEnvironment: false });
  }
  // Packages the environment was made with are installed in it: no layer is needed for them.
  const has = new Set((base.labels[Label.packages] ?? '').split(' '));
  if (wanted.value.every((p) => has.has(p))) return ok({ env, ref: env, digest: base.digest, added: [], createdEnvironment: false });
  return ok(undefined);
}

export interface PrepareBuildImageOptions<E> extends EnvironmentOptions {
  readonly suite: string;
  readonly arch: string;
  readonly packages: readonly string[];
  /** Makes the environment when it does not exist (cli/ knows the mirror and the arch's packages). */
  readonly createEnvironment: () => Promise<Result<unknown, E>>;
}

export async function prepareBuildImage<E>(runtime: ContainerRuntime, log: Logger, options: PrepareBuildImageOptions<E>): Promise<Result<BuildImage, EnvironmentError | E>> {
  const env = environmentRef(options.suite, options.arch);
  const found = await findBuildImage(runtime, env, options.packages);
  if (!found.ok) return found;
  if (found.value !== undefined) return ok(found.value);
  const exists = await runtime.inspectImage(env);
  if (!exists.ok) return exists;
  let created = false;
  if (exists.value === undefined) {
    log.info({ env }, 'creating build environment');
    const made = await options.createEnvironment();
    if (!made.ok) return err(made.error);
    created = true;
  }
  const ensured = await ensurePackages({ name: env }, options.packages, runtime, log, options);
  if (!ensured.ok) return ensured;
  return ok({ env, ref: ensured.value.ref, digest: ensured.value.digest, added: ensured.value.added, createdEnvironment: created });
}

/** Each node's build image that exists already (a node whose image does not is absent). */
export async function findNodeImages(runtime: ImageLookup, env: string, packagesByNode: ReadonlyMap<string, readonly string[]>): Promise<Result<ReadonlyMap<string, BuildImage>, EnvironmentError | RuntimeError>> {
  // The environment once, then each distinct package list, all asked at the same time: nothing is made here.
  const base = await runtime.inspectImage(env);
  if (!base.ok) return base;
  const baseInfo = base.value;
  if (baseInfo === undefined) return ok(new Map());
  const sets = new Map([...packagesByNode.values()].map((packages) => [packages.join(' '), packages]));
  const found = await Promise.all([...sets].map(async ([set, packages]) => [set, await imageOnBase(runtime, env, baseInfo, packages)] as const));
  const bySet = new Map<string, BuildImage | undefined>();
  for (const [set, result] of found) {
    if (!result.ok) return result;
    bySet.set(set, result.value);
  }
  const images = new Map<string, BuildImage>();
  for (const [source, packages] of packagesByNode) {
    const image = bySet.get(packages.join(' '));
    if (image !== undefined) images.set(source, image);
  }
  return ok(images);
}

export interface PrepareNodeImagesOptions<E> extends Omit<PrepareBuildImageOptions<E>, 'packages'> {
  /** The nodes to build, in the order they need their images (build order), and their packages. */
  readonly packagesByNode: ReadonlyMap<string, readonly string[]>;
}

/**
 * Each node's build image, one per distinct package list, made in the order the nodes need them.
 * An image that exists is only looked at; one that does not must be made before the node's key
 * (which names its digest) can be known, so nothing is made for a node that can be cached.
 */
export async function prepareNodeImages<E>(runtime: ContainerRuntime, log: Logger, options: PrepareNodeImagesOptions<E>): Promise<Result<ReadonlyMap<string, BuildImage>, EnvironmentError | E>> {
  const bySet = new Map<string, BuildImage>();
  const images = new Map<string, BuildImage>();
  for (const [source, packages] of options.packagesByNode) {
    const set = packages.join(' ');
    let image = bySet.get(set);
    if (image === undefined) {
      const prepared = await prepareBuildImage(runtime, log, { ...options, packages });
      if (!prepared.ok) return prepared;
      image = prepared.value;
      bySet.set(set, image);
    }
    images.set(source, image);
  }
  return ok(images);
}

/** `gcc -print-file-name=include` in the image, for arches whose flags name `${HOST_GCC_INCLUDE}`. */
export async function probeHostGccInclude(runtime: ContainerRuntime, image: string, run: string): Promise<Result<string, RuntimeError>> {
  const created = await runtime.createStep({
    image, cmd: ['gcc', '-print-file-name=include'], user: `${BUILDER.uid}:${BUILDER.gid}`, network: 'none', timeoutMs: 60_000,
    labels: { run, package: image, key: 'gcc-include', kind: 'probe' },
  });
  if (!created.ok) return created;
  await using handle = created.value;
  let answer = '';
  const ran = await handle.run((stream, line) => {
    if (stream === 'stdout' && line.startsWith('/')) answer = line.trim();
  });
  if (!ran.ok) return ran;
  if (ran.value.exitCode !== 0 || answer === '') {
    return err({ reason: 'engine-error', operation: 'gcc -print-file-name=include', detail: `exit status ${ran.value.exitCode}`, location: { file: image } });
  }
  return ok(answer);
}
