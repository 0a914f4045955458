// One application build, start to publish (docs/application-deb.md): the verified source, the
// recipe's build through its driver in one fresh container against the staged `-cross` closure
// (app-step.ts: a link map per program, a build-id, no build paths), then on this machine what
// was really linked (app-provenance.ts), the bake (app-bake.ts), the launch configuration
// (app-launch.ts) and the package with its debug-symbols package (deb/app-deb.ts), published in
// the repository under the node's key like a library — so an unchanged application is a cache hit.
import { chmod, copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { PublishedEntry } from '../../cache/apt-repo.js';
import { readRumprunTree } from '../../bake/backends/rumprun-tree-io.js';
import { describeRumprunTreeError, type RumprunTree } from '../../bake/backends/rumprun-tree.js';
import type { RumprunComponents } from '../../bake/backends/rumprun-components.js';
import { imageProcessRunner } from '../../bake/image-process.js';
import { describeOwner } from '../../bake/link-attribution.js';
import { dpkgOwnerQuery } from '../../bake/link-trace-io.js';
import { describeApplicationDebs, type ApplicationDebInput, type ApplicationDebs, type EmbeddedSource } from '../../deb/app-deb.js';
import { applicationVersion, nextApplicationVersion } from '../../deb/app-version.js';
import { validateVersion, type DebLayoutError } from '../../deb/deb-fields.js';
import { buildDebLayout } from '../../deb/deb-layout.js';
import { describeTree } from '../../deb/deb-tree.js';
import { writeDeb } from '../../deb/deb-writer.js';
import type { ArchToolchain } from '../../drivers/driver.js';
import { provenanceExpectation } from '../../drivers/toolchain-provenance.js';
import { asSha256Hex } from '../../model/brand.js';
import type { SourceLocation } from '../../model/location.js';
import type { ContainerRuntime } from '../../runtime/container-runtime.js';
import { err, ok, type Result } from '../../model/result.js';
import type { PlanNode } from '../../plan/plan.js';
import { recipeForArch, type ApplicationSettings, type EffectiveRecipe, type Recipe } from '../../recipe/recipe.js';
import { bakePrograms, type BakedProgram } from './app-bake.js';
import type { ApplicationError } from './app-errors.js';
import { stageLaunch } from './app-launch.js';
import { embeddedSources, linkProvenance, type LinkProvenance } from './app-provenance.js';
import { APP_OUTPUT, appBuildScript, appDriverInput } from './app-step.js';
import { NO_RECIPE_SHA256, runContainerBuild, storeFailureLog, type LibraryBuildSettings } from './container-build.js';
import type { NodeBuildResult, NodeFailure } from '../scheduler/outcome.js';
import type { NodeBuildContext, NodeBuilder } from '../scheduler/run-plan.js';
import { readTreeFile } from './tree-files.js';
import { copyrightOf, maintainerFor, type SourceTree } from './source-tree.js';
import { verifyPrograms } from './verify-provenance.js';
import { archToolchain } from './toolchain-mapping.js';

export interface ApplicationBuildSettings extends LibraryBuildSettings {
  /** The environment of commands run on this machine (PATH for strip, objcopy, mke2fs). */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** A user-supplied toolchain tree on this machine (rumprun): its archives are the toolchain's. */
  readonly toolchainRoot?: string;
  /** What the user stated of that tree's own components (rumprun, src-netbsd ...): the package names them. */
  readonly treeComponents?: RumprunComponents;
  /** `stubforge-<version>`, named in the SPDX document. */
  readonly tool: string;
  /** N of `<source version>~stubforgeN` (default: one more than the highest the repository holds of that source version under other keys, else 1). */
  readonly rebuild?: number;
  /** The whole package version, when the caller numbers rebuilds itself (`rebuild` computes `…~stubforge2` from what is published); wins over `rebuild`. */
  readonly version?: string;
  /** A binNMU-style stanza put on top of the source's debian/changelog in the package (`rebuild` writes it). */
  readonly changelogEntry?: string;
  /** The message of a failed stage for the log (cli/ renders messages; without it the log has the reason alone). */
  readonly describeError?: (error: ApplicationError) => string;
  /**
   * The engine that answers questions of the build image after the build (who owns a linked
   * archive, the bake step): the coordinator's own, also when `runtime` is a cluster, since
   * every check of an output runs where it is published. Default: `runtime`.
   */
  readonly coordinatorRuntime?: ContainerRuntime;
}

function detailOf(error: ApplicationError, s: ApplicationBuildSettings): { detail?: string } {
  return s.describeError === undefined ? {} : { detail: s.describeError(error) };
}

/** The application's store records beside its packages (link maps, provenance, SPDX). */
export const PROVENANCE_RECORD = 'provenance.json';

export function applicationBuilder(settings: ApplicationBuildSettings): NodeBuilder {
  const mapped = archToolchain(settings.arch, settings.imageFacts);
  return async (node, context) => {
    if (!mapped.ok) return { status: 'failed', failure: { reason: 'toolchain', error: mapped.error } };
    const log = settings.log.child({ package: node.source, key: context.key });
    const work = join(settings.workDir, `app-${node.source}`);
    const logFile = join(settings.logDir, `${node.recipe?.name ?? node.source}.log`);
    try {
      const built = await buildApplication(node, context, mapped.value, { ...settings, log }, { work, logFile });
      if (built.status === 'failed') log.warn({ reason: built.failure.reason }, 'application build failed');
      return built;
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  };
}

function applicationRecipe(node: PlanNode, s: ApplicationBuildSettings): Result<{ recipe: Recipe; app: ApplicationSettings }, ApplicationError> {
  const recipe = node.recipe === undefined ? undefined : s.recipes.byName.get(node.recipe.name);
  const location = recipe?.location ?? { file: `recipe(${node.source})` };
  if (recipe === undefined || recipe.kind !== 'application' || recipe.application === undefined) {
    return err({ reason: 'not-an-application', source: node.source, detail: 'the plan names no application recipe for this node', location });
  }
  return ok({ recipe, app: recipe.application });
}

interface Paths {
  readonly work: string;
  readonly logFile: string;
}

async function buildApplication(node: PlanNode, context: NodeBuildContext, toolchain: ArchToolchain, s: ApplicationBuildSettings, paths: Paths): Promise<NodeBuildResult> {
  const { work, logFile } = paths;
  const failed = (failure: NodeFailure, withLog = true): NodeBuildResult => (withLog ? { status: 'failed', failure, logFile } : { status: 'failed', failure });
  const appFailed = (error: ApplicationError): NodeBuildResult => {
    s.log.warn({ reason: error.reason, ...detailOf(error, s) }, 'application stage failed');
    return failed({ reason: 'application', error });
  };
  const found = applicationRecipe(node, s);
  if (!found.ok) return appFailed(found.error);
  const { recipe, app } = found.value;
  const effective = recipeForArch(recipe, s.arch.name);
  const built = await runContainerBuild({
    node, context, settings: s, log: s.log, work, logFile, recipe, patches: effective.build.patches,
    driverInput: (_tree, epoch) => Promise.resolve(appDriverInput(node, toolchain, effective, s.jobs, epoch)),
    script: (spec, before) => {
      const script = appBuildScript(spec, app.install, before, recipe.location);
      if (script.ok) return script;
      s.log.warn({ reason: script.error.reason, ...detailOf(script.error, s) }, 'application stage failed');
      return err({ reason: 'application', error: script.error });
    },
  });
  if (!built.ok) return failed(built.error.failure, built.error.withLog);
  const { tree, epoch, outputDir, stagedDir, entries, stepMs, markers } = built.value;

  const packaged = await packageApplication(node, context, { recipe, app, effective, tree, epoch, outputDir, stagedDir, entries, toolchain }, s, work);
  if (!packaged.ok) return appFailed(packaged.error);
  if (context.signal?.aborted === true) return failed({ reason: 'step', error: { reason: 'interrupted', location: { file: logFile } } });
  const published = await s.repo.publish(context.key, packaged.value.debs, {
    source: node.source, sourceVersion: node.version, arch: s.arch.name, recipeSha256: asSha256Hex(recipe.contentSha256) ?? NO_RECIPE_SHA256,
  });
  if (!published.ok) return failed({ reason: 'repo', error: published.error });
  await storeRecords(s, context, packaged.value, logFile);
  s.log.info({
    debs: published.value.debs.map((d) => d.filename), staticBuiltUsing: packaged.value.described.staticBuiltUsing,
    builtUsing: packaged.value.described.builtUsing, stepMs: Math.round(stepMs),
  }, 'application published');
  return {
    status: 'built', entry: published.value, logFile,
    timing: { stepMs, ...(markers.scriptMs === undefined ? {} : { scriptMs: markers.scriptMs }) },
  };
}

interface Built {
  readonly recipe: Recipe;
  readonly app: ApplicationSettings;
  readonly effective: EffectiveRecipe;
  readonly tree: SourceTree;
  readonly epoch: number;
  readonly outputDir: string;
  readonly stagedDir: string;
  readonly entries: readonly PublishedEntry[];
  readonly toolchain: ArchToolchain;
}

interface Packaged {
  readonly debs: string[];
  readonly described: ApplicationDebs;
  readonly provenance: LinkProvenance;
  readonly baked: readonly BakedProgram[];
}

async function packageApplication(node: PlanNode, context: NodeBuildContext, b: Built, s: ApplicationBuildSettings, work: string): Promise<Result<Packaged, ApplicationError>> {
  const location = b.recipe.location;
  const imageRun = imageProcessRunner({ runtime: s.coordinatorRuntime ?? s.runtime, image: s.imageOf(node.source), run: s.runId, package: node.source, key: context.key, ...(context.signal === undefined ? {} : { signal: context.signal }) });
  let tree: RumprunTree | undefined;
  if (s.arch.toolchain.kind === 'user-tree' && s.toolchainRoot !== undefined) {
    const read = await readRumprunTree(s.toolchainRoot, s.arch.toolchain.pathProbe);
    if (!read.ok) {
      const detail = read.error.reason === 'unreadable-tree' ? read.error.detail : describeRumprunTreeError(read.error);
      return err({ reason: 'rumprun-tree', detail, location: read.error.location });
    }
    tree = read.value;
    const stated = s.treeComponents;
    if (stated === undefined || stated.platform !== tree.platform) {
      const detail = stated === undefined
        ? 'no statement of the tree\'s own components (rumprun, buildrump.sh, src-netbsd ...) was given: the package cannot name them'
        : `${stated.file} states the components of a ${stated.platform} tree; this tree is ${tree.platform}`;
      return err({ reason: 'rumprun-tree', detail, location: stated === undefined ? { file: tree.hostRoot } : { file: stated.file } });
    }
  }
  const provenance = await linkProvenance({
    outputDir: b.outputDir, install: b.app.install, location,
    closure: b.entries.flatMap((e) => e.debs.map((deb) => ({ deb, path: s.repo.pathOf(deb) }))),
    toolchainTrees: tree === undefined ? [] : [{ name: rumprunTreeName(tree), root: tree.asBuiltRoot }],
    hostOwner: dpkgOwnerQuery({ run: imageRun }),
    requirements: b.app.closureLibraries,
  });
  if (!provenance.ok) return provenance;
  const foreign = await verifyPrograms(provenance.value.programs.map((p) => ({ file: p.install.to, path: p.path })), provenanceExpectation(b.toolchain));
  if (foreign.length > 0) return err({ reason: 'toolchain-provenance', violations: foreign, location });
  const embedded = await embeddedSources(provenance.value.sources, { stagedDir: b.stagedDir, imageRun }, location);
  if (!embedded.ok) return embedded;

  const config = b.effective.bakeConfig ?? s.arch.bakeDefault;
  const baked = await bakePrograms(provenance.value.programs, {
    config, origin: b.effective.bakeConfig === undefined ? s.arch.location : location, toolchain: b.toolchain, workDir: join(work, 'bake'),
    baseEnv: s.baseEnv, log: s.log, ...(tree === undefined ? {} : { rumprun: tree }),
    container: { runtime: s.coordinatorRuntime ?? s.runtime, image: s.imageOf(node.source), run: s.runId, key: context.key, package: node.source },
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  });
  if (!baked.ok) return baked;

  // The package root: the baked images where Install puts the programs, other Install files as built.
  const root = join(work, 'pkgroot');
  const dbgRoot = join(work, 'dbgroot');
  for (const f of b.app.install) {
    const image = baked.value.find((p) => p.install.to === f.to)?.image;
    const target = join(root, f.to);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(image ?? join(b.outputDir, APP_OUTPUT.package, f.to), target);
    if (image !== undefined) await chmod(target, 0o755);
  }
  for (const p of baked.value) {
    if (p.debugFile === undefined) continue;
    await mkdir(dirname(join(dbgRoot, p.debugFile.packagePath)), { recursive: true });
    await copyFile(p.debugFile.path, join(dbgRoot, p.debugFile.packagePath));
    // objcopy keeps the program's mode; a debug file is data (dh_strip installs it 0644).
    await chmod(join(dbgRoot, p.debugFile.packagePath), 0o644);
  }
  const first = baked.value[0];
  const launch = await stageLaunch({
    ...(b.effective.launchCmdline === undefined ? {} : { cmdline: b.effective.launchCmdline }),
    env: b.effective.launchEnv, manifest: b.app.launchManifest, location, packageName: b.app.package,
    executable: first?.install.to ?? '', kind: first?.backend ?? 'static-executable', sourceDir: b.tree.dir, stagingRoot: root,
    workDir: join(work, 'launch'), sourceDateEpoch: b.epoch, baseEnv: s.baseEnv,
  });
  if (!launch.ok) return launch;
  const read = await readTreeFile(b.tree.dir, 'debian/changelog');
  const sourceChangelog = read.ok ? read.value.toString('utf8') : undefined;
  // A rebuild's stanza goes on top, with a blank line before the source's own entries (as binNMUs do).
  const changelog = s.changelogEntry === undefined ? sourceChangelog : `${s.changelogEntry.trimEnd()}\n\n${sourceChangelog ?? ''}`;
  if (changelog !== undefined) {
    const doc = join(root, 'usr/share/doc', b.app.package);
    await mkdir(doc, { recursive: true });
    // gzip -9n: no name, no time in the header, so the bytes depend on the text alone.
    await writeFile(join(doc, 'changelog.Debian.gz'), gzipSync(changelog, { level: 9 }));
  }
  return describeAndWrite(node, context, b, s, { root, dbgRoot, provenance: provenance.value, baked: baked.value, embedded: embedded.value, work, ...(tree === undefined ? {} : { tree }) });
}

interface Staged {
  readonly root: string;
  readonly dbgRoot: string;
  readonly provenance: LinkProvenance;
  readonly baked: readonly BakedProgram[];
  readonly embedded: readonly EmbeddedSource[];
  readonly work: string;
  readonly tree?: RumprunTree;
}

async function describeAndWrite(node: PlanNode, context: NodeBuildContext, b: Built, s: ApplicationBuildSettings, st: Staged): Promise<Result<Packaged, ApplicationError>> {
  const location = b.recipe.location;
  const files = await describeTree(st.root);
  if (!files.ok) return err({ reason: 'package', part: 'tree', error: files.error, location });
  const debugFiles = st.baked.some((p) => p.debugFile !== undefined) ? await describeTree(st.dbgRoot) : undefined;
  if (debugFiles !== undefined && !debugFiles.ok) return err({ reason: 'package', part: 'tree', error: debugFiles.error, location });
  const copyright = await copyrightOf(b.tree);
  if (!copyright.ok) return err({ reason: 'copyright-missing', source: node.source, detail: copyright.error.message, location: { file: copyright.error.file } });
  const version = s.version === undefined ? await defaultVersion(node, context, b.app.package, s, location) : validateVersion(s.version, location);
  if (!version.ok) return err({ reason: 'package', part: 'fields', error: version.error, location });
  const maintainer = b.app.maintainer ?? await maintainerFor(b.tree, s.maintainer);
  const [synopsis = b.app.package, ...extended] = b.app.description;
  const described = describeApplicationDebs({
    package: b.app.package, description: { synopsis, extended }, ...(b.app.section === undefined ? {} : { section: b.app.section }),
    source: { name: node.source, version: node.version, copyright: copyright.value }, version: version.value,
    architecture: s.arch.installArchitecture, partialArch: s.arch.name, maintainer, target: b.recipe.name,
    ...(s.suites === undefined ? {} : { suites: s.suites }),
    recipeSha256: b.recipe.contentSha256, cacheKey: context.key, embedded: st.embedded, toolchainParts: st.provenance.toolchainParts,
    ...(st.tree === undefined || s.treeComponents === undefined ? {} : { treeComponents: treeComponents(st.tree, s.treeComponents) }),
    compilerRuntime: st.provenance.compilerRuntime,
    files: files.value, lintianOverrides: b.app.lintianOverrides.map((o) => ({ tag: o.tag, reason: o.reason })),
    ...(debugFiles === undefined ? {} : { debug: { files: debugFiles.value, buildIds: st.baked.flatMap((p) => (p.debugFile === undefined ? [] : [p.debugFile.buildId])) } }),
    sourceDateEpoch: b.epoch, tool: s.tool, origin: location,
  });
  if (!described.ok) return err({ reason: 'package', part: 'fields', error: described.error, location });
  const debs: string[] = [];
  for (const description of [described.value.main, ...(described.value.dbgsym === undefined ? [] : [described.value.dbgsym])]) {
    const layout = buildDebLayout(description);
    if (!layout.ok) return err({ reason: 'package', part: 'fields', error: layout.error, location });
    const written = await writeDeb(layout.value, join(st.work, layout.value.filename), { logger: s.log });
    if (!written.ok) return err({ reason: 'package', part: 'write', error: written.error, location });
    debs.push(written.value.path);
  }
  return ok({ debs, described: described.value, provenance: st.provenance, baked: st.baked });
}

/** The stated components as the package names them, under the tree's name in the provenance (`rumprun hw`). */
function treeComponents(tree: RumprunTree, stated: RumprunComponents): NonNullable<ApplicationDebInput['treeComponents']> {
  return stated.components.map((c) => ({
    tree: rumprunTreeName(tree), name: c.name, revision: c.revision, licence: c.licence, statement: c.statement,
    ...(c.repository === undefined ? {} : { repository: c.repository }),
    ...(c.copyright === undefined ? {} : { copyright: c.copyright }),
    ...(c.licenceText === undefined ? {} : { licenceText: c.licenceText }),
  }));
}

function rumprunTreeName(tree: RumprunTree): string {
  return `rumprun ${tree.platform}`;
}

/**
 * `<source version>~stubforge<N>`: N as the caller says, else one more than the highest rebuild of
 * that source version the repository holds under other keys (a build against a changed closure
 * that did not come through `rebuild`), else 1 — one version is one .deb in the repository.
 */
async function defaultVersion(node: PlanNode, context: NodeBuildContext, pkg: string, s: ApplicationBuildSettings, location: SourceLocation): Promise<Result<string, DebLayoutError>> {
  if (s.rebuild !== undefined) return applicationVersion(node.version, s.rebuild, location);
  const entries = await s.repo.list();
  const known = entries.ok ? entries.value.filter((e) => e.key !== context.key).flatMap((e) => e.debs.filter((d) => d.package === pkg).map((d) => d.version)) : [];
  const next = nextApplicationVersion(node.version, known);
  // A version that would not sort after one already there is left to the repository to refuse, naming both files.
  return next.ok ? validateVersion(next.value, location) : applicationVersion(node.version, 1, location);
}

/** Link maps, the provenance (what each archive is, and why each source is or is not in Built-Using) and the SPDX document. */
async function storeRecords(s: ApplicationBuildSettings, context: NodeBuildContext, p: Packaged, logFile: string): Promise<void> {
  const store = s.repo.store;
  const record = {
    programs: p.provenance.programs.map((prog) => ({
      install: prog.install, linkMap: posix.basename(prog.mapFile),
      archives: prog.attribution.archives.map((a) => ({
        path: a.archive.normalizedPath, kind: a.kind, linked: a.linked, members: a.archive.members?.length, owner: describeOwner(a),
      })),
    })),
    sources: p.provenance.sources,
    compilerRuntime: p.provenance.compilerRuntime,
    builtUsing: Object.fromEntries(p.described.decisions),
    staticBuiltUsing: p.described.staticBuiltUsing,
  };
  const results = [
    await store.put(context.key, PROVENANCE_RECORD, `${JSON.stringify(record, null, 2)}\n`),
    await store.put(context.key, 'sbom.spdx.json', p.described.spdx),
    await store.putFile(context.key, 'build.log', logFile),
    ...await Promise.all(p.provenance.programs.map((prog) => store.putFile(context.key, `link-map.${posix.basename(prog.mapFile)}`, prog.mapFile))),
  ];
  for (const r of results) if (!r.ok) s.log.warn(storeFailureLog(r.error, s), 'application record not stored');
}
