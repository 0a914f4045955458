// Which runtime build steps run on (`--runtime local|swarm`, local by default) and, on a Swarm, how
// many steps at once: the cluster's capacity at one step's reservation, unless --jobs says.
import { DEFAULT_STEP_MEMORY_BYTES } from '../runtime/build-step.js';
import type { ContainerRuntime } from '../runtime/container-runtime.js';
import { SwarmRuntime } from '../runtime/swarm-runtime.js';
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

export type StepRuntimeError = { readonly reason: 'unknown-runtime'; readonly value: string } | { readonly reason: 'swarm-unavailable'; readonly detail: string };

export async function chooseStepRuntime(args: StepRuntimeArgs, local: ContainerRuntime, socketPath: string | undefined, memoryBytes: number = DEFAULT_STEP_MEMORY_BYTES): Promise<{ ok: true; value: StepRuntimeChoice } | { ok: false; error: StepRuntimeError }> {
  const name = args.runtime ?? 'local';
  if (name === 'local') return { ok: true, value: { runtime: local, describe: 'local engine', close: () => Promise.resolve() } };
  if (name !== 'swarm') return { ok: false, error: { reason: 'unknown-runtime', value: name } };
  const swarm = new SwarmRuntime({
    ...(socketPath === undefined ? {} : { socketPath }),
    ...(args.registry === undefined ? {} : { registry: args.registry }),
    ...(args.placement === undefined ? {} : { constraints: args.placement }),
  });
  const nodes = await swarm.nodes();
  if (!nodes.ok) return { ok: false, error: { reason: 'swarm-unavailable', detail: nodes.error.reason === 'engine-error' ? nodes.error.detail : nodes.error.reason } };
  const jobs = clusterConcurrency(nodes.value, { cpus: DEFAULT_STEP_CPUS, memoryBytes });
  return {
    ok: true,
    value: {
      runtime: swarm, jobs, describe: `swarm of ${String(nodes.value.length)} node(s), ${String(jobs)} step(s) at once`,
      close: async () => { await swarm.close(); },
    },
  };
}
