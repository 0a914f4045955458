// Which runtime build steps run on (`--runtime local|swarm`, local by default) and, on a Swarm, how
// many steps at once: the capacity of the nodes its placement allows, at one step's size, unless --jobs says.
// `batch` and `rebuild` take the same options, check them once, and hand them to every build
// they run (childBuildRuntime).
import { DEFAULT_STEP_MEMORY_BYTES } from '../runtime/build-step.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { SwarmRuntime } from '../runtime/swarm-runtime.js';
import { eligibleNodes, parseConstraints, type ConstraintError } from '../runtime/swarm-placement.js';
import { DEFAULT_STEP_CPUS } from '../runtime/swarm-service.js';
import { clusterConcurrency } from './capacity.js';

export const RUNTIME_USAGE =
  '  --runtime R        where build steps run: local (default) or swarm (this engine a Swarm manager)\n' +
  '  --registry A       swarm: host:port of the registry images reach other nodes through\n' +
  '  --placement C      swarm: a placement constraint of build steps (node.role==worker), repeatable\n';

export const RUNTIME_OPTIONS = {
  runtime: { type: 'string' }, registry: { type: 'string' }, placement: { type: 'string', multiple: true },
} as const;

export interface StepRuntimeChoice {
  readonly runtime: ContainerRuntime;
  /** Steps at once when the user did not say (`undefined`: keep the local default). */
  readonly jobs?: number;
  readonly describe: string;
  close(): Promise<void>;
}

export interface StepRuntimeArgs {
  readonly runtime?: string | undefined;
  readonly registry?: string | undefined;
  readonly placement?: readonly string[] | undefined;
}

export type RuntimeArgsError =
  | { readonly reason: 'unknown-runtime'; readonly value: string }
  | { readonly reason: 'swarm-only-option'; readonly option: '--registry' | '--placement' }
  | ConstraintError;

export type StepRuntimeError = RuntimeArgsError | { readonly reason: 'swarm-unavailable'; readonly detail: string };

/**
 * The runtime options checked and written back as `stubforge build` takes them: what `batch` and
 * `rebuild` pass to each build. --registry and --placement mean nothing to the local runtime, so
 * they are refused there rather than ignored. Pure.
 */
export function runtimeBuildArgs(args: StepRuntimeArgs): { ok: true; value: string[] } | { ok: false; error: RuntimeArgsError } {
  const name = args.runtime ?? 'local';
  if (name !== 'local' && name !== 'swarm') return { ok: false, error: { reason: 'unknown-runtime', value: name } };
  if (name === 'local') {
    if (args.registry !== undefined) return { ok: false, error: { reason: 'swarm-only-option', option: '--registry' } };
    if (args.placement !== undefined && args.placement.length > 0) return { ok: false, error: { reason: 'swarm-only-option', option: '--placement' } };
    return { ok: true, value: args.runtime === undefined ? [] : ['--runtime', 'local'] };
  }
  const constraints = parseConstraints(args.placement ?? []);
  if (!constraints.ok) return constraints;
  return {
    ok: true,
    value: ['--runtime', 'swarm', ...(args.registry === undefined ? [] : ['--registry', args.registry]), ...(args.placement ?? []).flatMap((c) => ['--placement', c])],
  };
}

/** The Swarm's nodes and the steps they take at once, read from a manager's engine. */
async function swarmCapacity(swarm: SwarmRuntime, memoryBytes: number, placement: readonly string[] | undefined): Promise<{ ok: true; value: { nodes: string; jobs: number } } | { ok: false; error: StepRuntimeError }> {
  const nodes = await swarm.nodes();
  if (!nodes.ok) return { ok: false, error: { reason: 'swarm-unavailable', detail: nodes.error.reason === 'engine-error' ? nodes.error.detail : nodes.error.reason } };
  const constraints = parseConstraints(placement ?? []);
  const eligible = eligibleNodes(nodes.value, constraints.ok ? constraints.value : []);
  const all = `${String(nodes.value.length)} node(s)`;
  const nodeCount = eligible.length === nodes.value.length ? all : `${all}, ${String(eligible.length)} allowed by --placement`;
  return { ok: true, value: { nodes: nodeCount, jobs: clusterConcurrency(eligible, { cpus: DEFAULT_STEP_CPUS, memoryBytes }) } };
}

function swarmRuntime(args: StepRuntimeArgs, socketPath: string | undefined): SwarmRuntime {
  return new SwarmRuntime({
    ...(socketPath === undefined ? {} : { socketPath }),
    ...(args.registry === undefined ? {} : { registry: args.registry }),
    ...(args.placement === undefined ? {} : { constraints: args.placement }),
  });
}

export async function chooseStepRuntime(args: StepRuntimeArgs, local: ContainerRuntime, socketPath: string | undefined, memoryBytes: number = DEFAULT_STEP_MEMORY_BYTES): Promise<{ ok: true; value: StepRuntimeChoice } | { ok: false; error: StepRuntimeError }> {
  const checked = runtimeBuildArgs(args);
  if (!checked.ok) return checked;
  if (args.runtime !== 'swarm') return { ok: true, value: { runtime: local, describe: 'local engine', close: () => Promise.resolve() } };
  const swarm = swarmRuntime(args, socketPath);
  const capacity = await swarmCapacity(swarm, memoryBytes, args.placement);
  if (!capacity.ok) return capacity;
  const { nodes, jobs } = capacity.value;
  return {
    ok: true,
    value: {
      runtime: swarm, jobs, describe: `swarm of ${nodes}, ${String(jobs)} step(s) at once`,
      close: async () => { await swarm.close(); },
    },
  };
}

export interface ChildBuildRuntime {
  /** Options every build gets (`--runtime swarm --registry A ...`; none for the default). */
  readonly args: readonly string[];
  /** On a Swarm: the cluster's steps at once, shared out as the builds' --jobs when not given. */
  readonly capacity?: number;
  readonly describe: string;
}

/**
 * For `batch` and `rebuild`: the runtime options checked once, before any build starts (a
 * misspelt runtime or an engine that is no Swarm manager fails the command, not every target),
 * and the cluster's capacity read for the builds' default --jobs.
 */
export async function childBuildRuntime(args: StepRuntimeArgs, socketPath: string | undefined, memoryBytes: number = DEFAULT_STEP_MEMORY_BYTES): Promise<{ ok: true; value: ChildBuildRuntime } | { ok: false; error: StepRuntimeError }> {
  const checked = runtimeBuildArgs(args);
  if (!checked.ok) return checked;
  if (args.runtime !== 'swarm') return { ok: true, value: { args: checked.value, describe: 'local engine' } };
  const swarm = swarmRuntime(args, socketPath);
  try {
    const capacity = await swarmCapacity(swarm, memoryBytes, args.placement);
    if (!capacity.ok) return capacity;
    const { nodes, jobs } = capacity.value;
    return { ok: true, value: { args: checked.value, capacity: jobs, describe: `swarm of ${nodes}, ${String(jobs)} step(s) at once` } };
  } finally {
    await swarm.close();
  }
}
