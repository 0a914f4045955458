// The driver model: a build driver turns (arch toolchain, recipe options, paths) into a BuildSpec,
// a list of shell steps with their environment. Drivers are pure: they return data and run
// nothing, so the spec can be hashed or inspected in tests, and what a build runs is exactly its
// steps (each announced in the build log). The executor runs the steps (inside the build container).
import type { Result } from '../model/result.js';
import type { SourceLocation } from '../model/location.js';
import type { DebianRules } from './debian/debian-rules.js';

/** The cross toolchain of a partial architecture, as the drivers need it (arch/ maps its file onto this). */
export interface ArchToolchain {
  /** Debian architecture name, e.g. `musl-linux-amd64`. */
  readonly name: string;
  /** GNU triplet of the host (the partial arch), e.g. `x86_64-linux-musl`. */
  readonly triplet: string;
  /** GNU triplet of the build machine, e.g. `x86_64-linux-gnu`. */
  readonly buildTriplet: string;
  readonly tools: ToolchainTools;
  /** One argument per element (no element may contain whitespace: they travel in env words). */
  readonly cflags: readonly string[];
  /** C++ flags; the C flags when absent. */
  readonly cxxflags?: readonly string[];
  readonly cppflags: readonly string[];
  readonly ldflags: readonly string[];
  /**
   * Kernel header directories to expose by their base name (`/usr/include/linux`,
   * `/usr/include/x86_64-linux-gnu/asm`, `/usr/include/asm-generic`): musl-gcc has none, and
   * exposing their parent directory would also expose glibc's headers (docs/closure-by-hand.md).
   */
  readonly kernelHeaders?: readonly string[];
  /**
   * pkg-config modules the toolchain supplies, with no flags, for `-dev` packages it provides
   * (`pthread-stubs` for libpthread-stubs0-dev: the C library has the pthread functions). Written
   * into the build's generated files and searched after the staged closure.
   */
  readonly pkgConfigModules?: readonly ToolchainPkgConfig[];
  /** Directory holding the arch's `config.sub` and `config.guess` (`/usr/share/misc`). */
  readonly configSubGuessDir: string;
  readonly elf: ElfIdentity;
  /** Where the arch definition came from, for diagnostics. */
  readonly origin?: SourceLocation;
}

/**
 * Tool commands. A value may be several words (`ccache gcc`) for the environment, make and meson;
 * CMake wants a single program.
 */
export interface ToolchainTools {
  readonly CC: string;
  /**
   * Absent when the arch has no C++ compiler (musl-tools): CXX is then `false` in the environment,
   * so a configure that needs C++ fails loudly instead of picking the build machine's g++.
   */
  readonly CXX?: string;
  readonly AR: string;
  readonly RANLIB: string;
  readonly STRIP: string;
  readonly NM: string;
  readonly LD: string;
  readonly OBJCOPY: string;
  /** Defaults to `pkg-config` (its search path is what makes it a cross pkg-config). */
  readonly PKG_CONFIG?: string;
  readonly CPP?: string;
  readonly AS?: string;
  readonly OBJDUMP?: string;
  readonly READELF?: string;
}

/** One module of `ArchToolchain.pkgConfigModules`. */
export interface ToolchainPkgConfig {
  readonly module: string;
  readonly version: string;
  /** The provided package it stands for, named in the generated file. */
  readonly standsFor: string;
}

/** What every object of the arch must be: `e_machine` (62 = x86-64, 3 = i386) and ELF class. */
export interface ElfIdentity {
  readonly machine: number;
  readonly class: 32 | 64;
}

export type BuildSystemId = 'debian' | 'autotools' | 'meson' | 'cmake' | 'make' | 'steps';

/** A step the recipe writes itself (steps driver, and anything a driver cannot guess). */
export interface RecipeStep {
  readonly name: string;
  /** An `sh -e` script. */
  readonly run: string;
  /** Relative to the source directory (after `subdir`); the source directory when absent. */
  readonly cwd?: string;
}

/** The build part of a recipe: only what differs from the driver's defaults. */
export interface RecipeBuildOptions {
  readonly system: BuildSystemId | 'detect';
  /**
   * Extra `./configure` arguments (autotools; steps recipes get them as
   * `$STUBFORGE_CONFIGURE_OPTIONS`). Like every option list here, one argument per element, with
   * `${NAME}` placeholders (placeholders.ts).
   */
  readonly configureArgs?: readonly string[];
  /** Extra `meson setup` arguments (`-Dtests=disabled`). */
  readonly mesonOptions?: readonly string[];
  /** Extra `cmake` configure arguments (`-DZLIB_COMPAT=ON`). */
  readonly cmakeOptions?: readonly string[];
  /** Extra `make` arguments (autotools and make drivers, build and install). */
  readonly makeArgs?: readonly string[];
  /** Build targets (make: make targets, meson: ninja targets, cmake: `--target`); default target when absent. */
  readonly makeTargets?: readonly string[];
  /** Install targets (make-based drivers); `install` when absent. */
  readonly installTargets?: readonly string[];
  /** Autoconf cache answers for checks a cross build cannot run (`ac_cv_func_malloc_0_nonnull: yes`). */
  readonly cacheVariables?: Readonly<Record<string, string>>;
  /**
   * Extra environment for every step. CFLAGS, CXXFLAGS, CPPFLAGS and LDFLAGS are appended to the
   * arch's; any other variable replaces the driver's value.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** The recipe's own steps (steps driver); other drivers run them after install. */
  readonly steps?: readonly RecipeStep[];
  /** Subdirectory of the source holding the build system. */
  readonly subdir?: string;
  /** Shell run in the source directory before configuring (`./autogen.sh`). */
  readonly preConfigure?: string;
  /** Files the build must install, relative to the prefix (`lib/libz.a`). */
  readonly artefacts?: readonly string[];
  /** Where the recipe came from, for diagnostics. */
  readonly origin?: SourceLocation;
}

export interface DriverInput {
  readonly arch: ArchToolchain;
  readonly source: {
    readonly name: string;
    readonly version: string;
    /** The unpacked source in the container; writable (config.sub refresh, in-tree builds). */
    readonly dir: string;
  };
  /** Writable scratch directory for generated files and out-of-tree builds. */
  readonly buildDir: string;
  /** The prefix the libraries are configured for, e.g. `/usr/x86_64-linux-musl`. */
  readonly prefix: string;
  /** Output directory, DESTDIR-style: files land in `<destDir><prefix>/...`. */
  readonly destDir: string;
  /** Read-only staged closure of the target dependencies: `include/`, `lib/`, `lib/pkgconfig/`. */
  readonly depsPrefix: string;
  readonly jobs: number;
  readonly options: RecipeBuildOptions;
  /** Passed through to every step as SOURCE_DATE_EPOCH, for reproducible output. */
  readonly sourceDateEpoch?: number;
  /** The source's own packaging, when it has a debian/rules (what the debian driver runs). */
  readonly debian?: DebianPackaging;
}

/** What the debian driver needs from the source's packaging and the plan. */
export interface DebianPackaging {
  readonly rules: DebianRules;
  /** Build profiles of this build (the arch's, the recipe's and the solver's choice): DEB_BUILD_PROFILES. */
  readonly profiles: readonly string[];
  /** The binary packages whose files become -cross packages (`libexpat1-dev`). */
  readonly packages: readonly string[];
  /**
   * Lines the arch file prepends to dpkg's tables (`Dpkg-Ostable` ...), for an arch the image's
   * dpkg does not know (rumprun-amd64): the build uses copies through DPKG_DATADIR.
   */
  readonly dpkgTables?: { readonly cputable: readonly string[]; readonly ostable: readonly string[]; readonly tupletable: readonly string[] };
}

export interface BuildStep {
  readonly name: string;
  /** An `sh -e` script. */
  readonly run: string;
  /** Absolute directory in the container. */
  readonly cwd: string;
  /** Added to the runtime's base environment (the image's PATH, HOME). */
  readonly env: Readonly<Record<string, string>>;
}

export interface BuildSpec {
  readonly driver: BuildSystemId;
  readonly steps: readonly BuildStep[];
  /** Paths relative to destDir (no leading slash) that the build must have produced. */
  readonly expectedArtefacts: readonly string[];
}

export type DriverError =
  | { readonly reason: 'no-build-system'; readonly dir: string; readonly location: SourceLocation }
  | { readonly reason: 'unknown-driver'; readonly id: string; readonly location: SourceLocation }
  | { readonly reason: 'missing-steps'; readonly location: SourceLocation }
  | { readonly reason: 'no-debian-packaging'; readonly detail: string; readonly location: SourceLocation }
  | { readonly reason: 'unsupported-triplet'; readonly triplet: string; readonly detail: string; readonly location: SourceLocation }
  | { readonly reason: 'invalid-flag'; readonly flag: string; readonly detail: string; readonly location: SourceLocation }
  | { readonly reason: 'invalid-variable'; readonly name: string; readonly detail: string; readonly location: SourceLocation }
  | { readonly reason: 'unknown-placeholder'; readonly name: string; readonly text: string; readonly known: readonly string[]; readonly location: SourceLocation }
  | { readonly reason: 'invalid-path'; readonly path: string; readonly detail: string; readonly location: SourceLocation }
  | { readonly reason: 'deps-prefix-layout'; readonly depsPrefix: string; readonly prefix: string; readonly location: SourceLocation };

/** One build system. `buildSpec` is pure: same input, same spec. */
export interface Driver {
  readonly id: BuildSystemId;
  /** One line for `--help` and docs. */
  readonly summary: string;
  buildSpec(input: DriverInput): Result<BuildSpec, DriverError>;
}

export function describeDriverError(error: DriverError): string {
  switch (error.reason) {
    case 'no-build-system':
      return `no build system found in ${error.dir} (no meson.build, configure, CMakeLists.txt or Makefile); set build.system in the recipe`;
    case 'unknown-driver':
      return `unknown build driver "${error.id}"`;
    case 'missing-steps':
      return 'the steps driver needs build.steps in the recipe';
    case 'no-debian-packaging':
      return `the debian driver cannot build this source: ${error.detail}; a recipe naming another Build-System can`;
    case 'unsupported-triplet':
      return `triplet ${error.triplet}: ${error.detail}`;
    case 'invalid-flag':
      return `flag "${error.flag}": ${error.detail}`;
    case 'invalid-variable':
      return `variable "${error.name}": ${error.detail}`;
    case 'unknown-placeholder':
      return `"${error.text}": no value for \${${error.name}} (known: ${error.known.join(' ')})`;
    case 'invalid-path':
      return `path "${error.path}": ${error.detail}`;
    case 'deps-prefix-layout':
      return `the staged dependencies at ${error.depsPrefix} must be the prefix ${error.prefix} itself or a sysroot ending in it`;
  }
}

/** Where a recipe-caused error points: the recipe file when known. */
export function recipeLocation(input: DriverInput): SourceLocation {
  return input.options.origin ?? { file: `recipe(${input.source.name})` };
}

/** Where an arch-caused error points: the arch file when known. */
export function archLocation(arch: ArchToolchain): SourceLocation {
  return arch.origin ?? { file: `arch(${arch.name})` };
}
