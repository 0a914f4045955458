// The ContainerRuntime on a Docker engine, through dockerode. With docker-step.ts (one running
// container) the only files that import dockerode: its objects and types stop here.
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import Docker from 'dockerode';
import { ok, err, type Result } from '../model/result.js';
import {
  asImageDigest,
  type BuildImageSpec, type ContainerInfo, type ContainerRuntime, type EngineInfo, type ImageInfo,
  type ImportImageSpec, type LabelFilter, type RuntimeError, type StepHandle, type StepSpec,
} from './container-runtime.js';
import { DockerStepHandle, DEFAULT_ENGINE_DEADLINES, withDeadline, type EngineDeadlines } from './docker-step.js';
import { DEFAULT_SOCKET, imageInfoFromInspect } from './engine-lookup.js';
import { LineBuffer, LineTail } from './line-buffer.js';
import { renderLabels, type Owner } from './labels.js';
import { currentOwner } from './reaper.js';


export interface DockerRuntimeOptions {
  readonly socketPath?: string;
  /** Requests that should answer at once (ping, inspect, list) give up after this long. */
  readonly connectTimeoutMs?: number;
  readonly owner?: Owner;
  readonly now?: () => number;
  /** Deadlines of engine calls and the health check of running steps (docker-step.ts). */
  readonly deadlines?: EngineDeadlines;
}

/** What dockerode rejects with: a Node socket error or an HTTP status from the engine. */
interface EngineFailure { readonly code?: string; readonly statusCode?: number; readonly message?: string; readonly json?: { readonly message?: string } | null }

function asFailure(error: unknown): EngineFailure {
  return typeof error === 'object' && error !== null ? error : { message: String(error) };
}

const UNREACHABLE_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

export class DockerRuntime implements ContainerRuntime {
  readonly socket: string;
  /** For requests that answer at once (ping, inspect, list): a hung engine must not hang us. */
  private readonly quick: Docker;
  /** For requests that may take long (create, wait, attach, build, import, remove): no limit of
   *  the client's own; an engine that is not there still fails at once (ENOENT, ECONNREFUSED). */
  private readonly long: Docker;
  private readonly owner: Owner;
  private readonly now: () => number;
  private readonly deadlines: EngineDeadlines;

  constructor(options: DockerRuntimeOptions = {}) {
    this.socket = options.socketPath ?? DEFAULT_SOCKET;
    this.quick = new Docker({ socketPath: this.socket, timeout: options.connectTimeoutMs ?? 3000 });
    this.long = new Docker({ socketPath: this.socket });
    this.owner = options.owner ?? currentOwner();
    this.now = options.now ?? (() => performance.now());
    this.deadlines = options.deadlines ?? DEFAULT_ENGINE_DEADLINES;
  }

  private fail(operation: string, error: unknown): RuntimeError {
    const f = asFailure(error);
    const location = { file: this.socket };
    const detail = f.json?.message ?? f.message ?? 'unknown failure';
    if (f.statusCode === undefined && (f.code === undefined || UNREACHABLE_CODES.has(f.code) || /socket hang up|timeout/i.test(detail))) {
      const withCode = f.code === undefined || detail.includes(f.code) ? detail : `${f.code}: ${detail}`;
      return { reason: 'engine-unavailable', socket: this.socket, detail: withCode, location };
    }
    return f.statusCode === undefined
      ? { reason: 'engine-error', operation, detail, location }
      : { reason: 'engine-error', operation, statusCode: f.statusCode, detail, location };
  }

  async ping(): Promise<Result<EngineInfo, RuntimeError>> {
    try {
      const version = await this.quick.version();
      return ok({ serverVersion: version.Version, apiVersion: version.ApiVersion, socket: this.socket });
    } catch (error) {
      return err(this.fail('ping', error));
    }
  }

  async createStep(spec: StepSpec): Promise<Result<StepHandle, RuntimeError>> {
    const uid = /^(\d+):(\d+)$/.exec(spec.user)?.[1];
    if (uid === undefined || Number(uid) === 0) {
      return err({ reason: 'root-user-refused', user: spec.user, location: { file: spec.image } });
    }
    try {
      const container = await withDeadline(this.long.createContainer({
        Image: spec.image,
        Cmd: [...spec.cmd],
        Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
        ...(spec.workdir === undefined ? {} : { WorkingDir: spec.workdir }),
        User: spec.user,
        Labels: renderLabels(spec.labels, this.owner),
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
        HostConfig: {
          NetworkMode: spec.network === 'none' ? 'none' : 'bridge',
          Mounts: (spec.mounts ?? []).map((m) => ({ Type: 'bind' as const, Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
          ...(spec.memoryBytes === undefined ? {} : { Memory: spec.memoryBytes, MemorySwap: spec.memoryBytes }),
          ...(spec.pidsLimit === undefined ? {} : { PidsLimit: spec.pidsLimit }),
          ...(spec.cpuShares === undefined ? {} : { CpuShares: spec.cpuShares }),
          // An init reaps the build's zombies and passes the kill on; builds need no capabilities.
          Init: true,
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
          AutoRemove: false,
        },
      }), this.deadlines.callMs, 'create container');
      // The handle talks through the client without a request timeout (wait is long); it keeps
      // its own deadlines and pings the engine while the step runs.
      return ok(new DockerStepHandle(this.long.getContainer(container.id), {
        demux: (s, o, e) => { this.long.modem.demuxStream(s, o, e); }, timeoutMs: spec.timeoutMs, now: this.now,
        fail: (op, e) => this.fail(op, e), socket: this.socket, ping: () => this.ping(), deadlines: this.deadlines,
      }));
    } catch (error) {
      const f = asFailure(error);
      if (f.statusCode === 404) return err({ reason: 'image-not-found', image: spec.image, location: { file: this.socket } });
      return err(this.fail('create container', error));
    }
  }

  async listContainers(filter: LabelFilter, options: { readonly runningOnly?: boolean } = {}): Promise<Result<readonly ContainerInfo[], RuntimeError>> {
    try {
      const list = await this.quick.listContainers({ all: options.runningOnly !== true, filters: { label: labelFilterArgs(filter) } });
      return ok(list.map((c) => ({ id: c.Id, imageDigest: c.ImageID, state: c.State, running: c.State === 'running', labels: c.Labels })));
    } catch (error) {
      return err(this.fail('list containers', error));
    }
  }

  async removeContainer(id: string): Promise<Result<void, RuntimeError>> {
    try {
      await withDeadline(this.long.getContainer(id).remove({ force: true, v: true }), this.deadlines.removeMs, 'remove container');
      return ok(undefined);
    } catch (error) {
      const status = asFailure(error).statusCode;
      // Gone already, or its removal is under way: either way it will not be there.
      if (status === 404 || status === 409) return ok(undefined);
      return err(this.fail('remove container', error));
    }
  }

  async importImage(spec: ImportImageSpec): Promise<Result<ImageInfo, RuntimeError>> {
    const { repo, tag } = splitRef(spec.ref);
    // Labels go in as Dockerfile instructions; JSON strings are valid Dockerfile quoting.
    const changes = Object.entries(spec.labels).map(([k, v]) => `LABEL ${JSON.stringify(k)}=${JSON.stringify(v)}`);
    try {
      const stream = await this.long.importImage(createReadStream(spec.tarPath), { repo, tag, changes });
      const events = await followProgress(this.long, stream);
      const failure = events.find((e) => e.error !== undefined);
      if (failure !== undefined) {
        return err({ reason: 'image-build-failed', ref: spec.ref, detail: failure.error ?? '', logTail: [], location: { file: spec.tarPath } });
      }
    } catch (error) {
      return err(this.fail('import image', error));
    }
    return this.mustInspect(spec.ref);
  }

  async buildImage(spec: BuildImageSpec): Promise<Result<ImageInfo, RuntimeError>> {
    const tail = new LineTail(40);
    const location = { file: `${spec.contextDir}/${spec.dockerfile}` };
    try {
      const files = await readdir(spec.contextDir, { recursive: true });
      const stream = await this.long.buildImage({ context: spec.contextDir, src: files }, {
        t: spec.ref,
        dockerfile: spec.dockerfile,
        buildargs: { ...spec.buildArgs },
        labels: { ...spec.labels },
        networkmode: spec.network === 'none' ? 'none' : 'bridge',
        rm: true,
        forcerm: true,
        nocache: spec.noCache === true,
        ...(spec.signal === undefined ? {} : { abortSignal: spec.signal }),
      });
      const lines = new LineBuffer((line) => {
        tail.add(line);
        spec.onLine?.(line);
      });
      const events = await followProgress(this.long, stream, (event) => {
        if (event.stream !== undefined) lines.push(event.stream);
      });
      lines.flush();
      const failure = events.find((e) => e.error !== undefined);
      if (failure !== undefined) {
        return err({ reason: 'image-build-failed', ref: spec.ref, detail: failure.error ?? '', logTail: tail.get(), location });
      }
    } catch (error) {
      if (spec.signal?.aborted === true) return err({ reason: 'interrupted', location });
      const f = asFailure(error);
      if (f.statusCode !== undefined) {
        return err({ reason: 'image-build-failed', ref: spec.ref, detail: f.json?.message ?? f.message ?? '', logTail: tail.get(), location });
      }
      return err(this.fail('build image', error));
    }
    return this.mustInspect(spec.ref);
  }

  async inspectImage(ref: string): Promise<Result<ImageInfo | undefined, RuntimeError>> {
    try {
      const info = imageInfoFromInspect(await this.quick.getImage(ref).inspect());
      return info.ok ? info : err({ reason: 'engine-error', operation: 'inspect image', detail: info.error, location: { file: this.socket } });
    } catch (error) {
      if (asFailure(error).statusCode === 404) return ok(undefined);
      return err(this.fail('inspect image', error));
    }
  }

  private async mustInspect(ref: string): Promise<Result<ImageInfo, RuntimeError>> {
    const info = await this.inspectImage(ref);
    if (!info.ok) return info;
    return info.value === undefined ? err({ reason: 'image-not-found', image: ref, location: { file: this.socket } }) : ok(info.value);
  }

  async listImages(filter: LabelFilter): Promise<Result<readonly ImageInfo[], RuntimeError>> {
    try {
      const list = await this.quick.listImages({ filters: { label: labelFilterArgs(filter) } });
      const out: ImageInfo[] = [];
      for (const image of list) {
        const digest = asImageDigest(image.Id);
        if (digest === undefined) continue;
        const parent = asImageDigest(image.ParentId);
        out.push({
          digest,
          refs: (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
          sizeBytes: image.Size,
          created: new Date(image.Created * 1000).toISOString(),
          labels: image.Labels,
          ...(parent === undefined ? {} : { parent }),
        });
      }
      return ok(out);
    } catch (error) {
      return err(this.fail('list images', error));
    }
  }

  async removeImage(ref: string): Promise<Result<void, RuntimeError>> {
    try {
      await this.long.getImage(ref).remove();
      return ok(undefined);
    } catch (error) {
      const f = asFailure(error);
      if (f.statusCode === 404) return ok(undefined);
      if (f.statusCode === 409) return err({ reason: 'image-in-use', ref, detail: f.json?.message ?? f.message ?? '', location: { file: this.socket } });
      return err(this.fail('remove image', error));
    }
  }
}

interface ProgressEvent { readonly stream?: string; readonly status?: string; readonly error?: string }

function followProgress(docker: Docker, stream: NodeJS.ReadableStream, onEvent?: (event: ProgressEvent) => void): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error: Error | null, events: ProgressEvent[]) => {
        if (error === null) resolve(events);
        else reject(error);
      },
      onEvent,
    );
  });
}

function labelFilterArgs(filter: LabelFilter): string[] {
  return Object.entries(filter).map(([k, v]) => (v === true ? k : `${k}=${v}`));
}

function splitRef(ref: string): { repo: string; tag: string } {
  const colon = ref.lastIndexOf(':');
  return colon > 0 && !ref.slice(colon).includes('/') ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repo: ref, tag: 'latest' };
}
