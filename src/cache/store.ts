// A small store for what a build leaves besides packages (build logs, linker traces), addressed
// by the build's cache key: `<store>/<key>/<name>`. Same key, same inputs, so a stored file is
// never rewritten with different content by a correct build; writes are still atomic
// (temporary file, fsync, rename), so a reader never sees half a log.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheKey } from '../model/brand.js';
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';
import { checkCacheKey } from './cache-key.js';
import { describeError } from '../io/describe-error.js';
import { isErrno } from '../io/errno.js';

/** Why a record was not stored or read, with the folder or file (`location`); messages in cli/cache-messages.ts. */
export type StoreError = { readonly location: SourceLocation } & (
  /** `detail`: what the key check said. */
  | { readonly reason: 'invalid-key'; readonly detail: string }
  | { readonly reason: 'invalid-name'; readonly name: string }
  /** What the system said of `location`. */
  | { readonly reason: 'io-error'; readonly failure: string }
);

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;

export class ArtifactStore {
  constructor(readonly root: string) {}

  dir(key: CacheKey): string {
    return join(this.root, key);
  }

  /** Store bytes under `<key>/<name>`; returns the stored file's path. */
  async put(key: CacheKey, name: string, content: string | Uint8Array): Promise<Result<string, StoreError>> {
    return this.atomically(key, name, async (tmp) => {
      const handle = await open(tmp, 'w', 0o644);
      try {
        await handle.writeFile(content);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  /** Store a copy of a file (a build log written elsewhere) under `<key>/<name>`. */
  async putFile(key: CacheKey, name: string, from: string): Promise<Result<string, StoreError>> {
    return this.atomically(key, name, async (tmp) => {
      await copyFile(from, tmp);
      const handle = await open(tmp, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  }

  /** The stored bytes, or undefined when nothing is stored under that name. */
  async get(key: CacheKey, name: string): Promise<Result<Buffer | undefined, StoreError>> {
    const path = this.checkedPath(key, name);
    if (!path.ok) return path;
    try {
      return ok(await readFile(path.value));
    } catch (e: unknown) {
      if (isErrno(e, 'ENOENT')) return ok(undefined);
      return err(ioError(path.value, e));
    }
  }

  async list(key: CacheKey): Promise<Result<string[], StoreError>> {
    const checked = checkCacheKey(key);
    if (!checked.ok) return err({ reason: 'invalid-key', detail: checked.error, location: { file: this.root } });
    try {
      return ok((await readdir(this.dir(key))).filter((n) => !n.startsWith('.')).sort());
    } catch (e: unknown) {
      if (isErrno(e, 'ENOENT')) return ok([]);
      return err(ioError(this.dir(key), e));
    }
  }

  private checkedPath(key: CacheKey, name: string): Result<string, StoreError> {
    const checked = checkCacheKey(key);
    if (!checked.ok) return err({ reason: 'invalid-key', detail: checked.error, location: { file: this.root } });
    if (!NAME_RE.test(name)) return err({ reason: 'invalid-name', name, location: { file: this.dir(key) } });
    return ok(join(this.dir(key), name));
  }

  private async atomically(key: CacheKey, name: string, write: (tmp: string) => Promise<void>): Promise<Result<string, StoreError>> {
    const path = this.checkedPath(key, name);
    if (!path.ok) return path;
    const tmp = join(this.dir(key), `.${name}.${process.pid}.${randomBytes(6).toString('hex')}`);
    try {
      await mkdir(this.dir(key), { recursive: true });
      await write(tmp);
      await rename(tmp, path.value);
      return ok(path.value);
    } catch (e: unknown) {
      await rm(tmp, { force: true });
      return err(ioError(path.value, e));
    }
  }
}

function ioError(file: string, e: unknown): StoreError {
  return { reason: 'io-error', failure: describeError(e), location: { file } };
}
