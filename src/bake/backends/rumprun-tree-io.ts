// Reads what readRumprunTreeLayout needs from a tree on disk: the compiler wrapper named by the
// arch file's Toolchain-Path-Probe, the other bin/ wrappers of the same tuple (small shell
// scripts; rumprun-bake and the static launcher binaries are not read), and libexec/'s entries.
import { readdir, readFile, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { err, type Result } from '../../model/result.js';
import { readRumprunTreeLayout, type RumprunTree, type RumprunTreeError } from './rumprun-tree.js';
import { describeError } from '../../io/describe-error.js';

/** The binutils wrappers app-tools/Makefile generates (`_BIN_G`), read to cross-check the path. */
const BINUTILS_WRAPPERS = ['ar', 'as', 'ld', 'nm', 'objcopy', 'objdump', 'ranlib', 'readelf', 'strip'];
const MAX_WRAPPER_BYTES = 64 * 1024;

export type ReadTreeError = RumprunTreeError | { readonly reason: 'unreadable-tree'; readonly detail: string; readonly location: { readonly file: string } };

async function readSmall(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_WRAPPER_BYTES) return undefined;
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

export async function readRumprunTree(hostRoot: string, compilerWrapperPath = 'bin/x86_64-rumprun-netbsd-gcc'): Promise<Result<RumprunTree, ReadTreeError>> {
  const wrapperFile = posix.join(hostRoot, compilerWrapperPath);
  const compilerWrapper = await readSmall(wrapperFile);
  if (compilerWrapper === undefined) {
    return err({ reason: 'unreadable-tree', detail: `no compiler wrapper at ${compilerWrapperPath}`, location: { file: wrapperFile } });
  }
  const prefix = posix.basename(compilerWrapperPath).replace(/-(gcc|clang)$/, '');
  const otherWrappers = new Map<string, string>();
  for (const tool of BINUTILS_WRAPPERS) {
    const rel = posix.join(posix.dirname(compilerWrapperPath), `${prefix}-${tool}`);
    const text = await readSmall(posix.join(hostRoot, rel));
    if (text !== undefined) otherWrappers.set(rel, text);
  }
  let libexecDirs: string[];
  try {
    libexecDirs = (await readdir(posix.join(hostRoot, 'libexec'))).sort();
  } catch (error: unknown) {
    return err({ reason: 'unreadable-tree', detail: `libexec/: ${describeError(error)}`, location: { file: hostRoot } });
  }
  return readRumprunTreeLayout({ hostRoot, compilerWrapperPath, compilerWrapper, otherWrappers, libexecDirs });
}
