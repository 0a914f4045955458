// What each build of a rebuild is given: the recorded build of its target with only the updated
// sources changed (src/plan/rebuild-inputs.ts), each pinned source found in the suites the build
// reads (so the dry run says which version comes from where, and a version the mirror does not
// serve is named before anything builds), and for an application its next version — after every
// version of the package stubforge knows — with the binNMU-style changelog stanza.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { openRepo } from '../../cache/apt-repo.js';
import { embedsOfText, readRepoEmbeds, type EmbedsRead, type EmbedsReadError } from '../../cache/embeds-reader.js';
import { listOutputRepo } from '../../cache/output-repo.js';
import { nextRebuildVersion, type KnownVersion } from '../../deb/app-version.js';
import { describeRebuildVersionError } from '../deb-messages.js';
import { runXz, DEFAULT_XZ_PATH } from '../../deb/xz.js';
import { FALLBACK_MAINTAINER } from '../../executor/builders/source-tree.js';
import { err, ok, type Result } from '../../model/result.js';
import { rebuildTargets, type AffectedSet, type BuiltApplication, type ProvenanceGraph } from '../../plan/affected.js';
import { binNmuChangelogEntry } from '../../plan/binnmu.js';
import { rebuildInputs, targetApplications, type RebuildTargetInputs } from '../../plan/rebuild-inputs.js';
import { compareVersionStrings } from '../../version/index.js';
import type { Failure } from '../archive-messages.js';
import { openArchiveFromArgs } from '../archive-options.js';
import type { CliContext } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { environmentSuite } from './build-choices.js';
import type { LocatedSource, PlannedTarget } from './rebuild-report.js';
import type { SecurityPaths } from './security-inputs.js';
import { describeEmbedsReadError, describeOutputRepoError, describeRepoError } from '../cache-messages.js';

export interface RebuildPlanOptions {
  readonly paths: SecurityPaths;
  /** Where the updates come from (`--suite`, or the `--from-suite` suite). */
  readonly updateSuites: readonly string[];
  /** Suites when nothing recorded names them. */
  readonly fallbackSuites: readonly string[];
  /** `--against-repo`: apt repositories or Packages files the team deploys from. */
  readonly againstRepos: readonly string[];
  readonly mirror?: string | undefined;
  readonly offline?: boolean | undefined;
  readonly now: Date;
}

/** Each target's recorded inputs, where each pinned version comes from, and for applications their next version. */
export async function planRebuildTargets(set: AffectedSet, graph: ProvenanceGraph, options: RebuildPlanOptions, ctx: CliContext): Promise<Result<PlannedTarget[], Failure>> {
  const known = await knownVersions(options, ctx);
  if (!known.ok) return known;
  const out: PlannedTarget[] = [];
  for (const t of rebuildTargets(set)) {
    const inputs = rebuildInputs(set, graph, t, { updateSuites: options.updateSuites, fallbackSuites: options.fallbackSuites });
    const located = await locateSources(inputs, options, ctx);
    if (!located.ok) return located;
    const app = targetApplications(set, t)[0];
    if (app === undefined) {
      out.push({ ...t, inputs, located: located.value });
      continue;
    }
    const application = nextApplication(app, t.arch, inputs, [...known.value, { package: app.package, version: app.version, where: `the package being replaced, ${app.origin}` }], options, ctx);
    if (!application.ok) return application;
    out.push({ ...t, inputs, located: located.value, application: application.value });
  }
  return ok(out);
}

function nextApplication(
  app: BuiltApplication, arch: string, inputs: RebuildTargetInputs, known: readonly (KnownVersion & { package: string })[],
  options: RebuildPlanOptions, ctx: CliContext,
): Result<NonNullable<PlannedTarget['application']>, Failure> {
  const next = nextRebuildVersion(app.sourceVersion, known.filter((k) => k.package === app.package));
  if (!next.ok) return err({ message: `${app.package}: ${describeRebuildVersionError(next.error)}: no version of the rebuild would upgrade it`, exitCode: ExitCode.failed });
  const user = ctx.env.DEBFULLNAME !== undefined && ctx.env.DEBEMAIL !== undefined ? `${ctx.env.DEBFULLNAME} <${ctx.env.DEBEMAIL}>` : undefined;
  const changelog = binNmuChangelogEntry({
    source: app.source, version: next.value.version, distribution: environmentSuite(inputs.suites), arch, date: options.now,
    maintainer: user ?? app.maintainer ?? FALLBACK_MAINTAINER,
    updates: inputs.sources.flatMap((s) => (s.update === undefined ? [] : [{ source: s.source, to: s.version, from: s.update.from }])),
  });
  return ok({
    package: app.package, oldVersion: app.version, newVersion: next.value.version, changelog,
    ...(next.value.after === undefined ? {} : { after: next.value.after }),
  });
}

/** Every version of every package in the local repository, the output repository and each `--against-repo`. */
async function knownVersions(options: RebuildPlanOptions, ctx: CliContext): Promise<Result<(KnownVersion & { package: string })[], Failure>> {
  const out: (KnownVersion & { package: string })[] = [];
  if (existsSync(options.paths.cacheRepo)) {
    const repo = await openRepo(options.paths.cacheRepo, { logger: ctx.log });
    const entries = repo.ok ? await repo.value.list() : repo;
    if (!entries.ok) return err({ message: `build cache ${options.paths.cacheRepo}: ${describeRepoError(entries.error)}`, exitCode: ExitCode.failed });
    for (const e of entries.value) for (const d of e.debs) out.push({ package: d.package, version: d.version, where: `the local repository, ${options.paths.cacheRepo}/${d.filename}` });
  }
  const listed = await listOutputRepo(options.paths.outputRepo);
  if (!listed.ok) return err({ message: `output repository ${options.paths.outputRepo}: ${describeOutputRepoError(listed.error)}`, exitCode: ExitCode.failed });
  for (const p of listed.value) out.push({ package: p.package, version: p.version, where: `the output repository, ${options.paths.outputRepo}/${p.filename}` });
  for (const location of options.againstRepos) {
    const read = await readAgainst(location);
    if (!read.ok) return err({ message: `--against-repo ${location}: ${describeEmbedsReadError(read.error)}`, exitCode: ExitCode.archive });
    for (const p of read.value.packages) out.push({ package: p.package, version: p.version, where: `--against-repo ${location}` });
  }
  return ok(out);
}

/** An apt repository (as `query --repo` reads it) or one Packages file (`Packages`, `Packages.xz`). */
async function readAgainst(location: string): Promise<Result<EmbedsRead, EmbedsReadError>> {
  const info = /^https?:/.test(location) ? undefined : await stat(location).catch(() => undefined);
  if (info?.isFile() !== true) return readRepoEmbeds(location);
  const data = await readFile(location);
  if (!location.endsWith('.xz')) return embedsOfText(data.toString('utf8'), location);
  const plain = await runXz(data, 'decompress', DEFAULT_XZ_PATH);
  if (!plain.ok) return err({ reason: 'malformed-index', xz: plain.error, location: { file: location } });
  return embedsOfText(plain.value.toString('utf8'), location);
}

/**
 * The suite each pinned version is read from: the first of the build's suites whose Sources has
 * it. A version none of them has is an error now, not a solver failure after the first builds.
 */
async function locateSources(inputs: RebuildTargetInputs, options: RebuildPlanOptions, ctx: CliContext): Promise<Result<LocatedSource[], Failure>> {
  const archive = await openArchiveFromArgs({ suite: [...inputs.suites], mirror: options.mirror, offline: options.offline }, ctx);
  if (!archive.ok) return archive;
  const records = archive.value.index.sources;
  const out: LocatedSource[] = [];
  const missing: string[] = [];
  for (const s of inputs.sources) {
    const suite = inputs.suites.find((suiteName) => records.some((r) => r.suite === suiteName && r.package === s.source && sameVersion(r.version, s.version)));
    if (suite === undefined) missing.push(`${s.source} ${s.version}`);
    out.push({ ...s, ...(suite === undefined ? {} : { suite }) });
  }
  if (missing.length > 0) {
    return err({
      message: `not in the suites the rebuild reads (${inputs.suites.join(', ')}): ${missing.join(', ')}; ` +
        'give the suite an update comes from with --suite', exitCode: ExitCode.archive,
    });
  }
  return ok(out);
}

function sameVersion(a: string, b: string): boolean {
  if (a === b) return true;
  const c = compareVersionStrings(a, b);
  return c.ok && c.value === 0;
}
