// Read-only questions to the Docker engine (is it there, does this image exist, what is its ID)
// over its unix socket with node:http, for the commands that only look: `plan`'s cached column
// and a build whose every node is cached. Importing dockerode costs about 0.1 s of a plan's 0.3 s
// (docker-modem loads ssh2, and dockerode the gRPC session code, at import), for two GET requests
// that node:http makes in a few milliseconds. Everything that creates or runs goes through
// DockerRuntime; both read an image inspection with `imageInfoFromInspect`, so they agree.
import { request } from 'node:http';
import { err, ok, type Result } from '../model/result.js';
import { asImageDigest, type EngineInfo, type ImageInfo, type ImageLookup, type RuntimeError } from './container-runtime.js';
import { describeError } from '../io/describe-error.js';

export const DEFAULT_SOCKET = '/var/run/docker.sock';

/** The engine's image inspection (`GET /images/{name}/json`), as much of it as stubforge reads. */
export interface ImageInspectJson {
  readonly Id: string;
  readonly Parent?: string;
  readonly RepoTags?: readonly string[] | null;
  readonly Size: number;
  readonly Created: string;
  readonly Config?: { readonly Labels?: Readonly<Record<string, string>> | null } | null;
}

/** An inspection as ImageInfo; a message when the engine's answer is not one. */
export function imageInfoFromInspect(info: ImageInspectJson): Result<ImageInfo, string> {
  const digest = asImageDigest(info.Id);
  if (digest === undefined) return err(`unexpected image id ${JSON.stringify(info.Id)}`);
  const parent = asImageDigest(info.Parent ?? '');
  return ok({
    digest,
    refs: [...(info.RepoTags ?? [])],
    sizeBytes: info.Size,
    created: info.Created,
    labels: info.Config?.Labels ?? {},
    ...(parent === undefined ? {} : { parent }),
  });
}

interface Answer { readonly status: number; readonly body: string }

/** Socket errors that mean nobody answers there (as opposed to an engine that answered badly). */
const UNREACHABLE_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

export interface EngineLookupOptions {
  readonly socketPath?: string;
  /** The whole request (connect, answer) gives up after this long: a hung engine must not hang us. */
  readonly timeoutMs?: number;
}

export class EngineLookup implements ImageLookup {
  readonly socket: string;
  private readonly timeoutMs: number;

  constructor(options: EngineLookupOptions = {}) {
    this.socket = options.socketPath ?? DEFAULT_SOCKET;
    this.timeoutMs = options.timeoutMs ?? 3000;
  }

  private get(path: string): Promise<Result<Answer, { readonly code?: string; readonly message: string }>> {
    return new Promise((resolve) => {
      const req = request({ socketPath: this.socket, path, method: 'GET', timeout: this.timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => { resolve(ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })); });
        res.on('error', (error: NodeJS.ErrnoException) => { resolve(err({ ...(error.code === undefined ? {} : { code: error.code }), message: error.message })); });
      });
      req.on('timeout', () => { req.destroy(Object.assign(new Error(`no answer within ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })); });
      req.on('error', (error: NodeJS.ErrnoException) => { resolve(err({ ...(error.code === undefined ? {} : { code: error.code }), message: error.message })); });
      req.end();
    });
  }

  private failure(operation: string, failed: { readonly code?: string; readonly message: string }): RuntimeError {
    const location = { file: this.socket };
    if (failed.code === undefined || UNREACHABLE_CODES.has(failed.code)) {
      const detail = failed.code === undefined || failed.message.includes(failed.code) ? failed.message : `${failed.code}: ${failed.message}`;
      return { reason: 'engine-unavailable', socket: this.socket, detail, location };
    }
    return { reason: 'engine-error', operation, detail: failed.message, location };
  }

  private answerError(operation: string, answer: Answer): RuntimeError {
    let detail = answer.body.trim();
    try {
      const message = (JSON.parse(detail) as { message?: unknown }).message;
      if (typeof message === 'string') detail = message;
    } catch {
      // Not JSON: the body as it came.
    }
    return { reason: 'engine-error', operation, statusCode: answer.status, detail, location: { file: this.socket } };
  }

  private async getJson(operation: string, path: string): Promise<Result<unknown, RuntimeError> | undefined> {
    const answer = await this.get(path);
    if (!answer.ok) return err(this.failure(operation, answer.error));
    if (answer.value.status === 404) return undefined;
    if (answer.value.status !== 200) return err(this.answerError(operation, answer.value));
    try {
      return ok(JSON.parse(answer.value.body) as unknown);
    } catch (error: unknown) {
      return err({ reason: 'engine-error', operation, detail: `answer is not JSON: ${describeError(error)}`, location: { file: this.socket } });
    }
  }

  async ping(): Promise<Result<EngineInfo, RuntimeError>> {
    const answer = await this.getJson('ping', '/version');
    if (answer === undefined) return err({ reason: 'engine-error', operation: 'ping', statusCode: 404, detail: '/version not found', location: { file: this.socket } });
    if (!answer.ok) return answer;
    const version = answer.value as { Version?: unknown; ApiVersion?: unknown };
    return ok({ serverVersion: String(version.Version), apiVersion: String(version.ApiVersion), socket: this.socket });
  }

  async inspectImage(ref: string): Promise<Result<ImageInfo | undefined, RuntimeError>> {
    // The engine's route takes the name as the rest of the path: `/` and `:` stay as they are.
    const path = `/images/${encodeURIComponent(ref).replace(/%2F/gi, '/').replace(/%3A/gi, ':')}/json`;
    const answer = await this.getJson('inspect image', path);
    if (answer === undefined) return ok(undefined);
    if (!answer.ok) return answer;
    const info = imageInfoFromInspect(answer.value as ImageInspectJson);
    return info.ok ? info : err({ reason: 'engine-error', operation: 'inspect image', detail: info.error, location: { file: this.socket } });
  }
}
