// From the project's own files to what the build drivers read: an arch file (`PartialArch`) to the
// `ArchToolchain` of one build image, and a recipe (`EffectiveRecipe`) to `RecipeBuildOptions`.
// Pure: the facts only the build image knows (the build machine's triplet, gcc's include dir, where
// a user's toolchain tree is mounted) come in as values.
import type { PartialArch, ToolName } from '../../arch/arch-file.js';
import type { ArchToolchain, RecipeBuildOptions, RecipeStep, ToolchainTools } from '../../drivers/driver.js';
import type { SourceLocation } from '../../model/location.js';
import { err, ok, type Result } from '../../model/result.js';
import type { EffectiveRecipe, NameValue } from '../../recipe/recipe.js';

/** What the build image (and the user) say about the machine a build runs on. */
export interface ImageFacts {
  /** GNU triplet of the arch file's Build-Architecture, from dpkg's tables: `x86_64-linux-gnu`. */
  readonly buildTriplet: string;
  /** Multiarch directory of the build architecture (`x86_64-linux-gnu`): where `asm/` lives. */
  readonly buildMultiarch: string;
  /** `gcc -print-file-name=include` in the build image, for `${HOST_GCC_INCLUDE}`. */
  readonly hostGccInclude?: string;
  /** Where a user-supplied toolchain tree is mounted, for `${TOOLCHAIN_ROOT}`. */
  readonly toolchainRoot?: string;
}

export type ToolchainMappingError =
  | { readonly reason: 'missing-tool'; readonly tool: ToolName; readonly location: SourceLocation }
  | { readonly reason: 'unresolved-placeholder'; readonly name: 'HOST_GCC_INCLUDE' | 'TOOLCHAIN_ROOT'; readonly text: string; readonly location: SourceLocation };

export function describeToolchainMappingError(error: ToolchainMappingError): string {
  switch (error.reason) {
    case 'missing-tool':
      return `the arch file gives no ${error.tool} (the build drivers need it)`;
    case 'unresolved-placeholder':
      return error.name === 'TOOLCHAIN_ROOT'
        ? `"${error.text}" needs the toolchain tree (\${TOOLCHAIN_ROOT}); none was given`
        : `"${error.text}" needs the build image's gcc include directory (\${HOST_GCC_INCLUDE}); it is not known`;
  }
}

/**
 * Kernel header directories that are per-architecture on a Debian build machine and live in its
 * multiarch directory (`/usr/include/x86_64-linux-gnu/asm`); the others (`linux`, `asm-generic`)
 * are directly under /usr/include.
 */
const MULTIARCH_KERNEL_HEADERS: ReadonlySet<string> = new Set(['asm']);

/** Placeholders of the build image that an arch's tools and flags use (the others are the drivers'). */
export function imagePlaceholdersUsed(arch: PartialArch): ReadonlySet<'HOST_GCC_INCLUDE' | 'TOOLCHAIN_ROOT'> {
  const texts = [...Object.values(arch.tools), arch.flags.cflags, arch.flags.cxxflags, arch.flags.cppflags, arch.flags.ldflags];
  const used = new Set<'HOST_GCC_INCLUDE' | 'TOOLCHAIN_ROOT'>();
  for (const text of texts) {
    if (text.includes('${HOST_GCC_INCLUDE}')) used.add('HOST_GCC_INCLUDE');
    if (text.includes('${TOOLCHAIN_ROOT}')) used.add('TOOLCHAIN_ROOT');
  }
  return used;
}

export function archToolchain(arch: PartialArch, facts: ImageFacts): Result<ArchToolchain, ToolchainMappingError> {
  const location = arch.location;
  let failure: ToolchainMappingError | undefined;
  // The image's placeholders are filled here; ${TRIPLET}, ${STAGE}... stay for the drivers.
  const resolve = (text: string): string => {
    let out = text;
    for (const [name, value] of [['HOST_GCC_INCLUDE', facts.hostGccInclude], ['TOOLCHAIN_ROOT', facts.toolchainRoot]] as const) {
      if (!out.includes(`\${${name}}`)) continue;
      if (value === undefined) failure ??= { reason: 'unresolved-placeholder', name, text, location };
      else out = out.replaceAll(`\${${name}}`, value);
    }
    return out;
  };
  const words = (text: string): string[] => resolve(text).split(/\s+/).filter((w) => w !== '');
  const t = arch.tools;
  const need = (tool: ToolName): string => {
    const value = t[tool];
    if (value === undefined) {
      failure ??= { reason: 'missing-tool', tool, location };
      return '';
    }
    return resolve(value);
  };
  const optional = (tool: ToolName): string | undefined => {
    const value = t[tool];
    return value === undefined ? undefined : resolve(value);
  };
  const tools: ToolchainTools = {
    CC: need('CC'), AR: need('AR'), RANLIB: need('RANLIB'), STRIP: need('STRIP'), NM: need('NM'), LD: need('LD'),
    OBJCOPY: need('OBJCOPY'),
    ...definedOnly({
      CXX: optional('CXX'), PKG_CONFIG: optional('PKG_CONFIG'), CPP: optional('CPP'), AS: optional('AS'),
      OBJDUMP: optional('OBJDUMP'), READELF: optional('READELF'),
    }),
  };
  const toolchain: ArchToolchain = {
    name: arch.name, triplet: arch.gnuTriplet, buildTriplet: facts.buildTriplet, tools,
    cflags: words(arch.flags.cflags), cxxflags: words(arch.flags.cxxflags), cppflags: words(arch.flags.cppflags),
    ldflags: words(arch.flags.ldflags),
    kernelHeaders: arch.kernelHeaders.map((h) => (MULTIARCH_KERNEL_HEADERS.has(h) ? `/usr/include/${facts.buildMultiarch}/${h}` : `/usr/include/${h}`)),
    ...(arch.toolchainPkgConfig.length === 0 ? {} : {
      pkgConfigModules: arch.toolchainPkgConfig.map(({ module, version, standsFor }) => ({ module, version, standsFor })),
    }),
    configSubGuessDir: directoryOf(arch.configSub),
    elf: { machine: arch.elf.machineNumber, class: arch.elf.class === 'ELFCLASS32' ? 32 : 64 },
    origin: location,
  };
  return failure === undefined ? ok(toolchain) : err(failure);
}

function directoryOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

function definedOnly<T extends Record<string, string | undefined>>(record: T): { [K in keyof T]?: string } {
  const out: { [K in keyof T]?: string } = {};
  for (const [name, value] of Object.entries(record)) if (value !== undefined) out[name as keyof T] = value;
  return out;
}

/** Longest step name kept from a recipe step's first line. */
const STEP_NAME_MAX = 60;

/**
 * A recipe step's name, as the build log shows it: its position and its first line, shortened
 * (`3: make -C tools/include nosharedlibs=y`).
 */
export function recipeStepName(index: number, run: string): string {
  const first = (run.split('\n')[0] ?? '').trim();
  const short = first.length > STEP_NAME_MAX ? `${first.slice(0, STEP_NAME_MAX - 1)}…` : first;
  return `${index + 1}: ${short}`;
}

/** NAME=value lines as a record; a name given twice keeps its last value (per-arch lines come last). */
function toRecord(list: readonly NameValue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { name, value } of list) out[name] = value;
  return out;
}

/**
 * The build part of a recipe as the drivers take it. Patches are not part of it: they are applied
 * by the executor before the driver's first step (build-library.ts).
 */
export function recipeBuildOptions(recipe: EffectiveRecipe): RecipeBuildOptions {
  const b = recipe.build;
  const steps: RecipeStep[] = b.steps.map((run, i) => ({ name: recipeStepName(i, run), run }));
  const env = toRecord(b.environment);
  const cacheVariables = toRecord(b.cacheVariables);
  return {
    system: b.buildSystem,
    ...(b.configureOptions.length === 0 ? {} : { configureArgs: b.configureOptions }),
    ...(b.mesonOptions.length === 0 ? {} : { mesonOptions: b.mesonOptions }),
    ...(b.cmakeOptions.length === 0 ? {} : { cmakeOptions: b.cmakeOptions }),
    ...(b.makeOptions.length === 0 ? {} : { makeArgs: b.makeOptions }),
    ...(b.makeTargets.length === 0 ? {} : { makeTargets: b.makeTargets }),
    ...(b.installTargets.length === 0 ? {} : { installTargets: b.installTargets }),
    ...(b.subdir === undefined ? {} : { subdir: b.subdir }),
    ...(b.preConfigure.length === 0 ? {} : { preConfigure: b.preConfigure.join('\n') }),
    ...(Object.keys(cacheVariables).length === 0 ? {} : { cacheVariables }),
    ...(Object.keys(env).length === 0 ? {} : { env }),
    ...(steps.length === 0 ? {} : { steps }),
    ...(recipe.recipe === undefined ? {} : { artefacts: recipe.recipe.artefacts, origin: recipe.recipe.location }),
  };
}
