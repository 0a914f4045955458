// The packages of each node's own build image (the way sbuild makes a build's environment: the
// base plus that build's own build-dependencies): the arch's toolchain and config-files package,
// plus the native tools asked for by that node's relations. An update that changes one source's
// native tools then changes that source's image and key only (and its dependants' keys through
// the dependency key), not every key of the plan.
import type { BuildPlan } from './plan.js';

/** Each node's image packages, sorted and deduplicated, keyed by source; nodes with equal lists share an image. */
export function nodeImagePackages(plan: BuildPlan): ReadonlyMap<string, readonly string[]> {
  const own = new Map<string, Set<string>>(plan.nodes.map((n) => [n.source, new Set(plan.toolchainPackages)]));
  for (const tool of plan.natives) {
    for (const edge of tool.neededBy) own.get(edge.from)?.add(tool.binary);
  }
  return new Map([...own].map(([source, packages]) => [source, [...packages].sort()]));
}
