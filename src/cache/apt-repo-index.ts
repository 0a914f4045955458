// Regenerates the repository index from the pool (I/O; the caller holds the repository lock):
// Packages, Packages.xz, their by-hash copies, then Release last. The pool is the truth and the
// index is derived, so regenerating is always safe and `reindex()` repairs anything.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log/logger.js';
import type { CacheKey } from '../model/brand.js';
import { err, ok, type Result } from '../model/result.js';
import { runXz } from '../deb/xz.js';
import { packagesStanzas, releaseText, summariseControl, type IndexFile, type PublishedDeb, type PublishedEntry } from './apt-index.js';
import { checkCacheKey } from './cache-key.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import { describeError } from '../io/describe-error.js';
import { isErrno } from '../io/errno.js';

export const POOL = 'pool';
export const ENTRY_FILE = 'entry.json';
const BY_HASH = 'by-hash/SHA256';
/** by-hash files older than this and not named by the current Release are removed. */
const BY_HASH_KEEP_MS = 60 * 60 * 1000;

export interface IndexContext {
  readonly root: string;
  readonly logger: Logger;
  readonly xzPath: string;
  readonly now: () => Date;
}

/** Read and check `pool/<key>/entry.json`; undefined when the key is not published. */
export async function readEntry(root: string, key: CacheKey): Promise<Result<PublishedEntry | undefined, string>> {
  const file = join(root, POOL, key, ENTRY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e: unknown) {
    if (isErrno(e, 'ENOENT')) return ok(undefined);
    return err(`${file}: ${describeError(e)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e: unknown) {
    return err(`${file}: not JSON (${describeError(e)})`);
  }
  const entry = value as Partial<PublishedEntry>;
  if (entry.key !== key || typeof entry.publishedAt !== 'string' || typeof entry.meta !== 'object' || !Array.isArray(entry.debs)) {
    return err(`${file}: not a stubforge publish record for ${key}`);
  }
  for (const item of entry.debs as unknown[]) {
    const deb = item as Partial<PublishedDeb>;
    if (typeof deb.control !== 'string' || typeof deb.filename !== 'string' || typeof deb.size !== 'number') {
      return err(`${file}: a package record lacks control, filename or size`);
    }
    const summary = summariseControl(deb.control, `${file}:${deb.filename}`);
    if (!summary.ok) return err(summary.error);
    const present = await stat(join(root, deb.filename)).catch(() => undefined);
    if (present?.size !== deb.size) return err(`${file}: ${deb.filename} is missing or has the wrong size`);
  }
  return ok(entry as PublishedEntry);
}

/** Every published entry; corrupt ones are reported and left out. */
export async function readAllEntries(root: string, logger: Logger): Promise<Result<PublishedEntry[], string>> {
  let names: string[];
  try {
    names = await readdir(join(root, POOL));
  } catch (e: unknown) {
    return err(`${join(root, POOL)}: ${describeError(e)}`);
  }
  const out: PublishedEntry[] = [];
  for (const name of names.sort()) {
    const key = checkCacheKey(name);
    if (!key.ok) continue;
    const entry = await readEntry(root, key.value);
    if (!entry.ok) logger.warn({ key: name, problem: entry.error }, 'corrupt cache entry left out of the index');
    else if (entry.value !== undefined) out.push(entry.value);
  }
  return ok(out);
}

export async function writeIndex(ctx: IndexContext): Promise<Result<{ readonly packages: number }, string>> {
  const entries = await readAllEntries(ctx.root, ctx.logger);
  if (!entries.ok) return entries;
  const choice = packagesStanzas(entries.value);
  if (!choice.ok) return choice;
  for (const s of choice.value.shadowed) {
    ctx.logger.info({ key: s.key, package: s.package, by: s.by }, 'package left out of the index: a later key publishes the same version');
  }
  const packages = Buffer.from(choice.value.stanzas.join('\n'), 'utf8');
  const packagesXz = await runXz(packages, 'compress', ctx.xzPath);
  if (!packagesXz.ok) return packagesXz;
  const files: [string, Buffer][] = [['Packages', packages], ['Packages.xz', packagesXz.value]];
  const index: IndexFile[] = files.map(([name, bytes]) => ({ name, size: bytes.length, sha256: sha256(bytes) }));
  try {
    await mkdir(join(ctx.root, BY_HASH), { recursive: true });
    for (const [i, [, bytes]] of files.entries()) {
      const hash = index[i]?.sha256 ?? sha256(bytes);
      await writeFileAtomic(join(ctx.root, BY_HASH, hash), bytes);
    }
    for (const [name, bytes] of files) await writeFileAtomic(join(ctx.root, name), bytes);
    // Release last: it is what makes the new generation visible to apt.
    await writeFileAtomic(join(ctx.root, 'Release'), Buffer.from(releaseText(index, ctx.now()), 'utf8'));
    await pruneByHash(ctx, new Set(index.map((f) => f.sha256)));
  } catch (e: unknown) {
    return err(`writing the index in ${ctx.root}: ${describeError(e)}`);
  }
  return ok({ packages: choice.value.stanzas.length });
}

/** Old index generations stay fetchable for a while: an apt run may have read the old Release. */
async function pruneByHash(ctx: IndexContext, current: ReadonlySet<string>): Promise<void> {
  const dir = join(ctx.root, BY_HASH);
  const cutoff = ctx.now().getTime() - BY_HASH_KEEP_MS;
  for (const name of await readdir(dir)) {
    if (current.has(name)) continue;
    const st = await stat(join(dir, name)).catch(() => undefined);
    if (st !== undefined && st.mtimeMs < cutoff) await unlink(join(dir, name)).catch(() => undefined);
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Remove leftovers of dead processes: `.staging/<key>.<pid>.<rand>` and `.trash/...` directories. */
export async function cleanDeadLeftovers(root: string, isAlive: (pid: number) => boolean, logger: Logger): Promise<void> {
  for (const area of ['.staging', '.trash']) {
    const dir = join(root, area);
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names) {
      const pid = Number(/\.(\d+)\.[0-9a-f]+$/.exec(name)?.[1]);
      if (Number.isSafeInteger(pid) && pid > 0 && isAlive(pid)) continue;
      logger.info({ leftover: join(area, name) }, 'removing the leftover of an interrupted repository operation');
      await rm(join(dir, name), { recursive: true, force: true });
    }
  }
}
