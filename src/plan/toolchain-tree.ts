// The identity of a toolchain tree the user supplies (rumprun): one SHA-256 over everything in it —
// the compiler wrappers and specs, the sysroot's libraries and headers, the bake's platform
// libraries. Anything that differs between two trees (another platform, a rebuilt or upgraded
// tree, the path it was built for, which its wrappers and debug information name) changes it, and
// with it the cache key of every node built with that tree. Pure: the caller lists the tree.
import { createHash } from 'node:crypto';

export type TreeEntry =
  | { readonly path: string; readonly kind: 'file'; readonly executable: boolean; readonly size: number; readonly sha256: string }
  | { readonly path: string; readonly kind: 'symlink'; readonly target: string }
  | { readonly path: string; readonly kind: 'dir' };

/** Bumped when the text below changes layout. */
const TREE_DIGEST_FORMAT = 'stubforge-toolchain-tree 1';

/**
 * `root` is the tree's absolute path (it is compiled into the tree, so it is part of what the tree
 * is); entries are relative to it, in any order. Paths cannot hold a newline (the walker refuses
 * them), so one line per entry cannot be confused with another.
 */
export function toolchainTreeDigest(root: string, entries: readonly TreeEntry[]): string {
  const lines = [TREE_DIGEST_FORMAT, `root ${root}`];
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const e of sorted) {
    switch (e.kind) {
      case 'file':
        lines.push(`file ${e.executable ? 'x' : '-'} ${e.size} ${e.sha256} ${e.path}`);
        break;
      case 'symlink':
        lines.push(`link ${e.path} -> ${e.target}`);
        break;
      case 'dir':
        lines.push(`dir ${e.path}`);
        break;
    }
  }
  return createHash('sha256').update(`${lines.join('\n')}\n`).digest('hex');
}
