// Runs a program on the host (mmdebstrap, for the base of an environment), line by line, with an
// AbortSignal. Passed into environments.ts so that tests and other callers can supply their own.
import { runProcess } from '../io/process.js';
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

export const runHostCommand: HostCommandRunner = async (argv, options = {}) => {
  const [program, ...args] = argv;
  if (program === undefined) return { exitCode: undefined, spawnError: 'empty command' };
  const lines = new LineBuffer((line) => options.onLine?.(line));
  const ran = await runProcess(program, args, {
    collect: false,
    onOutput: (chunk) => { lines.push(chunk); },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  lines.flush();
  return {
    exitCode: ran.code ?? undefined,
    ...(ran.signal === undefined ? {} : { signal: ran.signal }),
    ...(ran.failure === undefined ? {} : { spawnError: ran.failure }),
  };
};
