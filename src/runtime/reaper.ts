// Clean up after a crashed run on the next start (docs/conventions.md §7): every container stubforge
// makes records its owner's pid, the pid's kernel start time and the host; a container whose owner
// process is gone is a leftover and is removed. Containers of live runs (a parallel stubforge, or
// this very process) are left alone.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Logger } from '../log/logger.js';
import { ok, err, type Result } from '../model/result.js';
import type { ContainerRuntime, RuntimeError } from './container-runtime.js';
import { Label, ownerOf, type Owner } from './labels.js';

/** Field 22 of /proc/<pid>/stat (start time in clock ticks), or undefined if no such process. */
export function processStartTime(pid: number, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): string | undefined {
  let stat: string;
  try {
    stat = readFile(`/proc/${pid}/stat`);
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces: count after the last ')'.
  const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return afterName[19];
}

/** The owner record of this process. */
export function currentOwner(pid: number = process.pid): Owner {
  const pidStart = processStartTime(pid);
  return pidStart === undefined ? { pid, host: hostname() } : { pid, pidStart, host: hostname() };
}

/**
 * Whether the process that owns a resource still runs. Owners on another host cannot be checked
 * from here and count as alive: only a run on this host may reap.
 */
export function isOwnerAlive(owner: Owner, thisHost: string = hostname(), startTimeOf: (pid: number) => string | undefined = (pid) => processStartTime(pid)): boolean {
  if (owner.host !== thisHost) return true;
  const start = startTimeOf(owner.pid);
  if (start === undefined) return false;
  return owner.pidStart === undefined || owner.pidStart === start;
}

export interface ReapOptions {
  readonly log: Logger;
  readonly isAlive?: (owner: Owner) => boolean;
}

export interface ReapReport {
  readonly removed: readonly string[];
  readonly kept: number;
}

/** Removes containers whose owning stubforge process is no longer alive. */
export async function reapLeftovers(runtime: ContainerRuntime, options: ReapOptions): Promise<Result<ReapReport, RuntimeError>> {
  const isAlive = options.isAlive ?? ((owner: Owner) => isOwnerAlive(owner));
  const listed = await runtime.listContainers({ [Label.pid]: true });
  if (!listed.ok) return listed;
  const removed: string[] = [];
  let kept = 0;
  for (const container of listed.value) {
    const owner = ownerOf(container.labels);
    if (owner === undefined || isAlive(owner)) {
      kept += 1;
      continue;
    }
    options.log.info({ container: container.id, run: container.labels[Label.run], package: container.labels[Label.package], pid: owner.pid }, 'removing leftover container');
    const gone = await runtime.removeContainer(container.id);
    if (!gone.ok) return err(gone.error);
    removed.push(container.id);
  }
  return ok({ removed, kept });
}
