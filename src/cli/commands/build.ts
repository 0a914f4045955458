// `stubforge build <target> --arch <name>`: every library of the target's plan built once, static,
// for the partial arch, and published as `-cross` packages into the local repository (which is the
// cache: a key already published is not built again). docs/building.md.
import { randomBytes } from 'node:crypto';
import { readFile, rm, rmdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Archive } from '../../archive/archive.js';
import type { PartialArch } from '../../arch/arch-file.js';
import { openRepo, type AptRepo } from '../../cache/apt-repo.js';
import { prepareNodeImages, probeHostGccInclude } from '../../executor/builders/build-image.js';
import { applicationBuilder } from '../../executor/builders/build-application.js';
import { libraryBuilder } from '../../executor/builders/build-library.js';
import { keyInputs, nodeKey, type BuildChoices } from '../../executor/scheduler/node-keys.js';
import { buildReportOf } from '../../executor/scheduler/build-report.js';
import { writeBuildReport } from './build-report-file.js';
import { failureHeadline, type ExecutorEvent } from '../../executor/scheduler/outcome.js';
import { runPlan, type NodeBuilder } from '../../executor/scheduler/run-plan.js';
import type { RunReport } from '../../executor/scheduler/outcome.js';
import { describeSkip, formatSummary } from '../../executor/scheduler/summary.js';
import { claimWorkDir, markWorkDirFinished, OWNER_FILE, sweepWorkDirs } from '../../executor/scheduler/work-sweep.js';
import { imagePlaceholdersUsed, type ImageFacts } from '../../executor/builders/toolchain-mapping.js';
import type { Logger } from '../../log/logger.js';
import { ProgressView } from '../../log/progress.js';
import { err, ok, type Result } from '../../model/result.js';
import { nodeImagePackages } from '../../plan/node-image.js';
import type { BuildPlan } from '../../plan/plan.js';
import { DEFAULT_STEP_CPU_SHARES, DEFAULT_STEP_PIDS_LIMIT, DEFAULT_STEP_SCRATCH_BYTES, type StepLimits } from '../../runtime/build-step.js';
import type { Mount, RuntimeError } from '../../runtime/container-runtime.js';
import { compareVersionStrings } from '../../version/index.js';
import { DockerRuntime } from '../../runtime/docker-runtime.js';
import { environmentPackages } from '../../runtime/env-spec.js';
import { createEnvironment, type EnvironmentError } from '../../runtime/environments.js';
import { newRunId } from '../../runtime/labels.js';
import { reapLeftovers } from '../../runtime/reaper.js';
import type { Failure } from '../archive-messages.js';
import type { CliCommand, CliContext } from '../command.js';
import { engineSocketOption, resolvePaths, type StubforgePaths } from '../config.js';
import { loadEnvironmentMirror, type MirrorError } from '../env-mirror.js';
import { ExitCode, exitCodeOfRepoError, exitCodeOfRun } from '../exit-codes.js';
import { describeRuntimeFailure } from '../runtime-messages.js';
import { listenForInterrupt } from '../signals.js';
import { BUILD_CHOICE_OPTIONS, BUILD_CHOICE_USAGE, builderIdentity, buildChoices, environmentSuite, type Builder } from './build-choices.js';
import { formatApplicationReport, toolName } from './application-report.js';
import { describeApplicationError } from '../application-messages.js';
import { describeStoreError } from '../cache-messages.js';
import { describeNodeFailure } from './build-failures.js';
import { planTarget, type PlannedTarget } from './planned-target.js';
import { fail, SOLVER_OPTIONS, SOLVER_USAGE, type SolverInputs } from './solver-inputs.js';
import { describeError } from '../../io/describe-error.js';
import { RUNTIME_OPTIONS, RUNTIME_USAGE } from '../../cluster/step-runtime.js';
import { chooseBuildSteps, type BuildSteps } from './build-steps.js';
import { describeRepoError } from '../cache-messages.js';

const USAGE = 'usage: stubforge build <target> [options]\n' +
  '  <target>           an application recipe (qemu-stubdom) or a source package name\n' +
  '  --jobs N           builds at a time (default: the number of cores); each build uses N jobs too\n' +
  '  --libraries-only   build the libraries of the plan, not the application\n' +
  '  --keep-going       after a failure, go on with work that does not depend on it\n' +
  '                     (default: start nothing new; running builds finish)\n' +
  '  --timeout MINUTES  wall-clock limit of one library build (default 60)\n' +
  '  --report FILE      write what each node came to (JSON, stubforge-build-report 1) when the run ends\n' +
  `  --pids-limit N     processes and threads of one build container at once (default ${DEFAULT_STEP_PIDS_LIMIT})\n` +
  `  --scratch-limit GB disk one build may fill: source copy, build dir, output, /tmp (default ${DEFAULT_STEP_SCRATCH_BYTES / 1024 ** 3})\n` +
  `  --cpu-shares N     CPU weight of build containers against other containers (default ${DEFAULT_STEP_CPU_SHARES}; the engine's own is 1024)\n` +
  '  --application-version V    the application package\'s version (rebuild gives the next ~stubforgeN)\n' +
  '  --application-changelog F  a changelog stanza (file F) put on top of the package\'s changelog\n' +
  RUNTIME_USAGE + BUILD_CHOICE_USAGE + SOLVER_USAGE;

const DEFAULT_TIMEOUT_MINUTES = 60;

interface BuildArgs {
  readonly target: string;
  readonly values: ReturnType<typeof parse>['values'];
  readonly jobs: number;
  readonly timeoutMs: number;
  readonly limits: StepLimits;
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv], allowPositionals: true,
    options: {
      ...SOLVER_OPTIONS, ...BUILD_CHOICE_OPTIONS, ...RUNTIME_OPTIONS,
      jobs: { type: 'string', short: 'j' }, 'libraries-only': { type: 'boolean' }, 'keep-going': { type: 'boolean' },
      timeout: { type: 'string' }, report: { type: 'string' }, 'pids-limit': { type: 'string' }, 'cpu-shares': { type: 'string' }, 'scratch-limit': { type: 'string' },
      'application-version': { type: 'string' }, 'application-changelog': { type: 'string' },
    },
  });
}

function readArgs(argv: readonly string[]): Result<BuildArgs | 'help', Failure> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    return err({ message: `${describeError(error)}\n${USAGE}`, exitCode: ExitCode.usage });
  }
  const { values, positionals } = parsed;
  if (values.help === true) return ok('help');
  const [target, ...extra] = positionals;
  if (target === undefined || extra.length > 0) return err({ message: `one target is needed\n${USAGE}`, exitCode: ExitCode.usage });
  const jobs = values.jobs === undefined ? availableParallelism() : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) return err({ message: `--jobs ${values.jobs ?? ''}: expected a positive integer`, exitCode: ExitCode.usage });
  const minutes = values.timeout === undefined ? DEFAULT_TIMEOUT_MINUTES : Number(values.timeout);
  if (!Number.isFinite(minutes) || minutes <= 0) return err({ message: `--timeout ${values.timeout ?? ''}: expected minutes > 0`, exitCode: ExitCode.usage });
  const pidsLimit = values['pids-limit'] === undefined ? DEFAULT_STEP_PIDS_LIMIT : Number(values['pids-limit']);
  if (!Number.isInteger(pidsLimit) || pidsLimit < 16) return err({ message: `--pids-limit ${values['pids-limit'] ?? ''}: expected an integer of at least 16`, exitCode: ExitCode.usage });
  const cpuShares = values['cpu-shares'] === undefined ? DEFAULT_STEP_CPU_SHARES : Number(values['cpu-shares']);
  if (!Number.isInteger(cpuShares) || cpuShares < 2 || cpuShares > 262144) return err({ message: `--cpu-shares ${values['cpu-shares'] ?? ''}: expected an integer from 2 to 262144`, exitCode: ExitCode.usage });
  const scratchGb = values['scratch-limit'] === undefined ? DEFAULT_STEP_SCRATCH_BYTES / 1024 ** 3 : Number(values['scratch-limit']);
  if (!Number.isFinite(scratchGb) || scratchGb <= 0) return err({ message: `--scratch-limit ${values['scratch-limit'] ?? ''}: expected GiB > 0`, exitCode: ExitCode.usage });
  return ok({ target, values, jobs, timeoutMs: Math.round(minutes * 60_000), limits: { pidsLimit, cpuShares, scratchBytes: Math.round(scratchGb * 1024 ** 3) } });
}

/** The plan, as `stubforge plan` makes it (same inputs, memo, solver and planner). */
async function makePlan(args: BuildArgs, ctx: CliContext): Promise<Result<{ plan: BuildPlan; inputs: SolverInputs; archive: PlannedTarget['archive']; suites: readonly string[] }, Failure>> {
  const planned = await planTarget(args.target, args.values, ctx);
  if (!planned.ok) return planned;
  const { outcome, inputs, archive, suites } = planned.value;
  if (outcome.kind === 'unsolvable') {
    const { describeProblem } = await import('../../solver/describe.js');
    const problems = outcome.problems.map((p) => describeProblem(p).join('\n'));
    return err({ message: `no plan for ${args.target} on ${inputs.arch.name}: ${problems.length} problem(s)\n${problems.join('\n')}`, exitCode: ExitCode.unsolvable });
  }
  if (outcome.kind === 'cycle') return err({ message: `dependency cycle among ${outcome.remaining.join(', ')}`, exitCode: ExitCode.unsolvable });
  return ok({ plan: outcome.plan, inputs, archive, suites });
}

/**
 * A builder that opens the archive for its first build: the indices are read only when a node is
 * built, so a build whose every node is cached reads none (a plan from the memo needs none).
 */
function withArchive(archive: PlannedTarget['archive'], make: (archive: Archive) => NodeBuilder): NodeBuilder {
  let builder: NodeBuilder | undefined;
  return async (node, context) => {
    const opened = await archive();
    if (!opened.ok) return { status: 'failed', failure: { reason: 'archive', error: opened.error } };
    builder ??= make(opened.value);
    return builder(node, context);
  };
}

/** The environment `stubforge env create` would make, for a build on a fresh machine. */
async function createMissingEnvironment(runtime: DockerRuntime, arch: PartialArch, suite: string, mirrorArg: string | undefined, ctx: CliContext, signal: AbortSignal): Promise<Result<unknown, MirrorError | EnvironmentError>> {
  const found = mirrorArg === undefined ? await loadEnvironmentMirror(suite) : ok({ mirror: mirrorArg, extraSources: [] });
  if (!found.ok) return found;
  ctx.stderr.write(`creating the build environment for ${suite} ${arch.name} (once; about a minute)\n`);
  return await createEnvironment({
    suite, arch: arch.name, packages: environmentPackages(arch),
    mirror: found.value.mirror, extraSources: found.value.extraSources, origin: arch.location,
  }, runtime, ctx.log, { signal });
}

function followEvents(view: ProgressView, log: Logger): (event: ExecutorEvent) => void {
  return (event) => {
    const plog = log.child({ package: event.node.source });
    switch (event.kind) {
      case 'cached':
        view.finish(event.node.source, { ok: true, cached: true });
        plog.info({ key: event.key }, 'node cached');
        break;
      case 'started':
        view.start(event.node.source);
        plog.info({ key: event.key }, 'node started');
        break;
      case 'built':
        view.finish(event.node.source, { ok: true });
        plog.info({
          key: event.key, durationMs: Math.round(event.durationMs), logFile: event.logFile,
          stepMs: Math.round(event.timing.stepMs), ...(event.timing.scriptMs === undefined ? {} : { scriptMs: Math.round(event.timing.scriptMs) }),
        }, 'node built');
        break;
      case 'failed':
        view.finish(event.node.source, { ok: false, reason: failureHeadline(event.failure) });
        plog.info({ key: event.key, reason: event.failure.reason, logFile: event.logFile }, 'node failed');
        break;
      case 'skipped':
        plog.info({ because: describeSkip(event.because) }, 'node skipped');
        break;
      case 'not-built':
        plog.info({ reason: event.reason }, 'node not built');
        break;
    }
  };
}

async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const args = readArgs(argv);
  if (!args.ok) return fail(ctx, 'build', args.error);
  if (args.value === 'help') {
    ctx.stdout.write(USAGE);
    return ExitCode.ok;
  }
  const a = args.value;
  const made = await makePlan(a, ctx);
  if (!made.ok) return fail(ctx, 'build', made.error);
  const choices: Result<BuildChoices, Failure> = await withApplicationRelease(buildChoices(a.values['allow-orig-only'], made.value.plan), a.values, ctx);
  if (!choices.ok) return fail(ctx, 'build', choices.error);
  // Every key names the builder: stubforge's build code and a user-supplied toolchain tree.
  const packagesApplication = a.values['libraries-only'] !== true && made.value.plan.nodes.some((n) => n.kind === 'application');
  const builder = await builderIdentity(made.value.inputs.arch, ctx, packagesApplication);
  if (!builder.ok) return fail(ctx, 'build', builder.error);
  const paths = resolvePaths(ctx.env, ctx.cwd);

  const runtime = new DockerRuntime(engineSocketOption(ctx.env));
  const ready = await readyEngine(runtime, paths, ctx);
  if (!ready.ok) return fail(ctx, 'build', describeRuntimeFailure(ready.error));
  // Where steps run: the local engine, or a Swarm whose capacity sets the concurrency.
  const steps = await chooseBuildSteps(a.values, a.jobs, runtime, engineSocketOption(ctx.env).socketPath, ctx);
  if (!steps.ok) return fail(ctx, 'build', steps.error);
  const interrupt = listenForInterrupt();
  try {
    return await buildOnEngine({ a, ...made.value, choices: choices.value, builder: builder.value, paths, runtime, steps: steps.value, signal: interrupt.signal }, ctx);
  } finally {
    await steps.value.close();
    interrupt.dispose();
  }
}

async function readyEngine(runtime: DockerRuntime, paths: StubforgePaths, ctx: CliContext): Promise<Result<void, RuntimeError>> {
  const ping = await runtime.ping();
  if (!ping.ok) return ping;
  // Containers a crashed run left behind go first (their labels name their owner process).
  const reaped = await reapLeftovers(runtime, { log: ctx.log });
  if (!reaped.ok) return reaped;
  // And their work folders (for QEMU, a whole build tree each).
  await sweepWorkDirs(join(paths.stateDir, 'work'), ctx.log);
  return ok(undefined);
}

/** A build whose plan, choices and builder are settled and whose engine answers. */
interface BuildRun {
  readonly a: BuildArgs;
  readonly plan: BuildPlan;
  readonly inputs: SolverInputs;
  readonly archive: PlannedTarget['archive'];
  readonly suites: readonly string[];
  readonly choices: BuildChoices;
  readonly builder: Builder;
  readonly paths: StubforgePaths;
  readonly runtime: DockerRuntime;
  readonly steps: BuildSteps;
  readonly signal: AbortSignal;
}

async function buildOnEngine(r: BuildRun, ctx: CliContext): Promise<number> {
  const { a, plan, inputs, paths, runtime } = r;
  const librariesOnly = a.values['libraries-only'] === true;
  const runId = newRunId(new Date(), process.pid, randomBytes(3).toString('hex'));
  const suite = environmentSuite(a.values.suite);
  const nodes = librariesOnly ? plan.nodes.filter((n) => n.kind === 'library') : plan.nodes;
  // Each node builds in the environment plus its own native tools (docs/building.md, "Build images").
  const packages = nodeImagePackages(plan);
  const images = await prepareNodeImages(runtime, ctx.log, {
    suite, arch: inputs.arch.name, runId, signal: r.signal,
    packagesByNode: new Map(nodes.map((n) => [n.source, packages.get(n.source) ?? plan.toolchainPackages])),
    createEnvironment: () => createMissingEnvironment(runtime, inputs.arch, suite, a.values.mirror, ctx, r.signal),
  });
  if (!images.ok) return fail(ctx, 'build', describeRuntimeFailure(images.error));
  const imageOf = (source: string): string => {
    const image = images.value.get(source);
    // Every node run has its image prepared above; a missing one would be a bug here.
    if (image === undefined) throw new Error(`build image of ${source} was not prepared`);
    return image.digest;
  };
  // The toolchain is in every node's image: any of them answers the toolchain's questions.
  const anyImage = [...images.value.values()][0];
  if (anyImage === undefined) return fail(ctx, 'build', { message: `${plan.target}: no node to build`, exitCode: ExitCode.usage });
  const facts = await imageFacts(inputs, anyImage.digest, runtime, runId, ctx);
  if (!facts.ok) return fail(ctx, 'build', facts.error);
  const repo = await openRepo(paths.repoDir, { logger: ctx.log });
  if (!repo.ok) return fail(ctx, 'build', { message: `repository ${paths.repoDir}: ${describeRepoError(repo.error)}`, exitCode: exitCodeOfRepoError(repo.error) });

  const logDir = join(paths.stateDir, 'logs', runId);
  const workDir = join(paths.stateDir, 'work', runId);
  await claimWorkDir(workDir);
  const view = new ProgressView({ out: ctx.stdout, isTTY: ctx.isTTY, total: nodes.length });
  // The user's name when given (as dch takes it); else each package keeps its source's Maintainer.
  const maintainer = ctx.env.DEBFULLNAME !== undefined && ctx.env.DEBEMAIL !== undefined ? `${ctx.env.DEBFULLNAME} <${ctx.env.DEBEMAIL}>` : undefined;
  ctx.stdout.write(`building ${plan.target} for ${plan.arch}: ${nodes.length} node(s), ${new Set([...images.value.values()].map((i) => i.digest)).size} build image(s) on ${anyImage.env}, ${r.steps.jobs} job(s) on the ${r.steps.describe}\n`);
  const buildSettings = {
    arch: inputs.arch, imageFacts: facts.value.facts, recipes: inputs.recipes,
    cacheDir: paths.cacheDir, repo: repo.value, runtime: r.steps.runtime, imageOf,
    workDir, logDir, runId, jobs: a.jobs, choices: r.choices, suites: r.suites, ...(maintainer === undefined ? {} : { maintainer }),
    timeoutMs: a.timeoutMs, limits: a.limits, extraMounts: facts.value.mounts, log: ctx.log, describeStoreError,
  };
  const report = await runPlan({
    plan, jobs: r.steps.jobs, keepGoing: a.values['keep-going'] === true, signal: r.signal,
    include: (n) => !librariesOnly || n.kind === 'library',
    keyOf: (node, deps) => nodeKey(keyInputs(plan, node, imageOf(node.source), r.builder.identity, deps), r.choices, node.kind),
    lookup: (key) => repo.value.lookup(key),
    builders: {
      library: withArchive(r.archive, (opened) => libraryBuilder({ ...buildSettings, archive: opened })),
      application: withArchive(r.archive, (opened) => applicationBuilder({
        ...buildSettings, archive: opened, baseEnv: { PATH: ctx.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' }, tool: toolName(), describeError: describeApplicationError, coordinatorRuntime: runtime,
        ...(facts.value.facts.toolchainRoot === undefined ? {} : { toolchainRoot: facts.value.facts.toolchainRoot }),
        ...(r.builder.components === undefined ? {} : { treeComponents: r.builder.components }),
        ...releaseSettings(r.choices),
      })),
    },
    onEvent: followEvents(view, ctx.log),
  });
  view.close();
  return finishRun(r, { report, repo: repo.value, logDir, workDir, librariesOnly }, ctx);
}

/** The work area closed, the summary and the application report printed, the `--report` file written. */
async function finishRun(r: BuildRun, done: { report: RunReport; repo: AptRepo; logDir: string; workDir: string; librariesOnly: boolean }, ctx: CliContext): Promise<number> {
  const { plan, a } = r;
  const { report, repo, logDir, workDir, librariesOnly } = done;
  // Only the outputs of failed static checks stay in the run's work area (the summary names
  // them); the mark keeps the sweep of unfinished runs' folders away from them.
  await rm(join(workDir, OWNER_FILE), { force: true });
  await rmdir(workDir).catch(() => markWorkDirFinished(workDir));
  const count = (status: string): number => report.outcomes.filter((o) => o.status === status).length;
  ctx.log.info({
    target: plan.target, arch: plan.arch, makespanMs: Math.round(report.makespanMs), built: count('built'), cached: count('cached'),
    failed: count('failed'), skipped: count('skipped'), interrupted: report.interrupted,
  }, 'build finished');
  ctx.stdout.write(`\n${formatSummary(plan, report, { repoDir: repo.root, logDir, describeFailure: describeNodeFailure, librariesOnly })}`);
  ctx.stdout.write(formatApplicationReport(report, (deb) => repo.pathOf(deb)));
  const exitCode = exitCodeOfRun(report);
  const reportFile = a.values.report;
  if (reportFile !== undefined) {
    const written = await writeBuildReport(resolve(ctx.cwd, reportFile), buildReportOf({
      target: plan.target, arch: plan.arch, exitCode, jobs: a.jobs, run: report, describeFailure: describeNodeFailure,
      describeSkip: (o) => (o.status === 'skipped' ? describeSkip(o.because) : o.status === 'not-built' ? o.notBuilt : undefined),
    }));
    if (!written.ok) return fail(ctx, 'build', { message: written.error, exitCode: ExitCode.failed });
  }
  return exitCode;
}

/** `--application-version`/`--application-changelog`: the release `rebuild` gives the application (part of its key). */
async function withApplicationRelease(choices: Result<BuildChoices, Failure>, values: BuildArgs['values'], ctx: CliContext): Promise<Result<BuildChoices, Failure>> {
  if (!choices.ok) return choices;
  const version = values['application-version'];
  const file = values['application-changelog'];
  if (version === undefined) {
    return file === undefined ? choices : err({ message: '--application-changelog needs --application-version', exitCode: ExitCode.usage });
  }
  const valid = compareVersionStrings(version, version);
  if (!valid.ok) return err({ message: `--application-version ${version}: ${valid.error.message}`, exitCode: ExitCode.usage });
  let changelog: string | undefined;
  if (file !== undefined) {
    try {
      changelog = await readFile(resolve(ctx.cwd, file), 'utf8');
    } catch (error: unknown) {
      return err({ message: `--application-changelog ${file}: ${describeError(error)}`, exitCode: ExitCode.usage });
    }
  }
  return ok({ ...choices.value, applicationRelease: { version, ...(changelog === undefined ? {} : { changelog }) } });
}

function releaseSettings(choices: BuildChoices): { version?: string; changelogEntry?: string } {
  const r = choices.applicationRelease;
  if (r === undefined) return {};
  return { version: r.version, ...(r.changelog === undefined ? {} : { changelogEntry: r.changelog }) };
}

/** What the drivers need to know about the image: dpkg's view of the build arch, gcc's include dir, a toolchain tree. */
async function imageFacts(inputs: SolverInputs, image: string, runtime: DockerRuntime, runId: string, ctx: CliContext): Promise<Result<{ facts: ImageFacts; mounts: Mount[] }, Failure>> {
  const arch = inputs.arch;
  const buildTriplet = inputs.table.gnuTriplet(arch.buildArchitecture);
  const buildMultiarch = inputs.table.multiarchTriplet(arch.buildArchitecture);
  if (buildTriplet === undefined || buildMultiarch === undefined) {
    return err({ message: `dpkg's tables do not know the build architecture ${arch.buildArchitecture} of ${arch.name}`, exitCode: ExitCode.usage });
  }
  const used = imagePlaceholdersUsed(arch);
  const mounts: Mount[] = [];
  let toolchainRoot: string | undefined;
  if (arch.toolchain.kind === 'user-tree') {
    toolchainRoot = ctx.env[arch.toolchain.variable];
    if (toolchainRoot === undefined || toolchainRoot === '') {
      return err({ message: `${arch.name} needs its toolchain tree: set ${arch.toolchain.variable} to the rumprun install directory`, exitCode: ExitCode.usage });
    }
    // Mounted as built: its wrappers name their own absolute path.
    mounts.push({ source: toolchainRoot, target: toolchainRoot, readOnly: true });
  }
  let hostGccInclude: string | undefined;
  if (used.has('HOST_GCC_INCLUDE')) {
    const probed = await probeHostGccInclude(runtime, image, runId);
    if (!probed.ok) return err(describeRuntimeFailure(probed.error));
    hostGccInclude = probed.value;
  }
  return ok({
    facts: {
      buildTriplet, buildMultiarch, ...(hostGccInclude === undefined ? {} : { hostGccInclude }), ...(toolchainRoot === undefined ? {} : { toolchainRoot }),
    },
    mounts,
  });
}

export const command: CliCommand = {
  summary: 'build every library of a target once, static, for a partial arch, into the local apt repository',
  run,
};
