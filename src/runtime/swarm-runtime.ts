// The ContainerRuntime on a Docker Swarm: build steps run as replicated jobs anywhere in the
// cluster (swarm-step.ts), everything about images stays with the coordinator's own engine
// (docker-runtime.ts: environments are built and imported there, and reach other nodes through a
// registry by digest). The coordinator must be a manager. Its build network and store relay
// (swarm-network.ts) are made on the first step and removed by close(); they carry the owner's
// labels, so a crashed run's are reaped like its services (reapSwarmLeftovers).
import { describeError } from '../io/describe-error.js';
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { ok, err, type Result } from '../model/result.js';
import type {
  BuildImageSpec, ContainerInfo, ContainerRuntime, EngineInfo, ImageInfo, ImportImageSpec, LabelFilter,
  RuntimeError, StepHandle, StepSpec,
} from './container-runtime.js';
import { DockerRuntime } from './docker-runtime.js';
import { DEFAULT_ENGINE_DEADLINES, withDeadline, type EngineDeadlines } from './docker-step.js';
import { DEFAULT_SOCKET } from './engine-lookup.js';
import { renderLabels, type Owner } from './labels.js';
import { currentOwner } from './reaper.js';
import { createBuildNetwork, storeServiceSpec } from './swarm-network.js';
import { NodeLedger, parseConstraints, type PlacementNode, type StepSize } from './swarm-placement.js';
import { DEFAULT_STEP_CPUS, DEFAULT_SWARM_STEP_MEMORY, stepServiceSpec } from './swarm-service.js';
import { STEP_LABEL, SwarmStepHandle, removeService, type StepPlacement } from './swarm-step.js';
import { ArtefactStore } from './swarm-store.js';
import { pushByDigest } from './swarm-registry.js';
import type { TaskInput } from './swarm-task-script.js';

export interface SwarmRuntimeOptions {
  readonly socketPath?: string;
  readonly owner?: Owner;
  readonly now?: () => number;
  readonly deadlines?: EngineDeadlines;
  /** CPUs each step is limited to and holds on its node while it runs. */
  readonly cpusPerStep?: number;
  /** Container paths whose content is sent back after a step succeeds (runtime/build-step.ts: /out). */
  readonly outputTargets?: readonly string[];
  /** Where the store keeps its socket and tarballs (default the system's temporary folder). */
  readonly storeRoot?: string;
  /** `host:port` of the registry images reach other nodes through; without it, only this node's images. */
  readonly registry?: string;
  /** Placement constraints of build steps (`node.role==worker`, `node.hostname==b`). */
  readonly constraints?: readonly string[];
}

/** One node of the cluster as `cluster status` shows it, capacity counts it and placement picks it. */
export interface ClusterNode extends PlacementNode {
  readonly address: string;
}

/** On the scratch volumes of a session's steps: what close() prunes. */
const SESSION_LABEL = 'org.stubforge.swarm-session';

/** The session's shared parts, made with the first step. */
interface Session { readonly store: ArtefactStore; readonly network: string; readonly storeService: string; readonly storeServiceId: string; readonly nodeId: string }

export class SwarmRuntime implements ContainerRuntime {
  readonly socket: string;
  readonly local: DockerRuntime;
  private readonly docker: Docker;
  private readonly owner: Owner;
  private readonly now: () => number;
  private readonly deadlines: EngineDeadlines;
  private readonly sessionId = randomBytes(5).toString('hex');
  private session: Promise<Session> | undefined;
  private readonly pushed = new Map<string, Promise<string>>();
  private readonly ledger = new NodeLedger();
  /** The placement constraints, parsed once (the commands refuse a bad one before any build). */
  private readonly constraints: ReturnType<typeof parseConstraints>;
  /** Steps waiting for room on a node, woken when a step lets its node go. */
  private readonly waiting = new Set<() => void>();

  constructor(private readonly options: SwarmRuntimeOptions = {}) {
    this.socket = options.socketPath ?? DEFAULT_SOCKET;
    this.local = new DockerRuntime({ socketPath: this.socket, ...(options.owner === undefined ? {} : { owner: options.owner }), ...(options.deadlines === undefined ? {} : { deadlines: options.deadlines }) });
    this.docker = new Docker({ socketPath: this.socket });
    this.owner = options.owner ?? currentOwner();
    this.now = options.now ?? (() => performance.now());
    this.deadlines = options.deadlines ?? DEFAULT_ENGINE_DEADLINES;
    this.constraints = parseConstraints(options.constraints ?? []);
  }

  /** Name of this runtime's build network (for tests and `cluster status`). */
  get networkName(): string {
    return `stubforge-build-${this.sessionId}`;
  }

  private fail(operation: string, error: unknown): RuntimeError {
    const f = (typeof error === 'object' && error !== null ? error : {}) as { statusCode?: number; code?: string; message?: string; json?: { message?: string } | null };
    const detail = f.json?.message ?? f.message ?? String(error);
    const location = { file: this.socket };
    if (f.statusCode === undefined) return { reason: 'engine-unavailable', socket: this.socket, detail: f.code === undefined ? detail : `${f.code}: ${detail}`, location };
    return { reason: 'engine-error', operation, statusCode: f.statusCode, detail, location };
  }

  ping(): Promise<Result<EngineInfo, RuntimeError>> {
    return this.local.ping();
  }

  private sessionLabels(kind: 'network' | 'store'): Record<string, string> {
    return renderLabels({ run: `swarm-${this.sessionId}`, package: `swarm-${kind}`, key: this.sessionId, kind: 'build' }, this.owner);
  }

  private start(image: string, user: string): Promise<Session> {
    this.session ??= (async () => {
      const info = (await withDeadline(this.docker.info(), this.deadlines.callMs, 'info')) as { Swarm?: { NodeID?: string; ControlAvailable?: boolean } };
      const nodeId = info.Swarm?.NodeID ?? '';
      if (nodeId === '' || info.Swarm?.ControlAvailable !== true) throw Object.assign(new Error('this engine is not a Swarm manager (stubforge cluster init)'), { statusCode: 503 });
      const store = await ArtefactStore.start(this.options.storeRoot);
      const network = this.networkName;
      const storeService = `stubforge-store-${this.sessionId}`;
      const input = { network, storeService, labels: this.sessionLabels('store'), storeDir: store.dir, image, nodeId, user };
      await createBuildNetwork(this.docker, { ...input, labels: this.sessionLabels('network') });
      const created = await this.docker.createService(storeServiceSpec(input) as unknown as Docker.CreateServiceOptions);
      await this.storeRunning(created.id);
      return { store, network, storeService, storeServiceId: created.id, nodeId };
    })();
    return this.session;
  }

  /** Waits until the relay's task runs: a step started earlier finds no store and no network yet. */
  private async storeRunning(serviceId: string): Promise<void> {
    for (let attempt = 0; attempt < 120; attempt += 1) {
      const tasks = (await this.docker.listTasks({ filters: { service: [serviceId] } })) as { Status?: { State?: string; Err?: string } }[];
      const states = tasks.map((t) => t.Status?.State);
      if (states.includes('running')) return;
      const failed = tasks.find((t) => t.Status?.State === 'rejected' || t.Status?.State === 'failed');
      if (failed !== undefined && tasks.length >= 3) throw Object.assign(new Error(`store relay ${failed.Status?.State ?? ''}: ${failed.Status?.Err ?? ''}`), { statusCode: 500 });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw Object.assign(new Error('store relay did not start within 30 s'), { statusCode: 504 });
  }

  async createStep(spec: StepSpec): Promise<Result<StepHandle, RuntimeError>> {
    const uid = /^(\d+):(\d+)$/.exec(spec.user)?.[1];
    if (uid === undefined || Number(uid) === 0) return err({ reason: 'root-user-refused', user: spec.user, location: { file: spec.image } });
    const found = await this.local.inspectImage(spec.image);
    if (!found.ok) return found;
    if (found.value === undefined && !spec.image.includes('@sha256:')) return err({ reason: 'image-not-found', image: spec.image, location: { file: this.socket } });
    let session: Session;
    try {
      session = await this.start(spec.image, spec.user);
    } catch (error) {
      this.session = undefined;
      return err(this.fail('start swarm session', error));
    }
    const outputTargets = new Set(this.options.outputTargets ?? ['/out']);
    const inputs: TaskInput[] = [];
    let output: { token: string; hostDir: string; target: string } | undefined;
    try {
      for (const mount of spec.mounts ?? []) {
        if (mount.readOnly) inputs.push({ sha256: await session.store.offerFolder(mount.source), target: mount.target });
        else if (outputTargets.has(mount.target)) output = { token: session.store.expectUpload(), hostDir: mount.source, target: mount.target };
      }
    } catch (error) {
      return err({ reason: 'engine-error', operation: 'offer step inputs', detail: describeError(error), location: { file: this.socket } });
    }
    let image = spec.image;
    if (this.options.registry !== undefined && found.value !== undefined) {
      const registry = this.options.registry;
      const digest = found.value.digest;
      const pushing = this.pushed.get(digest) ?? pushByDigest(this.docker, registry, digest).then((p) => p.ref);
      this.pushed.set(digest, pushing);
      try {
        image = await pushing;
      } catch (error) {
        this.pushed.delete(digest);
        return err({ reason: 'engine-error', operation: 'push image', detail: describeError(error), location: { file: registry } });
      }
    }
    const name = `stubforge-step-${randomBytes(6).toString('hex')}`;
    const labels = renderLabels(spec.labels, this.owner);
    const serviceSpec = stepServiceSpec({
      name, spec: { ...spec, image }, labels, constraints: this.options.constraints ?? [], volumeLabels: { [SESSION_LABEL]: this.sessionId, [STEP_LABEL]: name }, buildNetwork: session.network, cpus: this.options.cpusPerStep ?? DEFAULT_STEP_CPUS,
      transfer: { storeHost: session.storeService, inputs, ...(output === undefined ? {} : { output: { token: output.token, target: output.target } }) },
    });
    const size = { nanoCpus: Math.round((this.options.cpusPerStep ?? DEFAULT_STEP_CPUS) * 1e9), memoryBytes: spec.memoryBytes ?? DEFAULT_SWARM_STEP_MEMORY };
    return ok(new SwarmStepHandle({
      place: (signal) => this.place(size, signal),
      docker: this.docker, store: session.store, serviceSpec, name, timeoutMs: spec.timeoutMs, now: this.now, localNodeId: session.nodeId,
      fail: (op, e) => this.fail(op, e), socket: this.socket, deadlines: this.deadlines,
      ...(output === undefined ? {} : { output: { token: output.token, hostDir: output.hostDir } }),
    }));
  }

  /**
   * A node with room for the step, held until the step lets it go (swarm-placement.ts says why
   * stubforge, not the engine, does this). A step that fits nowhere yet waits for another to end,
   * or for a node to come back, checking the node list each second; one that fits no node even
   * idle is an error naming its size.
   */
  private async place(size: StepSize, signal?: AbortSignal): Promise<Result<StepPlacement, RuntimeError>> {
    const { constraints } = this;
    const location = { file: this.socket };
    if (!constraints.ok) return err({ reason: 'engine-error', operation: 'place step', detail: `placement constraint ${constraints.error.constraint}: ${constraints.error.problem}`, location });
    for (;;) {
      if (signal?.aborted === true) return err({ reason: 'interrupted', location });
      const nodes = await this.nodes();
      if (!nodes.ok) return nodes;
      const choice = this.ledger.choose(nodes.value, constraints.value, size);
      if (choice.kind === 'node') {
        const { nodeId } = choice;
        this.ledger.hold(nodeId, size);
        let held = true;
        return ok({
          nodeId,
          release: () => {
            if (!held) return;
            held = false;
            this.ledger.release(nodeId, size);
            for (const wake of [...this.waiting]) wake();
          },
        });
      }
      if (choice.kind === 'never') {
        const wanted = `${String(size.nanoCpus / 1e9)} CPU(s) and ${String(Math.round(size.memoryBytes / 1024 ** 2))} MiB`;
        const where = constraints.value.length === 0 ? '' : ` matching ${constraints.value.map((c) => c.text).join(', ')}`;
        return err({ reason: 'engine-error', operation: 'place step', detail: `no ready, active node${where} has ${wanted} (eligible nodes: ${String(choice.eligible)})`, location });
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => { clearTimeout(timer); this.waiting.delete(wake); resolve(); };
        const timer = setTimeout(wake, 1_000);
        this.waiting.add(wake);
      });
    }
  }

  /** The cluster's nodes (a manager answers for all of them). */
  async nodes(): Promise<Result<readonly ClusterNode[], RuntimeError>> {
    try {
      const nodes = (await withDeadline(this.docker.listNodes(), this.deadlines.callMs, 'list nodes')) as {
        ID: string; Spec?: { Role?: string; Availability?: string; Labels?: Record<string, string> }; Status?: { State?: string; Addr?: string };
        Description?: { Hostname?: string; Platform?: { OS?: string; Architecture?: string }; Resources?: { NanoCPUs?: number; MemoryBytes?: number }; Engine?: { Labels?: Record<string, string> } };
      }[];
      return ok(nodes.map(clusterNode));
    } catch (error) {
      return err(this.fail('list nodes', error));
    }
  }

  /** Step services (the unit the reaper removes), not the containers of their tasks. */
  async listContainers(filter: LabelFilter): Promise<Result<readonly ContainerInfo[], RuntimeError>> {
    try {
      const services = (await withDeadline(this.docker.listServices({ filters: { label: labelArgs(filter) } }), this.deadlines.callMs, 'list services')) as {
        ID: string; Spec?: { Labels?: Record<string, string>; TaskTemplate?: { ContainerSpec?: { Image?: string } } };
      }[];
      return ok(services.map((s) => ({ id: s.ID, imageDigest: s.Spec?.TaskTemplate?.ContainerSpec?.Image ?? '', state: 'service', running: true, labels: s.Spec?.Labels ?? {} })));
    } catch (error) {
      return err(this.fail('list services', error));
    }
  }

  removeContainer(id: string): Promise<Result<void, RuntimeError>> {
    return removeService(this.docker, id, this.deadlines, (op, e) => this.fail(op, e));
  }

  /** Networks of this label filter (the reaper's second half: networks outlive their services). */
  async listNetworks(filter: LabelFilter): Promise<Result<readonly { readonly id: string; readonly name: string; readonly labels: Readonly<Record<string, string>> }[], RuntimeError>> {
    try {
      const networks = await withDeadline(this.docker.listNetworks({ filters: { label: labelArgs(filter) } }), this.deadlines.callMs, 'list networks');
      return ok(networks.map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} })));
    } catch (error) {
      return err(this.fail('list networks', error));
    }
  }

  async removeNetwork(id: string): Promise<Result<void, RuntimeError>> {
    // A network is in use until the engine has removed its services' tasks: give it a while.
    for (let attempt = 0; ; attempt += 1) {
      try {
        await withDeadline(this.docker.getNetwork(id).remove(), this.deadlines.removeMs, 'remove network');
        return ok(undefined);
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 404) return ok(undefined);
        if (attempt >= 30 || (status !== 403 && status !== 409 && status !== 500)) return err(this.fail('remove network', error));
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** Removes the store relay and the build network, and stops the store. */
  async close(): Promise<Result<void, RuntimeError>> {
    const pending = this.session;
    this.session = undefined;
    if (pending === undefined) return ok(undefined);
    let session: Session;
    try {
      session = await pending;
    } catch {
      return ok(undefined);
    }
    const service = await this.removeContainer(session.storeServiceId);
    const network = await this.removeNetwork(session.network);
    await session.store.close();
    await this.pruneScratchVolumes();
    return service.ok ? network : service;
  }

  /** Removes scratch volumes of this session that a lost task container left on this node. */
  private async pruneScratchVolumes(): Promise<void> {
    const filters = { label: [`${SESSION_LABEL}=${this.sessionId}`] };
    try {
      const left = await this.docker.listVolumes({ filters });
      for (const v of left.Volumes) await this.docker.getVolume(v.Name).remove().catch(() => undefined);
    } catch {
      // The engine is gone: the volumes are empty records, found by their label next time.
    }
  }

  importImage(spec: ImportImageSpec): Promise<Result<ImageInfo, RuntimeError>> {
    return this.local.importImage(spec);
  }

  buildImage(spec: BuildImageSpec): Promise<Result<ImageInfo, RuntimeError>> {
    return this.local.buildImage(spec);
  }

  inspectImage(ref: string): Promise<Result<ImageInfo | undefined, RuntimeError>> {
    return this.local.inspectImage(ref);
  }

  listImages(filter: LabelFilter): Promise<Result<readonly ImageInfo[], RuntimeError>> {
    return this.local.listImages(filter);
  }

  removeImage(ref: string): Promise<Result<void, RuntimeError>> {
    return this.local.removeImage(ref);
  }
}

/** A node of the engine's node list (API 1.41), as capacity and placement read it. */
export function clusterNode(n: {
  ID: string; Spec?: { Role?: string; Availability?: string; Labels?: Record<string, string> }; Status?: { State?: string; Addr?: string };
  Description?: { Hostname?: string; Platform?: { OS?: string; Architecture?: string }; Resources?: { NanoCPUs?: number; MemoryBytes?: number }; Engine?: { Labels?: Record<string, string> } };
}): ClusterNode {
  return {
    id: n.ID, hostname: n.Description?.Hostname ?? '', role: n.Spec?.Role ?? '', state: n.Status?.State ?? '',
    availability: n.Spec?.Availability ?? '', address: n.Status?.Addr ?? '',
    nanoCpus: n.Description?.Resources?.NanoCPUs ?? 0, memoryBytes: n.Description?.Resources?.MemoryBytes ?? 0,
    labels: n.Spec?.Labels ?? {}, engineLabels: n.Description?.Engine?.Labels ?? {},
    os: n.Description?.Platform?.OS ?? '', arch: n.Description?.Platform?.Architecture ?? '',
  };
}

function labelArgs(filter: LabelFilter): string[] {
  return Object.entries(filter).map(([k, v]) => (v === true ? k : `${k}=${v}`));
}
