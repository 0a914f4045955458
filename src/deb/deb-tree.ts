// Describes a directory tree on disk as data entries for deb-layout (I/O): regular files by path,
// size, MD5 and mtime; symlinks by target; directories. Anything else (device, fifo, socket) is an
// error value: a staged build output must not contain one.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../model/result.js';
import { compareBytes } from './deb-fields.js';
import type { DataEntryInput } from './deb-layout.js';
import { describeError } from '../io/describe-error.js';

/** Why a tree could not be described (the path concerned; messages in cli/deb-messages.ts). */
export type TreeError =
  | { readonly reason: 'unsupported-file-type'; readonly path: string }
  | { readonly reason: 'io-error'; readonly path: string; readonly detail: string };

/**
 * Every entry under `root`, paths relative to it (`usr/x86_64-linux-musl/lib/libz.a`), sorted.
 * `under` limits the walk to one subdirectory of root (paths stay relative to root).
 */
export async function describeTree(root: string, under = ''): Promise<Result<DataEntryInput[], TreeError>> {
  const out: DataEntryInput[] = [];
  try {
    const walked = await walk(root, under, out);
    if (!walked.ok) return walked;
  } catch (e: unknown) {
    return err({ reason: 'io-error', path: join(root, under), detail: describeError(e) });
  }
  out.sort((a, b) => compareBytes(a.path, b.path));
  return ok(out);
}

async function walk(root: string, rel: string, out: DataEntryInput[]): Promise<Result<void, TreeError>> {
  const names = (await readdir(join(root, rel))).sort(compareBytes);
  for (const name of names) {
    const path = rel.length === 0 ? name : `${rel}/${name}`;
    const abs = join(root, path);
    const st = await lstat(abs);
    if (st.isDirectory()) {
      out.push({ type: 'directory', path, mode: st.mode & 0o7777 });
      const inner = await walk(root, path, out);
      if (!inner.ok) return inner;
    } else if (st.isSymbolicLink()) {
      out.push({ type: 'symlink', path, target: await readlink(abs) });
    } else if (st.isFile()) {
      out.push({
        type: 'file', path, mode: st.mode & 0o7777,
        source: { path: abs, size: st.size, md5: await md5File(abs), mtime: Math.floor(st.mtimeMs / 1000) },
      });
    } else {
      return err({ reason: 'unsupported-file-type', path: abs });
    }
  }
  return ok(undefined);
}

async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
