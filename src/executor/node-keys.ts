// The cache key of every plan node for one build image, as the executor uses it: the plan's key
// (plan/cache-key.ts) unchanged, except where the user made an explicit choice that changes what
// a build produces — building a source from its orig tarball alone — which is one more line in
// the hashed text. Such a node's dependants get new keys too, through its key.
import { createHash } from 'node:crypto';
import type { CacheKey } from '../model/brand.js';
import { cacheKeyText, type CacheKeyInputs } from '../plan/cache-key.js';
import type { BuildPlan, PlanNode } from '../plan/plan.js';

/** Explicit choices the user made for this run (`--allow-orig-only SRC`). */
export interface BuildChoices {
  /** Sources built from their verified orig tarball alone (Debian's changes not applied). */
  readonly origOnly: ReadonlySet<string>;
}

export const NO_CHOICES: BuildChoices = { origOnly: new Set() };

/** The line a choice adds to the key text; changing it would orphan every such cache entry. */
export const ORIG_ONLY_KEY_LINE = 'choice orig-tarball-only';

export function keyInputs(plan: BuildPlan, node: PlanNode, imageDigest: string, dependencyKeys: CacheKeyInputs['dependencyKeys']): CacheKeyInputs {
  return {
    source: node.source, version: node.version, files: node.files,
    ...(node.recipe === undefined ? {} : { recipeSha256: node.recipe.sha256 }),
    archSha256: plan.archSha256, imageDigest, dependencyKeys,
  };
}

export function nodeKey(inputs: CacheKeyInputs, choices: BuildChoices): CacheKey {
  const text = cacheKeyText(inputs) + (choices.origOnly.has(inputs.source) ? `${ORIG_ONLY_KEY_LINE}\n` : '');
  return createHash('sha256').update(text).digest('hex') as CacheKey;
}

/** Keys of every node, in build order (dependencies first). */
export function nodeKeys(plan: BuildPlan, imageDigest: string, choices: BuildChoices = NO_CHOICES): ReadonlyMap<string, CacheKey> {
  const keys = new Map<string, CacheKey>();
  for (const node of plan.nodes) {
    const dependencyKeys = node.depends.map((source) => {
      const key = keys.get(source);
      // The plan's order puts every dependency first; a missing key is a planner bug.
      if (key === undefined) throw new Error(`cache key of ${node.source}: dependency ${source} has no key yet`);
      return { source, key };
    });
    keys.set(node.source, nodeKey(keyInputs(plan, node, imageDigest, dependencyKeys), choices));
  }
  return keys;
}
