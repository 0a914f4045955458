// xz through the `xz` CLI with fixed settings, so the same input gives the same bytes.
// dpkg-deb's defaults (dpkg-deb(1): "default is ... 6 for xz"; its members carry a CRC64 check,
// as `xz --list` shows on any archive .deb): preset 6, CRC64. `-T1` pins the single-threaded
// encoder: xz ≥ 5.6 defaults to multi-threaded mode, whose block layout depends on the thread
// count. The child gets a fixed environment so XZ_DEFAULTS / XZ_OPT cannot change the output.
import { spawn } from 'node:child_process';
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
  const child = spawn(xzPath, [...XZ_COMPRESS_ARGS], { stdio: ['pipe', outFd, 'pipe'], env: XZ_ENV });
  const { stdin, stderr: errStream } = child;
  if (stdin === null || errStream === null) throw new Error('spawn with piped stdio returned no pipes');
  const stderr: Buffer[] = [];
  errStream.on('data', (chunk: Buffer) => stderr.push(chunk));
  // EPIPE when xz dies early: the exit status below is the error worth reporting.
  stdin.on('error', () => undefined);
  const done = new Promise<Result<void, string>>((resolve) => {
    child.on('error', (e) => { resolve(err(`cannot run ${xzPath}: ${e.message}`)); });
    child.on('close', (code, signal) => {
      if (code === 0) resolve(ok(undefined));
      else resolve(err(`${xzPath} ${XZ_COMPRESS_ARGS.join(' ')} failed (${signal ?? `exit ${code}`}): ${Buffer.concat(stderr).toString().trim()}`));
    });
  });
  return { stdin, done, kill: () => child.kill('SIGKILL') };
}

/** Run xz on a whole buffer (`--decompress` or the fixed compression settings). */
export function runXz(input: Uint8Array, mode: 'compress' | 'decompress', xzPath = DEFAULT_XZ_PATH): Promise<Result<Buffer, string>> {
  const args = mode === 'compress' ? [...XZ_COMPRESS_ARGS] : ['--decompress', '--stdout'];
  return new Promise((resolve) => {
    const child = spawn(xzPath, args, { stdio: ['pipe', 'pipe', 'pipe'], env: XZ_ENV });
    const out: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => { resolve(err(`cannot run ${xzPath}: ${e.message}`)); });
    child.on('close', (code, signal) => {
      if (code === 0) resolve(ok(Buffer.concat(out)));
      else resolve(err(`${xzPath} ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${Buffer.concat(stderr).toString().trim()}`));
    });
    child.stdin.end(input);
  });
}
