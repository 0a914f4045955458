// One library build, start to publish: the verified source, the driver's spec for the arch and the
// recipe, all steps in one fresh container (runtime/build-step.ts: source copied to /build, the
// staged closure read-only at /deps, output in /out), the static-only check of what was installed,
// the `-cross` packages of the recipe's published binaries, and an atomic publish under the key.
// Anything that fails, or an interrupt, publishes nothing.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AptRepo, RepoError } from '../../cache/apt-repo.js';
import { buildCrossPackages, crossPackageName, type CrossDependency } from '../../cache/cross-package.js';
import { describeTree } from '../../deb/deb-tree.js';
import { writeDeb } from '../../deb/deb-writer.js';
import type { ArchToolchain, BuildSpec, DebianPackaging, DriverInput } from '../../drivers/driver.js';
import type { Logger } from '../../log/logger.js';
import type { SourceLocation } from '../../model/location.js';
import { staticExpectation } from '../../drivers/static-policy.js';
import { provenanceExpectation } from '../../drivers/toolchain-provenance.js';
import { asSha256Hex, type Sha256Hex } from '../../model/brand.js';
import { err, ok, type Result } from '../../model/result.js';
import { crossBinNmuVersion } from '../../plan/binnmu.js';
import type { PlanNode } from '../../plan/plan.js';
import { defaultRecipe, libraryRecipe, recipeForArch } from '../../recipe/recipe.js';
import type { NodeBuildResult, NodeFailure } from '../scheduler/outcome.js';
import type { NodeBuildContext, NodeBuilder } from '../scheduler/run-plan.js';
import { copyrightOf, maintainerFor, type SourceTree } from './source-tree.js';
import { buildScript } from './step-script.js';
import { archToolchain, recipeBuildOptions } from './toolchain-mapping.js';
import { driverInput, NO_RECIPE_SHA256, runContainerBuild, storeFailureLog, type LibraryBuildSettings } from './container-build.js';
import { checkOutputLinks } from './output-links.js';
import { verifyOutput } from './verify-output.js';
import { verifyProvenance } from './verify-provenance.js';
import { crossBinaries, debianBuildProfiles, debianPackaging, publishedBinaries, takeClaims } from '../debian-packaging.js';
import { describeDebianPath } from '../../drivers/debian/debian-rules.js';

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
    const recipe = libraryRecipe(s.recipes, node.source);
    const effective = recipe === undefined ? defaultRecipe(node.source) : recipeForArch(recipe, s.arch.name);
    const options = recipeBuildOptions(effective);
    let binaries: string[] = [];
    let packaging: DebianPackaging | undefined;
    const built = await runContainerBuild({
      node, context, settings: s, log, work, logFile, recipe, patches: effective.build.patches,
      driverInput: async (tree, epoch) => {
        binaries = publishedBinaries(recipe?.publish ?? [], node.neededBinaries, tree.record.binaries);
        packaging = options.system === 'detect' || options.system === 'debian'
          ? await debianPackaging(tree.dir, {
            profiles: debianBuildProfiles(node.profiles, s.arch.buildProfiles, effective.build.profiles), packages: binaries, dpkgTables: s.arch.dpkgTables,
          })
          : undefined;
        return { ...driverInput(node, toolchain, options, s.jobs, epoch), ...(packaging === undefined ? {} : { debian: packaging }) };
      },
      script: (spec, before) => ok(buildScript(spec, before)),
      announce: (spec, _input, tree) => ({
        driver: spec.driver, steps: spec.steps.length, source: tree.dir, note: tree.note,
        ...(spec.driver === 'debian' && packaging !== undefined ? { evidence: describeDebianPath(packaging.rules), packages: packaging.packages } : {}),
      }),
    });
    if (!built.ok) return failed(built.error.failure, built.error.withLog);
    const { tree, epoch, input, spec, outputDir, stepMs, markers } = built.value;

    const claims = await takeClaims(outputDir);
    const checked = await checkOutput(outputDir, input, spec, toolchain, logFile);
    if (!checked.ok) {
      keepOutput = checked.error.reason === 'static-policy' || checked.error.reason === 'toolchain-provenance';
      return failed(checked.error);
    }
    const recipeSha256 = node.recipe?.sha256 ?? NO_RECIPE_SHA256;
    const debs = await writeCrossDebs({ node, context, s, log, work, tree, epoch, outputDir, binaries, claims, recipeSha256, ...(recipe === undefined ? {} : { origin: recipe.location }) });
    if (!debs.ok) return failed(debs.error);
    // An interrupt that arrived after the container finished still publishes nothing.
    if (context.signal?.aborted === true) {
      return failed({ reason: 'step', error: { reason: 'interrupted', location: { file: logFile } } });
    }
    const published = await s.repo.publish(context.key, debs.value, {
      source: node.source, sourceVersion: node.version, arch: s.arch.name,
      recipeSha256: asSha256Hex(recipeSha256) ?? NO_RECIPE_SHA256,
      ...(tree.note === undefined ? {} : { note: tree.note }),
    });
    if (!published.ok) return failed({ reason: 'repo', error: published.error });
    const stored = await s.repo.store.putFile(context.key, 'build.log', logFile);
    if (!stored.ok) log.warn(storeFailureLog(stored.error, s), 'build log not stored');
    log.info({ packages: published.value.debs.map((d) => d.package), stepMs: Math.round(stepMs), scriptMs: markers.scriptMs }, 'build published');
    return {
      status: 'built', entry: published.value, logFile,
      timing: { stepMs, ...(markers.scriptMs === undefined ? {} : { scriptMs: markers.scriptMs }) },
      ...(tree.note === undefined ? {} : { note: tree.note }),
    };
  } finally {
    // The staged deps and packages are copies; a failed static check keeps its output to look at.
    await rm(join(work, 'deps'), { recursive: true, force: true });
    if (!keepOutput) await rm(work, { recursive: true, force: true });
  }
}

/** The static-only policy, the links and the toolchain provenance of what the build installed. */
async function checkOutput(outputDir: string, input: DriverInput, spec: BuildSpec, toolchain: ArchToolchain, logFile: string): Promise<Result<void, NodeFailure>> {
  const verified = await verifyOutput({ outputDir, expect: staticExpectation(input), expectedArtefacts: spec.expectedArtefacts });
  if (!verified.ok) return err({ reason: 'output-unreadable', error: verified.error });
  // Links, special files and set-id bits: judged where the packages will install them.
  const links = await checkOutputLinks(outputDir, input.prefix);
  if (!links.ok) return err({ reason: 'output-unreadable', error: links.error });
  const violations = [...verified.value.violations, ...links.value];
  if (violations.length > 0) return err({ reason: 'static-policy', violations, outputDir, logFile });
  const proven = await verifyProvenance({ dir: outputDir, expect: provenanceExpectation(toolchain) });
  if (!proven.ok) return err({ reason: 'output-unreadable', error: proven.error });
  if (proven.value.violations.length > 0) return err({ reason: 'toolchain-provenance', violations: proven.value.violations, outputDir, logFile });
  return ok(undefined);
}

interface CrossDebsInput {
  readonly node: PlanNode;
  readonly context: NodeBuildContext;
  readonly s: LibraryBuildSettings;
  readonly log: Logger;
  readonly work: string;
  readonly tree: SourceTree;
  readonly epoch: number;
  readonly outputDir: string;
  readonly binaries: readonly string[];
  readonly claims: ReadonlyMap<string, readonly string[]>;
  readonly recipeSha256: Sha256Hex;
  readonly origin?: SourceLocation;
}

/** The `-cross` packages of the output, written as .debs in the work folder. */
async function writeCrossDebs(c: CrossDebsInput): Promise<Result<string[], NodeFailure>> {
  const { node, s } = c;
  const copyright = await copyrightOf(c.tree);
  if (!copyright.ok) return err({ reason: 'packaging', error: { part: 'copyright', file: copyright.error.file, detail: copyright.error.message } });
  const described = await describeTree(c.outputDir);
  if (!described.ok) return err({ reason: 'packaging', error: { part: 'output-tree', error: described.error } });
  const version = await crossVersion(s.repo, node, c.binaries.map((b) => crossPackageName(b, s.arch.name)));
  if (!version.ok) return err({ reason: 'repo', error: version.error });
  const packages = buildCrossPackages({
    source: node.source, sourceVersion: node.version, version: version.value, arch: s.arch.name, triplet: s.arch.gnuTriplet,
    binaries: crossBinaries([...c.binaries], c.claims), staged: described.value,
    dependencies: crossDependencies(node, c.context.closure, s.arch.name), recipeSha256: c.recipeSha256, cacheKey: c.context.key,
    copyright: copyright.value, maintainer: await maintainerFor(c.tree, s.maintainer), sourceDateEpoch: c.epoch,
    ...(s.suites === undefined ? {} : { suites: s.suites }),
    ...(c.tree.note === undefined ? {} : { note: c.tree.note }),
    ...(c.origin === undefined ? {} : { origin: c.origin }),
  });
  if (!packages.ok) return err({ reason: 'packaging', error: { part: 'cross-packages', error: packages.error } });
  const debs: string[] = [];
  for (const p of packages.value) {
    const written = await writeDeb(p.layout, join(c.work, p.layout.filename), { logger: c.log });
    if (!written.ok) return err({ reason: 'packaging', error: { part: 'deb', error: written.error } });
    debs.push(written.value.path);
  }
  return ok(debs);
}
