// Host faults → one message and exit code 6. A file stubforge must write or read on this machine
// could not be: the disk is full, the folder is read-only, a permission is missing. Wherever such a
// fault surfaces as a thrown system error (anything below cli/ that did not turn it into a value),
// the command ends with the path and what the system said, never with a stack trace.
import { ExitCode } from './exit-codes.js';
import type { Failure } from './archive-messages.js';

/** The system errors that are the host's doing, with what each means for the user. */
const HOST_ERRORS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a component of the path is not a directory',
  EISDIR: 'is a directory',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many symlinks',
  EXDEV: 'crosses file systems',
};

interface SystemError {
  readonly code: string;
  readonly syscall?: string;
  readonly path?: string;
  readonly dest?: string;
}

function asSystemError(error: unknown): SystemError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; syscall?: unknown; path?: unknown; dest?: unknown };
  if (typeof e.code !== 'string' || HOST_ERRORS[e.code] === undefined) return undefined;
  return {
    code: e.code,
    ...(typeof e.syscall === 'string' ? { syscall: e.syscall } : {}),
    ...(typeof e.path === 'string' ? { path: e.path } : {}),
    ...(typeof e.dest === 'string' ? { dest: e.dest } : {}),
  };
}

/** Whether `code` (an errno name) is a host fault this module describes. */
export function isHostErrorCode(code: string | undefined): boolean {
  return code !== undefined && HOST_ERRORS[code] !== undefined;
}

/** The message of a thrown host fault, or undefined when `error` is something else (a bug). */
export function describeHostError(error: unknown): Failure | undefined {
  const e = asSystemError(error);
  if (e === undefined) return undefined;
  const what = e.path === undefined ? 'a file' : e.path;
  const op = e.syscall === undefined ? '' : ` (${e.syscall}${e.dest === undefined ? '' : ` to ${e.dest}`})`;
  return { message: `${what}: ${HOST_ERRORS[e.code] ?? e.code} [${e.code}]${op}`, exitCode: ExitCode.host };
}
