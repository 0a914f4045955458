// The recipe model (docs/recipe-format.md): what stubforge needs to know about one source package
// beyond what its Debian source says, as a delta. Pure. A source without a recipe gets
// `defaultRecipe`; per-arch paragraphs are merged into the general one by `recipeForArch`.
import type { Sha256Hex } from '../model/brand.js';
import type { SourceLocation } from '../model/location.js';
import type { AlternativeGroup } from '../model/relation.js';

export const BUILD_SYSTEMS = ['detect', 'debian', 'autotools', 'meson', 'cmake', 'make', 'steps'] as const;
export type BuildSystem = (typeof BUILD_SYSTEMS)[number];

/** A relation the recipe drops, with the reason a maintainer reads in `why`. */
export interface RecipeDrop {
  readonly name: string;
  readonly reason: string;
  readonly location: SourceLocation;
}

/** A relation the recipe adds to the Debian Build-Depends. */
export interface RecipeAddition {
  readonly group: AlternativeGroup;
  /** The relation as written in the recipe. */
  readonly text: string;
  readonly reason: string;
  readonly location: SourceLocation;
}

export interface NameValue {
  readonly name: string;
  readonly value: string;
}

/** How the recipe classifies relations (binary package names). */
export interface RecipeRoles {
  readonly target: readonly string[];
  readonly native: readonly string[];
  readonly drop: readonly RecipeDrop[];
  /** When set, every relation not named in target/native is dropped with this reason. */
  readonly dropUnlisted?: { readonly reason: string; readonly location: SourceLocation };
  readonly add: readonly RecipeAddition[];
}

export interface BuildSettings {
  readonly buildSystem: BuildSystem;
  readonly configureOptions: readonly string[];
  readonly mesonOptions: readonly string[];
  readonly cmakeOptions: readonly string[];
  readonly makeOptions: readonly string[];
  readonly makeTargets: readonly string[];
  /** Install targets of make-based builds (`install` when empty). */
  readonly installTargets: readonly string[];
  /** Subdirectory of the source holding the build system. */
  readonly subdir?: string;
  /** Shell lines run in the source before configuring (`./autogen.sh`). */
  readonly preConfigure: readonly string[];
  /** Autoconf cache variables (`ac_cv_...=value`) answered instead of probed. */
  readonly cacheVariables: readonly NameValue[];
  readonly environment: readonly NameValue[];
  /** Shell commands for `Build-System: steps`, or extra steps around a driver. */
  readonly steps: readonly string[];
  /** Patch file names under the recipe folder's `patches/`, applied in this order. */
  readonly patches: readonly string[];
  /** Build profiles added to the arch's for this source (e.g. `stage1` to break a cycle). */
  readonly profiles: readonly string[];
}

export interface LintianOverride {
  readonly tag: string;
  readonly reason: string;
  readonly location: SourceLocation;
}

/** `Link-From-Closure`: archives `lib<library>.a` the link must take from this closure source. */
export interface ClosureLibrary {
  /** The `-l` name: `z` for libz.a. */
  readonly library: string;
  readonly source: string;
  readonly location: SourceLocation;
}

/** One line of `Launch-Manifest` (OSv usr.manifest syntax, parsed by bake/manifest.ts). */
export interface ManifestLineText {
  readonly text: string;
  readonly location: SourceLocation;
}

/** Application recipes only: link, bake and .deb metadata (consumed by bake/ and deb/). */
export interface ApplicationSettings {
  /** Binary package name of the shipped .deb. */
  readonly package: string;
  readonly section?: string;
  /** `Package-Maintainer`: the package's Maintainer, as debian/control gives it; else the builder's (DEBFULLNAME/DEBEMAIL). */
  readonly maintainer?: string;
  readonly description: readonly string[];
  /** `<path in build tree> <path in package>` lines. */
  readonly install: readonly { readonly from: string; readonly to: string }[];
  readonly lintianOverrides: readonly LintianOverride[];
  readonly launchCmdline?: string;
  /** `Launch-Env`: the launch environment, `NAME=value` per line. */
  readonly launchEnv: readonly NameValue[];
  /** `Launch-Manifest`: files (configuration, data) the launched program sees, with their host paths. */
  readonly launchManifest: readonly ManifestLineText[];
  /** `Link-From-Closure`: libraries the link must take from the rebuilt closure, never elsewhere. */
  readonly closureLibraries: readonly ClosureLibrary[];
}

/** A per-arch paragraph: additions merged into the general recipe for the listed arches. */
export interface ArchOverlay {
  readonly arches: readonly string[];
  readonly location: SourceLocation;
  readonly roles: Omit<RecipeRoles, 'dropUnlisted'>;
  readonly build: Omit<BuildSettings, 'buildSystem'> & { readonly buildSystem?: BuildSystem };
  readonly bakeConfig?: string;
  readonly launchCmdline?: string;
  /** Added to the general `Launch-Env` for these arches (a name given twice keeps the later value). */
  readonly launchEnv: readonly NameValue[];
}

export interface PatchFile {
  readonly name: string;
  readonly contentSha256: Sha256Hex;
}

export interface Recipe {
  /** File or folder name: the source name for a library, e.g. `qemu-stubdom` for an application. */
  readonly name: string;
  readonly source: string;
  readonly kind: 'library' | 'application';
  readonly formatVersion: string;
  readonly location: SourceLocation;
  /** SHA-256 over the recipe text and every patch (part of the cache key). */
  readonly contentSha256: Sha256Hex;
  readonly estimatedBuildSeconds?: number;
  /** Replaces the Debian source's Architecture field for partial arches, with the reason. */
  readonly architecture?: { readonly arches: readonly string[]; readonly reason: string };
  readonly roles: RecipeRoles;
  readonly build: BuildSettings;
  /** Files the build must produce, relative to the staged prefix `/usr/<triplet>`. */
  readonly artefacts: readonly string[];
  /** Binary packages of the source published as `<binary>-<arch>-cross`. */
  readonly publish: readonly string[];
  readonly overlays: readonly ArchOverlay[];
  readonly application?: ApplicationSettings;
  readonly patchFiles: readonly PatchFile[];
}

/** The recipe as it applies to one arch: overlays merged, or the defaults for a source without one. */
export interface EffectiveRecipe {
  readonly source: string;
  /** Undefined for a source without a recipe (defaults). */
  readonly recipe?: Recipe;
  readonly roles: RecipeRoles;
  readonly build: BuildSettings;
  readonly bakeConfig?: string;
  /** Launch command line for this arch (application recipes): the overlay's, else the general one. */
  readonly launchCmdline?: string;
  /** Launch environment for this arch: the general lines, then the overlays'. */
  readonly launchEnv: readonly NameValue[];
}

export const EMPTY_BUILD: BuildSettings = {
  buildSystem: 'detect', configureOptions: [], mesonOptions: [], cmakeOptions: [], makeOptions: [],
  makeTargets: [], installTargets: [], preConfigure: [], cacheVariables: [], environment: [], steps: [], patches: [], profiles: [],
};

export function defaultRecipe(source: string): EffectiveRecipe {
  return { source, roles: { target: [], native: [], drop: [], add: [] }, build: EMPTY_BUILD, launchEnv: [] };
}

export function recipeForArch(recipe: Recipe, arch: string): EffectiveRecipe {
  let roles: RecipeRoles = recipe.roles;
  let build: BuildSettings = recipe.build;
  let bakeConfig: string | undefined;
  let launchCmdline = recipe.application?.launchCmdline;
  let launchEnv: readonly NameValue[] = recipe.application?.launchEnv ?? [];
  for (const overlay of recipe.overlays) {
    if (!overlay.arches.includes(arch)) continue;
    const o = overlay.roles;
    roles = {
      ...roles,
      target: [...roles.target, ...o.target],
      native: [...roles.native, ...o.native],
      drop: [...roles.drop, ...o.drop],
      add: [...roles.add, ...o.add],
    };
    const b = overlay.build;
    const subdir = b.subdir ?? build.subdir;
    build = {
      buildSystem: b.buildSystem ?? build.buildSystem,
      configureOptions: [...build.configureOptions, ...b.configureOptions],
      mesonOptions: [...build.mesonOptions, ...b.mesonOptions],
      cmakeOptions: [...build.cmakeOptions, ...b.cmakeOptions],
      makeOptions: [...build.makeOptions, ...b.makeOptions],
      makeTargets: [...build.makeTargets, ...b.makeTargets],
      installTargets: [...build.installTargets, ...b.installTargets],
      preConfigure: [...build.preConfigure, ...b.preConfigure],
      ...(subdir === undefined ? {} : { subdir }),
      cacheVariables: [...build.cacheVariables, ...b.cacheVariables],
      environment: [...build.environment, ...b.environment],
      steps: [...build.steps, ...b.steps],
      patches: [...build.patches, ...b.patches],
      profiles: [...build.profiles, ...b.profiles],
    };
    bakeConfig = overlay.bakeConfig ?? bakeConfig;
    launchCmdline = overlay.launchCmdline ?? launchCmdline;
    launchEnv = [...launchEnv.filter((e) => !overlay.launchEnv.some((o) => o.name === e.name)), ...overlay.launchEnv];
  }
  return {
    source: recipe.source, recipe, roles, build, launchEnv,
    ...(bakeConfig === undefined ? {} : { bakeConfig }),
    ...(launchCmdline === undefined ? {} : { launchCmdline }),
  };
}

/** All recipes found, by name; library recipes are also found by source name. */
export interface RecipeSet {
  readonly byName: ReadonlyMap<string, Recipe>;
}

export function libraryRecipe(set: RecipeSet, source: string): Recipe | undefined {
  const r = set.byName.get(source);
  return r !== undefined && r.kind === 'library' ? r : undefined;
}
