// One build step in a fresh container, the way sbuild isolates a build: a non-root user, no
// network, the unpacked source read-only (copied into a writable build dir inside the step), the
// staged closure of its dependencies read-only, a writable output dir, a wall-clock timeout and a
// memory limit. The output is handed back only when the step succeeds: the container writes into
// `<output>.partial-*`, which is renamed to `<output>` on success and deleted otherwise, so nothing
// a failed, timed-out or interrupted step wrote can later pass for a result.
import { chmod, chown, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { ok, err, type Result } from '../model/result.js';
import type { SourceLocation } from '../model/location.js';
import type { ContainerRuntime, Mount, RuntimeError, StepOutcome } from './container-runtime.js';
import type { StubforgeLabels } from './labels.js';
import { watchScratch } from './scratch-watch.js';
import { StepLogFile, packageLogger, type StepEndRecord } from './step-log.js';
import { describeError } from '../io/describe-error.js';
import { exists, isErrno } from '../io/errno.js';

/** Where things are inside a build step's container. */
export const STEP_PATHS = {
  source: '/src',
  deps: '/deps',
  build: '/build',
  output: '/out',
} as const;

/** The build user every environment has (docker/env/Dockerfile). */
export const BUILD_USER = '1000:1000';
export const DEFAULT_STEP_MEMORY_BYTES = 8 * 1024 ** 3;
/** Processes and threads of one build at once: make -j with compilers in parallel uses a few hundred. */
export const DEFAULT_STEP_PIDS_LIMIT = 4096;
/** Half the engine's default weight: under contention, builds yield to the machine's other work. */
export const DEFAULT_STEP_CPU_SHARES = 512;

/** Disk one build may fill (source copy, build dir, output, /tmp together). */
export const DEFAULT_STEP_SCRATCH_BYTES = 64 * 1024 ** 3;
/** How often the scratch space is measured. */
const SCRATCH_CHECK_MS = 10_000;

/** Limits of one build container besides memory and time (`build --pids-limit/--cpu-shares/--scratch-limit`). */
export interface StepLimits {
  readonly pidsLimit?: number;
  readonly cpuShares?: number;
  readonly scratchBytes?: number;
}

export interface BuildStepSpec {
  /** Environment image: its digest, preferably, so the step runs exactly what the key names. */
  readonly image: string;
  /** Run in STEP_PATHS.build after the source has been copied there. */
  readonly cmd: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Unpacked source on the host; mounted read-only at STEP_PATHS.source. */
  readonly sourceDir?: string;
  /** Staged closure of the target dependencies; mounted read-only at STEP_PATHS.deps. */
  readonly depsDir?: string;
  /** Further read-only mounts (e.g. a user's rumprun tree). */
  readonly extraMounts?: readonly Mount[];
  /** Final place of the output; must not exist yet. STEP_PATHS.output inside the container. */
  readonly outputDir: string;
  /** Default `<outputDir>.log`: beside the result, kept on failure too. */
  readonly logFile?: string;
  /** Where the writable build dir is made; default the output's folder. */
  readonly scratchRoot?: string;
  readonly timeoutMs: number;
  readonly memoryBytes?: number;
  readonly limits?: StepLimits;
  readonly user?: string;
  readonly labels: Omit<StubforgeLabels, 'kind'>;
}

export interface BuildStepDeps {
  readonly runtime: ContainerRuntime;
  readonly log: Logger;
  /** Aborting stops and removes the container; the CLI wires SIGINT/SIGTERM to it. */
  readonly signal?: AbortSignal;
}

export interface BuildStepSuccess {
  readonly outputDir: string;
  readonly logFile: string;
  readonly outcome: StepOutcome;
}

interface StepFailureBase {
  readonly package: string;
  readonly logFile: string;
  readonly logTail: readonly string[];
  readonly location: SourceLocation;
}

export type BuildStepError =
  | RuntimeError
  | ({ readonly reason: 'step-failed'; readonly exitCode: number } & StepFailureBase)
  | ({ readonly reason: 'timeout'; readonly timeoutMs: number } & StepFailureBase)
  | ({ readonly reason: 'out-of-memory'; readonly memoryBytes: number } & StepFailureBase)
  /** SIGKILLed where the runtime cannot tell by what: the memory limit, or a kill inside the step. */
  | ({ readonly reason: 'killed'; readonly memoryBytes: number } & StepFailureBase)
  | ({ readonly reason: 'scratch-exceeded'; readonly scratchBytes: number; readonly usedBytes: number } & StepFailureBase)
  | { readonly reason: 'output-exists'; readonly outputDir: string; readonly location: SourceLocation }
  | { readonly reason: 'io-error'; readonly path: string; readonly detail: string; readonly location: SourceLocation };

/** The step's command, preceded by copying the read-only source into the writable build dir. */
export function wrapStepCommand(cmd: readonly string[], copySource: boolean): string[] {
  const copy = copySource ? `cp -R --preserve=mode,timestamps,links ${STEP_PATHS.source}/. ${STEP_PATHS.build}/ && ` : '';
  return ['/bin/sh', '-c', `${copy}cd ${STEP_PATHS.build} && exec "$@"`, 'stubforge-step', ...cmd];
}

export async function runBuildStep(spec: BuildStepSpec, deps: BuildStepDeps): Promise<Result<BuildStepSuccess, BuildStepError>> {
  const log = packageLogger(deps.log, { package: spec.labels.package, run: spec.labels.run, key: spec.labels.key });
  const logPath = spec.logFile ?? `${spec.outputDir}.log`;
  const user = spec.user ?? BUILD_USER;
  const memoryBytes = spec.memoryBytes ?? DEFAULT_STEP_MEMORY_BYTES;
  if (await exists(spec.outputDir)) return err({ reason: 'output-exists', outputDir: spec.outputDir, location: { file: spec.outputDir } });

  const dirs: string[] = [];
  let stepLog: StepLogFile | undefined;
  let removeContainer: (() => Promise<unknown>) | undefined;
  try {
    await mkdir(dirname(spec.outputDir), { recursive: true });
    const partial = await mkdtemp(`${spec.outputDir}.partial-`);
    dirs.push(partial);
    const build = await mkdtemp(join(spec.scratchRoot ?? dirname(spec.outputDir), `.build-${basename(spec.outputDir)}-`));
    dirs.push(build);
    // /tmp too is a host folder: the out-of-tree build dir lives there, and it is measured.
    const tmp = await mkdtemp(join(spec.scratchRoot ?? dirname(spec.outputDir), `.tmp-${basename(spec.outputDir)}-`));
    dirs.push(tmp);
    for (const dir of dirs) await handOver(dir, user);
    stepLog = StepLogFile.open(logPath);

    const mounts: Mount[] = [
      ...(spec.sourceDir === undefined ? [] : [{ source: spec.sourceDir, target: STEP_PATHS.source, readOnly: true }]),
      ...(spec.depsDir === undefined ? [] : [{ source: spec.depsDir, target: STEP_PATHS.deps, readOnly: true }]),
      ...(spec.extraMounts ?? []).map((m) => ({ ...m, readOnly: true })),
      { source: build, target: STEP_PATHS.build, readOnly: false },
      { source: partial, target: STEP_PATHS.output, readOnly: false },
      { source: tmp, target: '/tmp', readOnly: false },
    ];
    const cmd = wrapStepCommand(spec.cmd, spec.sourceDir !== undefined);
    const created = await deps.runtime.createStep({
      image: spec.image, cmd, env: { HOME: '/tmp', ...spec.env }, workdir: STEP_PATHS.build, user, mounts,
      network: 'none', memoryBytes, timeoutMs: spec.timeoutMs,
      pidsLimit: spec.limits?.pidsLimit ?? DEFAULT_STEP_PIDS_LIMIT, cpuShares: spec.limits?.cpuShares ?? DEFAULT_STEP_CPU_SHARES, labels: { ...spec.labels, kind: 'build' },
    });
    if (!created.ok) return err(created.error);
    const handle = created.value;
    removeContainer = () => handle.remove();

    // The step stops when the caller aborts, or when its log cannot be written (a full disk).
    const stop = new AbortController();
    const abortStep = (): void => { stop.abort(); };
    if (deps.signal?.aborted === true) stop.abort();
    deps.signal?.addEventListener('abort', abortStep, { once: true });
    stepLog.onFailure(abortStep);
    const scratchBytes = spec.limits?.scratchBytes ?? DEFAULT_STEP_SCRATCH_BYTES;
    let scratchUsed: number | undefined;
    const stopWatch = watchScratch(dirs, scratchBytes, SCRATCH_CHECK_MS, (used) => {
      scratchUsed = used;
      stop.abort();
    });
    stepLog.start({ ...spec.labels, image: spec.image, cmd: spec.cmd, timeoutMs: spec.timeoutMs, memoryBytes });
    log.info({ image: spec.image, container: handle.id }, 'step start');
    const activeLog = stepLog;
    const ran = await handle.run((stream, line) => { activeLog.line(stream, line); }, stop.signal)
      .finally(() => {
        stopWatch();
        deps.signal?.removeEventListener('abort', abortStep);
      });
    const logFailure = stepLog.failure;
    if (logFailure !== undefined) {
      log.warn({ logFile: logPath, code: logFailure.code }, 'step log could not be written; step stopped');
      return err({ reason: 'io-error', path: logPath, detail: `writing the step log: ${logFailure.message}`, location: { file: logPath } });
    }
    if (scratchUsed !== undefined) {
      stepLog.end({ status: 'error', detail: 'scratch space exceeded' });
      log.warn({ scratchBytes, usedBytes: scratchUsed }, 'step stopped: scratch space exceeded');
      return err({ reason: 'scratch-exceeded', scratchBytes, usedBytes: scratchUsed, package: spec.labels.package, logFile: logPath, logTail: stepLog.tail(), location: { file: logPath } });
    }
    if (!ran.ok) {
      const end: StepEndRecord = { status: ran.error.reason === 'interrupted' ? 'interrupted' : 'error', detail: ran.error.reason };
      stepLog.end(end);
      log.warn({ reason: ran.error.reason }, 'step aborted');
      return err(ran.error);
    }
    const outcome = ran.value;
    const base: StepFailureBase = { package: spec.labels.package, logFile: logPath, logTail: stepLog.tail(), location: { file: logPath } };
    if (outcome.timedOut) {
      stepLog.end({ status: 'timed-out', ...outcome });
      log.warn({ timeoutMs: spec.timeoutMs, logFile: logPath }, 'step timed out');
      return err({ reason: 'timeout', timeoutMs: spec.timeoutMs, ...base });
    }
    if (outcome.oomKilled) {
      stepLog.end({ status: 'out-of-memory', ...outcome });
      log.warn({ memoryBytes, logFile: logPath }, 'step ran out of memory');
      return err({ reason: 'out-of-memory', memoryBytes, ...base });
    }
    if (outcome.unexplainedKill === true) {
      stepLog.end({ status: 'killed', ...outcome });
      log.warn({ memoryBytes, logFile: logPath }, 'step killed');
      return err({ reason: 'killed', memoryBytes, ...base });
    }
    if (outcome.exitCode !== 0) {
      stepLog.end({ status: 'failed', ...outcome });
      log.warn({ exitCode: outcome.exitCode, logFile: logPath }, 'step failed');
      return err({ reason: 'step-failed', exitCode: outcome.exitCode, ...base });
    }
    try {
      await rename(partial, spec.outputDir);
    } catch (error) {
      stepLog.end({ status: 'error', detail: 'output already present' });
      if (isErrno(error, 'ENOTEMPTY') || isErrno(error, 'EEXIST')) {
        return err({ reason: 'output-exists', outputDir: spec.outputDir, location: { file: spec.outputDir } });
      }
      throw error;
    }
    stepLog.end({ status: 'succeeded', ...outcome });
    log.info({ durationMs: Math.round(outcome.durationMs), outputDir: spec.outputDir }, 'step succeeded');
    return ok({ outputDir: spec.outputDir, logFile: logPath, outcome });
  } catch (error) {
    const detail = describeError(error);
    log.error({ detail }, 'step setup failed');
    return err({ reason: 'io-error', path: spec.outputDir, detail, location: { file: spec.outputDir } });
  } finally {
    if (removeContainer !== undefined) await removeContainer();
    // The partial output is gone after a successful rename; after anything else it must go.
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    stepLog?.close();
  }
}

/** The build user must write to the build and output dirs; without root, open them up instead. */
async function handOver(dir: string, user: string): Promise<void> {
  const [uid, gid] = user.split(':').map(Number);
  try {
    await chown(dir, uid ?? 1000, gid ?? 1000);
  } catch (error) {
    if (!isErrno(error, 'EPERM')) throw error;
    await chmod(dir, 0o777);
  }
}

