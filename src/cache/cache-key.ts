// A cache key becomes a directory name in the repository pool and the store, so it must be a
// plain, safe name. plan/ makes keys as hex digests; anything else is refused, not sanitised.
import { err, ok, type Result } from '../model/result.js';
import type { CacheKey } from '../model/brand.js';

const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function checkCacheKey(key: string): Result<CacheKey, string> {
  return KEY_RE.test(key)
    ? ok(key as CacheKey)
    : err(`cache key ${JSON.stringify(key)} is not a plain name of up to 128 [A-Za-z0-9._-] characters`);
}
