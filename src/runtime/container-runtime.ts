// The container engine as stubforge needs it, and nothing more: run one build step, build and
// import images, inspect and list what we made. Only docker-runtime.ts knows the engine's client
// library; no type of it appears here, so the executor and environments can be read (and the
// engine replaced) without it (docs/conventions.md §6).
import type { Result } from '../model/result.js';
import type { SourceLocation } from '../model/location.js';
import type { Brand } from '../model/brand.js';
import type { StubforgeLabels } from './labels.js';

/** An image ID as the engine reports it (`sha256:<64 hex>`): what goes into every cache key. */
export type ImageDigest = Brand<string, 'ImageDigest'>;

const IMAGE_DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export function asImageDigest(value: string): ImageDigest | undefined {
  return IMAGE_DIGEST_RE.test(value) ? (value as ImageDigest) : undefined;
}

export interface Mount {
  /** Absolute host path. */
  readonly source: string;
  /** Absolute path inside the container. */
  readonly target: string;
  readonly readOnly: boolean;
}

export type NetworkMode = 'none' | 'default';

export interface StepSpec {
  readonly image: string;
  /** argv, run without a shell unless the caller puts one in. */
  readonly cmd: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly workdir?: string;
  /** `uid:gid`, never root: the runtime refuses uid 0 (builds do not need it). */
  readonly user: string;
  readonly mounts?: readonly Mount[];
  readonly network: NetworkMode;
  /** Hard memory limit; swap is not allowed beyond it. */
  readonly memoryBytes?: number;
  /** Most processes and threads at once (a fork bomb stops there, not at the host's limit). */
  readonly pidsLimit?: number;
  /** CPU weight against other containers (the engine's default is 1024). */
  readonly cpuShares?: number;
  /** Wall-clock limit from start to exit. */
  readonly timeoutMs: number;
  readonly labels: StubforgeLabels;
}

export type OutputStream = 'stdout' | 'stderr';
export type OnOutputLine = (stream: OutputStream, line: string) => void;

export interface StepOutcome {
  readonly exitCode: number;
  /** The step ran past its timeout and was killed (exitCode is then the kill's, usually 137). */
  readonly timedOut: boolean;
  readonly durationMs: number;
  readonly oomKilled: boolean;
  /**
   * Killed (exit 137) where the runtime cannot tell why: a Swarm task on another node, whose
   * engine's OOM flag is out of reach. The memory limit, or a kill inside the step.
   */
  readonly unexplainedKill?: boolean;
}

/** One created container. Disposing removes it (forcefully), whatever state it is in. */
export interface StepHandle extends AsyncDisposable {
  readonly id: string;
  /**
   * Starts the container, streams its output line by line, and waits for its exit or the spec's
   * timeout. An aborted signal kills the container and answers `interrupted`.
   */
  run(onLine: OnOutputLine, signal?: AbortSignal): Promise<Result<StepOutcome, RuntimeError>>;
  /** Kill and remove; safe to call twice. */
  remove(): Promise<Result<void, RuntimeError>>;
}

export interface ImportImageSpec {
  /** A root filesystem tarball, e.g. from mmdebstrap. */
  readonly tarPath: string;
  /** `name:tag`. */
  readonly ref: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface BuildImageSpec {
  /** Directory sent to the engine as the build context. */
  readonly contextDir: string;
  /** Dockerfile path relative to contextDir. */
  readonly dockerfile: string;
  /** `name:tag` to tag the result with. */
  readonly ref: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  /** Network of RUN instructions: image layers need the mirror, so `default`. */
  readonly network: NetworkMode;
  /** Build every instruction afresh (a refresh must not reuse yesterday's `apt-get upgrade`). */
  readonly noCache?: boolean;
  readonly onLine?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface ImageInfo {
  readonly digest: ImageDigest;
  /** Tags pointing at the image (`name:tag`). */
  readonly refs: readonly string[];
  readonly sizeBytes: number;
  /** ISO-8601 time the image's last layer was made. */
  readonly created: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Image ID of the parent layer, when the engine keeps one (locally built images). */
  readonly parent?: ImageDigest;
}

export interface ContainerInfo {
  readonly id: string;
  readonly imageDigest: string;
  readonly state: string;
  readonly running: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

export interface EngineInfo {
  readonly serverVersion: string;
  readonly apiVersion: string;
  readonly socket: string;
}

/** A label filter: every key must be present; a string value must match exactly. */
export type LabelFilter = Readonly<Record<string, string | true>>;

/** The questions that only look (engine-lookup.ts answers them without the engine's client library). */
export interface ImageLookup {
  /** Answers quickly: `engine-unavailable` when nothing listens, never a hang. */
  ping(): Promise<Result<EngineInfo, RuntimeError>>;
  /** `undefined` (not an error) when no such image exists. */
  inspectImage(ref: string): Promise<Result<ImageInfo | undefined, RuntimeError>>;
}

export interface ContainerRuntime extends ImageLookup {
  createStep(spec: StepSpec): Promise<Result<StepHandle, RuntimeError>>;
  listContainers(filter: LabelFilter, options?: { readonly runningOnly?: boolean }): Promise<Result<readonly ContainerInfo[], RuntimeError>>;
  removeContainer(id: string): Promise<Result<void, RuntimeError>>;
  importImage(spec: ImportImageSpec): Promise<Result<ImageInfo, RuntimeError>>;
  buildImage(spec: BuildImageSpec): Promise<Result<ImageInfo, RuntimeError>>;
  listImages(filter: LabelFilter): Promise<Result<readonly ImageInfo[], RuntimeError>>;
  removeImage(ref: string): Promise<Result<void, RuntimeError>>;
}

/** Every way the engine can let a step or an image operation down, keyed by `reason`. */
export type RuntimeError =
  | { readonly reason: 'engine-unavailable'; readonly socket: string; readonly detail: string; readonly location: SourceLocation }
  | { readonly reason: 'image-not-found'; readonly image: string; readonly location: SourceLocation }
  | { readonly reason: 'root-user-refused'; readonly user: string; readonly location: SourceLocation }
  | { readonly reason: 'image-build-failed'; readonly ref: string; readonly detail: string; readonly logTail: readonly string[]; readonly location: SourceLocation }
  | { readonly reason: 'image-in-use'; readonly ref: string; readonly detail: string; readonly location: SourceLocation }
  | { readonly reason: 'interrupted'; readonly location: SourceLocation }
  | { readonly reason: 'engine-error'; readonly operation: string; readonly statusCode?: number; readonly detail: string; readonly location: SourceLocation };

export function describeRuntimeError(error: RuntimeError): string {
  switch (error.reason) {
    case 'engine-unavailable':
      return `container engine not answering on ${error.socket}: ${error.detail} (run docker/ensure-engine.sh)`;
    case 'image-not-found':
      return `image ${error.image} not found`;
    case 'root-user-refused':
      return `build steps never run as root (user ${error.user})`;
    case 'image-build-failed':
      return `building image ${error.ref} failed: ${error.detail}`;
    case 'image-in-use':
      return `image ${error.ref} is in use: ${error.detail}`;
    case 'interrupted':
      return 'interrupted';
    case 'engine-error':
      return `container engine: ${error.operation} failed${error.statusCode === undefined ? '' : ` (HTTP ${error.statusCode})`}: ${error.detail}`;
  }
}
