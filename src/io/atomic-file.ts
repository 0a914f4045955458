// Replace a file so that readers see the old content or the new, never a part: write a temp file
// beside it, flush it to disk, rename it over the target, flush the folder (so the rename itself
// survives a power loss: a CI system archiving a report finds the old one or the new). A failed
// write leaves no temp behind.
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { atPath } from './errno.js';

/** Flush a folder's entries (a rename or a new file in it) to disk. */
export async function fsyncDir(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await atPath(path, () => replaceFile(path, data));
}

async function replaceFile(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const handle = await open(temp, 'w', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error: unknown) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDir(dirname(path));
}
