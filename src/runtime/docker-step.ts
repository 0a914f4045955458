// One build container on the Docker engine (docker-runtime.ts creates it; the dockerode types stop
// in these two files). Every engine call has a deadline, and while the step runs the engine is
// pinged: an engine that stops answering (its socket gone, the daemon hung) is an
// `engine-unavailable` failure within seconds, never a run that waits for ever; an interrupt ends
// the wait after a short grace even when the kill cannot reach the engine.
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { ok, err, type Result } from '../model/result.js';
import type { EngineInfo, OnOutputLine, RuntimeError, StepHandle, StepOutcome } from './container-runtime.js';
import { LineBuffer } from './line-buffer.js';

/** How long output may still arrive after a container has exited. */
const OUTPUT_DRAIN_MS = 5_000;

/** Deadlines and health checks of one step; the defaults suit a local engine under load. */
export interface EngineDeadlines {
  /** attach, start, inspect: calls that answer at once. */
  readonly callMs: number;
  /** Removing a container (a busy engine can take a while to stop one). */
  readonly removeMs: number;
  /** Between two pings while a step runs. */
  readonly healthIntervalMs: number;
  /** Pings in a row that fail before the engine counts as lost. */
  readonly healthMisses: number;
  /** After a kill (timeout or interrupt), how long the container's exit is waited for. */
  readonly killGraceMs: number;
}

export const DEFAULT_ENGINE_DEADLINES: EngineDeadlines = {
  callMs: 30_000, removeMs: 30_000, healthIntervalMs: 2_000, healthMisses: 3, killGraceMs: 10_000,
};

/** Rejects with an ETIMEDOUT-coded error (an unreachable engine) when `promise` takes longer than `ms`. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(Object.assign(new Error(`${what}: no answer from the engine within ${Math.round(ms / 1000)} s (timeout)`), { code: 'ETIMEDOUT' }));
    }, ms);
    timer.unref();
  });
  return Promise.race([promise, late]).finally(() => { clearTimeout(timer); });
}

/** Splits the engine's multiplexed attach stream into stdout/stderr lines; resolves at its end. */
export type Demux = (stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream) => void;

export interface StepHandleDeps {
  readonly demux: Demux;
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly fail: (operation: string, error: unknown) => RuntimeError;
  readonly socket: string;
  readonly ping: () => Promise<Result<EngineInfo, RuntimeError>>;
  readonly deadlines?: EngineDeadlines;
}

/** Why the wait ended early: the engine stopped answering, or an interrupt's grace ran out. */
class WaitAbandoned extends Error {
  constructor(readonly why: 'engine-lost' | 'interrupted', readonly detail: string) {
    super(detail);
  }
}

function asStatus(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as { statusCode?: number }).statusCode : undefined;
}

export class DockerStepHandle implements StepHandle {
  private removed = false;
  private engineLost = false;
  private readonly deadlines: EngineDeadlines;

  constructor(private readonly container: Docker.Container, private readonly deps: StepHandleDeps) {
    this.deadlines = deps.deadlines ?? DEFAULT_ENGINE_DEADLINES;
  }

  get id(): string {
    return this.container.id;
  }

  async run(onLine: OnOutputLine, signal?: AbortSignal): Promise<Result<StepOutcome, RuntimeError>> {
    const location = { file: this.deps.socket };
    if (signal?.aborted === true) return err({ reason: 'interrupted', location });
    const d = this.deadlines;
    // Set from timer and signal callbacks, read after the wait.
    const flags = { timedOut: false, interrupted: false };
    let abandon: ((reason: WaitAbandoned) => void) | undefined;
    const abandoned = new Promise<never>((_, reject) => { abandon = reject; });
    abandoned.catch(() => undefined);
    let graceTimer: NodeJS.Timeout | undefined;
    const kill = (): void => {
      withDeadline(this.container.kill({ signal: 'SIGKILL' }), d.callMs, 'kill').catch(() => undefined);
      // Should the engine not report the exit (it may be gone), stop waiting after the grace.
      graceTimer ??= setTimeout(() => {
        abandon?.(new WaitAbandoned(flags.interrupted ? 'interrupted' : 'engine-lost', `the container did not exit within ${Math.round(d.killGraceMs / 1000)} s of its kill`));
      }, d.killGraceMs);
    };
    const onAbort = (): void => {
      flags.interrupted = true;
      kill();
    };
    let timer: NodeJS.Timeout | undefined;
    let health: NodeJS.Timeout | undefined;
    let stream: NodeJS.ReadWriteStream | undefined;
    // An abandoned wait must not keep its request (and this process) open on a dead socket.
    const waitRequest = new AbortController();
    let exited = false;
    const started = this.deps.now();
    try {
      // Attach before start so that no early output is lost.
      stream = await withDeadline(this.container.attach({ stream: true, stdout: true, stderr: true }), d.callMs, 'attach');
      const outputDone = demuxLines(this.deps.demux, stream, onLine);
      signal?.addEventListener('abort', onAbort, { once: true });
      await withDeadline(this.container.start(), d.callMs, 'start');
      // An abort that came while the container was starting could not kill it yet.
      if (flags.interrupted) kill();
      timer = setTimeout(() => {
        flags.timedOut = true;
        kill();
      }, this.deps.timeoutMs);
      let misses = 0;
      let last = '';
      health = setInterval(() => {
        void this.deps.ping().then((answer) => {
          misses = answer.ok ? 0 : misses + 1;
          if (!answer.ok) last = answer.error.reason === 'engine-unavailable' ? answer.error.detail : answer.error.reason;
          if (misses >= d.healthMisses) abandon?.(new WaitAbandoned('engine-lost', `the engine stopped answering while the step ran (${last})`));
        });
      }, d.healthIntervalMs);
      const exit = (await Promise.race([this.container.wait({ abortSignal: waitRequest.signal }), abandoned])) as { StatusCode: number };
      exited = true;
      const durationMs = this.deps.now() - started;
      clearTimeout(timer);
      // The attach stream ends with the container; should the engine not close it, do not wait
      // for ever for output that cannot come any more.
      await Promise.race([outputDone, new Promise((resolve) => setTimeout(resolve, OUTPUT_DRAIN_MS).unref())]);
      if (flags.interrupted) return err({ reason: 'interrupted', location });
      const state = await withDeadline(this.container.inspect(), d.callMs, 'inspect');
      return ok({ exitCode: exit.StatusCode, timedOut: flags.timedOut, durationMs, oomKilled: state.State.OOMKilled });
    } catch (error) {
      // Abandoned: the engine did not report the exit, whatever the reason; it may be gone.
      if (error instanceof WaitAbandoned) this.engineLost = true;
      if (flags.interrupted) return err({ reason: 'interrupted', location });
      if (error instanceof WaitAbandoned) return err({ reason: 'engine-unavailable', socket: this.deps.socket, detail: error.detail, location });
      return err(this.deps.fail('run step', error));
    } finally {
      clearTimeout(timer);
      clearTimeout(graceTimer);
      clearInterval(health);
      signal?.removeEventListener('abort', onAbort);
      if (!exited) {
        waitRequest.abort();
        (stream as { destroy?: () => void } | undefined)?.destroy?.();
      }
    }
  }

  async remove(): Promise<Result<void, RuntimeError>> {
    if (this.removed) return ok(undefined);
    // After the engine was lost, a remove would only wait out its deadline: ask first.
    if (this.engineLost) {
      const answer = await this.deps.ping();
      if (!answer.ok) return err(answer.error);
    }
    try {
      await withDeadline(this.container.remove({ force: true, v: true }), this.deadlines.removeMs, 'remove container');
      this.removed = true;
      return ok(undefined);
    } catch (error) {
      const status = asStatus(error);
      if (status === 404 || status === 409) {
        this.removed = true;
        return ok(undefined);
      }
      // The engine is gone: the container (labelled with this process) is the reaper's next run.
      return err(this.deps.fail('remove container', error));
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.remove();
  }
}

/** A multiplexed engine stream split into stdout and stderr lines; resolves when the stream ends. */
export function demuxLines(demux: Demux, stream: NodeJS.ReadableStream, onLine: OnOutputLine): Promise<void> {
  const out = new PassThrough();
  const errStream = new PassThrough();
  const outLines = new LineBuffer((line) => { onLine('stdout', line); });
  const errLines = new LineBuffer((line) => { onLine('stderr', line); });
  out.on('data', (chunk: Buffer) => { outLines.push(chunk); });
  errStream.on('data', (chunk: Buffer) => { errLines.push(chunk); });
  demux(stream, out, errStream);
  return new Promise((resolve) => {
    const finish = (): void => {
      outLines.flush();
      errLines.flush();
      resolve();
    };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
  });
}
