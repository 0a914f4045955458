// The on-disk index cache. Layout (cache dir injected: the CLI passes ~/.cache/stubforge or
// $STUBFORGE_CACHE):
//
//   <cache>/indices/<suite>/<sha256 of InRelease>/InRelease            the verified InRelease
//   <cache>/indices/<suite>/<sha256 of InRelease>/<component>-<arch>.idx   parsed records (index-codec)
//
// The key is the InRelease hash: the InRelease pins the hash of every index, so the same InRelease
// means the same indices and the parsed form can be reused without downloading or parsing them.
// Every file is written to a temp name in the same directory and renamed into place, so a reader
// sees a whole file or none. The InRelease is written last: a directory with an InRelease has
// its .idx files (offline mode relies on that).
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeIndex, encodeIndex, type IndexPayload } from './index-codec.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import { isErrno } from '../io/errno.js';

export { writeFileAtomic };

export interface IndexCacheKey {
  readonly suite: string;
  /** SHA-256 of the InRelease, lower-case hex. */
  readonly release: string;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
/** Old keys kept per suite besides the current one, for a run that still reads them. */
const KEEP_OLD_KEYS = 1;

export function suiteCacheDir(cacheDir: string, suite: string): string {
  // Suite names become path components; apt suite names are plain words, refuse anything else.
  if (!SAFE_NAME.test(suite)) throw new RangeError(`unsafe suite name for a cache path: ${suite}`);
  return join(cacheDir, 'indices', suite);
}

export function keyDir(cacheDir: string, key: IndexCacheKey): string {
  return join(suiteCacheDir(cacheDir, key.suite), key.release);
}

function indexFile(component: string, arch: string): string {
  if (!SAFE_NAME.test(component) || !SAFE_NAME.test(arch)) throw new RangeError(`unsafe index name ${component}-${arch}`);
  return `${component}-${arch}.idx`;
}

/** Write `data` to `path` atomically (temp file in the same directory, then rename). */
export type CacheRead =
  | { readonly hit: true; readonly payload: IndexPayload }
  | { readonly hit: false; readonly why: string };

/** Load one parsed index; a missing or unreadable file is a miss with the reason. */
export async function readCachedIndex(cacheDir: string, key: IndexCacheKey, component: string, arch: string): Promise<CacheRead> {
  const path = join(keyDir(cacheDir, key), indexFile(component, arch));
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error: unknown) {
    if (isErrno(error, 'ENOENT')) return { hit: false, why: 'not cached' };
    throw error;
  }
  const decoded = decodeIndex(data);
  if (!decoded.ok) return { hit: false, why: `${path}: ${decoded.error}` };
  if (decoded.value.suite !== key.suite || decoded.value.component !== component) {
    return { hit: false, why: `${path}: holds ${decoded.value.suite}/${decoded.value.component}` };
  }
  return { hit: true, payload: decoded.value };
}

/** Store the parsed indices of one InRelease, then the InRelease itself, then prune old keys. */
export async function writeCachedIndices(
  cacheDir: string,
  key: IndexCacheKey,
  inRelease: Buffer,
  entries: readonly { readonly arch: string; readonly payload: IndexPayload }[],
): Promise<void> {
  const dir = keyDir(cacheDir, key);
  await mkdir(dir, { recursive: true });
  for (const { arch, payload } of entries) {
    await writeFileAtomic(join(dir, indexFile(payload.component, arch)), encodeIndex(payload));
  }
  await writeFileAtomic(join(dir, 'InRelease'), inRelease);
  await pruneOldKeys(cacheDir, key);
}

async function listKeys(cacheDir: string, suite: string): Promise<{ release: string; mtimeMs: number }[]> {
  const dir = suiteCacheDir(cacheDir, suite);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error: unknown) {
    if (isErrno(error, 'ENOENT')) return [];
    throw error;
  }
  const keys: { release: string; mtimeMs: number }[] = [];
  for (const name of names) {
    if (!/^[0-9a-f]{64}$/.test(name)) continue;
    try {
      keys.push({ release: name, mtimeMs: (await stat(join(dir, name, 'InRelease'))).mtimeMs });
    } catch {
      // No InRelease: an interrupted write; not a usable key.
    }
  }
  return keys.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

async function pruneOldKeys(cacheDir: string, current: IndexCacheKey): Promise<void> {
  const old = (await listKeys(cacheDir, current.suite)).filter((k) => k.release !== current.release);
  for (const key of old.slice(KEEP_OLD_KEYS)) {
    await rm(keyDir(cacheDir, { suite: current.suite, release: key.release }), { recursive: true, force: true });
  }
}

/** The most recently stored key of `suite`: the likely answer of the next InRelease fetch. */
export async function latestCachedKey(cacheDir: string, suite: string): Promise<IndexCacheKey | undefined> {
  const newest = (await listKeys(cacheDir, suite))[0];
  return newest === undefined ? undefined : { suite, release: newest.release };
}

/** The InRelease date, for choosing the newest cached one (files can be copied, mtimes lie). */
function releaseDate(text: string): number {
  const m = /^Date:\s*(.+)$/m.exec(text);
  const time = m === null ? Number.NaN : Date.parse(m[1] ?? '');
  return Number.isNaN(time) ? 0 : time;
}

/**
 * Offline mode: the cached InRelease with the newest Date for `suite`, as bytes (the caller
 * verifies it again: the keyring or the clock may have changed since it was stored).
 */
export async function newestCachedRelease(cacheDir: string, suite: string): Promise<{ key: IndexCacheKey; raw: Buffer } | undefined> {
  let best: { key: IndexCacheKey; raw: Buffer; date: number } | undefined;
  for (const { release } of await listKeys(cacheDir, suite)) {
    const key = { suite, release };
    const raw = await readFile(join(keyDir(cacheDir, key), 'InRelease'));
    const date = releaseDate(raw.toString('utf8'));
    if (best === undefined || date > best.date) best = { key, raw, date };
  }
  return best === undefined ? undefined : { key: best.key, raw: best.raw };
}
