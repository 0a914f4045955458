// Where a rumprun guest's files live (pure specs; the executor runs them). Two ways (docs/rumprun.md):
// - bundled: `x86_64-rumprun-netbsd-cookfs -s N fs.o DIR` turns a directory into an object file
//   that is linked with the program; the files appear in the guest's root file system at their
//   paths below DIR minus N leading components. No device and no `blk` entry needed.
// - a disk image holding a file system, attached as a virtio disk and mounted by a `blk` entry
//   (`{"source":"dev","path":"/dev/ld0a","fstype":"blk","mountpoint":"/data"}`); made here with
//   mke2fs -d as a classic ext2 (rev 1, 128-byte inodes, no dir_index or ext_attr) — rumprun tries
//   ffs, ext2fs and cd9660 on a `blk` mount.
// Both start from a staging directory laid out by guest path. cookfs embeds names and contents
// only. mke2fs -d also copies each staged file's owner and times, ctime included, which no copy
// can set: a debugfs script then gives every inode owner 0:0 and SOURCE_DATE_EPOCH for all three
// times, so two builds give the same image whoever ran them and whenever.
import { posix } from 'node:path';
import { err, ok, type Result } from '../model/result.js';
import type { BakeCommand } from './backends/backend.js';
import { rumprunTool, type RumprunTree } from './backends/rumprun-tree.js';
import type { ManifestFile } from './manifest.js';
import type { RumprunBlk } from './rumprun-json.js';

export interface StagingCopy {
  readonly from: string;
  readonly to: string;
}

export interface StagingWrite {
  readonly path: string;
  readonly content: string;
}

export interface FsImageSpec {
  /** Copies and generated files (parents created by the executor), then the commands in order. */
  readonly staging: { readonly dir: string; readonly copies: readonly StagingCopy[]; readonly writes: readonly StagingWrite[] };
  readonly commands: readonly BakeCommand[];
}

export interface CookfsSpec extends FsImageSpec {
  readonly kind: 'cookfs';
  /** The object to add to the program's link. */
  readonly linkObject: string;
}

export interface DiskImageSpec extends FsImageSpec {
  readonly kind: 'disk';
  readonly image: string;
  /** The `blk` entry of the launch configuration that mounts it. */
  readonly blk: RumprunBlk;
}

export type FsImageError =
  | { readonly reason: 'unsafe-guest-path'; readonly guestPath: string; readonly detail: string }
  | { readonly reason: 'outside-mountpoint'; readonly guestPath: string; readonly mountpoint: string }
  | { readonly reason: 'invalid-image-option'; readonly detail: string };

// cookfs lists files with an unquoted `$(find ...)`: whitespace splits names and glob characters
// expand, so guest paths stay within a conservative set.
const SAFE_PATH = /^(\/[A-Za-z0-9_@%+=:,.-]+)+$/;

/** debugfs commands that give every inode of the image a fixed owner and fixed times. */
export function debugfsFixupScript(imagePaths: readonly string[], epoch: number): string {
  const all = new Set<string>(['/']);
  for (const path of imagePaths) {
    const segments = path.split('/').filter((s) => s !== '');
    for (let i = 1; i <= segments.length; i++) all.add(`/${segments.slice(0, i).join('/')}`);
  }
  const lines: string[] = [];
  for (const path of [...all].sort()) {
    for (const [field, value] of [['uid', '0'], ['gid', '0'], ['atime', `@${String(epoch)}`], ['mtime', `@${String(epoch)}`], ['ctime', `@${String(epoch)}`]]) {
      lines.push(`set_inode_field ${path} ${field} ${value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function checkPaths(files: readonly ManifestFile[]): Result<void, FsImageError> {
  for (const f of files) {
    if (!SAFE_PATH.test(f.guestPath)) {
      return err({ reason: 'unsafe-guest-path', guestPath: f.guestPath, detail: 'letters, digits and _@%+=:,.- only (cookfs and mke2fs -d see these names unquoted)' });
    }
  }
  return ok(undefined);
}

export interface CookfsOptions {
  readonly tree: RumprunTree;
  /** A scratch directory of the application build. */
  readonly workDir: string;
}

export function cookfsSpec(files: readonly ManifestFile[], options: CookfsOptions): Result<CookfsSpec, FsImageError> {
  const checked = checkPaths(files);
  if (!checked.ok) return checked;
  const dir = posix.join(options.workDir, 'rootfs');
  const linkObject = posix.join(options.workDir, 'fs.o');
  return ok({
    kind: 'cookfs',
    staging: { dir, copies: files.map((f) => ({ from: f.hostPath, to: posix.join(dir, f.guestPath) })), writes: [] },
    commands: [
      // Run from workDir on the relative `rootfs`: `-s 1` strips exactly that component.
      { name: 'cookfs', argv: [rumprunTool(options.tree, `${options.tree.tuple}-cookfs`), '-s', '1', linkObject, 'rootfs'], env: {}, cwd: options.workDir },
    ],
    linkObject,
  });
}

export interface DiskImageOptions {
  readonly workDir: string;
  readonly sourceDateEpoch: number;
  /** Where the guest mounts the disk; every file must be below it. */
  readonly mountpoint: string;
  /** The guest's device: `/dev/ld0a` is the first virtio disk of a hw guest. */
  readonly device?: string;
  readonly source?: RumprunBlk['source'];
  /** Bytes of every host file (the caller stats them): sizes the image. */
  readonly sizes: ReadonlyMap<string, number>;
  /** Fixed UUID (also the directory hash seed), so that two builds give the same image. */
  readonly uuid: string;
  readonly label?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** 1 KiB blocks: file data rounded up per block, an inode-table and directory allowance, 25% slack. */
export function diskImageKiB(files: readonly ManifestFile[], sizes: ReadonlyMap<string, number>): number {
  let blocks = 0;
  for (const f of files) blocks += Math.max(1, Math.ceil((sizes.get(f.hostPath) ?? 0) / 1024)) + 1;
  return Math.max(1024, Math.ceil(blocks * 1.25) + 256);
}

export function diskImageSpec(files: readonly ManifestFile[], options: DiskImageOptions): Result<DiskImageSpec, FsImageError> {
  const checked = checkPaths(files);
  if (!checked.ok) return checked;
  const mountpoint = options.mountpoint.replace(/\/+$/, '');
  if (!SAFE_PATH.test(mountpoint)) return err({ reason: 'invalid-image-option', detail: `mountpoint "${options.mountpoint}"` });
  if (!UUID.test(options.uuid)) return err({ reason: 'invalid-image-option', detail: `uuid "${options.uuid}" is not a lower-case UUID` });
  const missing = files.find((f) => !options.sizes.has(f.hostPath));
  if (missing !== undefined) return err({ reason: 'invalid-image-option', detail: `no size for ${missing.hostPath}` });
  const dir = posix.join(options.workDir, 'disk');
  const copies: StagingCopy[] = [];
  const imagePaths: string[] = [];
  for (const f of files) {
    if (!f.guestPath.startsWith(`${mountpoint}/`)) return err({ reason: 'outside-mountpoint', guestPath: f.guestPath, mountpoint });
    imagePaths.push(f.guestPath.slice(mountpoint.length));
    copies.push({ from: f.hostPath, to: posix.join(dir, f.guestPath.slice(mountpoint.length)) });
  }
  const image = posix.join(options.workDir, 'disk.img');
  const script = posix.join(options.workDir, 'fixup.debugfs');
  // mke2fs and debugfs stamp the superblock with the current time unless told otherwise.
  const fakeTime = { E2FSPROGS_FAKE_TIME: String(options.sourceDateEpoch) };
  const mke2fs = [
    'mke2fs', '-q', '-F', '-t', 'ext2', '-r', '1', '-I', '128', '-O', 'none,filetype,sparse_super', '-b', '1024', '-m', '0',
    '-L', options.label ?? 'stubforge', '-U', options.uuid, '-E', `root_owner=0:0,hash_seed=${options.uuid}`,
    '-d', 'disk', image, String(diskImageKiB(files, options.sizes)),
  ];
  return ok({
    kind: 'disk',
    staging: { dir, copies, writes: [{ path: script, content: debugfsFixupScript(imagePaths, options.sourceDateEpoch) }] },
    commands: [
      { name: 'mke2fs', argv: mke2fs, env: fakeTime, cwd: options.workDir },
      { name: 'fix-owners-and-times', argv: ['debugfs', '-w', '-f', script, image], env: fakeTime, cwd: options.workDir },
    ],
    image,
    blk: { source: options.source ?? 'dev', path: options.device ?? '/dev/ld0a', fstype: 'blk', mountpoint },
  });
}

export function describeFsImageError(error: FsImageError): string {
  switch (error.reason) {
    case 'unsafe-guest-path':
      return `guest path ${error.guestPath}: ${error.detail}`;
    case 'outside-mountpoint':
      return `guest path ${error.guestPath} is not below the disk's mountpoint ${error.mountpoint}`;
    case 'invalid-image-option':
      return `disk image: ${error.detail}`;
  }
}
