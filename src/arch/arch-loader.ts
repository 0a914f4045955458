// Finding and reading arch files (I/O). Validation is arch-file.ts; this only locates the file,
// reads it through an injected file system, and turns I/O failures into values.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { err, type Result } from '../model/result.js';
import { parseArchFile, type ArchFileError, type PartialArch } from './arch-file.js';
import { describeError } from '../io/describe-error.js';
import { isErrno } from '../io/errno.js';

/** The part of a file system the loaders need; tests pass an in-memory one. */
export interface TextFileReader {
  readFile(path: string): Promise<string>;
}

export const nodeTextFiles: TextFileReader = { readFile: (path) => readFile(path, 'utf8') };

export type ArchLoadError =
  | ArchFileError
  | { readonly reason: 'arch-not-found'; readonly name: string; readonly searched: readonly string[] }
  | { readonly reason: 'io-error'; readonly file: string; readonly detail: string };

export interface ArchLoadOptions {
  /** Folders searched in order (the user's first, stubforge's own `arch/` last). */
  readonly dirs: readonly string[];
  readonly fs?: TextFileReader;
}

function isMissing(e: unknown): boolean {
  return isErrno(e, 'ENOENT');
}

/**
 * Load the arch `name` (a Debian arch name looked up in `dirs`), or an explicit path when `name`
 * contains a slash.
 */
export async function loadArchFile(name: string, options: ArchLoadOptions): Promise<Result<PartialArch, ArchLoadError>> {
  const fs = options.fs ?? nodeTextFiles;
  const explicit = name.includes('/');
  const candidates = explicit ? [name] : options.dirs.map((d) => join(d, name));
  for (const file of candidates) {
    let text: string;
    try {
      text = await fs.readFile(file);
    } catch (e: unknown) {
      if (isMissing(e)) continue;
      return err({ reason: 'io-error', file, detail: describeError(e) });
    }
    const base = file.split('/').pop() ?? file;
    return parseArchFile(text, file, explicit ? undefined : base);
  }
  return err({ reason: 'arch-not-found', name, searched: candidates });
}
