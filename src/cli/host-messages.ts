// Host faults → one message and exit code 6. A file stubforge must write or read on this machine
// could not be: the disk is full, the folder is read-only, a permission is missing. Wherever such a
// fault surfaces as a thrown system error (anything below cli/ that did not turn it into a value),
// the command ends with the path and what the system said, never with a stack trace.
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
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

/**
 * Node's recursive mkdir answers ENOENT where the folder could not be made on a read-only or
 * unwritable parent: find the nearest existing parent and say what is really wrong with it.
 */
function realMkdirFault(e: SystemError): SystemError {
  if (e.code !== 'ENOENT' || e.syscall !== 'mkdir' || e.path === undefined) return e;
  let parent = dirname(e.path);
  while (!existsSync(parent) && parent !== dirname(parent)) parent = dirname(parent);
  try {
    accessSync(parent, constants.W_OK);
    return e;
  } catch (error: unknown) {
    const code = (error as { code?: string }).code;
    return code !== undefined && HOST_ERRORS[code] !== undefined ? { ...e, code } : e;
  }
}

/** The message of a thrown host fault, or undefined when `error` is something else (a bug). */
export function describeHostError(error: unknown): Failure | undefined {
  const found = asSystemError(error);
  if (found === undefined) return undefined;
  const e = realMkdirFault(found);
  const what = e.path === undefined ? 'a file' : e.path;
  const op = e.syscall === undefined ? '' : ` (${e.syscall}${e.dest === undefined ? '' : ` to ${e.dest}`})`;
  return { message: `${what}: ${HOST_ERRORS[e.code] ?? e.code} [${e.code}]${op}`, exitCode: ExitCode.host };
}
