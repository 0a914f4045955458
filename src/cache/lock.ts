// An inter-process lock file: created with O_EXCL, holding the owner's pid, host and a random
// token. A lock whose owner is a dead process on this host is stale and is taken over; a lock
// from another host is never broken (its pid means nothing here), only waited for.
//
// Why not proper-lockfile: it judges staleness by mtime (the holder must keep touching the lock,
// default 10 s), so a holder paused longer than that loses its lock while alive, and a crashed
// holder blocks everyone for the full stale period. Here the question "is the owner alive?" is
// asked directly, which is exact on one machine — where stubforge's cache lives.
import { randomBytes } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { err, ok, type Result } from '../model/result.js';
import type { SourceLocation } from '../model/location.js';
import { atPath, isErrno } from '../io/errno.js';
import { describeError } from '../io/describe-error.js';

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly token: string;
  /** ISO time the lock was taken. */
  readonly since: string;
}

/** The lock file (`location`) could not be taken; messages in cli/cache-messages.ts. */
export type LockError = { readonly location: SourceLocation } & (
  /** Who held the lock when we gave up, if it could be read. */
  | { readonly reason: 'lock-timeout'; readonly holder?: LockOwner }
  | { readonly reason: 'io-error'; readonly detail: string }
);

export interface LockOptions {
  /** Give up after this long (default 60 s). */
  readonly timeoutMs?: number;
  /** Wait between attempts (default 25 ms, with jitter). */
  readonly pollMs?: number;
  /** Default: `process.kill(pid, 0)` succeeds or fails with EPERM. */
  readonly isProcessAlive?: (pid: number) => boolean;
  readonly pid?: number;
  readonly hostname?: string;
  /** A lock file that stays unreadable (its creator died between create and write) this long is stale. */
  readonly unreadableStaleMs?: number;
  readonly now?: () => number;
}

export interface LockHandle extends AsyncDisposable {
  readonly path: string;
  readonly owner: LockOwner;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export function defaultIsProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: unknown) {
    return isErrno(e, 'EPERM');
  }
}

export async function acquireLock(path: string, options: LockOptions = {}): Promise<Result<LockHandle, LockError>> {
  const now = options.now ?? Date.now;
  const deadline = now() + (options.timeoutMs ?? 60_000);
  const owner: LockOwner = {
    pid: options.pid ?? process.pid,
    host: options.hostname ?? osHostname(),
    token: randomBytes(12).toString('hex'),
    since: new Date(now()).toISOString(),
  };
  const isAlive = options.isProcessAlive ?? defaultIsProcessAlive;
  let firstUnreadable: number | undefined;
  let holder: LockOwner | undefined;
  try {
    for (;;) {
      if (await tryCreate(path, owner)) return ok(makeHandle(path, owner));
      const current = await readOwner(path);
      if (current === 'missing') continue;
      if (current === 'unreadable') {
        firstUnreadable ??= now();
        if (now() - firstUnreadable >= (options.unreadableStaleMs ?? 5_000)) await breakStale(path, undefined);
      } else {
        firstUnreadable = undefined;
        holder = current;
        if (current.host === owner.host && !isAlive(current.pid)) {
          await breakStale(path, current);
          continue;
        }
      }
      if (now() >= deadline) {
        return err({ reason: 'lock-timeout', location: { file: path }, ...(holder === undefined ? {} : { holder }) });
      }
      const poll = options.pollMs ?? 25;
      await new Promise((resolve) => setTimeout(resolve, poll / 2 + Math.random() * poll));
    }
  } catch (e: unknown) {
    return err({ reason: 'io-error', location: { file: path }, detail: describeError(e) });
  }
}

async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o644);
  } catch (e: unknown) {
    if (isErrno(e, 'EEXIST')) return false;
    throw e;
  }
  try {
    await atPath(path, () => handle.writeFile(JSON.stringify(owner) + '\n'));
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

async function readOwner(path: string): Promise<LockOwner | 'missing' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    if (isErrno(e, 'ENOENT')) return 'missing';
    throw e;
  }
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string' && typeof value.since === 'string') {
      return { pid: value.pid, host: value.host, token: value.token, since: value.since };
    }
  } catch {
    // Half-written (its creator is between create and write, or died there): judged by age.
  }
  return 'unreadable';
}

/**
 * Take a stale lock away without ever deleting a live one: rename it aside (only one breaker can),
 * then check that what was moved is the stale lock that was judged. If a live lock was moved
 * instead (someone else broke the stale one and locked in between), put it back with link(),
 * which fails rather than overwrite a lock created since.
 */
async function breakStale(path: string, judged: LockOwner | undefined): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (e: unknown) {
    if (isErrno(e, 'ENOENT')) return;
    throw e;
  }
  const moved = await readOwner(aside);
  const same = judged === undefined ? moved === 'unreadable' : typeof moved === 'object' && moved.token === judged.token;
  if (!same) {
    try {
      await link(aside, path);
    } catch (e: unknown) {
      if (!isErrno(e, 'EEXIST')) throw e;
    }
  }
  await unlink(aside);
}

function makeHandle(path: string, owner: LockOwner): LockHandle {
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    const current = await readOwner(path);
    if (typeof current === 'object' && current.token === owner.token) await unlink(path);
  };
  return { path, owner, release, [Symbol.asyncDispose]: release };
}
