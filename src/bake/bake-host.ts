// Running bake commands on this machine rather than in a build container: for musl, whose tools
// (objcopy, strip) are the build machine's own, and for tests. Also reads a program's build-id
// from disk. The base environment is passed in (cli/ owns process.env).
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { describeError } from '../io/describe-error.js';
import { runProcess } from '../io/process.js';
import type { Logger } from '../log/logger.js';
import { err, ok, type Result } from '../model/result.js';
import type { BakeCommand } from './backends/backend.js';
import { readElfBuildId, type BuildIdError } from './elf-build-id.js';
import type { StagingCopy, StagingWrite } from './rumprun-fs-image.js';

export interface HostRunOptions {
  /** The environment every command starts from (PATH at least); each command's env is added. */
  readonly baseEnv: Readonly<Record<string, string>>;
  readonly log?: Logger;
  readonly signal?: AbortSignal;
}

export interface CommandFailure {
  readonly reason: 'command-failed';
  readonly name: string;
  readonly argv: readonly string[];
  readonly exitCode: number | undefined;
  /** The last lines of its output. */
  readonly outputTail: string;
}

async function runOne(command: BakeCommand, options: HostRunOptions): Promise<{ code: number | undefined; output: string }> {
  const [program, ...args] = command.argv;
  if (program === undefined) return { code: undefined, output: 'empty argv' };
  const chunks: Buffer[] = [];
  const ran = await runProcess(program, args, {
    cwd: command.cwd,
    env: { ...options.baseEnv, ...command.env },
    collect: false,
    onOutput: (chunk) => chunks.push(chunk),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const output = Buffer.concat(chunks).toString('utf8');
  return { code: ran.code ?? undefined, output: ran.failure === undefined ? output : `${output}${ran.failure}\n` };
}

/** Runs the commands in order; stops at the first that fails. */
export async function runBakeCommandsOnHost(commands: readonly BakeCommand[], options: HostRunOptions): Promise<Result<void, CommandFailure>> {
  for (const command of commands) {
    await mkdir(command.cwd, { recursive: true });
    const started = Date.now();
    const { code, output } = await runOne(command, options);
    options.log?.debug({ step: command.name, exitCode: code, ms: Date.now() - started }, 'bake command finished');
    if (code !== 0) {
      const outputTail = output.trim().split('\n').slice(-20).join('\n');
      return err({ reason: 'command-failed', name: command.name, argv: command.argv, exitCode: code, outputTail });
    }
  }
  return ok(undefined);
}

/** Performs a spec's staging copies and writes (parent directories created). */
export async function stageFiles(staging: { readonly copies: readonly StagingCopy[]; readonly writes: readonly StagingWrite[] }): Promise<void> {
  for (const copy of staging.copies) {
    await mkdir(posix.dirname(copy.to), { recursive: true });
    await copyFile(copy.from, copy.to);
  }
  for (const write of staging.writes) {
    await mkdir(posix.dirname(write.path), { recursive: true });
    await writeFile(write.path, write.content);
  }
}

export type ReadBuildIdError = BuildIdError | { readonly reason: 'unreadable'; readonly detail: string };

export async function readBuildIdFromFile(path: string): Promise<Result<string, ReadBuildIdError>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error: unknown) {
    return err({ reason: 'unreadable', detail: describeError(error) });
  }
  return readElfBuildId(bytes);
}
