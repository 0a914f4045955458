// Checks the local repository (the build cache) against itself (I/O): the pool is the truth, the
// index is derived from it, Release pins the index. Every key's publish record must read, name
// packages that are there (with `deep`, whose SHA-256 matches), and hold nothing else; the pool
// holds keys only; Packages and Packages.xz must match Release, and Packages must be exactly what
// the pool gives; no leftovers of dead processes. `repairRepo` removes what cannot be trusted (a
// damaged key is unpublished, so it is built again) and regenerates the index.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import { err, ok, type Result } from '../model/result.js';
import { packagesStanzas, type PublishedEntry } from './apt-index.js';
import { ENTRY_FILE, POOL, readEntry, sha256 } from './apt-repo-index.js';
import { checkCacheKey } from './cache-key.js';
import { defaultIsProcessAlive } from './lock.js';
import { describeError } from '../io/describe-error.js';
import { isErrno } from '../io/errno.js';

export type RepoFindingKind =
  /** No Release, or one that does not list Packages and Packages.xz. */
  | 'release-missing' | 'release-unreadable'
  /** Packages or Packages.xz is not what Release says (size or SHA-256). */
  | 'index-mismatch'
  /** Packages is not what the pool gives: a key missing from it, or listed but gone. */
  | 'index-stale'
  /** A key's publish record (entry.json) cannot be read or names a package that is not there. */
  | 'entry-corrupt'
  /** A published package's bytes differ from its record (SHA-256). */
  | 'deb-mismatch'
  /** Something in the pool that no publish made: a name that is no key, a stray file. */
  | 'pool-orphan'
  /** A staging or trash folder of a process that is gone. */
  | 'leftover';

export interface RepoFinding {
  readonly kind: RepoFindingKind;
  /** The file or folder at fault. */
  readonly path: string;
  readonly detail: string;
  /** The cache key concerned, when one is. */
  readonly key?: string;
}

export interface RepoCheck {
  readonly root: string;
  /** Key folders in the pool, damaged ones included. */
  readonly keys: number;
  /** Packages of the keys that passed. */
  readonly packages: number;
  /** Whether each package's SHA-256 was computed. */
  readonly deep: boolean;
  readonly findings: readonly RepoFinding[];
}

export interface VerifyOptions {
  /** Hash every package (`cache verify`); without it sizes are checked (opening the repository). */
  readonly deep?: boolean;
  readonly isProcessAlive?: (pid: number) => boolean;
  readonly logger?: Logger;
}

const INDEX_FILES = ['Packages', 'Packages.xz'] as const;
/** The kinds the index alone causes: regenerating it mends them. */
export const INDEX_KINDS: ReadonlySet<RepoFindingKind> = new Set(['release-missing', 'release-unreadable', 'index-mismatch', 'index-stale']);

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function messageOf(e: unknown): string {
  return describeError(e);
}

/** The pool's keys and what is wrong with them. */
async function checkPool(root: string, deep: boolean, findings: RepoFinding[]): Promise<{ good: PublishedEntry[]; keys: number }> {
  const pool = join(root, POOL);
  const good: PublishedEntry[] = [];
  let keys = 0;
  for (const name of (await readdir(pool)).sort()) {
    const path = join(pool, name);
    const key = checkCacheKey(name);
    const st = await lstat(path);
    if (!key.ok || !st.isDirectory()) {
      findings.push({ kind: 'pool-orphan', path, detail: `${name} is not a published key (no publish makes it)` });
      continue;
    }
    keys += 1;
    const entry = await readEntry(root, key.value);
    const record = join(path, ENTRY_FILE);
    if (entry.ok && entry.value === undefined) {
      findings.push({ kind: 'pool-orphan', path, detail: 'a folder without a publish record (entry.json): no publish made it' });
      continue;
    }
    if (!entry.ok || entry.value === undefined) {
      const detail = entry.ok ? '' : entry.error.startsWith(`${record}: `) ? entry.error.slice(record.length + 2) : entry.error;
      findings.push({ kind: 'entry-corrupt', path: record, key: name, detail });
      continue;
    }
    let damaged = false;
    if (deep) {
      for (const deb of entry.value.debs) {
        const got = await fileSha256(join(root, deb.filename));
        if (got !== deb.sha256) {
          findings.push({ kind: 'deb-mismatch', path: join(root, deb.filename), key: name, detail: `SHA-256 ${got}, its publish record says ${deb.sha256}` });
          damaged = true;
        }
      }
    }
    const known = new Set([ENTRY_FILE, ...entry.value.debs.map((d) => d.filename.split('/').pop() ?? '')]);
    for (const file of (await readdir(path)).sort()) {
      if (!known.has(file)) findings.push({ kind: 'pool-orphan', path: join(path, file), key: name, detail: `not among the packages its publish record names` });
    }
    if (!damaged) good.push(entry.value);
  }
  return { good, keys };
}

/** Release's SHA256 lines: name → size and hash. */
function releaseSums(text: string): Map<string, { size: number; sha256: string }> {
  const sums = new Map<string, { size: number; sha256: string }>();
  for (const m of text.matchAll(/^ ([0-9a-f]{64}) +(\d+) (\S+)$/gm)) sums.set(m[3] ?? '', { size: Number(m[2]), sha256: m[1] ?? '' });
  return sums;
}

function filenames(packages: string): Set<string> {
  return new Set([...packages.matchAll(/^Filename: (.+)$/gm)].map((m) => m[1] ?? ''));
}

async function checkIndex(root: string, entries: readonly PublishedEntry[], findings: RepoFinding[]): Promise<void> {
  const releasePath = join(root, 'Release');
  let release: string;
  try {
    release = await readFile(releasePath, 'utf8');
  } catch (e: unknown) {
    findings.push({ kind: 'release-missing', path: releasePath, detail: isErrno(e, 'ENOENT') ? 'no Release' : messageOf(e) });
    return;
  }
  const sums = releaseSums(release);
  for (const name of INDEX_FILES) {
    const path = join(root, name);
    const listed = sums.get(name);
    if (listed === undefined) {
      findings.push({ kind: 'release-unreadable', path: releasePath, detail: `Release does not list ${name}` });
      continue;
    }
    const bytes = await readFile(path).catch(() => undefined);
    if (bytes === undefined) findings.push({ kind: 'index-mismatch', path, detail: `missing; Release lists it (${listed.size} bytes)` });
    else if (bytes.length !== listed.size || sha256(bytes) !== listed.sha256) {
      findings.push({ kind: 'index-mismatch', path, detail: `${bytes.length} bytes, SHA-256 ${sha256(bytes).slice(0, 16)}…; Release says ${listed.size} bytes, ${listed.sha256.slice(0, 16)}…` });
    }
  }
  const expected = packagesStanzas(entries);
  const packagesPath = join(root, 'Packages');
  const actual = await readFile(packagesPath, 'utf8').catch(() => undefined);
  if (!expected.ok || actual === undefined) return;
  const want = expected.value.stanzas.join('\n');
  if (actual !== want) {
    const have = filenames(actual);
    const need = filenames(want);
    const missing = [...need].filter((f) => !have.has(f));
    const extra = [...have].filter((f) => !need.has(f));
    const parts = [
      ...(missing.length > 0 ? [`the pool has ${missing.join(', ')}, which it does not list`] : []),
      ...(extra.length > 0 ? [`it lists ${extra.join(', ')}, which the pool does not hold`] : []),
    ];
    findings.push({ kind: 'index-stale', path: packagesPath, detail: parts.length > 0 ? parts.join('; ') : 'its text differs from what the pool gives' });
  }
}

async function checkLeftovers(root: string, isAlive: (pid: number) => boolean, findings: RepoFinding[]): Promise<void> {
  for (const area of ['.staging', '.trash']) {
    for (const name of (await readdir(join(root, area)).catch(() => [] as string[])).sort()) {
      const pid = Number(/\.(\d+)\.[0-9a-f]+$/.exec(name)?.[1]);
      if (Number.isSafeInteger(pid) && pid > 0 && isAlive(pid)) continue;
      findings.push({ kind: 'leftover', path: join(root, area, name), detail: `left by process ${Number.isNaN(pid) ? '?' : pid}, which is gone` });
    }
  }
}

/** Every check above; an unreadable pool is an error, everything else a finding. */
export async function verifyRepo(root: string, options: VerifyOptions = {}): Promise<Result<RepoCheck, string>> {
  const findings: RepoFinding[] = [];
  const deep = options.deep === true;
  try {
    const pool = await checkPool(root, deep, findings);
    await checkIndex(root, pool.good, findings);
    await checkLeftovers(root, options.isProcessAlive ?? defaultIsProcessAlive, findings);
    return ok({ root, keys: pool.keys, packages: pool.good.reduce((n, e) => n + e.debs.length, 0), deep, findings });
  } catch (e: unknown) {
    return err(`${root}: ${messageOf(e)}`);
  }
}

export interface RepairAction {
  readonly path: string;
  readonly did: string;
}

/**
 * Removes what the findings say cannot be trusted (damaged keys are unpublished, orphans and
 * leftovers deleted); the caller regenerates the index afterwards (AptRepo.reindex).
 */
export async function removeUntrusted(root: string, findings: readonly RepoFinding[]): Promise<Result<RepairAction[], string>> {
  const done: RepairAction[] = [];
  const keys = new Set(findings.filter((f) => (f.kind === 'entry-corrupt' || f.kind === 'deb-mismatch') && f.key !== undefined).map((f) => f.key ?? ''));
  try {
    for (const key of [...keys].sort()) {
      const trash = join(root, '.trash', `${key}.${process.pid}.repair`);
      await rename(join(root, POOL, key), trash);
      await rm(trash, { recursive: true, force: true });
      done.push({ path: join(root, POOL, key), did: 'unpublished (damaged); the next build builds it again' });
    }
    for (const f of findings) {
      if (f.kind !== 'pool-orphan' && f.kind !== 'leftover') continue;
      if (f.key !== undefined && keys.has(f.key)) continue;
      await rm(f.path, { recursive: true, force: true });
      done.push({ path: f.path, did: 'removed' });
    }
  } catch (e: unknown) {
    return err(`${root}: ${messageOf(e)}`);
  }
  return ok(done);
}
