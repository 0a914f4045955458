// The local apt repository that is also stubforge's build cache (I/O). A flat repository:
//
//   <root>/pool/<key>/<package>.deb + entry.json   one directory per published cache key
//   <root>/Packages, Packages.xz, Release          the index (Release last), by-hash/SHA256/...
//   <root>/.staging/, .trash/, .lock               work areas and the index lock
//   <root>/../store/<key>/                         build logs and traces (store.ts)
//
// Publishing is atomic per key: the packages and entry.json are written and fsynced in a staging
// directory that is renamed to pool/<key> in one step, so `lookup` sees all of a key's packages or
// none. The index is then regenerated under the lock; it is derived from the pool and can always
// be rebuilt with `reindex()`. apt reads it as `deb [trusted=yes] file:<root> ./`.
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { silentLogger, type Logger } from '../log/logger.js';
import type { CacheKey } from '../model/brand.js';
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';
import { readDebControl, type DebReadError } from '../deb/deb-reader.js';
import { fsyncDir } from '../io/atomic-file.js';
import { DEFAULT_XZ_PATH } from '../deb/xz.js';
import { provenanceMismatch, summariseControl, type PublishedDeb, type PublishedEntry, type PublishMeta } from './apt-index.js';
import { cleanDeadLeftovers, ENTRY_FILE, POOL, readAllEntries, readEntry, sha256, writeIndex } from './apt-repo-index.js';
import { checkCacheKey } from './cache-key.js';
import { INDEX_KINDS, verifyRepo } from './repo-verify.js';
import { compareVersionStrings } from '../version/index.js';
import { acquireLock, defaultIsProcessAlive, type LockOwner } from './lock.js';
import { ArtifactStore } from './store.js';
import { describeError } from '../io/describe-error.js';
import { isErrno, errnoCode } from '../io/errno.js';

export type { PublishedDeb, PublishedEntry, PublishMeta, Provenance } from './apt-index.js';

/**
 * How the build cache failed, with the file concerned (`location`) and what is wrong as data;
 * `detail` is what a lower layer (key check, index, entry reader) said. Messages: cli/cache-messages.ts.
 */
export type RepoError = { readonly location: SourceLocation } & (
  | { readonly reason: 'invalid-key'; readonly detail: string }
  /** The .deb given (`location`) could not be read (`error`), or its control paragraph not summarised (`detail`). */
  | { readonly reason: 'not-a-deb'; readonly error: DebReadError }
  | { readonly reason: 'not-a-deb'; readonly detail: string }
  /** `detail`: which provenance field disagrees; absent when the package has none. */
  | { readonly reason: 'provenance-mismatch'; readonly deb: string; readonly detail?: string }
  | { readonly reason: 'duplicate-package'; readonly deb: string; readonly package: string; readonly key: string }
  /** `deb` (as `package version (architecture)`) differs from `published`, already in the pool under that version. */
  | {
      readonly reason: 'version-exists'; readonly package: string; readonly version: string; readonly architecture: string;
      readonly deb: string; readonly key: string; readonly published: string;
    }
  /** `detail`: what reading the entry said; absent when the key is neither publishable nor published. */
  | { readonly reason: 'corrupt-entry'; readonly key: string; readonly detail?: string }
  | { readonly reason: 'lock-timeout'; readonly holder?: LockOwner }
  /** The index could not be written (`detail`: what the writer said). */
  | { readonly reason: 'index-failed'; readonly detail: string }
  /** At open, the index disagreed with the pool (`stale`, each file and why) and regenerating it failed (`cause`). */
  | { readonly reason: 'index-failed'; readonly stale: readonly { readonly path: string; readonly detail: string }[]; readonly cause: RepoError }
  /** `detail`: the repository check's or entry reader's own account. */
  | { readonly reason: 'io-error'; readonly detail: string }
  /** What the system said of `location` (a file of the repository, or its lock file). */
  | { readonly reason: 'io-error'; readonly of: 'file' | 'lock'; readonly failure: string }
);

/** Points in a publish, reported to `onPublishStage` (progress display; tests stop a publisher there). */
export type PublishStage = 'staged' | 'committed' | 'indexed';

export interface RepoOptions {
  readonly logger?: Logger;
  readonly xzPath?: string;
  readonly now?: () => Date;
  readonly isProcessAlive?: (pid: number) => boolean;
  /** How long to wait for the index lock (default 60 s). */
  readonly lockTimeoutMs?: number;
  readonly onPublishStage?: (stage: PublishStage, key: CacheKey) => void | Promise<void>;
}

export async function openRepo(root: string, options: RepoOptions = {}): Promise<Result<AptRepo, RepoError>> {
  const abs = resolve(root);
  const repo = new AptRepo(abs, options);
  try {
    for (const dir of [POOL, '.staging', '.trash']) await mkdir(join(abs, dir), { recursive: true });
    await cleanDeadLeftovers(abs, options.isProcessAlive ?? defaultIsProcessAlive, repo.logger);
    // The index must say what the pool holds (a publisher that died, or whose index write failed,
    // after committing its key leaves it behind; a truncated Packages disagrees with Release):
    // checked at every open, regenerated when it does not, refused when that fails.
    const checked = await verifyRepo(abs, { ...(options.isProcessAlive === undefined ? {} : { isProcessAlive: options.isProcessAlive }) });
    if (!checked.ok) return err({ reason: 'io-error', detail: checked.error, location: { file: abs } });
    const stale = checked.value.findings.filter((f) => INDEX_KINDS.has(f.kind));
    if (stale.length > 0) {
      // A new repository has no index yet: nothing to warn about.
      const fresh = checked.value.keys === 0 && stale.every((f) => f.kind === 'release-missing');
      repo.logger[fresh ? 'debug' : 'warn']({ findings: stale.map((f) => `${f.path}: ${f.detail}`) }, 'repository index disagrees with the pool; regenerating it');
      const indexed = await repo.reindex();
      if (!indexed.ok) {
        return err({ reason: 'index-failed', stale: stale.map((f) => ({ path: f.path, detail: f.detail })), cause: indexed.error, location: indexed.error.location });
      }
    }
  } catch (e: unknown) {
    return err(ioError(abs, e));
  }
  return ok(repo);
}

export class AptRepo {
  readonly logger: Logger;
  readonly store: ArtifactStore;
  private readonly xzPath: string;
  private readonly now: () => Date;

  constructor(readonly root: string, private readonly options: RepoOptions) {
    this.logger = options.logger ?? silentLogger();
    this.xzPath = options.xzPath ?? DEFAULT_XZ_PATH;
    this.now = options.now ?? (() => new Date());
    this.store = new ArtifactStore(join(dirname(root), 'store'));
  }

  /** The sources.list line that makes apt use this repository. */
  sourcesLine(): string {
    return `deb [trusted=yes] file:${this.root} ./`;
  }

  /** The packages published for a key (a cache hit), or undefined (a miss). */
  async lookup(key: CacheKey): Promise<Result<PublishedEntry | undefined, RepoError>> {
    const checked = checkCacheKey(key);
    if (!checked.ok) return err({ reason: 'invalid-key', detail: checked.error, location: { file: this.root } });
    const entry = await readEntry(this.root, key);
    if (!entry.ok) return err({ reason: 'corrupt-entry', key, detail: entry.error, location: { file: join(this.root, POOL, key) } });
    return ok(entry.value);
  }

  /** Absolute path of a published package. */
  pathOf(deb: PublishedDeb): string {
    return join(this.root, deb.filename);
  }

  async list(): Promise<Result<PublishedEntry[], RepoError>> {
    const entries = await readAllEntries(this.root, this.logger);
    if (!entries.ok) return err({ reason: 'io-error', detail: entries.error, location: { file: this.root } });
    return ok(entries.value);
  }

  /**
   * Publish all packages of one key, atomically. A key already published is returned as it is (a
   * concurrent publisher of the same key won; same key, same content).
   */
  async publish(key: CacheKey, debs: readonly string[], meta: PublishMeta): Promise<Result<PublishedEntry, RepoError>> {
    const log = this.logger.child({ key, source: meta.source });
    const checked = checkCacheKey(key);
    if (!checked.ok) return err({ reason: 'invalid-key', detail: checked.error, location: { file: this.root } });
    const existing = await this.lookup(key);
    if (!existing.ok) return existing;
    if (existing.value !== undefined) return ok(existing.value);

    const staging = join(this.root, '.staging', `${key}.${process.pid}.${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(staging);
      const staged = await this.stage(key, debs, meta, staging);
      if (!staged.ok) return staged;
      const clash = await this.versionClash(key, staged.value.debs, debs);
      if (!clash.ok) return clash;
      await this.options.onPublishStage?.('staged', key);
      try {
        await rename(staging, join(this.root, POOL, key));
      } catch (e: unknown) {
        const code = errnoCode(e);
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
        log.info('key published concurrently by another process; using theirs');
        return await this.lookupPublished(key);
      }
      await fsyncDir(join(this.root, POOL));
      log.info({ packages: staged.value.debs.map((d) => d.package) }, 'published');
      await this.options.onPublishStage?.('committed', key);
      const indexed = await this.reindex();
      if (!indexed.ok) return indexed;
      await this.options.onPublishStage?.('indexed', key);
      return ok(staged.value);
    } catch (e: unknown) {
      return err(ioError(staging, e));
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Unpublish a key; answers whether it was there. */
  async remove(key: CacheKey): Promise<Result<boolean, RepoError>> {
    const checked = checkCacheKey(key);
    if (!checked.ok) return err({ reason: 'invalid-key', detail: checked.error, location: { file: this.root } });
    const trash = join(this.root, '.trash', `${key}.${process.pid}.${randomBytes(6).toString('hex')}`);
    try {
      await rename(join(this.root, POOL, key), trash);
    } catch (e: unknown) {
      if (isErrno(e, 'ENOENT')) return ok(false);
      return err(ioError(join(this.root, POOL, key), e));
    }
    this.logger.info({ key }, 'unpublished');
    const indexed = await this.reindex();
    await rm(trash, { recursive: true, force: true });
    return indexed.ok ? ok(true) : indexed;
  }

  /** Regenerate Packages, Packages.xz and Release from the pool, under the repository lock. */
  async reindex(): Promise<Result<void, RepoError>> {
    const lock = await acquireLock(join(this.root, '.lock'), {
      timeoutMs: this.options.lockTimeoutMs ?? 60_000,
      ...(this.options.isProcessAlive === undefined ? {} : { isProcessAlive: this.options.isProcessAlive }),
    });
    if (!lock.ok) {
      const e = lock.error;
      return err(e.reason === 'lock-timeout' ? e : { reason: 'io-error', of: 'lock', failure: e.detail, location: e.location });
    }
    try {
      const written = await writeIndex({ root: this.root, logger: this.logger, xzPath: this.xzPath, now: this.now });
      if (!written.ok) return err({ reason: 'index-failed', detail: written.error, location: { file: join(this.root, 'Release') } });
      this.logger.debug({ packages: written.value.packages }, 'index written');
      return ok(undefined);
    } finally {
      await lock.value.release();
    }
  }

  /**
   * One (package, version, architecture) is one .deb: apt cannot tell two apart, and a machine that
   * installed one would never be offered the other. A package of another key under the same
   * version with other bytes is refused, naming both files (the builder gives a changed rebuild a
   * new version: a binNMU suffix for `-cross` packages, the next `~stubforge<N>` for applications).
   */
  private async versionClash(key: CacheKey, debs: readonly PublishedDeb[], given: readonly string[]): Promise<Result<void, RepoError>> {
    const entries = await readAllEntries(this.root, this.logger);
    if (!entries.ok) return err({ reason: 'io-error', detail: entries.error, location: { file: this.root } });
    for (const entry of entries.value) {
      if (entry.key === key) continue;
      for (const old of entry.debs) {
        const clash = debs.find((d) => d.package === old.package && d.architecture === old.architecture && d.sha256 !== old.sha256 && sameVersion(d.version, old.version));
        if (clash === undefined) continue;
        const file = given.find((g) => basename(g) === basename(clash.filename)) ?? clash.filename;
        return err({
          reason: 'version-exists', location: { file }, package: clash.package, version: clash.version, architecture: clash.architecture,
          deb: file, key, published: this.pathOf(old),
        });
      }
    }
    return ok(undefined);
  }

  private async lookupPublished(key: CacheKey): Promise<Result<PublishedEntry, RepoError>> {
    const entry = await this.lookup(key);
    if (!entry.ok) return entry;
    if (entry.value === undefined) {
      return err({ reason: 'corrupt-entry', key, location: { file: join(this.root, POOL, key) } });
    }
    return ok(entry.value);
  }

  /** Copy, check and describe every package into the staging directory; fsync it all. */
  private async stage(key: CacheKey, debs: readonly string[], meta: PublishMeta, staging: string): Promise<Result<PublishedEntry, RepoError>> {
    const published: PublishedDeb[] = [];
    for (const deb of debs) {
      const name = basename(deb);
      const copy = join(staging, name);
      await copyFile(deb, copy);
      // Hash and read the copy: it is what gets published, whatever happens to `deb` meanwhile.
      const bytes = await readFile(copy);
      await fsyncFile(copy);
      const control = await readDebControl(copy, this.xzPath);
      if (!control.ok) return err({ reason: 'not-a-deb', error: control.error, location: { file: deb } });
      const summary = summariseControl(control.value.control, deb);
      if (!summary.ok) return err({ reason: 'not-a-deb', detail: summary.error, location: { file: deb } });
      const mismatch = provenanceMismatch(summary.value.provenance, key, meta);
      if (mismatch !== undefined || summary.value.provenance === undefined) {
        return err({ reason: 'provenance-mismatch', deb, ...(mismatch === undefined ? {} : { detail: mismatch }), location: { file: deb } });
      }
      if (published.some((p) => p.package === summary.value.package || basename(p.filename) === name)) {
        return err({ reason: 'duplicate-package', deb, package: summary.value.package, key, location: { file: deb } });
      }
      published.push({
        package: summary.value.package,
        version: summary.value.version,
        architecture: summary.value.architecture,
        filename: `${POOL}/${key}/${name}`,
        size: bytes.length,
        md5: hashHex('md5', bytes),
        sha1: hashHex('sha1', bytes),
        sha256: sha256(bytes),
        control: control.value.control,
        provenance: summary.value.provenance,
      });
    }
    const entry: PublishedEntry = { key, publishedAt: this.now().toISOString(), meta, debs: published };
    const record = join(staging, ENTRY_FILE);
    const handle = await open(record, 'w', 0o644);
    try {
      await handle.writeFile(JSON.stringify(entry, null, 2) + '\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsyncDir(staging);
    return ok(entry);
  }
}

async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function sameVersion(a: string, b: string): boolean {
  if (a === b) return true;
  const c = compareVersionStrings(a, b);
  return c.ok && c.value === 0;
}

function hashHex(algorithm: 'md5' | 'sha1', bytes: Uint8Array): string {
  return createHash(algorithm).update(bytes).digest('hex');
}

function ioError(file: string, e: unknown): RepoError {
  return { reason: 'io-error', of: 'file', failure: describeError(e), location: { file } };
}
