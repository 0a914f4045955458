// Runs a program on the host (mmdebstrap, for the base of an environment), line by line, with an
// AbortSignal. Passed into environments.ts so that tests and other callers can supply their own.
import { spawn } from 'node:child_process';
import { LineBuffer } from './line-buffer.js';

export interface HostCommandOptions {
  readonly onLine?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface HostCommandOutcome {
  /** Exit status; `undefined` when the program could not be started or died from a signal. */
  readonly exitCode: number | undefined;
  readonly signal?: string;
  readonly spawnError?: string;
}

export type HostCommandRunner = (argv: readonly string[], options?: HostCommandOptions) => Promise<HostCommandOutcome>;

export const runHostCommand: HostCommandRunner = (argv, options = {}) =>
  new Promise((resolve) => {
    const [program, ...args] = argv;
    if (program === undefined) {
      resolve({ exitCode: undefined, spawnError: 'empty command' });
      return;
    }
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(options.signal === undefined ? {} : { signal: options.signal }) });
    const lines = new LineBuffer((line) => options.onLine?.(line));
    child.stdout.on('data', (chunk: Buffer) => { lines.push(chunk); });
    child.stderr.on('data', (chunk: Buffer) => { lines.push(chunk); });
    let spawnError: string | undefined;
    child.on('error', (error) => { spawnError = error.message; });
    child.on('close', (code, signal) => {
      lines.flush();
      resolve({
        exitCode: code ?? undefined,
        ...(signal === null ? {} : { signal }),
        ...(spawnError === undefined ? {} : { spawnError }),
      });
    });
  });
