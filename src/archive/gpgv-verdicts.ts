// gpgv's verdict on one clear-signed file, remembered for a short while. Every run re-reads each
// suite's InRelease and checks it (the plan memo's key depends on it), and a warm `plan` spent a
// fifth of its time starting gpgv three times over bytes it had accepted a minute before. apt
// verifies an InRelease when it downloads a new one and trusts its lists/ copy until the next
// update; stubforge remembers a good verdict for an hour, keyed by everything gpgv's answer
// depends on: the file's bytes, the bytes of every keyring handed to gpgv, and the Signed-By
// fingerprints. An hour bounds the one input the key cannot hold, the clock (a signing key that
// expires or a keyring update: the latter changes the key). Only good verdicts are kept; a file
// under the cache is as trusted as the index cache beside it, which is keyed the same way.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-file.js';
import type { GoodSignature } from './signature.js';

export const VERDICT_MAX_AGE_MS = 60 * 60 * 1000;
const FORMAT = 'stubforge-gpgv-verdict 1';
const NAME = /^[0-9a-f]{64}$/;

/** The verdicts' folder in an archive cache. */
export function verdictDirOf(cacheDir: string): string {
  return join(cacheDir, 'gpgv-verdicts');
}

export interface VerdictStore {
  readonly dir: string;
  /** Milliseconds since the epoch, on the file system's clock (verdict ages are file times). */
  readonly now?: () => number;
}

/** The key of a verdict: SHA-256 over the signed file, each keyring's bytes, the fingerprints. */
export function verdictKey(data: Uint8Array, keyrings: readonly Uint8Array[], fingerprints: readonly string[] | undefined): string {
  const hash = createHash('sha256').update(`${FORMAT}\n`);
  const part = (label: string, bytes: Uint8Array | string): void => {
    const length = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
    hash.update(`${label} ${length}\n`).update(bytes).update('\n');
  };
  part('file', data);
  for (const k of keyrings) part('keyring', k);
  part('fingerprints', (fingerprints ?? []).join(' '));
  return hash.digest('hex');
}

/** A good verdict of less than an hour for `key`, or undefined (none, too old, unreadable). */
export async function readVerdict(store: VerdictStore, key: string): Promise<readonly GoodSignature[] | undefined> {
  const file = join(store.dir, key);
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    if ((store.now ?? Date.now)() - info.mtimeMs > VERDICT_MAX_AGE_MS) return undefined;
    const value = JSON.parse(text) as { format?: unknown; signatures?: unknown };
    if (value.format !== FORMAT || !Array.isArray(value.signatures) || value.signatures.length === 0) return undefined;
    const signatures = value.signatures as { fingerprint?: unknown; primary?: unknown }[];
    if (!signatures.every((s) => typeof s.fingerprint === 'string' && typeof s.primary === 'string')) return undefined;
    return signatures as GoodSignature[];
  } catch {
    return undefined; // absent or unreadable: gpgv decides
  }
}

/** Remember a good verdict; verdicts past their hour are removed on the way. Failures only cost a gpgv run later. */
export async function writeVerdict(store: VerdictStore, key: string, signatures: readonly GoodSignature[]): Promise<void> {
  try {
    await mkdir(store.dir, { recursive: true });
    await writeFileAtomic(join(store.dir, key), `${JSON.stringify({ format: FORMAT, signatures })}\n`);
    const now = (store.now ?? Date.now)();
    for (const name of await readdir(store.dir)) {
      if (!NAME.test(name) || name === key) continue;
      const info = await stat(join(store.dir, name)).catch(() => undefined);
      if (info !== undefined && now - info.mtimeMs > VERDICT_MAX_AGE_MS) await rm(join(store.dir, name), { force: true });
    }
  } catch {
    // A full or read-only cache: the next run asks gpgv again.
  }
}
