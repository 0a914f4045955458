// Errors of the host's system calls. Node names the path in most failed file-system calls, but
// not in a write through a file handle (ENOSPC from `handle.writeFile` says only "write"). The
// host-fault message must name the file: `atPath` adds the path to such an error, changing
// nothing else. `isErrno` and `exists` are the two questions callers ask of a failed call.
import { stat } from 'node:fs/promises';

/** Runs `work`; a system error it throws without a path gets `path`. */
export async function atPath<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error: unknown) {
    if (typeof error === 'object' && error !== null && 'code' in error && !('path' in error)) {
      Object.assign(error, { path });
    }
    throw error;
  }
}

/** The errno code of a thrown value (`ENOENT`, `EPERM` ...), if it has one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Is the thrown value a system error with this code? */
export function isErrno(error: unknown, code: string): boolean {
  return errnoCode(error) === code;
}

/** Does anything exist at the path (a failed stat, whatever its reason, answers no)? */
export async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}
