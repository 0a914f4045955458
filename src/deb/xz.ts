// xz through the `xz` CLI with fixed settings, so the same input gives the same bytes.
// dpkg-deb's defaults (dpkg-deb(1): "default is ... 6 for xz"; its members carry a CRC64 check,
// as `xz --list` shows on any archive .deb): preset 6, CRC64. `-T1` pins the single-threaded
// encoder: xz ≥ 5.6 defaults to multi-threaded mode, whose block layout depends on the thread
// count. The child gets a fixed environment so XZ_DEFAULTS / XZ_OPT cannot change the output.
import { runProcess, startProcess, type ProcessResult } from '../io/process.js';
import type { Writable } from 'node:stream';
import { err, ok, type Result } from '../model/result.js';

export const DEFAULT_XZ_PATH = '/usr/bin/xz';
export const XZ_COMPRESS_ARGS = ['--format=xz', '--check=crc64', '-6', '-T1', '--stdout'] as const;
const XZ_ENV = { LC_ALL: 'C' };

export interface XzProcess {
  /** Write the uncompressed stream here, then end it. */
  readonly stdin: Writable;
  /** Settles when xz exits: ok, or the reason with its stderr. */
  readonly done: Promise<Result<void, string>>;
  kill(): void;
}

/** Start `xz` compressing its stdin into the already open file descriptor `outFd`. */
export function startXzCompressor(outFd: number, xzPath = DEFAULT_XZ_PATH): XzProcess {
  const child = startProcess(xzPath, [...XZ_COMPRESS_ARGS], { stdin: 'pipe', stdoutFd: outFd, env: XZ_ENV });
  const { stdin } = child;
  if (stdin === undefined) throw new Error('spawn with piped stdio returned no pipes');
  const done = child.done.then((result) => xzOutcome(xzPath, XZ_COMPRESS_ARGS, result, undefined));
  return { stdin, done, kill: () => { child.kill('SIGKILL'); } };
}

/** Run xz on a whole buffer (`--decompress` or the fixed compression settings). */
export async function runXz(input: Uint8Array, mode: 'compress' | 'decompress', xzPath = DEFAULT_XZ_PATH): Promise<Result<Buffer, string>> {
  const args = mode === 'compress' ? [...XZ_COMPRESS_ARGS] : ['--decompress', '--stdout'];
  const result = await runProcess(xzPath, args, { input, env: XZ_ENV });
  return xzOutcome(xzPath, args, result, result.stdout);
}

function xzOutcome<T>(xzPath: string, args: readonly string[], result: ProcessResult, value: T): Result<T, string> {
  if (result.failure !== undefined && result.signal === undefined) return err(`cannot run ${xzPath}: ${result.failure}`);
  if (result.code === 0) return ok(value);
  return err(`${xzPath} ${args.join(' ')} failed (${result.signal ?? `exit ${String(result.code)}`}): ${result.stderr.trim()}`);
}
