// One build step as a Swarm replicated job (swarm-runtime.ts creates it; swarm-service.ts says
// what the service is). The service is created when the step runs, so the timeout counts from
// there; its task is polled through the API (each poll doubles as the engine's health check),
// its output followed through the service's logs, and a timeout or an interrupt removes the
// service, which stops the task wherever it runs. Swarm gives no OOM flag: an exit 137 the
// runtime did not cause is out of memory when the task's container is on this engine and says
// so, and otherwise a kill whose cause cannot be known here (killVerdict).
import { rm } from 'node:fs/promises';
import type Docker from 'dockerode';
import { ok, err, type Result } from '../model/result.js';
import type { OnOutputLine, RuntimeError, StepHandle, StepOutcome } from './container-runtime.js';
import { demuxLines, withDeadline, type EngineDeadlines } from './docker-step.js';
import { runHostCommand } from './host-command.js';
import { FINAL_TASK_STATES, pinnedToNode } from './swarm-service.js';
import type { ArtefactStore } from './swarm-store.js';

const POLL_MS = 250;
const LOG_DRAIN_MS = 3_000;
const LOG_QUIET_MS = 300;
const KILLED_EXIT = 137;
/** Tasks a step may have rejected before its error stands, and the wait before the next. */
const REJECTION_ATTEMPTS = 3;
const REJECTION_BACKOFF_MS = 2_000;
/** On a step's scratch volumes: its service's name, by which they are found and removed. */
export const STEP_LABEL = 'org.stubforge.swarm-step';

/** The node a step's task is pinned to, held for the step until it lets it go. */
export interface StepPlacement {
  readonly nodeId: string;
  release(): void;
}

export interface SwarmStepDeps {
  /** Chooses the node of each task (swarm-placement.ts): it waits while no node has room. */
  readonly place: (signal?: AbortSignal) => Promise<Result<StepPlacement, RuntimeError>>;
  readonly docker: Docker;
  readonly store: ArtefactStore;
  /** The service spec, made when the transfer is known (swarm-runtime.ts). */
  readonly serviceSpec: Record<string, unknown>;
  readonly name: string;
  /** Token and host folder of the output, when the step has one. */
  readonly output?: { readonly token: string; readonly hostDir: string };
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly fail: (operation: string, error: unknown) => RuntimeError;
  readonly socket: string;
  readonly deadlines: EngineDeadlines;
  /** This engine's Swarm node: a task container there can be inspected for its OOM flag. */
  readonly localNodeId: string;
}

interface TaskView { readonly state: string; readonly exitCode?: number; readonly err?: string; readonly nodeId?: string; readonly containerId?: string }

/** What an exit status says about a kill: the engine's OOM flag where it was read, else nothing. */
export type KillVerdict = Pick<StepOutcome, 'oomKilled' | 'unexplainedKill'>;

/**
 * Exit 137 is a SIGKILL: the kernel's OOM killer at the memory limit, or a kill inside the step.
 * Only the engine that ran the container knows which (`oomKilled`, read when the task ran on this
 * engine's node); from another node's task it stays unexplained rather than guessed.
 */
export function killVerdict(exitCode: number, oomFlag: boolean | undefined): KillVerdict {
  if (exitCode !== KILLED_EXIT) return { oomKilled: false };
  if (oomFlag === undefined) return { oomKilled: false, unexplainedKill: true };
  return { oomKilled: oomFlag };
}

type Attempt =
  | { readonly kind: 'done'; readonly result: Result<StepOutcome, RuntimeError> }
  | { readonly kind: 'rejected'; readonly error: RuntimeError };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export class SwarmStepHandle implements StepHandle {
  private serviceId: string | undefined;
  private removed = false;

  constructor(private readonly deps: SwarmStepDeps) {}

  get id(): string {
    return this.serviceId ?? this.deps.name;
  }

  async run(onLine: OnOutputLine, signal?: AbortSignal): Promise<Result<StepOutcome, RuntimeError>> {
    const d = this.deps;
    const started = d.now();
    try {
      for (let attempt = 1; ; attempt += 1) {
        const tried = await this.attempt(onLine, started, signal);
        if (tried.kind === 'done') return tried.result;
        // A rejected task never ran to its end: the engine turned it away (an image it cannot
        // pull, a node that left). The step has no effect until its output is taken, so a fresh
        // task, placed anew, is safe; a few, then the error.
        if (attempt >= REJECTION_ATTEMPTS || d.now() - started > d.timeoutMs) return err(tried.error);
        onLine('stderr', `stubforge: Swarm rejected the step's task (${tried.error.reason === 'engine-error' ? tried.error.detail : tried.error.reason}); trying a fresh task (${String(attempt + 1)} of ${String(REJECTION_ATTEMPTS)})`);
        const removed = await this.remove();
        if (!removed.ok) return removed;
        this.removed = false;
        this.serviceId = undefined;
        await sleep(REJECTION_BACKOFF_MS * attempt);
      }
    } finally {
      if (d.output !== undefined) {
        const left = d.store.takeUpload(d.output.token);
        if (left !== undefined) await rm(left.path, { force: true });
      }
    }
  }

  /** One service and its task, watched to the end; a rejected task is handed back for a retry. */
  private async attempt(onLine: OnOutputLine, started: number, signal?: AbortSignal): Promise<Attempt> {
    const d = this.deps;
    const location = { file: d.socket };
    const done = (result: Result<StepOutcome, RuntimeError>): Attempt => ({ kind: 'done', result });
    const aborted = (): boolean => signal?.aborted === true;
    if (aborted()) return done(err({ reason: 'interrupted', location }));
    const placed = await d.place(signal);
    if (!placed.ok) return done(placed);
    let logs: NodeJS.ReadableStream | undefined;
    try {
      const spec = pinnedToNode(d.serviceSpec, placed.value.nodeId);
      const created = await withDeadline(d.docker.createService(spec as unknown as Docker.CreateServiceOptions), d.deadlines.callMs, 'create service');
      this.serviceId = created.id;
      const service = d.docker.getService(created.id);
      logs = await withDeadline(service.logs({ follow: true, stdout: true, stderr: true }), d.deadlines.callMs, 'service logs');
      const output = { last: d.now(), ended: false };
      void demuxLines((st, o, e) => { d.docker.modem.demuxStream(st, o, e); }, logs, (stream, line) => {
        output.last = d.now();
        onLine(stream, line);
      }).then(() => { output.ended = true; });
      const watched = await this.watch(started, onLine, signal);
      if (!watched.ok) return done(watched);
      const task = watched.value;
      if (task === 'timed-out') return done(ok({ exitCode: KILLED_EXIT, timedOut: true, durationMs: d.now() - started, oomKilled: false }));
      const durationMs = d.now() - started;
      // A followed service log does not always end with its job: stop once it has been quiet a
      // moment (its lines arrive within milliseconds of being written), or after the drain limit.
      const finished = d.now();
      while (!output.ended && d.now() - finished < LOG_DRAIN_MS && d.now() - Math.max(finished, output.last) < LOG_QUIET_MS) await sleep(50);
      if (task.state === 'rejected') {
        return { kind: 'rejected', error: { reason: 'engine-error', operation: 'run task', detail: `task rejected: ${task.err ?? 'no reason given'}`, location } };
      }
      if (task.exitCode === undefined) {
        return done(err({ reason: 'engine-error', operation: 'run task', detail: `task ${task.state}: ${task.err ?? 'no exit status'}`, location }));
      }
      if (task.exitCode === 0 && d.output !== undefined) {
        const fetched = await this.takeOutput(d.output.token, d.output.hostDir);
        if (!fetched.ok) return done(fetched);
      }
      const oomFlag = task.exitCode === KILLED_EXIT ? await this.oomFlag(task) : undefined;
      return done(ok({ exitCode: task.exitCode, timedOut: false, durationMs, ...killVerdict(task.exitCode, oomFlag) }));
    } catch (error) {
      if (aborted()) return done(err({ reason: 'interrupted', location }));
      return done(err(d.fail('run service', error)));
    } finally {
      (logs as { destroy?: () => void } | undefined)?.destroy?.();
      placed.value.release();
    }
  }

  /** Polls the task until it is final; an interrupt, the timeout or a lost node ends it first. */
  private async watch(started: number, onLine: OnOutputLine, signal?: AbortSignal): Promise<Result<TaskView | 'timed-out', RuntimeError>> {
    const d = this.deps;
    const location = { file: d.socket };
    let misses = 0;
    let task: TaskView | undefined;
    let placedOn: string | undefined;
    for (;;) {
      if (signal?.aborted === true) {
        await this.remove();
        return err({ reason: 'interrupted', location });
      }
      if (d.now() - started > d.timeoutMs) {
        await this.remove();
        return ok('timed-out');
      }
      try {
        const seen = await this.task();
        // A task that vanishes was removed with its service (the reaper, a user): it is over.
        task = seen ?? (task === undefined ? undefined : { state: 'remove', err: 'the service was removed while its task ran' });
        misses = 0;
      } catch (error) {
        misses += 1;
        if (misses >= d.deadlines.healthMisses) {
          const failure = d.fail('inspect task', error);
          return err(failure.reason === 'engine-unavailable' ? failure : { reason: 'engine-unavailable', socket: d.socket, detail: `the engine stopped answering while the step ran (${failure.reason})`, location });
        }
      }
      // Where the step ran goes into its log: the node, when it is asked why a build differs.
      if (task?.nodeId !== undefined && task.nodeId !== placedOn) {
        placedOn = task.nodeId;
        onLine('stderr', `stubforge: the step's task is on Swarm node ${task.nodeId}${await this.hostnameOf(task.nodeId)}`);
      }
      if (task !== undefined && FINAL_TASK_STATES.has(task.state)) return ok(task);
      // A node that goes down takes its task's exit with it: the step is lost, not waited for.
      if (task?.nodeId !== undefined && (await this.nodeDown(task.nodeId))) {
        await this.remove();
        return err({ reason: 'engine-unavailable', socket: d.socket, detail: `Swarm node ${task.nodeId} went down while the step ran on it`, location });
      }
      await sleep(POLL_MS);
    }
  }

  /** The task container's OOM flag, when it ran on this engine's node; else unknown. */
  private async oomFlag(task: TaskView): Promise<boolean | undefined> {
    if (task.nodeId !== this.deps.localNodeId || task.containerId === undefined) return undefined;
    try {
      const info = await withDeadline(this.deps.docker.getContainer(task.containerId).inspect(), this.deps.deadlines.callMs, 'inspect task container');
      return info.State.OOMKilled;
    } catch {
      return undefined;
    }
  }

  private async hostnameOf(nodeId: string): Promise<string> {
    try {
      const node = (await withDeadline(this.deps.docker.getNode(nodeId).inspect(), this.deps.deadlines.callMs, 'inspect node')) as { Description?: { Hostname?: string } };
      const hostname = node.Description?.Hostname;
      return hostname === undefined || hostname === '' ? '' : ` (${hostname})`;
    } catch {
      return '';
    }
  }

  private async nodeDown(nodeId: string): Promise<boolean> {
    try {
      const node = (await withDeadline(this.deps.docker.getNode(nodeId).inspect(), this.deps.deadlines.callMs, 'inspect node')) as { Status?: { State?: string } };
      return node.Status?.State === 'down';
    } catch {
      return false;
    }
  }

  /** The one task of the job, once the orchestrator has made it. */
  private async task(): Promise<TaskView | undefined> {
    const d = this.deps;
    const tasks = (await withDeadline(d.docker.listTasks({ filters: { service: [this.serviceId ?? d.name] } }), d.deadlines.callMs, 'list tasks')) as {
      NodeID?: string; Status?: { State?: string; Err?: string; ContainerStatus?: { ExitCode?: number; ContainerID?: string } };
    }[];
    const status = tasks[0]?.Status;
    const nodeId = tasks[0]?.NodeID;
    if (status?.State === undefined) return undefined;
    const exitCode = status.ContainerStatus?.ExitCode;
    const containerId = status.ContainerStatus?.ContainerID;
    return {
      state: status.State,
      ...(status.State === 'complete' ? { exitCode: 0 } : exitCode === undefined ? {} : { exitCode }),
      ...(status.Err === undefined ? {} : { err: status.Err }),
      ...(nodeId === undefined || nodeId === '' ? {} : { nodeId }),
      ...(containerId === undefined || containerId === '' ? {} : { containerId }),
    };
  }

  /** Unpacks the verified upload into the host folder; a task that succeeded without one failed. */
  private async takeOutput(token: string, hostDir: string): Promise<Result<void, RuntimeError>> {
    const received = this.deps.store.takeUpload(token);
    const location = { file: hostDir };
    if (received === undefined) {
      return err({ reason: 'engine-error', operation: 'receive output', detail: 'the task ended without an acknowledged upload of its output', location });
    }
    try {
      const unpacked = await runHostCommand(['tar', '-x', '-f', received.path, '-C', hostDir]);
      if (unpacked.exitCode !== 0) {
        return err({ reason: 'engine-error', operation: 'receive output', detail: `unpacking the output (sha256 ${received.sha256}) failed: ${unpacked.spawnError ?? `tar exit ${String(unpacked.exitCode)}`}`, location });
      }
      return ok(undefined);
    } finally {
      await rm(received.path, { force: true });
    }
  }

  async remove(): Promise<Result<void, RuntimeError>> {
    if (this.removed || this.serviceId === undefined) return ok(undefined);
    const removed = await removeService(this.deps.docker, this.serviceId, this.deps.deadlines, this.deps.fail);
    if (removed.ok) this.removed = true;
    return removed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}

/**
 * Removes a service and, on this node, its task containers with their scratch volumes: the engine
 * keeps a removed service's exited containers. Other nodes' agents remove their own.
 */
export async function removeService(docker: Docker, id: string, deadlines: EngineDeadlines, fail: (operation: string, error: unknown) => RuntimeError): Promise<Result<void, RuntimeError>> {
  const status = (error: unknown): number | undefined => (error as { statusCode?: number }).statusCode;
  const gone = (error: unknown): void => {
    if (status(error) !== 404 && status(error) !== 409) throw error;
  };
  try {
    let name: string;
    try {
      const info = (await withDeadline(docker.getService(id).inspect(), deadlines.callMs, 'inspect service')) as { Spec?: { Name?: string } };
      name = info.Spec?.Name ?? id;
    } catch (error) {
      if (status(error) === 404) return ok(undefined);
      throw error;
    }
    const taskContainers = (): Promise<Docker.ContainerInfo[]> =>
      withDeadline(docker.listContainers({ all: true, filters: { label: [`com.docker.swarm.service.id=${id}`] } }), deadlines.callMs, 'list task containers');
    const removeTaskContainers = async (containers: readonly Docker.ContainerInfo[]): Promise<void> => {
      for (const c of containers) {
        await withDeadline(docker.getContainer(c.Id).remove({ force: true, v: true }), deadlines.removeMs, 'remove task container').catch(gone);
      }
    };
    // Listed before the service goes: the engine's own clean-up races with ours afterwards.
    const containers = await taskContainers();
    try {
      await withDeadline(docker.getService(id).remove(), deadlines.removeMs, 'remove service');
    } catch (error) {
      if (status(error) !== 404) return err(fail('remove service', error));
    }
    await removeTaskContainers(containers);
    // The engine makes a step's scratch volumes twice over (one when it prepares the task, one for
    // the container) and removes neither: they are found by the step's label.
    const volumes = await withDeadline(docker.listVolumes({ filters: { label: [`${STEP_LABEL}=${name}`] } }), deadlines.callMs, 'list scratch volumes');
    for (const v of volumes.Volumes) {
      const volume = docker.getVolume(v.Name);
      for (let attempt = 0; ; attempt += 1) {
        try {
          await withDeadline(volume.remove(), deadlines.removeMs, 'remove scratch volume');
          break;
        } catch (error) {
          if (status(error) === 404) break;
          if (status(error) !== 409 || attempt >= 80) throw error;
          // In use: by a task container that was still being made when the list above was
          // taken (a task starting as its service goes), which nobody else would remove soon.
          if (attempt % 8 === 7) await removeTaskContainers(await taskContainers());
          await sleep(250);
        }
      }
    }
    return ok(undefined);
  } catch (error) {
    return err(fail('remove task container', error));
  }
}
