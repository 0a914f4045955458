// `stubforge rebuild --updated SRC=VERSION | --from-suite SUITE [--yes]`: what a source update makes
// stale, from the recorded provenance (build cache + output repository), shown as a plan; with
// `--yes`, rebuilt — each affected target built with the update pinned and every other source
// pinned to the version recorded, so everything outside the set is a cache hit, and the run says
// so. Applications get their next `~stubforge<N>` version and a binNMU-style changelog stanza.
// docs/security-workflow.md.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { commandArgs } from '../command-args.js';
import { DEFAULT_SUITES } from '../../archive/suites.js';
import { affectedSet, currentLibraries, parseUpdateArg, updatesFromSuite, type AffectedSet, type ProvenanceGraph, type SourceUpdate } from '../../plan/affected.js';
import { err, ok, type Result } from '../../model/result.js';
import { newRunId } from '../../runtime/labels.js';
import { describeAffectedError } from '../affected-messages.js';
import type { Failure } from '../archive-messages.js';
import { openArchiveFromArgs } from '../archive-options.js';
import type { CliCommand, CliContext } from '../command.js';
import { projectRoot } from '../config.js';
import { ExitCode, exitCodeOfAffectedError, exitCodeOfChildBuild } from '../exit-codes.js';
import { listenForInterrupt } from '../signals.js';
import { runBuildChild } from './batch-runner.js';
import { planRebuildTargets } from './rebuild-plan.js';
import { buildArguments, checkRebuild, formatAffected, formatCheck, type PlannedTarget } from './rebuild-report.js';
import { fail } from './solver-inputs.js';
import { loadProvenance, OUTPUT_REPO_USAGE, securityPaths } from './security-inputs.js';
import { RUNTIME_OPTIONS, RUNTIME_USAGE, runtimeBuildArgs } from '../../cluster/step-runtime.js';
import { engineSocketOption } from '../config.js';
import { childRuntimeOptions, describeStepRuntimeError } from './build-steps.js';

const USAGE = 'usage: stubforge rebuild (--updated SRC=VERSION ... | --from-suite SUITE) [options] [-- build options]\n' +
  '  --updated SRC=VER  the source SRC has a fix in version VER (repeatable)\n' +
  '  --from-suite S     every built source the archive\'s suite S has in a newer version (bookworm-security)\n' +
  '  --suite S          where the update comes from (repeatable): read after the suites recorded in what\n' +
  '                     is rebuilt, for the updated sources (every other source keeps its recorded version)\n' +
  '  --against-repo R   an apt repository (directory or URL) or Packages file the rebuilt packages must\n' +
  '                     upgrade too (repeatable): their versions sort after every version R has\n' +
  '  --arch NAME        only this partial arch (default: every arch the provenance records)\n' +
  '  --yes              build (default: show the plan only)\n' +
  '  --jobs N           --jobs of each build (default: the number of cores, or the Swarm\'s capacity)\n' +
  RUNTIME_USAGE.replace(/where build steps run/, 'where every build\'s steps run') +
  OUTPUT_REPO_USAGE +
  'exit status: 0 plan shown or rebuild done, 1 a build failed or built outside the affected set,\n' +
  '             2 usage, 3 nothing recorded embeds the source, 4 a version is not in the suites read, 130 interrupted\n';

async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const split = argv.indexOf('--');
  const common = split < 0 ? [] : argv.slice(split + 1);
  const parsed = commandArgs('rebuild', USAGE, {
    args: [...(split < 0 ? argv : argv.slice(0, split))], allowPositionals: false,
    options: {
      updated: { type: 'string', multiple: true }, 'from-suite': { type: 'string' }, suite: { type: 'string', multiple: true },
      arch: { type: 'string' }, yes: { type: 'boolean' }, jobs: { type: 'string' }, 'output-repo': { type: 'string' }, help: { type: 'boolean' },
      'against-repo': { type: 'string', multiple: true }, mirror: { type: 'string' }, offline: { type: 'boolean' }, ...RUNTIME_OPTIONS,
    },
  } as const, ctx, { blankLineAfterUsage: true });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const fromSuite = values['from-suite'];
  if ((values.updated === undefined) === (fromSuite === undefined)) return fail(ctx, 'rebuild', { message: `give --updated or --from-suite\n${USAGE}`, exitCode: ExitCode.usage });
  const runtimeArgs = { runtime: values.runtime, registry: values.registry, placement: values.placement };
  const runtimeChecked = runtimeBuildArgs(runtimeArgs);
  if (!runtimeChecked.ok) return fail(ctx, 'rebuild', describeStepRuntimeError(runtimeChecked.error));
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) return fail(ctx, 'rebuild', { message: `--jobs ${values.jobs ?? ''}: expected a positive integer`, exitCode: ExitCode.usage });
  // Where the updates come from; everything else is read from the suites recorded in what is rebuilt.
  const updateSuites = [...(values.suite ?? []), ...(fromSuite === undefined || values.suite?.includes(fromSuite) === true ? [] : [fromSuite])];

  const paths = securityPaths(ctx, values['output-repo']);
  const loaded = await loadProvenance(paths, ctx);
  if (!loaded.ok) return fail(ctx, 'rebuild', loaded.error);
  for (const p of loaded.value.problems) ctx.stderr.write(`stubforge rebuild: ${p}\n`);
  const graph = onlyArch(loaded.value.graph, values.arch);

  const updates = fromSuite === undefined ? parseUpdates(values.updated ?? []) : await suiteUpdates(graph, fromSuite, values, ctx);
  if (!updates.ok) return fail(ctx, 'rebuild', updates.error);
  if (updates.value.length === 0) {
    ctx.stdout.write(`nothing to rebuild: ${fromSuite ?? 'the archive'} has no newer version of any built source\n`);
    return ExitCode.ok;
  }
  const set = affectedSet(graph, updates.value);
  if (!set.ok) return fail(ctx, 'rebuild', { message: describeAffectedError(set.error), exitCode: exitCodeOfAffectedError(set.error) });
  const targets = await planRebuildTargets(set.value, graph, {
    paths, updateSuites, fallbackSuites: DEFAULT_SUITES, againstRepos: values['against-repo'] ?? [], mirror: values.mirror, offline: values.offline, now: new Date(),
  }, ctx);
  if (!targets.ok) return fail(ctx, 'rebuild', targets.error);
  ctx.stdout.write(formatAffected(set.value, targets.value));
  if (values.yes !== true) {
    ctx.stdout.write('\ndry run: nothing built (--yes builds)\n');
    return ExitCode.ok;
  }
  const archiveArgs = [...(values.mirror === undefined ? [] : ['--mirror', values.mirror]), ...(values.offline === true ? ['--offline'] : [])];
  const steps = await childRuntimeOptions(runtimeArgs, engineSocketOption(ctx.env).socketPath);
  if (!steps.ok) return fail(ctx, 'rebuild', steps.error);
  const buildJobs = jobs ?? steps.value.capacity ?? availableParallelism();
  return build(set.value, targets.value, { common: [...archiveArgs, ...steps.value.args, ...common], jobs: buildJobs, stateDir: paths.stateDir }, ctx);
}

function onlyArch(graph: ProvenanceGraph, arch: string | undefined): ProvenanceGraph {
  if (arch === undefined) return graph;
  return { libraries: graph.libraries.filter((l) => l.arch === arch), applications: graph.applications.filter((a) => a.arch === arch) };
}

function parseUpdates(args: readonly string[]): Result<SourceUpdate[], Failure> {
  const out: SourceUpdate[] = [];
  for (const a of args) {
    const u = parseUpdateArg(a);
    if (!u.ok) return err({ message: `--updated ${u.error}`, exitCode: ExitCode.usage });
    out.push(u.value);
  }
  return ok(out);
}

/** The newer versions one suite of the archive has of the sources built. */
async function suiteUpdates(graph: ProvenanceGraph, suite: string, values: { mirror?: string | undefined; offline?: boolean | undefined }, ctx: CliContext): Promise<Result<SourceUpdate[], Failure>> {
  const archive = await openArchiveFromArgs({ suite: [suite], mirror: values.mirror, offline: values.offline }, ctx);
  if (!archive.ok) return archive;
  const current = currentLibraries(graph.libraries);
  if (!current.ok) return err({ message: describeAffectedError(current.error), exitCode: ExitCode.failed });
  const available = archive.value.index.sources.filter((s) => s.suite === suite).map((s) => ({ source: s.package, version: s.version }));
  const updates = updatesFromSuite(current.value, available);
  return updates.ok ? ok(updates.value) : err({ message: describeAffectedError(updates.error), exitCode: ExitCode.archive });
}

async function build(set: AffectedSet, targets: readonly PlannedTarget[], options: { common: readonly string[]; jobs: number; stateDir: string }, ctx: CliContext): Promise<number> {
  const runDir = join(options.stateDir, 'rebuild', newRunId(new Date(), process.pid, randomBytes(3).toString('hex')));
  await mkdir(runDir, { recursive: true });
  const interrupt = listenForInterrupt();
  let exit: number = ExitCode.ok;
  try {
    for (const t of targets) {
      const logFile = join(runDir, `${t.target}@${t.arch}.log`);
      const release: string[] = [];
      if (t.application !== undefined) {
        // Kept with the run's records; the build puts the stanza on top of the package's changelog.
        const changelog = join(runDir, `${t.application.package}.changelog`);
        await writeFile(join(runDir, `${t.application.package}.version`), `${t.application.newVersion}\n`);
        await writeFile(changelog, t.application.changelog);
        release.push('--application-version', t.application.newVersion, '--application-changelog', changelog);
      }
      const argv = [
        join(projectRoot(), 'bin', 'stubforge.js'), 'build', t.target, ...buildArguments(t), '--jobs', String(options.jobs),
        ...release, ...options.common,
      ];
      ctx.stdout.write(`\nbuilding ${t.target} for ${t.arch} (log ${logFile})\n`);
      const ran = await runBuildChild(argv, logFile, ctx, interrupt.signal);
      const check = checkRebuild(set, t.arch, ran.nodes);
      ctx.stdout.write(formatCheck(t, check));
      if (ran.code !== 0) {
        ctx.stdout.write(`  build exited ${String(ran.code ?? ran.failure)}: see ${logFile}\n`);
        exit = exitCodeOfChildBuild(ran.code);
        if (interrupt.signal.aborted) break;
      } else if (check.unexpected.length > 0) {
        exit = ExitCode.failed;
      }
    }
  } finally {
    interrupt.dispose();
  }
  ctx.stdout.write(`\nrebuild ${exit === ExitCode.ok ? 'done' : 'incomplete'}: records in ${runDir}\n`);
  return exit;
}

export const command: CliCommand = {
  summary: 'what a source update makes stale (from the recorded provenance), and rebuild exactly that with --yes',
  run,
};
