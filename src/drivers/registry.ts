// The drivers by id (docs/conventions.md §9), and the choice of one: the recipe's `build.system`, or
// detection from the files at the top of the source (or of its `subdir`).
import { ok, err, type Result } from '../model/result.js';
import { recipeLocation, type BuildSpec, type BuildSystemId, type Driver, type DriverError, type DriverInput } from './driver.js';
import { autotoolsDriver } from './autotools/autotools-driver.js';
import { mesonDriver } from './meson/meson-driver.js';
import { cmakeDriver } from './cmake/cmake-driver.js';
import { makeDriver } from './make/make-driver.js';
import { stepsDriver } from './steps/steps-driver.js';
import { debianDriver } from './debian/debian-driver.js';

export const DRIVERS: ReadonlyMap<BuildSystemId, Driver> = new Map<BuildSystemId, Driver>(
  [debianDriver, autotoolsDriver, mesonDriver, cmakeDriver, makeDriver, stepsDriver].map((d) => [d.id, d]),
);

/**
 * Detection, first match wins. meson before autotools: projects that moved to meson (glib) may
 * still carry an old configure.ac. A source whose `configure` is not autoconf's (zlib) says
 * `system: steps` in its recipe.
 */
const DETECTION: readonly { readonly files: readonly string[]; readonly system: BuildSystemId }[] = [
  { files: ['meson.build'], system: 'meson' },
  { files: ['configure', 'configure.ac', 'configure.in'], system: 'autotools' },
  { files: ['CMakeLists.txt'], system: 'cmake' },
  { files: ['GNUmakefile', 'Makefile', 'makefile'], system: 'make' },
];

/**
 * The build system of a source tree from its file list (paths relative to the directory the build
 * system lives in; only top-level names count). `undefined` when none is recognised.
 */
export function detectBuildSystem(fileList: readonly string[]): BuildSystemId | undefined {
  const topLevel = new Set(fileList.map((f) => f.replace(/^\.\//, '')).filter((f) => !f.includes('/')));
  return DETECTION.find((d) => d.files.some((f) => topLevel.has(f)))?.system;
}

/**
 * The driver for a recipe: named, or, by default, the source's own Debian packaging when it has a
 * debian/rules (input.debian), else detected from `fileList` (relative to source dir + subdir).
 */
export function selectDriver(input: DriverInput, fileList: readonly string[]): Result<Driver, DriverError> {
  const wanted = input.options.system;
  const id = wanted === 'detect' ? (input.debian === undefined ? detectBuildSystem(fileList) : 'debian') : wanted;
  if (id === undefined) {
    return err({ reason: 'no-build-system', dir: input.source.dir + (input.options.subdir === undefined ? '' : `/${input.options.subdir}`), location: recipeLocation(input) });
  }
  const driver = DRIVERS.get(id);
  return driver === undefined ? err({ reason: 'unknown-driver', id, location: recipeLocation(input) }) : ok(driver);
}

/** Select the driver and build the spec in one go (what the executor calls). */
export function buildSpecFor(input: DriverInput, fileList: readonly string[]): Result<BuildSpec, DriverError> {
  const driver = selectDriver(input, fileList);
  return driver.ok ? driver.value.buildSpec(input) : driver;
}
