// Content cache keys: one SHA-256 per plan node over everything its output depends on — the source
// (name, version, every file's checksum), the recipe (text and patches), the arch file, the node's
// own build image, its build profiles, the builder (stubforge's code that turns a recipe into commands, and a
// user-supplied toolchain tree, and for an application what its user stated of that tree's own
// components), and the keys of its target dependencies, so a change anywhere
// below a node changes its key. Image and builder digests are known only at run time: they are inputs.
import { createHash } from 'node:crypto';
import type { CacheKey, Sha256Hex } from '../model/brand.js';
import type { FileChecksum } from '../model/archive.js';
import type { BuildPlan } from './plan.js';

/** Bumped when the key's layout changes, so old cache entries are never taken for new ones. */
export const CACHE_KEY_FORMAT = 'stubforge-cache-key 2';

/**
 * What builds every node of a run besides the node's own inputs. A packaged toolchain (musl-tools)
 * is in the build image, so the image digest names it; a tree the user supplies is outside it.
 */
export interface BuilderIdentity {
  /** SHA-256 of stubforge's code that turns an arch and a recipe into commands (executor/builders/builder-code.ts). */
  readonly code: string;
  /** Digest of a user-supplied toolchain tree (plan/toolchain-tree.ts), for an arch with `Toolchain: user-tree`. */
  readonly toolchainTree?: string;
  /**
   * Digest of what the user stated of that tree's own components (their revisions and licences,
   * bake/backends/rumprun-components.ts). Only an application's package names them, so only an
   * application node's key takes it: restating a revision rebuilds the package, not the libraries.
   */
  readonly toolchainComponents?: string;
}

export interface CacheKeyInputs {
  readonly source: string;
  readonly version: string;
  readonly files: readonly FileChecksum[];
  /** Recipe content digest; undefined for a source built with the defaults. */
  readonly recipeSha256?: Sha256Hex;
  readonly archSha256: Sha256Hex;
  /** Digest of this node's build image (`sha256:...` as the engine reports it). */
  readonly imageDigest: string;
  readonly builder: BuilderIdentity;
  readonly dependencyKeys: readonly { readonly source: string; readonly key: CacheKey }[];
  /** Build profiles of the node (`PlanNode.profiles`: the arch's, the recipe's, the solver's). */
  readonly profiles: readonly string[];
  /** The user chose to build this source from its verified orig tarball alone (`--allow-orig-only`). */
  readonly origTarballOnly?: boolean;
  /**
   * An application given its version and changelog stanza by `rebuild` (`--application-version`,
   * `--application-changelog`): SHA-256 of both, since they are in the package's bytes.
   */
  readonly applicationRelease?: Sha256Hex;
  /** An application node's `BuilderIdentity.toolchainComponents` (`applicationInputs` puts it here). */
  readonly toolchainComponents?: string;
}

/** The inputs of an application node: a library's, with the stated tree components when there are some. */
export function applicationInputs(inputs: CacheKeyInputs, kind: 'library' | 'application'): CacheKeyInputs {
  const stated = inputs.builder.toolchainComponents;
  return kind === 'application' && stated !== undefined ? { ...inputs, toolchainComponents: stated } : inputs;
}

/** The line that choice adds to the key text; changing it would orphan every such cache entry. */
export const ORIG_ONLY_KEY_LINE = 'choice orig-tarball-only';

function byKey<T>(key: (t: T) => string): (a: T, b: T) => number {
  return (a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/**
 * The canonical text that is hashed: one `field value` line each, lists sorted. Names and
 * versions cannot hold blanks or newlines, so the lines cannot be confused with each other.
 */
export function cacheKeyText(inputs: CacheKeyInputs): string {
  const lines = [CACHE_KEY_FORMAT, `source ${inputs.source}`, `version ${inputs.version}`];
  for (const f of [...inputs.files].sort(byKey((x) => x.name))) lines.push(`file ${f.name} ${f.size} ${f.sha256}`);
  lines.push(`recipe ${inputs.recipeSha256 ?? 'defaults'}`, `arch ${inputs.archSha256}`, `image ${inputs.imageDigest}`);
  lines.push(['profiles', ...[...inputs.profiles].sort()].join(' '));
  lines.push(`builder ${inputs.builder.code}`);
  if (inputs.builder.toolchainTree !== undefined) lines.push(`toolchain-tree ${inputs.builder.toolchainTree}`);
  if (inputs.toolchainComponents !== undefined) lines.push(`toolchain-components ${inputs.toolchainComponents}`);
  for (const d of [...inputs.dependencyKeys].sort(byKey((x) => x.source))) lines.push(`dep ${d.source} ${d.key}`);
  if (inputs.origTarballOnly === true) lines.push(ORIG_ONLY_KEY_LINE);
  if (inputs.applicationRelease !== undefined) lines.push(`application-release ${inputs.applicationRelease}`);
  return `${lines.join('\n')}\n`;
}

export function cacheKey(inputs: CacheKeyInputs): CacheKey {
  return createHash('sha256').update(cacheKeyText(inputs)).digest('hex') as CacheKey;
}

/** The same image digest for every node: `plan --image-digest D`, or a plan whose nodes share one image. */
export function sameImageForEvery(plan: BuildPlan, imageDigest: string): ReadonlyMap<string, string> {
  return new Map(plan.nodes.map((n) => [n.source, imageDigest]));
}

/**
 * Keys of a plan's nodes, each for its own build image (`imageDigests`, by source), computed in
 * build order. A node whose image digest is not given has no key, and neither have its dependants
 * (their keys name its key): `plan` leaves their cached status unknown.
 */
export function planCacheKeys(plan: BuildPlan, imageDigests: ReadonlyMap<string, string>, builder: BuilderIdentity, origOnly: ReadonlySet<string> = new Set()): ReadonlyMap<string, CacheKey> {
  const keys = new Map<string, CacheKey>();
  for (const node of plan.nodes) {
    const imageDigest = imageDigests.get(node.source);
    const dependencyKeys = node.depends.map((source) => ({ source, key: keys.get(source) }));
    if (imageDigest === undefined) continue;
    const known = dependencyKeys.flatMap((d) => (d.key === undefined ? [] : [{ source: d.source, key: d.key }]));
    if (known.length !== dependencyKeys.length) continue;
    keys.set(node.source, cacheKey(applicationInputs({
      source: node.source, version: node.version, files: node.files,
      ...(node.recipe === undefined ? {} : { recipeSha256: node.recipe.sha256 }),
      archSha256: plan.archSha256, imageDigest, builder, dependencyKeys: known, profiles: node.profiles,
      ...(origOnly.has(node.source) ? { origTarballOnly: true } : {}),
    }, node.kind)));
  }
  return keys;
}
