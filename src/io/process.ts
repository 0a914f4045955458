// The one way stubforge starts a program on the host (gpgv, xz, dpkg-source, mmdebstrap, bake
// tools, a child `stubforge build`), behind one injectable function so tests can count or replace
// the calls. Output is collected as Buffers by default (xz's stdout is a 50 MB index); a caller
// that streams (line-by-line logs, a log file) turns collection off. The environment is inherited
// as it is unless the caller passes one: cli/ owns process.env.
import { spawn, type StdioOptions } from 'node:child_process';
import type { Writable } from 'node:stream';

export interface ProcessResult {
  /** Exit code, or null when the process was killed or never started. */
  readonly code: number | null;
  /** The signal that ended it, when one did. */
  readonly signal?: string;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** Why it never started or was killed (ENOENT, timeout ...). */
  readonly failure?: string;
}

export interface ProcessOptions {
  readonly cwd?: string;
  /** The whole environment of the child; inherited when absent. */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** Stops the child with `killSignal` (the child's exit is still awaited and reported). */
  readonly signal?: AbortSignal;
  /** Sent on abort; SIGTERM by default. */
  readonly killSignal?: NodeJS.Signals;
  /** Written to the child's stdin, which is then closed. */
  readonly input?: Uint8Array;
  /** An open file descriptor the child writes its stdout (or both streams) to, instead of a pipe. */
  readonly stdoutFd?: number;
  readonly stderrFd?: number;
  /** Every chunk of stdout and stderr, in the order they arrive. */
  readonly onOutput?: (chunk: Buffer) => void;
  /** Collect stdout and stderr into the result (default true). */
  readonly collect?: boolean;
}

export type ProcessRunner = (
  command: string,
  args: readonly string[],
  options?: ProcessOptions,
) => Promise<ProcessResult>;

export interface StartedProcess {
  /** The child's stdin, when it was started with `stdin: 'pipe'`. */
  readonly stdin: Writable | undefined;
  readonly done: Promise<ProcessResult>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts a program; `stdin: 'pipe'` hands its stdin to the caller (a streaming compressor). */
export function startProcess(
  command: string,
  args: readonly string[],
  options: ProcessOptions & { readonly stdin?: 'pipe' } = {},
): StartedProcess {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const collect = options.collect ?? true;
  let failure: string | undefined;
  const stdio: StdioOptions = [
    options.stdin === 'pipe' || options.input !== undefined ? 'pipe' : 'ignore',
    options.stdoutFd ?? 'pipe',
    options.stderrFd ?? 'pipe',
  ];
  const child = spawn(command, args, {
    stdio,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
    failure = `timed out after ${options.timeoutMs} ms`;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const onAbort = (): void => { child.kill(options.killSignal ?? 'SIGTERM'); };
  if (options.signal?.aborted === true) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const take = (into: Buffer[]) => (chunk: Buffer): void => {
    options.onOutput?.(chunk);
    if (collect) into.push(chunk);
  };
  child.stdout?.on('data', take(stdout));
  child.stderr?.on('data', take(stderr));
  // EPIPE when the child dies early: its exit status is the error worth reporting.
  child.stdin?.on('error', () => undefined);
  if (options.input !== undefined) child.stdin?.end(options.input);
  const done = new Promise<ProcessResult>((resolve) => {
    child.on('error', (error) => {
      failure ??= error.message;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        code: failure === undefined ? code : null,
        ...(signal === null ? {} : { signal }),
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
        ...(failure === undefined ? {} : { failure }),
      });
    });
  });
  return {
    stdin: options.stdin === 'pipe' ? child.stdin ?? undefined : undefined,
    done,
    kill: (signal = 'SIGKILL') => child.kill(signal),
  };
}

export const runProcess: ProcessRunner = (command, args, options = {}) => startProcess(command, args, options).done;

/** One line for logs and error details: exit status and the end of stderr. */
export function describeProcess(command: string, result: Pick<ProcessResult, 'code' | 'stderr' | 'failure'>): string {
  const status = result.failure ?? `exit code ${String(result.code)}`;
  const tail = result.stderr.trim().split('\n').slice(-5).join(' | ');
  return `${command}: ${status}${tail === '' ? '' : `: ${tail}`}`;
}
