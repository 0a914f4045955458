// A ProcessRunner that runs each command in a fresh container of the build image (I/O): the link
// ran there, so questions about the toolchain's own files — who owns libc.a (dpkg -S), which
// source and version that package has (dpkg-query -W), its copyright file — are asked of the
// build image's dpkg database, not of this machine's, whose musl may be another version.
import type { ProcessOptions, ProcessResult, ProcessRunner } from '../io/process.js';
import { describeRuntimeError, type ContainerRuntime } from '../runtime/container-runtime.js';
import { BUILDER } from '../runtime/env-spec.js';

export interface ImageProcessOptions {
  readonly runtime: ContainerRuntime;
  /** The build image, by digest. */
  readonly image: string;
  readonly run: string;
  /** Package and key labels of the build the questions belong to. */
  readonly package: string;
  readonly key: string;
  readonly signal?: AbortSignal;
}

/**
 * Output is collected line by line (the runtime streams lines), so stdout comes back with `\n`
 * after every line: right for dpkg's answers and text files, not for binary output.
 */
export function imageProcessRunner(options: ImageProcessOptions): ProcessRunner {
  return async (command: string, args: readonly string[], processOptions: ProcessOptions = {}): Promise<ProcessResult> => {
    const created = await options.runtime.createStep({
      image: options.image, cmd: [command, ...args], user: `${BUILDER.uid}:${BUILDER.gid}`, network: 'none',
      timeoutMs: processOptions.timeoutMs ?? 60_000, env: { LC_ALL: 'C.UTF-8' },
      labels: { run: options.run, package: options.package, key: options.key, kind: 'probe' },
    });
    if (!created.ok) return { code: null, stdout: Buffer.alloc(0), stderr: '', failure: describeRuntimeError(created.error) };
    await using handle = created.value;
    const out: string[] = [];
    const err: string[] = [];
    const ran = await handle.run((stream, line) => {
      (stream === 'stdout' ? out : err).push(line);
    }, options.signal);
    const stdout = Buffer.from(out.map((l) => `${l}\n`).join(''), 'utf8');
    const stderr = err.map((l) => `${l}\n`).join('');
    if (!ran.ok) return { code: null, stdout, stderr, failure: describeRuntimeError(ran.error) };
    if (ran.value.timedOut) return { code: null, stdout, stderr, failure: `timed out after ${String(processOptions.timeoutMs ?? 60_000)} ms` };
    return { code: ran.value.exitCode, stdout, stderr };
  };
}

