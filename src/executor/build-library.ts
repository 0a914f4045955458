// One library build, start to publish: the verified source, the driver's spec for the arch and the
// recipe, all steps in one fresh container (runtime/build-step.ts: source copied to /build, the
// staged closure read-only at /deps, output in /out), the static-only check of what was installed,
// the `-cross` packages of the recipe's published binaries, and an atomic publish under the key.
// Anything that fails, or an interrupt, publishes nothing.
import { readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PartialArch } from '../arch/arch-file.js';
import type { Archive } from '../archive/archive.js';
import type { AptRepo, RepoError } from '../cache/apt-repo.js';
import { buildCrossPackages, crossPackageName, type CrossDependency } from '../cache/cross-package.js';
import { describeTree } from '../deb/deb-tree.js';
import { writeDeb } from '../deb/deb-writer.js';
import type { ArchToolchain, BuildStep, DriverInput } from '../drivers/driver.js';
import { buildSpecFor } from '../drivers/registry.js';
import { shCommand } from '../drivers/shell.js';
import { staticExpectation } from '../drivers/static-policy.js';
import { provenanceExpectation } from '../drivers/toolchain-provenance.js';
import type { Logger } from '../log/logger.js';
import { asSha256Hex, type Sha256Hex } from '../model/brand.js';
import { ok, type Result } from '../model/result.js';
import { crossBinNmuVersion } from '../plan/binnmu.js';
import type { PlanNode } from '../plan/plan.js';
import { defaultRecipe, libraryRecipe, recipeForArch, type RecipeSet } from '../recipe/recipe.js';
import { runBuildStep, STEP_PATHS, type StepLimits } from '../runtime/build-step.js';
import type { ContainerRuntime, Mount } from '../runtime/container-runtime.js';
import type { BuildChoices } from './node-keys.js';
import type { NodeBuildResult, NodeFailure } from './outcome.js';
import type { NodeBuildContext, NodeBuilder } from './run-plan.js';
import { copyrightOf, maintainerFor, sourceDateEpoch, sourceTree, topLevelNames } from './source-tree.js';
import { stageDependencies } from './stage-deps.js';
import { buildScript, readScriptMarkers } from './step-script.js';
import { archToolchain, recipeBuildOptions, type ImageFacts } from './toolchain-mapping.js';
import { checkOutputLinks } from './output-links.js';
import { verifyOutput } from './verify-output.js';
import { verifyProvenance } from './verify-provenance.js';
import { profileEnv } from './build-profiles.js';
import { crossBinaries, debianBuildProfiles, debianPackaging, publishedBinaries, takeClaims } from './debian-packaging.js';
import { describeDebianPath } from '../drivers/debian/debian-rules.js';

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

/** The `-cross` packages a dependant depends on: each dependency's published binaries, exactly. */
export function crossDependencies(node: PlanNode, closure: NodeBuildContext['closure'], arch: string): CrossDependency[] {
  const suffix = `-${arch}-cross`;
  return node.depends.flatMap((source) => (closure.get(source)?.entry.debs ?? [])
    .filter((d) => d.package.endsWith(suffix))
    .map((d) => ({ binary: d.package.slice(0, -suffix.length), version: d.version })));
}

/**
 * The version of this build's `-cross` packages: the source version, with a binNMU suffix when
 * the repository already holds a build of that source version under another key (a dependency
 * rebuilt, another build image): one (package, version) is one .deb, and the new one must upgrade.
 */
async function crossVersion(repo: AptRepo, node: PlanNode, packages: readonly string[]): Promise<Result<string, RepoError>> {
  const entries = await repo.list();
  if (!entries.ok) return entries;
  const known = entries.value.flatMap((e) => e.debs.filter((d) => packages.includes(d.package)).map((d) => d.version));
  return ok(crossBinNmuVersion(node.version, known) ?? node.version);
}

async function outputLines(logFile: string): Promise<string[]> {
  try {
    const text = await readFile(logFile, 'utf8');
    return text.split('\n').flatMap((l) => {
      if (l === '') return [];
      try {
        const record = JSON.parse(l) as { msg?: unknown; line?: unknown };
        return record.msg === 'output' && typeof record.line === 'string' ? [record.line] : [];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

export function libraryBuilder(settings: LibraryBuildSettings): NodeBuilder {
  const mapped = archToolchain(settings.arch, settings.imageFacts);
  return async (node, context) => {
    if (!mapped.ok) return { status: 'failed', failure: { reason: 'toolchain', error: mapped.error } };
    return buildLibrary(node, context, mapped.value, settings);
  };
}

async function buildLibrary(node: PlanNode, context: NodeBuildContext, toolchain: ArchToolchain, s: LibraryBuildSettings): Promise<NodeBuildResult> {
  const log = s.log.child({ package: node.source, key: context.key });
  const work = join(s.workDir, node.source);
  const logFile = join(s.logDir, `${node.source}.log`);
  const failed = (failure: NodeFailure, withLog = true): NodeBuildResult => {
    log.info({ reason: failure.reason }, 'build failed');
    return withLog ? { status: 'failed', failure, logFile } : { status: 'failed', failure };
  };
  let keepOutput = false;
  try {
    const tree = await sourceTree(node, {
      archive: s.archive, cacheDir: s.cacheDir, origOnly: s.choices.origOnly.has(node.source), logger: log,
    });
    if (!tree.ok) return failed(tree.error, false);
    const recipe = libraryRecipe(s.recipes, node.source);
    const effective = recipe === undefined ? defaultRecipe(node.source) : recipeForArch(recipe, s.arch.name);
    const options = recipeBuildOptions(effective);
    const epoch = await sourceDateEpoch(tree.value);
    const binaries = publishedBinaries(recipe?.publish ?? [], node.neededBinaries, tree.value.record.binaries);
    const packaging = options.system === 'detect' || options.system === 'debian'
      ? await debianPackaging(tree.value.dir, {
        profiles: debianBuildProfiles(node.profiles, s.arch.buildProfiles, effective.build.profiles), packages: binaries, dpkgTables: s.arch.dpkgTables,
      })
      : undefined;
    const input = { ...driverInput(node, toolchain, options, s.jobs, epoch), ...(packaging === undefined ? {} : { debian: packaging }) };
    const files = await topLevelNames(options.subdir === undefined ? tree.value.dir : join(tree.value.dir, options.subdir));
    const spec = buildSpecFor(input, files);
    if (!spec.ok) return failed({ reason: 'driver', error: spec.error }, false);

    const staged = await stageDependencies(s.repo, [...context.closure.values()].map((c) => c.entry), join(work, 'deps'));
    if (!staged.ok) return failed(staged.error, false);
    const patches = effective.build.patches;
    const mounts: Mount[] = [...(s.extraMounts ?? [])];
    if (patches.length > 0 && recipe !== undefined) {
      mounts.push({ source: join(dirname(recipe.location.file), 'patches'), target: CONTAINER_PATCH_DIR, readOnly: true });
    }
    const script = buildScript(spec.value, patches.length > 0 ? [patchStep(patches)] : []);
    const outputDir = join(work, 'out');
    log.info({
      driver: spec.value.driver, steps: spec.value.steps.length, source: tree.value.dir, note: tree.value.note,
      ...(spec.value.driver === 'debian' && packaging !== undefined ? { evidence: describeDebianPath(packaging.rules), packages: packaging.packages } : {}),
    }, 'build start');
    const stepStart = performance.now();
    const ran = await runBuildStep({
      image: s.imageOf(node.source), cmd: ['sh', '-e', '-c', script], sourceDir: tree.value.dir, depsDir: staged.value.dir,
      extraMounts: mounts, outputDir, logFile, scratchRoot: work, timeoutMs: s.timeoutMs, env: profileEnv(node),
      ...(s.memoryBytes === undefined ? {} : { memoryBytes: s.memoryBytes }),
      ...(s.limits === undefined ? {} : { limits: s.limits }),
      labels: { run: s.runId, package: node.source, key: context.key },
    }, { runtime: s.runtime, log, ...(context.signal === undefined ? {} : { signal: context.signal }) });
    const stepMs = performance.now() - stepStart;
    const markers = readScriptMarkers(await outputLines(logFile));
    if (!ran.ok) return failed({ reason: 'step', error: ran.error, ...(markers.lastStep === undefined ? {} : { lastStep: markers.lastStep }) });

    const claims = await takeClaims(outputDir);
    const verified = await verifyOutput({ outputDir, expect: staticExpectation(input), expectedArtefacts: spec.value.expectedArtefacts });
    if (!verified.ok) return failed({ reason: 'output-unreadable', error: verified.error });
    // Links, special files and set-id bits: judged where the packages will install them.
    const links = await checkOutputLinks(outputDir, input.prefix);
    if (!links.ok) return failed({ reason: 'output-unreadable', error: links.error });
    const violations = [...verified.value.violations, ...links.value];
    if (violations.length > 0) {
      keepOutput = true;
      return failed({ reason: 'static-policy', violations, outputDir, logFile });
    }
    const proven = await verifyProvenance({ dir: outputDir, expect: provenanceExpectation(toolchain) });
    if (!proven.ok) return failed({ reason: 'output-unreadable', error: proven.error });
    if (proven.value.violations.length > 0) {
      keepOutput = true;
      return failed({ reason: 'toolchain-provenance', violations: proven.value.violations, outputDir, logFile });
    }

    const copyright = await copyrightOf(tree.value);
    if (!copyright.ok) return failed({ reason: 'packaging', message: copyright.error.message, location: { file: copyright.error.file } });
    const described = await describeTree(outputDir);
    if (!described.ok) return failed({ reason: 'packaging', message: described.error.message, location: described.error.location });
    const recipeSha256 = node.recipe?.sha256 ?? NO_RECIPE_SHA256;
    const version = await crossVersion(s.repo, node, binaries.map((b) => crossPackageName(b, s.arch.name)));
    if (!version.ok) return failed({ reason: 'repo', error: version.error });
    const packages = buildCrossPackages({
      source: node.source, sourceVersion: node.version, version: version.value, arch: s.arch.name, triplet: s.arch.gnuTriplet,
      binaries: crossBinaries(binaries, claims), staged: described.value,
      dependencies: crossDependencies(node, context.closure, s.arch.name), recipeSha256, cacheKey: context.key,
      copyright: copyright.value, maintainer: await maintainerFor(tree.value, s.maintainer), sourceDateEpoch: epoch,
      ...(s.suites === undefined ? {} : { suites: s.suites }),
      ...(tree.value.note === undefined ? {} : { note: tree.value.note }),
      ...(recipe === undefined ? {} : { origin: recipe.location }),
    });
    if (!packages.ok) return failed({ reason: 'packaging', message: packages.error.message, location: packages.error.location });
    const debs: string[] = [];
    for (const p of packages.value) {
      const written = await writeDeb(p.layout, join(work, p.layout.filename), { logger: log });
      if (!written.ok) return failed({ reason: 'packaging', message: written.error.message, location: written.error.location });
      debs.push(written.value.path);
    }
    // An interrupt that arrived after the container finished still publishes nothing.
    if (context.signal?.aborted === true) {
      return failed({ reason: 'step', error: { reason: 'interrupted', location: { file: logFile } } });
    }
    const published = await s.repo.publish(context.key, debs, {
      source: node.source, sourceVersion: node.version, arch: s.arch.name,
      recipeSha256: asSha256Hex(recipeSha256) ?? NO_RECIPE_SHA256,
      ...(tree.value.note === undefined ? {} : { note: tree.value.note }),
    });
    if (!published.ok) return failed({ reason: 'repo', error: published.error });
    const stored = await s.repo.store.putFile(context.key, 'build.log', logFile);
    if (!stored.ok) log.warn({ detail: stored.error.message }, 'build log not stored');
    log.info({ packages: published.value.debs.map((d) => d.package), stepMs: Math.round(stepMs), scriptMs: markers.scriptMs }, 'build published');
    return {
      status: 'built', entry: published.value, logFile,
      timing: { stepMs, ...(markers.scriptMs === undefined ? {} : { scriptMs: markers.scriptMs }) },
      ...(tree.value.note === undefined ? {} : { note: tree.value.note }),
    };
  } finally {
    // The staged deps and packages are copies; a failed static check keeps its output to look at.
    await rm(join(work, 'deps'), { recursive: true, force: true });
    if (!keepOutput) await rm(work, { recursive: true, force: true });
  }
}
