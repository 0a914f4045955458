// Child processes the archive layer runs (gpgv, xz, dpkg-source), behind one injectable function
// so tests can count or replace them. Output is collected as Buffers: xz's stdout is a 50 MB index.
import { spawn } from 'node:child_process';

export interface ProcessResult {
  /** Exit code, or null when the process was killed or never started. */
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
  /** Why it never started or was killed (ENOENT, timeout ...). */
  readonly failure?: string;
}

export interface ProcessOptions {
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

export type ProcessRunner = (
  command: string,
  args: readonly string[],
  options?: ProcessOptions,
) => Promise<ProcessResult>;

export const runProcess: ProcessRunner = (command, args, options = {}) =>
  new Promise((resolve) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let failure: string | undefined;
    const child = spawn(command, args, {
      cwd: options.cwd,
      // The environment is inherited as it is: cli/ owns process.env.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      failure = `timed out after ${options.timeoutMs} ms`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      failure = error.message;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code: failure === undefined ? code : null,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
        ...(failure === undefined ? {} : { failure }),
      });
    });
  });

/** One line for logs and error details: exit status and the end of stderr. */
export function describeProcess(command: string, result: ProcessResult): string {
  const status = result.failure ?? `exit code ${String(result.code)}`;
  const tail = result.stderr.trim().split('\n').slice(-5).join(' | ');
  return `${command}: ${status}${tail === '' ? '' : `: ${tail}`}`;
}
