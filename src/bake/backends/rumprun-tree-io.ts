// Reads what readRumprunTreeLayout needs from a tree on disk: the compiler wrapper named by the
// arch file's Toolchain-Path-Probe, the other bin/ wrappers of the same tuple (small shell
// scripts; rumprun-bake and the static launcher binaries are not read), and libexec/'s entries.
// Also the components file the user writes beside the tree (rumprun-components.ts).
import { readdir, readFile, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { err, ok, type Result } from '../../model/result.js';
import { describeRumprunTreeError, readRumprunTreeLayout, type RumprunPlatform, type RumprunTree, type RumprunTreeError } from './rumprun-tree.js';
import { describeRumprunComponentsError, readRumprunComponents, type RumprunComponents, type RumprunComponentsError } from './rumprun-components.js';
import { describeError } from '../../io/describe-error.js';
import { isErrno } from '../../io/errno.js';

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

/**
 * Where the components file of the tree at `hostRoot` is when the user names none: beside the
 * tree, named after it (`/opt/rumprun-hw` → `/opt/rumprun-hw.components`). Outside the tree, so
 * that stating a revision does not change the tree's digest and rebuild every library.
 */
export function defaultComponentsFile(hostRoot: string): string {
  return `${posix.normalize(hostRoot).replace(/\/+$/, '')}.components`;
}

export async function readRumprunComponentsFile(file: string, platform: RumprunPlatform): Promise<Result<RumprunComponents, RumprunComponentsError>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error: unknown) {
    if (isErrno(error, 'ENOENT')) return err({ reason: 'components-missing', file, platform, location: { file } });
    return err({ reason: 'components-unreadable', detail: describeError(error), location: { file } });
  }
  return readRumprunComponents(text, file, platform);
}

export type StatedComponents =
  | { readonly kind: 'stated'; readonly components: RumprunComponents }
  | { readonly kind: 'missing'; readonly file: string; readonly message: string };

/**
 * The components the user stated for the tree at `hostRoot` (the file `file`, else the default
 * beside the tree), checked against the tree's platform. An absent file is a value (`missing`,
 * with the message telling what to write): only a run that packages an application needs one.
 * A file that is there but wrong, or a tree that cannot be read, is an error (its message).
 */
export async function statedComponents(hostRoot: string, pathProbe: string, variable: string, file?: string): Promise<Result<StatedComponents, string>> {
  const tree = await readRumprunTree(hostRoot, pathProbe);
  if (!tree.ok) return err(tree.error.reason === 'unreadable-tree' ? `${tree.error.location.file}: ${tree.error.detail}` : describeRumprunTreeError(tree.error));
  const path = file ?? defaultComponentsFile(hostRoot);
  const read = await readRumprunComponentsFile(path, tree.value.platform);
  if (read.ok) return ok({ kind: 'stated', components: read.value });
  const message = describeRumprunComponentsError(read.error, variable);
  return read.error.reason === 'components-missing' ? ok({ kind: 'missing', file: path, message }) : err(message);
}
