// The build path of each plan node for `plan`: the recipe (if any) and, when the source is already
// unpacked in the cache, its debian/rules, read for the evidence. Nothing is downloaded for this.
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { sourceDirName } from '../../archive/source-fetch.js';
import { buildPathOf, type BuildPath } from '../../drivers/build-path.js';
import { readDebianRules, type DebianRules } from '../../drivers/debian/debian-rules.js';
import type { BuildPlan } from '../../plan/plan.js';
import { recipeForArch } from '../../recipe/recipe.js';
import { resolvePaths } from '../config.js';
import type { CliContext } from '../command.js';
import type { SolverInputs } from './solver-inputs.js';

async function cachedRules(cacheDir: string, source: string, version: string): Promise<DebianRules | undefined> {
  try {
    const text = await readFile(join(cacheDir, 'sources', sourceDirName({ package: source, version }), 'debian', 'rules'), 'utf8');
    return readDebianRules(text, 'debian/rules');
  } catch {
    return undefined;
  }
}

export async function planBuildPaths(plan: BuildPlan, inputs: SolverInputs, ctx: CliContext): Promise<ReadonlyMap<string, BuildPath>> {
  const { cacheDir } = resolvePaths(ctx.env, ctx.cwd);
  const paths = new Map<string, BuildPath>();
  for (const node of plan.nodes) {
    const recipe = node.recipe === undefined ? undefined : inputs.recipes.byName.get(node.recipe.name);
    const effective = recipe === undefined ? undefined : recipeForArch(recipe, inputs.arch.name);
    const rules = node.kind === 'application' ? undefined : await cachedRules(cacheDir, node.source, node.version);
    paths.set(node.source, buildPathOf({
      kind: node.kind,
      ...(recipe === undefined || effective === undefined ? {} : {
        recipe: { file: relative(ctx.cwd, recipe.location.file) || recipe.location.file, buildSystem: effective.build.buildSystem },
      }),
      ...(rules === undefined ? {} : { rules }),
    }));
  }
  return paths;
}
