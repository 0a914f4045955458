// Things a solve notices that do not stop a plan but that a maintainer should fix: recipe entries
// that no relation matched (a recipe gone stale after a Debian upload), binaries that dependants
// need but the recipe does not publish, versions in the index that do not parse.
import type { PartialArch } from '../arch/arch-file.js';
import type { EffectiveRecipe } from '../recipe/recipe.js';
import type { ArchiveView } from './archive-view.js';
import type { SolveWarning } from './types.js';

export interface NodeUsage {
  readonly source: string;
  readonly recipe: EffectiveRecipe;
  readonly used: ReadonlySet<string>;
  readonly neededBinaries: ReadonlySet<string>;
}

export function collectWarnings(nodes: readonly NodeUsage[], view: ArchiveView, arch: PartialArch, cLibraryFound: boolean): SolveWarning[] {
  const warnings: SolveWarning[] = [];
  for (const n of nodes) {
    const recipe = n.recipe.recipe;
    if (recipe === undefined) continue;
    const lists: [string, readonly string[]][] = [
      ['Target', n.recipe.roles.target], ['Native', n.recipe.roles.native], ['Drop', n.recipe.roles.drop.map((d) => d.name)],
    ];
    for (const [list, names] of lists) {
      for (const name of names) {
        if (!n.used.has(`${list}\0${name}`)) warnings.push({ reason: 'unused-recipe-entry', source: n.source, name, list, location: recipe.location });
      }
    }
    if (recipe.publish.length > 0) {
      for (const binary of n.neededBinaries) {
        if (!recipe.publish.includes(binary)) warnings.push({ reason: 'unpublished-binary', source: n.source, binary, location: recipe.location });
      }
    }
  }
  for (const v of view.invalidVersions) warnings.push({ reason: 'invalid-version', name: v.name, version: v.version, suite: v.suite });
  if (arch.cLibrarySource !== undefined && !cLibraryFound) {
    warnings.push({ reason: 'c-library-missing', source: arch.cLibrarySource, location: arch.location });
  }
  return warnings;
}
