// Where a rumprun tree was built for, read from its own wrappers (pure over their text). The tree
// is not relocatable: rumprun's app-tools/Makefile writes the install directory into every
// wrapper (the compiler wrapper's `CC="<dir>/libexec/rumprun-<arch>-<platform>/..."` and
// `--sysroot <dir>/rumprun-<arch>`, the binutils wrappers' `exec <dir>/libexec/...`), into the
// specs files and into the CMake toolchain file. A build container must therefore mount the tree
// at that same absolute path, whatever directory it sits in on this machine.
import { posix } from 'node:path';
import type { SourceLocation } from '../../model/location.js';
import { err, ok, type Result } from '../../model/result.js';
import type { Mount } from '../../runtime/container-runtime.js';

export type RumprunPlatform = 'hw' | 'xen';

export interface RumprunTree {
  /** Where the tree is on this machine (the STUBFORGE_RUMPRUN directory). */
  readonly hostRoot: string;
  /** The absolute path compiled into its wrappers: where it must be mounted. */
  readonly asBuiltRoot: string;
  readonly platform: RumprunPlatform;
  /** `x86_64`. */
  readonly machineArch: string;
  /** `x86_64-rumprun-netbsd`. */
  readonly tuple: string;
  /** True when hostRoot differs from asBuiltRoot: only a container (or a bind mount) can use it. */
  readonly relocated: boolean;
}

/** What the reader hands in: the wrapper texts, by path relative to the tree. */
export interface RumprunTreeFiles {
  readonly hostRoot: string;
  /** `bin/<tuple>-gcc` (the arch file's Toolchain-Path-Probe). */
  readonly compilerWrapperPath: string;
  readonly compilerWrapper: string;
  /** Other `bin/` wrappers (`bin/<tuple>-ar` ...), cross-checked when present. */
  readonly otherWrappers: ReadonlyMap<string, string>;
  /** Directory names under `libexec/` (`rumprun-x86_64-hw`). */
  readonly libexecDirs: readonly string[];
}

export type RumprunTreeError =
  | { readonly reason: 'not-a-rumprun-wrapper'; readonly detail: string; readonly location: SourceLocation }
  | { readonly reason: 'inconsistent-tree-paths'; readonly paths: readonly string[]; readonly location: SourceLocation }
  | { readonly reason: 'libexec-mismatch'; readonly expected: string; readonly found: readonly string[]; readonly location: SourceLocation }
  | { readonly reason: 'unmountable-build-path'; readonly path: string; readonly detail: string; readonly location: SourceLocation };

// CC="/opt/rumprun/libexec/rumprun-x86_64-hw//x86_64--netbsd-gcc" (cc.in's !LIBEXEC_CC!)
const WRAPPER_CC = /^\s*CC="(\/[^"]*?)\/libexec\/rumprun-([a-z0-9_]+)-(hw|xen)\/[^"]*"\s*$/m;
// --sysroot /opt/rumprun/rumprun-x86_64 (cc.in's !DESTDIR!/rumprun-!MACHINE_GNU_ARCH!)
const WRAPPER_SYSROOT = /--sysroot\s+(\/\S*?)\/rumprun-([a-z0-9_]+)(?=\s|$)/gm;
// exec /opt/rumprun/libexec/rumprun-x86_64-hw//x86_64--netbsd-ar "${@}" (the binutils wrappers)
const WRAPPER_EXEC = /^exec\s+(\/\S*?)\/libexec\/rumprun-([a-z0-9_]+)-(hw|xen)\/\S*/m;
// dumpmachine) echo x86_64-rumprun-netbsd
const WRAPPER_TUPLE = /dumpmachine\)\s*\n\s*echo\s+(\S+)/;

/** Directories a tree must not be mounted over in a build container: the image's own system. */
const SYSTEM_DIRS = ['/', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/usr', '/usr/bin', '/usr/sbin', '/usr/lib',
  '/usr/include', '/usr/share', '/usr/libexec', '/etc', '/var', '/tmp', '/root', '/home', '/run', '/opt'];
const VIRTUAL_DIRS = ['/proc', '/sys', '/dev'];

export function readRumprunTreeLayout(files: RumprunTreeFiles): Result<RumprunTree, RumprunTreeError> {
  const location: SourceLocation = { file: posix.join(files.hostRoot, files.compilerWrapperPath) };
  const cc = WRAPPER_CC.exec(files.compilerWrapper);
  if (cc === null) {
    return err({ reason: 'not-a-rumprun-wrapper', detail: 'no CC="<dir>/libexec/rumprun-<arch>-<platform>/..." line (rumprun app-tools cc.in)', location });
  }
  const asBuiltRoot = posix.normalize(cc[1] ?? '');
  const machineArch = cc[2] ?? '';
  const platform = cc[3] === 'xen' ? 'xen' : 'hw';
  const paths = new Set([asBuiltRoot]);
  for (const sysroot of files.compilerWrapper.matchAll(WRAPPER_SYSROOT)) {
    paths.add(posix.normalize(sysroot[1] ?? ''));
  }
  for (const [name, text] of files.otherWrappers) {
    const exec = WRAPPER_EXEC.exec(text);
    if (exec === null) {
      return err({ reason: 'not-a-rumprun-wrapper', detail: 'no exec <dir>/libexec/rumprun-<arch>-<platform>/... line', location: { file: posix.join(files.hostRoot, name) } });
    }
    paths.add(posix.normalize(exec[1] ?? ''));
  }
  if (paths.size > 1) return err({ reason: 'inconsistent-tree-paths', paths: [...paths].sort(), location });
  const libexec = `rumprun-${machineArch}-${platform}`;
  if (!files.libexecDirs.includes(libexec)) {
    return err({ reason: 'libexec-mismatch', expected: `libexec/${libexec}`, found: files.libexecDirs, location });
  }
  const mountable = checkMountable(asBuiltRoot, location);
  if (!mountable.ok) return mountable;
  const tuple = WRAPPER_TUPLE.exec(files.compilerWrapper)?.[1] ?? `${machineArch}-rumprun-netbsd`;
  const hostRoot = posix.normalize(files.hostRoot).replace(/\/+$/, '') || '/';
  return ok({ hostRoot, asBuiltRoot, platform, machineArch, tuple, relocated: hostRoot !== asBuiltRoot });
}

function checkMountable(path: string, location: SourceLocation): Result<void, RumprunTreeError> {
  if (SYSTEM_DIRS.includes(path)) {
    return err({ reason: 'unmountable-build-path', path, detail: 'mounting the tree there would hide the build image\'s own system files', location });
  }
  if (VIRTUAL_DIRS.some((d) => path === d || path.startsWith(`${d}/`))) {
    return err({ reason: 'unmountable-build-path', path, detail: 'a kernel-provided directory in every container', location });
  }
  return ok(undefined);
}

/** The bind mount that puts the tree where its wrappers expect it (read-only: builds never write it). */
export function rumprunTreeMount(tree: RumprunTree): Mount {
  return { source: tree.hostRoot, target: tree.asBuiltRoot, readOnly: true };
}

/** A tool of the tree, as the commands in the container name it. */
export function rumprunTool(tree: RumprunTree, name: string): string {
  return posix.join(tree.asBuiltRoot, 'bin', name);
}

export function describeRumprunTreeError(error: RumprunTreeError): string {
  switch (error.reason) {
    case 'not-a-rumprun-wrapper':
      return `${error.location.file} is not a rumprun wrapper: ${error.detail}`;
    case 'inconsistent-tree-paths':
      return `the wrappers of ${error.location.file} name different build paths: ${error.paths.join(', ')}`;
    case 'libexec-mismatch':
      return `the wrapper calls ${error.expected}, but the tree's libexec holds: ${error.found.join(' ') || 'nothing'}`;
    case 'unmountable-build-path':
      return `the tree was built for ${error.path}, which cannot be mounted in a build container: ${error.detail}`;
  }
}
