// Lists a user-supplied toolchain tree for its digest (plan/toolchain-tree.ts), hashing each file's
// bytes. A rumprun tree is a few hundred MB, so the hashes are kept in a memo beside the cache
// (`<cache>/toolchain-trees/<sha256 of the root>.json`) and a file whose size, mtime (ns), inode
// and ctime are unchanged is not read again: the second look at an unchanged tree only stats it.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/atomic-file.js';
import { err, ok, type Result } from '../../model/result.js';
import { toolchainTreeDigest, type TreeEntry } from '../../plan/toolchain-tree.js';
import { describeError } from '../../io/describe-error.js';

const MEMO_FORMAT = 'stubforge-toolchain-tree-memo 1';

interface MemoRecord {
  /** size, mtime ns, inode, ctime ns: all as decimal strings (they exceed 2^53). */
  readonly stamp: string;
  readonly sha256: string;
}

interface Memo {
  readonly format: string;
  readonly root: string;
  readonly files: Record<string, MemoRecord>;
}

export interface TreeDigest {
  readonly digest: string;
  readonly files: number;
  /** Files whose bytes were read this time (the others came from the memo). */
  readonly hashed: number;
}

export interface TreeDigestError {
  readonly reason: 'toolchain-tree-unreadable';
  readonly path: string;
  readonly detail: string;
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path).on('error', reject).on('data', (chunk) => { hash.update(chunk); }).on('end', () => { resolve(hash.digest('hex')); });
  });
}

async function readMemo(file: string, root: string): Promise<Record<string, MemoRecord>> {
  try {
    const memo = JSON.parse(await readFile(file, 'utf8')) as Partial<Memo> | null;
    return memo?.format === MEMO_FORMAT && memo.root === root && memo.files !== undefined ? memo.files : {};
  } catch {
    return {};
  }
}

/** The digest of the tree at `root` (absolute); `memoDir` holds the hashes of earlier looks. */
export async function digestToolchainTree(root: string, memoDir: string): Promise<Result<TreeDigest, TreeDigestError>> {
  const memoFile = join(memoDir, `${createHash('sha256').update(root).digest('hex')}.json`);
  const old = await readMemo(memoFile, root);
  const files: Record<string, MemoRecord> = {};
  const entries: TreeEntry[] = [];
  let hashed = 0;
  let current = root;
  const visit = async (rel: string): Promise<void> => {
    const dir = rel === '' ? root : join(root, rel);
    current = dir;
    for (const name of (await readdir(dir)).sort()) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const full = join(root, path);
      current = full;
      if (path.includes('\n')) throw new Error('a file name holds a newline');
      const st = await lstat(full, { bigint: true });
      if (st.isDirectory()) {
        entries.push({ path, kind: 'dir' });
        await visit(path);
      } else if (st.isSymbolicLink()) {
        entries.push({ path, kind: 'symlink', target: await readlink(full) });
      } else if (st.isFile()) {
        const stamp = `${st.size} ${st.mtimeNs} ${st.ino} ${st.ctimeNs}`;
        const known = old[path];
        let sha256 = known?.stamp === stamp ? known.sha256 : undefined;
        if (sha256 === undefined) {
          sha256 = await hashFile(full);
          hashed += 1;
        }
        files[path] = { stamp, sha256 };
        entries.push({ path, kind: 'file', executable: (st.mode & 0o111n) !== 0n, size: Number(st.size), sha256 });
      }
      // Sockets, fifos and devices are not part of a toolchain: left out.
    }
  };
  try {
    await visit('');
  } catch (e: unknown) {
    return err({ reason: 'toolchain-tree-unreadable', path: current, detail: describeError(e) });
  }
  // The memo only saves time: failing to write it loses nothing.
  if (hashed > 0 || Object.keys(old).length !== Object.keys(files).length) {
    await mkdir(memoDir, { recursive: true }).then(() => writeFileAtomic(memoFile, JSON.stringify({ format: MEMO_FORMAT, root, files } satisfies Memo))).catch(() => undefined);
  }
  return ok({ digest: toolchainTreeDigest(root, entries), files: entries.filter((e) => e.kind === 'file').length, hashed });
}
