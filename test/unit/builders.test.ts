// The two builders (executor/builders/build-library.ts, build-application.ts) through their shared
// container phase, against a recording ContainerRuntime and a fixture Archive
// (builder-doubles.ts): what the container is asked to run, what a success publishes, and each
// way a build fails — with nothing published after any failure.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRepo, type AptRepo } from '../../src/cache/apt-repo.js';
import { applicationBuilder } from '../../src/executor/builders/build-application.js';
import { libraryBuilder } from '../../src/executor/builders/build-library.js';
import type { LibraryBuildSettings } from '../../src/executor/builders/container-build.js';
import type { NodeBuildResult } from '../../src/executor/scheduler/outcome.js';
import type { NodeBuildContext } from '../../src/executor/scheduler/run-plan.js';
import { STEP_MARKER } from '../../src/executor/builders/step-script.js';
import { silentLogger } from '../../src/log/logger.js';
import type { CacheKey, Sha256Hex } from '../../src/model/brand.js';
import type { PlanNode } from '../../src/plan/plan.js';
import { loadRecipes } from '../../src/recipe/recipe-loader.js';
import type { RecipeSet } from '../../src/recipe/recipe.js';
import type { ContainerRuntime } from '../../src/runtime/container-runtime.js';
import { fixtureArchive, recordingRuntime, sourceTreeOf, zlibRecord, type ContainerPart } from './builder-doubles.js';
import { planNode } from './executor-plans.js';
import { shippedArch } from './solver-fixtures.js';
import { describeRepoError } from '../../src/cli/cache-messages.js';

const FACTS = { buildTriplet: 'x86_64-linux-gnu', buildMultiarch: 'x86_64-linux-gnu' };
const KEY = 'f'.repeat(64) as CacheKey;
const IMAGE = `sha256:${'1'.repeat(64)}`;
const PREFIX = 'usr/x86_64-linux-musl';

/** zlib through the steps driver, checking the files a header-only test output holds. */
const LIBRARY_RECIPE = `Format-Version: 1.0
Source: zlib
Build-System: steps
Estimated-Build-Seconds: 5
Steps:
 CHOST="$STUBFORGE_HOST" ./configure --static --prefix="$STUBFORGE_PREFIX"
 make install DESTDIR="$DESTDIR"
Artefacts:
 include/zlib.h
Publish: zlib1g-dev
`;

/** An application of zlib's source (its minigzip example), as pngcheck-static is one of pngcheck's. */
const APPLICATION_RECIPE = `Format-Version: 1.0
Source: zlib
Kind: application
Build-System: steps
Estimated-Build-Seconds: 5
Steps:
 make minigzip
Package: minigzip-static
Package-Description:
 zlib's minigzip, statically linked (a test application)
Install:
 minigzip usr/bin/minigzip
`;

const cleanup: string[] = [];
afterEach(async () => {
  for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function temp(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `stubforge-builders-${prefix}-`));
  cleanup.push(dir);
  return dir;
}

/** A recipe file, or a folder recipe (`<name>/recipe` beside `patches/`) when it has patches. */
async function recipeSet(name: string, text: string, patches: readonly string[] = []): Promise<RecipeSet> {
  const dir = await temp('recipes');
  if (patches.length === 0) await writeFile(join(dir, name), text);
  else {
    await mkdir(join(dir, name, 'patches'), { recursive: true });
    await writeFile(join(dir, name, 'recipe'), text);
    for (const p of patches) await writeFile(join(dir, name, 'patches', p), '');
  }
  const set = await loadRecipes([dir]);
  if (!set.ok) throw new Error(JSON.stringify(set.error));
  return set.value;
}

interface Setup {
  readonly settings: LibraryBuildSettings;
  readonly repo: AptRepo;
  readonly steps: ReturnType<typeof recordingRuntime>['steps'];
  readonly fetched: unknown[];
}

async function setup(part: ContainerPart, options: { recipes: RecipeSet; tree?: { copyright?: boolean } | 'missing'; arch?: 'musl-linux-amd64' | 'rumprun-amd64' }): Promise<Setup> {
  const root = await temp('run');
  const record = zlibRecord();
  const tree = options.tree === 'missing' ? undefined : await sourceTreeOf(record, options.tree ?? {});
  if (tree !== undefined) cleanup.push(tree);
  const archive = fixtureArchive(tree === undefined
    ? { error: { reason: 'missing-file', url: `http://mirror.invalid/debian/${record.directory}/zlib_1.2.13.dfsg-1.debian.tar.xz`, file: 'zlib_1.2.13.dfsg-1.debian.tar.xz' } }
    : { dir: tree });
  const repo = await openRepo(join(root, 'repo'));
  if (!repo.ok) throw new Error(describeRepoError(repo.error));
  const recorded = recordingRuntime(part);
  const settings: LibraryBuildSettings = {
    arch: shippedArch(options.arch ?? 'musl-linux-amd64').arch, imageFacts: FACTS, recipes: options.recipes, archive,
    cacheDir: join(root, 'cache'), repo: repo.value, runtime: recorded.runtime as ContainerRuntime, imageOf: () => IMAGE,
    workDir: join(root, 'work'), logDir: join(root, 'logs'), runId: 'builders-test', jobs: 1, choices: { origOnly: new Set() },
    timeoutMs: 60_000, log: silentLogger(),
  };
  await mkdir(settings.logDir, { recursive: true });
  return { settings, repo: repo.value, steps: recorded.steps, fetched: archive.fetched };
}

function zlibNode(over: Partial<PlanNode> = {}): PlanNode {
  return planNode('zlib', { version: '1:1.2.13.dfsg-1', neededBinaries: ['zlib1g-dev'], ...over });
}

const context = (signal?: AbortSignal): NodeBuildContext => ({ key: KEY, closure: new Map(), ...(signal === undefined ? {} : { signal }) });

async function published(repo: AptRepo): Promise<number> {
  const list = await repo.list();
  if (!list.ok) throw new Error(describeRepoError(list.error));
  return list.value.length;
}

function failureOf(result: NodeBuildResult): Extract<NodeBuildResult, { status: 'failed' }> {
  if (result.status !== 'failed') throw new Error(`expected a failure, got ${result.status}`);
  return result;
}

const HEADERS = { [`${PREFIX}/include/zlib.h`]: '/* zlib.h */\n', [`${PREFIX}/include/zconf.h`]: '/* zconf.h */\n' };

describe('libraryBuilder', () => {
  it('runs the recipe in one locked-down container and publishes the -cross package under the key', async () => {
    const s = await setup({ files: HEADERS, lines: [`${STEP_MARKER}1/2: configure`, `${STEP_MARKER}2/2: install`] }, { recipes: await recipeSet('zlib', LIBRARY_RECIPE) });
    const result = await libraryBuilder(s.settings)(zlibNode(), context());
    if (result.status !== 'built') throw new Error(JSON.stringify(result));
    expect(result.entry.key).toBe(KEY);
    expect(result.entry.debs.map((d) => [d.package, d.version])).toEqual([['zlib1g-dev-musl-linux-amd64-cross', '1:1.2.13.dfsg-1']]);
    expect(s.steps).toHaveLength(1);
    const step = s.steps[0];
    expect(step).toMatchObject({ image: IMAGE, network: 'none', user: '1000:1000', labels: { run: 'builders-test', package: 'zlib', key: KEY, kind: 'build' } });
    expect(step?.mounts?.filter((m) => m.readOnly).map((m) => m.target).sort()).toEqual(['/deps', '/src']);
    expect(step?.cmd.join(' ')).toContain('./configure --static');
    expect(await published(s.repo)).toBe(1);
    const debs = await s.repo.list();
    expect(debs.ok && debs.value[0]?.meta).toMatchObject({ source: 'zlib', sourceVersion: '1:1.2.13.dfsg-1', arch: 'musl-linux-amd64' });
  });

  it('mounts the recipe patches read-only and applies them first', async () => {
    const recipes = await recipeSet('zlib', LIBRARY_RECIPE.replace('Publish:', 'Patches:\n fix.patch\nPublish:'), ['fix.patch']);
    const recipeDir = join(recipes.byName.get('zlib')?.location.file ?? '', '..');
    const s = await setup({ files: HEADERS }, { recipes });
    const result = await libraryBuilder(s.settings)(zlibNode(), context());
    expect(result.status).toBe('built');
    expect(s.steps[0]?.mounts).toContainEqual({ source: join(recipeDir, 'patches'), target: '/stubforge/patches', readOnly: true });
    expect(s.steps[0]?.cmd.join(' ')).toContain('apply-recipe-patches');
  });

  it('fails `no-source-record` for a version the index does not list, before any container', async () => {
    const s = await setup({}, { recipes: await recipeSet('zlib', LIBRARY_RECIPE) });
    const failed = failureOf(await libraryBuilder(s.settings)(zlibNode({ version: '1:9.9-1' }), context()));
    expect(failed.failure).toMatchObject({ reason: 'no-source-record', source: 'zlib', version: '1:9.9-1' });
    expect(failed.logFile).toBeUndefined();
    expect(s.steps).toHaveLength(0);
  });

  it('fails `source-unavailable` naming the missing Debian part', async () => {
    const s = await setup({}, { recipes: await recipeSet('zlib', LIBRARY_RECIPE), tree: 'missing' });
    const failed = failureOf(await libraryBuilder(s.settings)(zlibNode(), context()));
    expect(failed.failure).toMatchObject({ reason: 'source-unavailable', debianPartMissing: true, error: { reason: 'missing-file' } });
    expect(s.steps).toHaveLength(0);
  });

  it("fails `toolchain` when the arch's tools cannot be mapped (rumprun without its tree)", async () => {
    const s = await setup({}, { recipes: await recipeSet('zlib', LIBRARY_RECIPE), arch: 'rumprun-amd64' });
    const failed = failureOf(await libraryBuilder(s.settings)(zlibNode(), context()));
    expect(failed.failure).toMatchObject({ reason: 'toolchain', error: { reason: 'unresolved-placeholder' } });
  });

  it('fails `driver` when no build system is named or found', async () => {
    const s = await setup({}, { recipes: { byName: new Map() } });
    const failed = failureOf(await libraryBuilder(s.settings)(zlibNode(), context()));
    expect(failed.failure.reason).toBe('driver');
    expect(s.steps).toHaveLength(0);
  });

  it('fails `step` with the step the script last announced, keeping the log, publishing nothing', async () => {
    const s = await setup({ exitCode: 2, lines: [`${STEP_MARKER}1/2: configure`, 'checking for gcc... no'] }, { recipes: await recipeSet('zlib', LIBRARY_RECIPE) });
    const failed = failureOf(await libraryBuilder(s.settings)(zlibNode(), context()));
    expect(failed.failure).toMatchObject({ reason: 'step', lastStep: '1/2: configure', error: { reason: 'step-failed', exitCode: 2 } });
    expect(failed.logFile).toBe(join(s.settings.logDir, 'zlib.log'));
    expect(await published(s.repo)).toBe(0);
  });

  it('fails `step` out-of-memory when the engine says so', async () => {
    const s = await setup({ exitCode: 137, oomKilled: true }, { recipes: await recipeSet('zlib', LIBRARY_RECIPE) });
    const failed = failureOf(await libraryBuilder(s.settings)(zlibNode(), context()));
    expect(failed.failure).toMatchObject({ reason: 'step', error: { reason: 'out-of-memory' } });
  });

  it('fails `static-policy` on a shared object and keeps the output to look at', async () => {
    const s = await setup({ files: { ...HEADERS, [`${PREFIX}/lib/libz.so`]: 'not static' } }, { recipes: await recipeSet('zlib', LIBRARY_RECIPE) });
    const failed = failureOf(await libraryBuilder(s.settings)(zlibNode(), context()));
    if (failed.failure.reason !== 'static-policy') throw new Error(JSON.stringify(failed.failure));
    expect(failed.failure.violations.map((v) => [v.reason, v.file])).toContainEqual(['shared-object', `${PREFIX}/lib/libz.so`]);
    expect(existsSync(join(failed.failure.outputDir, PREFIX, 'lib/libz.so'))).toBe(true);
    expect(await published(s.repo)).toBe(0);
  });

  it('fails `static-policy` naming an artefact the recipe expects and the build did not install', async () => {
    const s = await setup({ files: { [`${PREFIX}/include/zconf.h`]: '/* zconf.h */\n' } }, { recipes: await recipeSet('zlib', LIBRARY_RECIPE) });
    const failed = failureOf(await libraryBuilder(s.settings)(zlibNode(), context()));
    if (failed.failure.reason !== 'static-policy') throw new Error(JSON.stringify(failed.failure));
    expect(failed.failure.violations.map((v) => [v.reason, v.file])).toEqual([['missing-artefact', `${PREFIX}/include/zlib.h`]]);
  });

  it('fails `packaging` when the source has no debian/copyright', async () => {
    const s = await setup({ files: HEADERS }, { recipes: await recipeSet('zlib', LIBRARY_RECIPE), tree: { copyright: false } });
    const failed = failureOf(await libraryBuilder(s.settings)(zlibNode(), context()));
    expect(failed.failure).toMatchObject({ reason: 'packaging', error: { part: 'copyright', detail: 'the source has no debian/copyright' } });
    expect(await published(s.repo)).toBe(0);
  });

  it('publishes nothing when interrupted after the container finished', async () => {
    const stop = new AbortController();
    const s = await setup({ files: HEADERS, after: () => { stop.abort(); } }, { recipes: await recipeSet('zlib', LIBRARY_RECIPE) });
    const result = await libraryBuilder(s.settings)(zlibNode(), context(stop.signal));
    expect(failureOf(result).failure).toMatchObject({ reason: 'step', error: { reason: 'interrupted' } });
    expect(await published(s.repo)).toBe(0);
  });
});

describe('applicationBuilder', () => {
  const appSettings = (s: Setup): Parameters<typeof applicationBuilder>[0] => ({ ...s.settings, baseEnv: { PATH: '/usr/bin:/bin' }, tool: 'stubforge-test' });
  const appNode = async (recipes: RecipeSet): Promise<PlanNode> => {
    const recipe = recipes.byName.get('minigzip');
    if (recipe === undefined) throw new Error('no minigzip recipe');
    return zlibNode({ kind: 'application', neededBinaries: [], recipe: { name: 'minigzip', sha256: recipe.contentSha256 as Sha256Hex } });
  };

  it('fails `not-an-application` for a node without an application recipe, before any container', async () => {
    const s = await setup({}, { recipes: await recipeSet('minigzip', APPLICATION_RECIPE) });
    const failed = failureOf(await applicationBuilder(appSettings(s))(zlibNode({ kind: 'application' }), context()));
    expect(failed.failure).toMatchObject({ reason: 'application', error: { reason: 'not-an-application', source: 'zlib' } });
    expect(s.steps).toHaveLength(0);
  });

  it('runs the recipe with the link-map flags in one container; a failing step is `step` with its last step', async () => {
    const recipes = await recipeSet('minigzip', APPLICATION_RECIPE);
    const s = await setup({ exitCode: 2, lines: [`${STEP_MARKER}1/2: make`] }, { recipes });
    const failed = failureOf(await applicationBuilder(appSettings(s))(await appNode(recipes), context()));
    expect(failed.failure).toMatchObject({ reason: 'step', lastStep: '1/2: make', error: { reason: 'step-failed' } });
    expect(s.steps).toHaveLength(1);
    expect(s.steps[0]?.cmd.join(' ')).toContain('-Wl,-Map=/out/link-maps/');
    expect(await published(s.repo)).toBe(0);
  });

  it('fails `source-unavailable` like a library', async () => {
    const recipes = await recipeSet('minigzip', APPLICATION_RECIPE);
    const s = await setup({}, { recipes, tree: 'missing' });
    const failed = failureOf(await applicationBuilder(appSettings(s))(await appNode(recipes), context()));
    expect(failed.failure.reason).toBe('source-unavailable');
    expect(s.steps).toHaveLength(0);
  });

  it('fails `application` after the container when the installed program left no link evidence', async () => {
    const recipes = await recipeSet('minigzip', APPLICATION_RECIPE);
    const s = await setup({ files: { 'package/usr/bin/minigzip': 'not a program' } }, { recipes });
    const failed = failureOf(await applicationBuilder(appSettings(s))(await appNode(recipes), context()));
    expect(failed.failure.reason).toBe('application');
    expect(failed.logFile).toBeDefined();
    expect(await published(s.repo)).toBe(0);
  });
});
