// The container phase both builders share (build-library.ts, build-application.ts): the verified
// source tree, its SOURCE_DATE_EPOCH, the driver's spec for the arch and the recipe, the staged
// `-cross` closure, the recipe's patches mounted read-only, all steps in one fresh container
// (runtime/build-step.ts: source copied to /build, the closure at /deps, output in /out), and the
// markers the step script wrote into the log. What each builder makes of the output (a library's
// static check and `-cross` packages, an application's provenance, bake and package) is its own.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PartialArch } from '../../arch/arch-file.js';
import type { Archive } from '../../archive/archive.js';
import type { AptRepo, PublishedEntry } from '../../cache/apt-repo.js';
import type { ArchToolchain, BuildSpec, BuildStep, DriverInput } from '../../drivers/driver.js';
import { buildSpecFor } from '../../drivers/registry.js';
import { shCommand } from '../../drivers/shell.js';
import type { Logger } from '../../log/logger.js';
import type { Sha256Hex } from '../../model/brand.js';
import { err, ok, type Result } from '../../model/result.js';
import type { PlanNode } from '../../plan/plan.js';
import type { Recipe, RecipeSet } from '../../recipe/recipe.js';
import { runBuildStep, STEP_PATHS, type StepLimits } from '../../runtime/build-step.js';
import type { ContainerRuntime, Mount } from '../../runtime/container-runtime.js';
import { profileEnv } from './build-profiles.js';
import type { BuildChoices } from '../scheduler/node-keys.js';
import type { NodeFailure } from '../scheduler/outcome.js';
import type { NodeBuildContext } from '../scheduler/run-plan.js';
import { sourceDateEpoch, sourceTree, topLevelNames, type SourceTree } from './source-tree.js';
import { stageDependencies } from './stage-deps.js';
import { readScriptMarkers, type ScriptReport } from './step-script.js';
import type { ImageFacts } from './toolchain-mapping.js';
import type { StoreError } from '../../cache/store.js';

/**
 * Where the driver's scratch files and out-of-tree builds go in the container: the container's
 * own file system, so nothing of them can land in the source copy or the output.
 */
export const CONTAINER_BUILD_DIR = '/tmp/stubforge-build';
/** Where a recipe's patches are mounted, read-only. */
export const CONTAINER_PATCH_DIR = '/stubforge/patches';
/** The recipe digest recorded for a source built with the driver defaults: SHA-256 of no recipe text. */
export const NO_RECIPE_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' as Sha256Hex;

export interface LibraryBuildSettings {
  readonly arch: PartialArch;
  readonly imageFacts: ImageFacts;
  readonly recipes: RecipeSet;
  readonly archive: Archive;
  /** The archive's cache dir (orig-only trees are kept there). */
  readonly cacheDir: string;
  readonly repo: AptRepo;
  readonly runtime: ContainerRuntime;
  /** A node's own build image, by digest: what its key names (plan/node-image.ts). */
  readonly imageOf: (source: string) => string;
  /** This run's work area (per build: deps/, out/, debs/) and log folder. */
  readonly workDir: string;
  readonly logDir: string;
  readonly runId: string;
  /** make/ninja jobs inside one build. */
  readonly jobs: number;
  readonly choices: BuildChoices;
  /** The user's `Name <email>` (DEBFULLNAME/DEBEMAIL); without it each package keeps its source's Maintainer. */
  readonly maintainer?: string;
  /** The suites the build reads, in order (the first is the build environment's): recorded in the packages. */
  readonly suites?: readonly string[];
  readonly timeoutMs: number;
  readonly memoryBytes?: number;
  /** pids and CPU-share limits of the build containers (defaults in runtime/build-step.ts). */
  readonly limits?: StepLimits;
  /** Further read-only mounts (a user's toolchain tree). */
  readonly extraMounts?: readonly Mount[];
  readonly log: Logger;
  /** The message of a record the store refused, for the log (cli/ renders messages; without it the log has the reason alone). */
  readonly describeStoreError?: (error: StoreError) => string;
}

/** The log fields of a record the store refused: its message when the caller gave a renderer, else its reason. */
export function storeFailureLog(error: StoreError, s: Pick<LibraryBuildSettings, 'describeStoreError'>): { detail: string } | { reason: string } {
  return s.describeStoreError === undefined ? { reason: error.reason } : { detail: s.describeStoreError(error) };
}

/** The container paths of a library build (the task's contract with runtime/build-step.ts). */
export function driverInput(node: PlanNode, toolchain: ArchToolchain, options: DriverInput['options'], jobs: number, epoch: number): DriverInput {
  const prefix = `/usr/${toolchain.triplet}`;
  return {
    arch: toolchain, source: { name: node.source, version: node.version, dir: STEP_PATHS.build },
    buildDir: CONTAINER_BUILD_DIR, prefix, destDir: STEP_PATHS.output, depsPrefix: `${STEP_PATHS.deps}${prefix}`,
    jobs, options, sourceDateEpoch: epoch,
  };
}

/** The step that applies a recipe's patches, in order, to the source copy. */
export function patchStep(patches: readonly string[]): BuildStep {
  const lines = patches.map((p) => shCommand(['patch', '-p1', '--forward', '--batch', '-i', `${CONTAINER_PATCH_DIR}/${p}`]));
  return { name: 'apply-recipe-patches', run: lines.join('\n'), cwd: STEP_PATHS.build, env: {} };
}

/** What a builder says about its own kind of build; the phase does the rest. */
export interface ContainerBuildRequest<Input extends DriverInput> {
  readonly node: PlanNode;
  readonly context: NodeBuildContext;
  readonly settings: LibraryBuildSettings;
  readonly log: Logger;
  /** The build's own folder (deps/ and out/ go below it) and its log file. */
  readonly work: string;
  readonly logFile: string;
  /** The recipe whose `patches/` folder holds the patches, and the patches to apply, in order. */
  readonly recipe: Recipe | undefined;
  readonly patches: readonly string[];
  /** The driver's input, once the source tree and its epoch are known. */
  readonly driverInput: (tree: SourceTree, epoch: number) => Promise<Input>;
  /** The whole script of the container from the driver's spec and the patch step. */
  readonly script: (spec: BuildSpec, before: readonly BuildStep[]) => Result<string, NodeFailure>;
  /** Fields of the `build start` log record; no record when absent. */
  readonly announce?: (spec: BuildSpec, input: Input, tree: SourceTree) => Record<string, unknown>;
}

export interface ContainerBuilt<Input extends DriverInput> {
  readonly tree: SourceTree;
  readonly epoch: number;
  readonly input: Input;
  readonly spec: BuildSpec;
  /** The staged closure on this machine and the entries it was staged from. */
  readonly stagedDir: string;
  readonly entries: readonly PublishedEntry[];
  readonly outputDir: string;
  readonly stepMs: number;
  readonly markers: ScriptReport;
}

/** A failure of the phase; `withLog` when the build's log file says more (the container ran). */
export interface ContainerBuildFailure {
  readonly failure: NodeFailure;
  readonly withLog: boolean;
}

export async function runContainerBuild<Input extends DriverInput>(r: ContainerBuildRequest<Input>): Promise<Result<ContainerBuilt<Input>, ContainerBuildFailure>> {
  const s = r.settings;
  const fail = (failure: NodeFailure, withLog: boolean): Result<never, ContainerBuildFailure> => err({ failure, withLog });
  const tree = await sourceTree(r.node, { archive: s.archive, cacheDir: s.cacheDir, origOnly: s.choices.origOnly.has(r.node.source), logger: r.log });
  if (!tree.ok) return fail(tree.error, false);
  const epoch = await sourceDateEpoch(tree.value);
  const input = await r.driverInput(tree.value, epoch);
  const subdir = input.options.subdir;
  const spec = buildSpecFor(input, await topLevelNames(subdir === undefined ? tree.value.dir : join(tree.value.dir, subdir)));
  if (!spec.ok) return fail({ reason: 'driver', error: spec.error }, false);

  const entries = [...r.context.closure.values()].map((c) => c.entry);
  const staged = await stageDependencies(s.repo, entries, join(r.work, 'deps'));
  if (!staged.ok) return fail(staged.error, false);
  const mounts: Mount[] = [...(s.extraMounts ?? [])];
  if (r.patches.length > 0 && r.recipe !== undefined) {
    mounts.push({ source: join(dirname(r.recipe.location.file), 'patches'), target: CONTAINER_PATCH_DIR, readOnly: true });
  }
  const script = r.script(spec.value, r.patches.length > 0 ? [patchStep(r.patches)] : []);
  if (!script.ok) return fail(script.error, true);
  const outputDir = join(r.work, 'out');
  if (r.announce !== undefined) r.log.info(r.announce(spec.value, input, tree.value), 'build start');
  const stepStart = performance.now();
  const ran = await runBuildStep({
    image: s.imageOf(r.node.source), cmd: ['sh', '-e', '-c', script.value], sourceDir: tree.value.dir, depsDir: staged.value.dir,
    extraMounts: mounts, outputDir, logFile: r.logFile, scratchRoot: r.work, timeoutMs: s.timeoutMs, env: profileEnv(r.node),
    ...(s.memoryBytes === undefined ? {} : { memoryBytes: s.memoryBytes }),
    ...(s.limits === undefined ? {} : { limits: s.limits }),
    labels: { run: s.runId, package: r.node.source, key: r.context.key },
  }, { runtime: s.runtime, log: r.log, ...(r.context.signal === undefined ? {} : { signal: r.context.signal }) });
  const stepMs = performance.now() - stepStart;
  const markers = readScriptMarkers(await outputLines(r.logFile));
  if (!ran.ok) return fail({ reason: 'step', error: ran.error, ...(markers.lastStep === undefined ? {} : { lastStep: markers.lastStep }) }, true);
  return ok({ tree: tree.value, epoch, input, spec: spec.value, stagedDir: staged.value.dir, entries, outputDir, stepMs, markers });
}

/** The container's output lines, from the build's JSON log (records `output` with a `line`). */
export async function outputLines(logFile: string): Promise<string[]> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.split('\n').flatMap((l) => {
    if (l === '') return [];
    try {
      const record = JSON.parse(l) as { msg?: unknown; line?: unknown };
      return record.msg === 'output' && typeof record.line === 'string' ? [record.line] : [];
    } catch {
      return [];
    }
  });
}
