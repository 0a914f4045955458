// The one rule for reading a file out of a tree that someone else made (an unpacked source, a
// build's output, a staged closure): the path is resolved component by component inside the
// tree, a symlink is followed only while it stays inside (relative, never above the root), and
// what is read must be a regular file. stubforge runs as root on the host; an upstream tarball or a
// build that plants `COPYING -> /etc/shadow` must get a refusal, never the host's file.
import { constants } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { err, ok, type Result } from '../../model/result.js';
import { describeError } from '../../io/describe-error.js';

export interface TreeFileError {
  /** `missing`: no such entry; `outside-tree`: a link (or `..`) leads out of the tree;
   *  `not-a-file`: a directory, device, fifo or socket; `link-loop`: links that never end. */
  readonly reason: 'missing' | 'outside-tree' | 'not-a-file' | 'link-loop' | 'too-large' | 'io-error';
  /** The path asked for, relative to the tree. */
  readonly file: string;
  /** The absolute path of the entry at fault (the link, the device node ...). */
  readonly path: string;
  readonly detail: string;
}

/** As the kernel's limit on links followed in one lookup. */
const MAX_LINK_HOPS = 40;
/** Licence files, changelogs and pc files are small; a gigabyte "COPYING" is not one. */
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

function errnoOf(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null ? (e as { code?: string }).code : undefined;
}

function messageOf(e: unknown): string {
  return describeError(e);
}

/**
 * The absolute path `rel` names inside `root`, every link on the way resolved inside the tree.
 * The answer names an entry that exists (of any type) and contains no symlink.
 */
export async function resolveInTree(root: string, rel: string): Promise<Result<string, TreeFileError>> {
  const base = resolve(root);
  const fail = (reason: TreeFileError['reason'], path: string, detail: string): Result<never, TreeFileError> => err({ reason, file: rel, path, detail });
  let pending = rel.split('/');
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() ?? '';
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (done.length === 0) return fail('outside-tree', join(base, ...done), `${rel} climbs above ${base}`);
      done.pop();
      continue;
    }
    const here = join(base, ...done, part);
    let st;
    try {
      st = await lstat(here);
    } catch (e: unknown) {
      const code = errnoOf(e);
      if (code === 'ENOENT' || code === 'ENOTDIR') return fail('missing', here, 'no such file');
      return fail('io-error', here, messageOf(e));
    }
    if (st.isSymbolicLink()) {
      hops += 1;
      if (hops > MAX_LINK_HOPS) return fail('link-loop', here, `more than ${MAX_LINK_HOPS} symlinks on the way`);
      const target = await readlink(here);
      if (isAbsolute(target)) return fail('outside-tree', here, `symlink to ${target}, outside the tree`);
      pending = [...target.split('/'), ...pending];
      continue;
    }
    if (pending.some((p) => p !== '' && p !== '.') && !st.isDirectory()) return fail('missing', here, 'not a directory');
    done.push(part);
  }
  return ok(join(base, ...done));
}

/** The bytes of `rel` inside `root` under the rule above. */
export async function readTreeFile(root: string, rel: string, options: { readonly maxBytes?: number } = {}): Promise<Result<Buffer, TreeFileError>> {
  const resolved = await resolveInTree(root, rel);
  if (!resolved.ok) return resolved;
  const path = resolved.value;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let handle;
  try {
    // O_NOFOLLOW: the path was resolved link-free; should a link appear there meanwhile, refuse.
    // O_NONBLOCK: opening a fifo must not wait for a writer (it is refused below).
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e: unknown) {
    const code = errnoOf(e);
    if (code === 'ELOOP') return err({ reason: 'outside-tree', file: rel, path, detail: 'became a symlink while being read' });
    if (code === 'ENOENT') return err({ reason: 'missing', file: rel, path, detail: 'no such file' });
    return err({ reason: 'io-error', file: rel, path, detail: messageOf(e) });
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return err({ reason: 'not-a-file', file: rel, path, detail: `${kindOf(st)}, not a regular file` });
    if (st.size > maxBytes) return err({ reason: 'too-large', file: rel, path, detail: `${st.size} bytes, more than ${maxBytes}` });
    return ok(await handle.readFile());
  } catch (e: unknown) {
    return err({ reason: 'io-error', file: rel, path, detail: messageOf(e) });
  } finally {
    await handle.close();
  }
}

/** A tree file as UTF-8 text. */
export async function readTreeText(root: string, rel: string): Promise<Result<string, TreeFileError>> {
  const bytes = await readTreeFile(root, rel);
  return bytes.ok ? ok(bytes.value.toString('utf8')) : bytes;
}

export function describeTreeFileError(e: TreeFileError): string {
  return `${e.path}: ${e.detail}`;
}

interface StatKind {
  isDirectory(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}

export function kindOf(st: StatKind): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a fifo';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

export interface SpecialEntry {
  /** Relative to the tree. */
  readonly file: string;
  readonly kind: string;
}

/**
 * Device nodes, fifos and sockets in a tree (tar, running as root, makes device nodes as the
 * archive says). An unpacked source or a build output has no business holding one.
 */
export async function findSpecialFiles(root: string): Promise<SpecialEntry[]> {
  const found: SpecialEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(rel === '' ? root : join(root, rel), { withFileTypes: true });
    for (const e of entries) {
      const file = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(file);
      else if (!e.isFile() && !e.isSymbolicLink()) found.push({ file, kind: kindOf(e) });
    }
  };
  await walk('');
  return found.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
