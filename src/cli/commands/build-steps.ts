// Where a build's steps run (`--runtime local|swarm`) and how many at once: on a Swarm the
// cluster's capacity unless --jobs says. Services a crashed run left on the Swarm go first, as
// leftover containers do on the local engine. `batch` and `rebuild` check the same options once
// and hand them to each build they run (childRuntimeOptions).
import { err, ok, type Result } from '../../model/result.js';
import { childBuildRuntime, chooseStepRuntime, type ChildBuildRuntime, type StepRuntimeArgs, type StepRuntimeError } from '../../cluster/step-runtime.js';
import type { ContainerRuntime } from '../../runtime/container-runtime.js';
import type { DockerRuntime } from '../../runtime/docker-runtime.js';
import { reapLeftovers } from '../../runtime/reaper.js';
import type { Failure } from '../archive-messages.js';
import type { CliContext } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { describeRuntimeFailure } from '../runtime-messages.js';

export interface BuildSteps {
  readonly runtime: ContainerRuntime;
  readonly jobs: number;
  readonly describe: string;
  close(): Promise<void>;
}

/** The message and exit code of runtime options that cannot be used. */
export function describeStepRuntimeError(error: StepRuntimeError): Failure {
  switch (error.reason) {
    case 'unknown-runtime':
      return { message: `--runtime ${error.value}: expected local or swarm`, exitCode: ExitCode.usage };
    case 'swarm-only-option':
      return { message: `${error.option} is an option of --runtime swarm (the local runtime has no registry or placement)`, exitCode: ExitCode.usage };
    case 'bad-constraint':
      return { message: `--placement ${error.constraint}: ${error.problem}`, exitCode: ExitCode.usage };
    case 'swarm-unavailable':
      return { message: `--runtime swarm: ${error.detail} (stubforge cluster init)`, exitCode: ExitCode.failed };
  }
}

export async function chooseBuildSteps(
  values: StepRuntimeArgs & { readonly jobs?: string | undefined }, defaultJobs: number, local: DockerRuntime, socketPath: string | undefined, ctx: CliContext,
): Promise<Result<BuildSteps, Failure>> {
  const steps = await chooseStepRuntime(values, local, socketPath);
  if (!steps.ok) return err(describeStepRuntimeError(steps.error));
  const jobs = values.jobs === undefined ? steps.value.jobs ?? defaultJobs : defaultJobs;
  if (steps.value.runtime !== local) {
    const reaped = await reapLeftovers(steps.value.runtime, { log: ctx.log });
    if (!reaped.ok) {
      await steps.value.close();
      return err(describeRuntimeFailure(reaped.error));
    }
  }
  return ok({ runtime: steps.value.runtime, jobs, describe: steps.value.describe, close: () => steps.value.close() });
}

/** `batch` and `rebuild`: the runtime options checked once, as every build they run gets them. */
export async function childRuntimeOptions(values: StepRuntimeArgs, socketPath: string | undefined): Promise<Result<ChildBuildRuntime, Failure>> {
  const chosen = await childBuildRuntime(values, socketPath);
  return chosen.ok ? ok(chosen.value) : err(describeStepRuntimeError(chosen.error));
}
