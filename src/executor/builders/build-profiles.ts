// The build profiles of a plan node (PlanNode.profiles: the arch's, the recipe's and the ones the
// solver chose) as the environment of its build step: `DEB_BUILD_PROFILES`, as dpkg-buildpackage
// exports it, so that debian/rules and the tools it runs build what the plan solved for.
import type { PlanNode } from '../../plan/plan.js';

export function profileEnv(node: Pick<PlanNode, 'profiles'>): Readonly<Record<string, string>> {
  return node.profiles.length === 0 ? {} : { DEB_BUILD_PROFILES: node.profiles.join(' ') };
}
