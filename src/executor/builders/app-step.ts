// The container step of an application build (pure): the recipe's build through its driver, like
// a library, plus what the application stage needs from it —
// - every link writes its own map (`-Wl,-Map=<dir>/`: binutils ≥ 2.37 names it after the output),
//   so the program the package ships has its own evidence of what was linked, whatever else the
//   build system links (configure probes, helper programs);
// - a GNU build-id (musl-gcc's specs drop gcc's `--build-id`), which names the debug file;
// - no build paths in what it compiles (`-ffile-prefix-map` for the source copy and scratch dir);
// - the recipe's `Install` files copied out of the build tree into `package/`.
import { posix } from 'node:path';
import type { ArchToolchain, BuildSpec, BuildStep, DriverInput } from '../../drivers/driver.js';
import { shCommand } from '../../drivers/shell.js';
import type { SourceLocation } from '../../model/location.js';
import { err, ok, type Result } from '../../model/result.js';
import type { PlanNode } from '../../plan/plan.js';
import type { EffectiveRecipe } from '../../recipe/recipe.js';
import { STEP_PATHS } from '../../runtime/build-step.js';
import { CONTAINER_BUILD_DIR } from './container-build.js';
import { buildScript } from './step-script.js';
import { recipeBuildOptions } from './toolchain-mapping.js';

/** Where the application step leaves things, inside its output directory. */
export const APP_OUTPUT = {
  /** One link map per linked program: `<output file name>.map`. */
  maps: 'link-maps',
  /** The recipe's `Install` files, at their package paths. */
  package: 'package',
  /** DESTDIR of the driver's own install step (kept, not packaged). */
  destdir: 'destdir',
} as const;

const inOutput = (dir: string): string => posix.join(STEP_PATHS.output, dir);

export const APP_LDFLAGS: readonly string[] = ['-Wl,--build-id', `-Wl,-Map=${inOutput(APP_OUTPUT.maps)}/`];
/** The source copy and scratch dir become `.`; the staged closure its installed path (/deps/usr/... → /usr/...). */
export const APP_CFLAGS: readonly string[] = [
  `-ffile-prefix-map=${STEP_PATHS.build}=.`, `-ffile-prefix-map=${CONTAINER_BUILD_DIR}=.`, `-ffile-prefix-map=${STEP_PATHS.deps}=`,
];

export interface InstallFile {
  /** Relative to the build tree (the source copy the build ran in). */
  readonly from: string;
  /** Relative to the package root. */
  readonly to: string;
}

export type AppStepError = { readonly reason: 'invalid-install'; readonly path: string; readonly detail: string; readonly location: SourceLocation };

function relativeClean(path: string): boolean {
  return path !== '' && !path.startsWith('/') && path.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** The driver input of an application: the recipe's options with the application flags appended. */
export function appDriverInput(node: PlanNode, toolchain: ArchToolchain, recipe: EffectiveRecipe, jobs: number, epoch: number): DriverInput {
  const options = recipeBuildOptions(recipe);
  const env = { ...(options.env ?? {}) };
  const append = (name: string, flags: readonly string[]): void => {
    env[name] = [env[name] ?? '', ...flags].join(' ').trim();
  };
  append('LDFLAGS', APP_LDFLAGS);
  append('CFLAGS', APP_CFLAGS);
  append('CXXFLAGS', APP_CFLAGS);
  const prefix = `/usr/${toolchain.triplet}`;
  return {
    arch: toolchain, source: { name: node.source, version: node.version, dir: STEP_PATHS.build },
    buildDir: CONTAINER_BUILD_DIR, prefix, destDir: inOutput(APP_OUTPUT.destdir), depsPrefix: `${STEP_PATHS.deps}${prefix}`,
    jobs, options: { ...options, env }, sourceDateEpoch: epoch,
  };
}

/** The whole script: output folders, the recipe's patches, the driver's steps, then the copy-out. */
export function appBuildScript(spec: BuildSpec, install: readonly InstallFile[], before: readonly BuildStep[], location: SourceLocation): Result<string, AppStepError> {
  for (const f of install) {
    for (const path of [f.from, f.to]) {
      if (!relativeClean(path)) return err({ reason: 'invalid-install', path, detail: 'a normalised relative path is needed', location });
    }
  }
  const prepare: BuildStep = {
    name: 'application-output-folders',
    run: shCommand(['mkdir', '-p', ...Object.values(APP_OUTPUT).map(inOutput)]),
    cwd: STEP_PATHS.build, env: {},
  };
  const copies = install.map((f) => {
    const target = posix.join(inOutput(APP_OUTPUT.package), f.to);
    return `${shCommand(['mkdir', '-p', posix.dirname(target)])} && ${shCommand(['cp', '-pL', posix.join(STEP_PATHS.build, f.from), target])}`;
  });
  const collect: BuildStep = { name: 'collect-install-files', run: copies.length === 0 ? 'true' : copies.join('\n'), cwd: STEP_PATHS.build, env: {} };
  return ok(buildScript({ ...spec, steps: [...spec.steps, collect] }, [prepare, ...before]));
}
