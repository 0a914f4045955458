// Which path a plan node takes to be built, with the evidence, for `plan` (pure): the source's own
// Debian packaging (the default), the packaging with a recipe's deltas, a driver a recipe names,
// or a recipe's own steps. The debian/rules facts are known when the source is unpacked in the
// cache; otherwise they are read when the build runs, and the plan says so.
import type { DebianRules } from './debian/debian-rules.js';
import { describeDebianPath } from './debian/debian-rules.js';

export type BuildPathKind = 'debian' | 'debian+recipe' | 'driver' | 'recipe' | 'application';

export interface BuildPath {
  readonly kind: BuildPathKind;
  /** One line: what runs, and where that was read. */
  readonly evidence: string;
}

export interface BuildPathInput {
  readonly kind: 'library' | 'application';
  /** The recipe's file and build system, when the source has a recipe. */
  readonly recipe?: { readonly file: string; readonly buildSystem: string };
  /** debian/rules of the unpacked source, when it is in the cache. */
  readonly rules?: DebianRules;
}

export function buildPathOf(input: BuildPathInput): BuildPath {
  const { recipe, rules } = input;
  if (input.kind === 'application') {
    return { kind: 'application', evidence: `application recipe ${recipe?.file ?? '?'} (Build-System: ${recipe?.buildSystem ?? 'detect'})` };
  }
  const packaging = rules === undefined ? 'debian/rules read when the build runs (source not unpacked yet)' : describeDebianPath(rules);
  if (recipe === undefined) return { kind: 'debian', evidence: `no recipe; ${packaging}` };
  switch (recipe.buildSystem) {
    case 'detect':
    case 'debian':
      return { kind: 'debian+recipe', evidence: `${packaging}; deltas from ${recipe.file}` };
    case 'steps':
      return { kind: 'recipe', evidence: `${recipe.file}: Build-System: steps (the recipe's own commands)` };
    default:
      return { kind: 'driver', evidence: `${recipe.file}: Build-System: ${recipe.buildSystem} (stubforge's ${recipe.buildSystem} driver instead of debian/rules)` };
  }
}
