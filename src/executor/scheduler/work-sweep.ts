// Work folders of runs that died (SIGKILL, a crash, a power cut) are swept on the next start, as
// the reaper removes their containers: each run's work folder records its owner (pid, the pid's
// start time, host); one whose owner is gone and that did not finish is removed. A finished run
// may keep outputs on purpose (a failed static check's), marked by FINISHED_MARK, and they stay.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../log/logger.js';
import type { Owner } from '../../runtime/labels.js';
import { currentOwner, isOwnerAlive } from '../../runtime/reaper.js';

export const OWNER_FILE = '.stubforge-owner.json';
export const FINISHED_MARK = '.stubforge-finished';

/** Record this process as the owner of a run's work folder (made if missing). */
export async function claimWorkDir(dir: string, owner: Owner = currentOwner()): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
}

/** Mark a run's work folder as left on purpose (it holds outputs the summary names). */
export async function markWorkDirFinished(dir: string): Promise<void> {
  await writeFile(join(dir, FINISHED_MARK), '').catch(() => undefined);
}

async function ownerOfDir(dir: string, name: string): Promise<Owner | undefined> {
  try {
    const owner = JSON.parse(await readFile(join(dir, OWNER_FILE), 'utf8')) as Partial<Owner>;
    if (typeof owner.pid === 'number' && typeof owner.host === 'string') return owner as Owner;
  } catch {
    // Older runs wrote no owner file: the pid is in the run id (<time>-<pid>-<random>).
  }
  const pid = Number(/^\d{8}T\d{6}Z-(\d+)-[0-9a-f]+$/.exec(name)?.[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? { pid, host: hostname() } : undefined;
}

/** Removes the work folders under `root` (state/work) of runs whose process is gone; answers them. */
export async function sweepWorkDirs(root: string, log: Logger, isAlive: (owner: Owner) => boolean = (o) => isOwnerAlive(o)): Promise<string[]> {
  const removed: string[] = [];
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return removed;
  }
  for (const name of names.sort()) {
    const dir = join(root, name);
    const entries = await readdir(dir).catch(() => undefined);
    if (entries === undefined || entries.includes(FINISHED_MARK)) continue;
    const owner = await ownerOfDir(dir, name);
    if (owner === undefined || isAlive(owner)) continue;
    log.info({ dir, pid: owner.pid }, 'removing the work folder of a run that did not finish');
    await rm(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
