// The cache key of every plan node as the executor uses it: the plan's key (plan/cache-key.ts),
// with the explicit choices the user made for this run that change what a build produces —
// building a source from its orig tarball alone. Such a node's dependants get new keys too,
// through its key. An application given its version by `rebuild` names that release in its key,
// and one built with a user-supplied tree the components the user stated of it.
import { createHash } from 'node:crypto';
import type { CacheKey, Sha256Hex } from '../../model/brand.js';
import { applicationInputs, cacheKey, planCacheKeys, type BuilderIdentity, type CacheKeyInputs } from '../../plan/cache-key.js';
import type { BuildPlan, PlanNode } from '../../plan/plan.js';

export { ORIG_ONLY_KEY_LINE, type BuilderIdentity } from '../../plan/cache-key.js';

/** Explicit choices the user made for this run (`--allow-orig-only SRC`). */
export interface BuildChoices {
  /** Sources built from their verified orig tarball alone (Debian's changes not applied). */
  readonly origOnly: ReadonlySet<string>;
  /** The application's version and changelog stanza, given by `rebuild`. */
  readonly applicationRelease?: ApplicationRelease;
}

export interface ApplicationRelease {
  readonly version: string;
  /** A `debian/changelog` stanza put on top of the source's changelog. */
  readonly changelog?: string;
}

/** What the key of an application node names of its release: both texts, hashed. */
export function applicationReleaseDigest(release: ApplicationRelease): Sha256Hex {
  return createHash('sha256').update(`version ${release.version}\nchangelog\n${release.changelog ?? ''}`).digest('hex') as Sha256Hex;
}

export const NO_CHOICES: BuildChoices = { origOnly: new Set() };

/** `imageDigest`: the digest of this node's own build image; `builder`: the run's code and toolchain tree. */
export function keyInputs(plan: BuildPlan, node: PlanNode, imageDigest: string, builder: BuilderIdentity, dependencyKeys: CacheKeyInputs['dependencyKeys']): CacheKeyInputs {
  return {
    source: node.source, version: node.version, files: node.files,
    ...(node.recipe === undefined ? {} : { recipeSha256: node.recipe.sha256 }),
    archSha256: plan.archSha256, imageDigest, builder, dependencyKeys, profiles: node.profiles,
  };
}

export function nodeKey(inputs: CacheKeyInputs, choices: BuildChoices, kind: PlanNode['kind'] = 'library'): CacheKey {
  const release = kind === 'application' && choices.applicationRelease !== undefined ? applicationReleaseDigest(choices.applicationRelease) : undefined;
  return cacheKey({
    ...applicationInputs(inputs, kind), ...(choices.origOnly.has(inputs.source) ? { origTarballOnly: true } : {}),
    ...(release === undefined ? {} : { applicationRelease: release }),
  });
}

/**
 * Keys of every node, each for its own build image (digest by source), in build order
 * (dependencies first); a node without a digest, and its dependants, get none.
 */
export function nodeKeys(plan: BuildPlan, imageDigests: ReadonlyMap<string, string>, builder: BuilderIdentity, choices: BuildChoices = NO_CHOICES): ReadonlyMap<string, CacheKey> {
  return planCacheKeys(plan, imageDigests, builder, choices.origOnly);
}
