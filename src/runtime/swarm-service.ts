// The Swarm service of one build step: a replicated job of one completion that is never restarted,
// as the build user, with the step's CPU, memory and pids limits, on the internal build network.
// It reserves nothing: Swarm 20.10 would go on counting a finished job's reservation and reject
// later tasks on its node, so stubforge fits steps to nodes itself and pins each task to its node
// (swarm-placement.ts). Every folder a
// local step would bind-mount becomes an empty tmpfs the task fills from the store
// (swarm-task-script.ts): a task on another node cannot see the coordinator's folders. Pure: the
// StepSpec and the transfer in, the engine's service spec out.
import type { StepSpec } from './container-runtime.js';
import { TRANSFER_DIR, taskCommand, type TaskTransfer } from './swarm-task-script.js';

/** CPUs of one step when the runtime is not told otherwise. */
export const DEFAULT_STEP_CPUS = 1;
/** Memory of a step whose spec names none (the engine needs a reservation to place it). */
export const DEFAULT_SWARM_STEP_MEMORY = 2 * 1024 ** 3;

export interface ServiceSpecInput {
  readonly name: string;
  readonly spec: StepSpec;
  readonly labels: Readonly<Record<string, string>>;
  readonly transfer: TaskTransfer;
  /** The internal overlay builds run on (`network: none`); a `default` step gets none at all. */
  readonly buildNetwork: string;
  readonly cpus: number;
  /** Placement constraints, as the engine takes them. */
  readonly constraints?: readonly string[];
  /** Labels of the step's scratch volumes besides the step's own (the session's, to prune them). */
  readonly volumeLabels?: Readonly<Record<string, string>>;
}

/** The engine's service spec (API 1.41), as plain JSON. */
export function stepServiceSpec(input: ServiceSpecInput): Record<string, unknown> {
  const { spec } = input;
  const memory = spec.memoryBytes ?? DEFAULT_SWARM_STEP_MEMORY;
  const nanoCpus = Math.round(input.cpus * 1e9);
  const tmpfsTargets = [...new Set([...(spec.mounts ?? []).map((m) => m.target), TRANSFER_DIR])];
  return {
    Name: input.name,
    Labels: { ...input.labels },
    TaskTemplate: {
      ContainerSpec: {
        Image: spec.image,
        Command: taskCommand(spec.cmd, input.transfer),
        Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
        ...(spec.workdir === undefined ? {} : { Dir: spec.workdir }),
        User: spec.user,
        Labels: { ...input.labels },
        Mounts: tmpfsTargets.map((target) => scratchMount(target, spec.user, { ...input.labels, ...input.volumeLabels })),
        Init: true,
        CapabilityDrop: ['ALL'],
      },
      Resources: {
        Limits: { NanoCPUs: nanoCpus, MemoryBytes: memory, ...(spec.pidsLimit === undefined ? {} : { Pids: spec.pidsLimit }) },
      },
      RestartPolicy: { Condition: 'none', MaxAttempts: 0 },
      ...(input.constraints === undefined || input.constraints.length === 0 ? {} : { Placement: { Constraints: [...input.constraints] } }),
      Networks: spec.network === 'none' ? [{ Target: input.buildNetwork }] : [],
    },
    Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
    // No IPVS on every kernel: DNS round robin needs none, and a job publishes nothing anyway.
    EndpointSpec: { Mode: 'dnsrr' },
  };
}

/** The service spec with its task pinned to one node, beside the user's own constraints. */
export function pinnedToNode(serviceSpec: Record<string, unknown>, nodeId: string): Record<string, unknown> {
  const template = (serviceSpec['TaskTemplate'] ?? {}) as { Placement?: { Constraints?: string[] } } & Record<string, unknown>;
  const constraints = [...(template.Placement?.Constraints ?? []), `node.id==${nodeId}`];
  return { ...serviceSpec, TaskTemplate: { ...template, Placement: { ...template.Placement, Constraints: constraints } } };
}

/**
 * An anonymous tmpfs volume of the node's local driver: owned by the build user (it writes where
 * the coordinator's folders were, and takes over their modes and times as a local step does) and, unlike a service's `tmpfs` mount (noexec
 * in this API version), executable, which configure scripts and test binaries need. Its pages
 * count against the task's memory limit; it goes with the task's container.
 */
function scratchMount(target: string, user: string, labels: Readonly<Record<string, string>>): Record<string, unknown> {
  const [uid = '1000', gid = '1000'] = user.split(':');
  return {
    Type: 'volume', Target: target,
    VolumeOptions: { Labels: { ...labels }, DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs', o: `mode=0755,uid=${uid},gid=${gid}` } } },
  };
}

/** Task states after which nothing more happens to the task. */
export const FINAL_TASK_STATES: ReadonlySet<string> = new Set(['complete', 'failed', 'rejected', 'shutdown', 'orphaned', 'remove']);
