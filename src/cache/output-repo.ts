// The output repository (I/O): where the final application `.deb`s go, as a flat apt repository
// another machine installs from:
//
//   <root>/pool/<package>_<version>_<arch>.deb     one file per package version, never rewritten
//   <root>/Packages, Packages.xz, by-hash/SHA256/  the index (apt-index.ts stanzas), by-hash copies
//   <root>/Release [InRelease, Release.gpg]        Release last; signed when a key is given
//   <root>/archive-key.gpg, archive-key.asc        the signing key's public part
//
// `deb [signed-by=<root>/archive-key.gpg] file:<root> ./` (or `http://…/ ./` when served) on the
// client. A package file is copied in with temporary file + fsync + rename, so the pool never
// holds half a package; the index is regenerated from the pool under the lock, so it is always
// derived from what is there and `reindex` repairs anything.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ProcessRunner } from '../io/process.js';
import { renderParagraph, type ControlField } from '../deb/deb-fields.js';
import { readDebControl, type DebReadError } from '../deb/deb-reader.js';
import { fsyncDir } from '../io/atomic-file.js';
import { DEFAULT_XZ_PATH, runXz } from '../deb/xz.js';
import { silentLogger, type Logger } from '../log/logger.js';
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';
import { compareVersionStrings } from '../version/index.js';
import { releaseText, summariseControl, type IndexFile } from './apt-index.js';
import { sha256 } from './apt-repo-index.js';
import { acquireLock, type LockOwner } from './lock.js';
import { signRelease, type SignError, type SigningKey } from './output-repo-sign.js';
import { writeFileAtomic } from '../io/atomic-file.js';
import { describeError } from '../io/describe-error.js';
import { isErrno } from '../io/errno.js';

export type { SigningKey } from './output-repo-sign.js';

/** How publishing failed, with the file concerned (`location`); messages in cli/cache-messages.ts. */
export type OutputRepoError = { readonly location: SourceLocation } & (
  /** The .deb could not be read (`error`), or its control paragraph not summarised (`detail`). */
  | { readonly reason: 'not-a-deb'; readonly error: DebReadError }
  | { readonly reason: 'not-a-deb'; readonly detail: string }
  /** `deb` differs from `published`, already in the pool as `package version (architecture)`. */
  | { readonly reason: 'version-exists'; readonly package: string; readonly version: string; readonly architecture: string; readonly deb: string; readonly published: string }
  | { readonly reason: 'lock-timeout'; readonly holder?: LockOwner }
  | { readonly reason: 'sign-failed'; readonly error: SignError }
  /** `detail`: the index writer's account. */
  | { readonly reason: 'io-error'; readonly detail: string }
  /** What the system said of `location` (a file of the repository, or its lock file). */
  | { readonly reason: 'io-error'; readonly of: 'file' | 'lock'; readonly failure: string }
);

export interface OutputRepoOptions {
  readonly logger?: Logger;
  readonly xzPath?: string;
  readonly now?: () => Date;
  /** Sign Release with this key (InRelease, Release.gpg). */
  readonly signingKey?: SigningKey;
  readonly gpgPath?: string;
  readonly run?: ProcessRunner;
  readonly lockTimeoutMs?: number;
}

export interface OutputPackage {
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  /** Relative to the root: `pool/<file>.deb`. */
  readonly filename: string;
  readonly size: number;
  readonly sha256: string;
  readonly control: string;
}

export interface OutputIndex {
  readonly root: string;
  readonly packages: readonly OutputPackage[];
  readonly signedBy?: string;
}

const POOL = 'pool';
const BY_HASH = 'by-hash/SHA256';

/** The file name dpkg-name gives: epoch dropped, `_` separated. */
export function poolName(pkg: string, version: string, architecture: string): string {
  return `${pkg}_${version.replace(/^\d+:/, '')}_${architecture}.deb`;
}

/** The sources.list line a client uses, for a repository served or copied at `uri`. */
export function outputSourcesLine(uri: string, signed: boolean, keyPath: string): string {
  return signed ? `deb [signed-by=${keyPath}] ${uri} ./` : `deb [trusted=yes] ${uri} ./`;
}

/**
 * Copy packages into the pool and regenerate the index. A package whose file is already there
 * with the same bytes is a no-op; with other bytes it is `version-exists` (a published version is
 * never replaced: clients may have installed it — rebuild with a new version instead).
 */
export async function publishToOutputRepo(root: string, debs: readonly string[], options: OutputRepoOptions = {}): Promise<Result<OutputIndex, OutputRepoError>> {
  const abs = resolve(root);
  const log = options.logger ?? silentLogger();
  try {
    await mkdir(join(abs, POOL), { recursive: true });
    for (const deb of debs) {
      const control = await readDebControl(deb, options.xzPath ?? DEFAULT_XZ_PATH);
      if (!control.ok) return err({ reason: 'not-a-deb', error: control.error, location: { file: deb } });
      const summary = summariseControl(control.value.control, deb);
      if (!summary.ok) return err({ reason: 'not-a-deb', detail: summary.error, location: { file: deb } });
      const name = poolName(summary.value.package, summary.value.version, summary.value.architecture);
      const target = join(abs, POOL, name);
      const bytes = await readFile(deb);
      const existing = await readFile(target).catch(() => undefined);
      if (existing !== undefined) {
        if (sha256(existing) === sha256(bytes)) continue;
        const { package: pkg, version, architecture } = summary.value;
        return err({ reason: 'version-exists', location: { file: target }, package: pkg, version, architecture, deb, published: target });
      }
      const tmp = join(abs, POOL, `.${name}.tmp-${process.pid}`);
      await copyFile(deb, tmp);
      const handle = await open(tmp, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, target);
      log.info({ package: summary.value.package, version: summary.value.version, file: name }, 'published to the output repository');
    }
    await fsyncDir(join(abs, POOL));
  } catch (e: unknown) {
    return err(ioError(abs, e));
  }
  return reindexOutputRepo(abs, options);
}

/** Read every package of the pool, sorted by name, then version (dpkg's order), then architecture. */
export async function listOutputRepo(root: string, xzPath = DEFAULT_XZ_PATH): Promise<Result<OutputPackage[], OutputRepoError>> {
  const abs = resolve(root);
  let names: string[];
  try {
    names = (await readdir(join(abs, POOL))).filter((n) => n.endsWith('.deb') && !n.startsWith('.')).sort();
  } catch (e: unknown) {
    if (isErrno(e, 'ENOENT')) return ok([]);
    return err(ioError(join(abs, POOL), e));
  }
  const out: OutputPackage[] = [];
  for (const name of names) {
    const path = join(abs, POOL, name);
    const control = await readDebControl(path, xzPath);
    if (!control.ok) return err({ reason: 'not-a-deb', error: control.error, location: { file: path } });
    const summary = summariseControl(control.value.control, path);
    if (!summary.ok) return err({ reason: 'not-a-deb', detail: summary.error, location: { file: path } });
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e: unknown) {
      return err(ioError(path, e));
    }
    out.push({
      package: summary.value.package, version: summary.value.version, architecture: summary.value.architecture,
      filename: `${POOL}/${name}`, size: bytes.length, sha256: sha256(bytes), control: control.value.control,
    });
  }
  return ok(out.sort((a, b) => byText(a.package, b.package) || byVersion(a.version, b.version) || byText(a.architecture, b.architecture)));
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** dpkg's order; two versions of which one does not parse (dpkg-deb would have refused it) sort by text. */
function byVersion(a: string, b: string): number {
  const c = compareVersionStrings(a, b);
  return c.ok ? c.value : byText(a, b);
}

/** Regenerate Packages, Packages.xz, Release (and its signatures) from the pool, under the lock. */
export async function reindexOutputRepo(root: string, options: OutputRepoOptions = {}): Promise<Result<OutputIndex, OutputRepoError>> {
  const abs = resolve(root);
  await mkdir(abs, { recursive: true });
  const lock = await acquireLock(join(abs, '.lock'), { timeoutMs: options.lockTimeoutMs ?? 60_000 });
  if (!lock.ok) return err(lock.error.reason === 'lock-timeout' ? lock.error : { reason: 'io-error', of: 'lock', failure: lock.error.detail, location: lock.error.location });
  try {
    return await writeOutputIndex(abs, options);
  } catch (e: unknown) {
    return err(ioError(abs, e));
  } finally {
    await lock.value.release();
  }
}

async function writeOutputIndex(abs: string, options: OutputRepoOptions): Promise<Result<OutputIndex, OutputRepoError>> {
  const xzPath = options.xzPath ?? DEFAULT_XZ_PATH;
  const listed = await listOutputRepo(abs, xzPath);
  if (!listed.ok) return listed;
  const stanzas: string[] = [];
  for (const p of listed.value) {
    const bytes = await readFile(join(abs, p.filename));
    const summary = summariseControl(p.control, p.filename);
    if (!summary.ok) return err({ reason: 'not-a-deb', detail: summary.error, location: { file: join(abs, p.filename) } });
    // The same stanza apt-index.ts writes for the cache: the package's own fields, then where and what it is.
    const fields: ControlField[] = [
      ...summary.value.fields,
      { name: 'Filename', value: p.filename },
      { name: 'Size', value: String(p.size) },
      { name: 'MD5sum', value: createHash('md5').update(bytes).digest('hex') },
      { name: 'SHA1', value: createHash('sha1').update(bytes).digest('hex') },
      { name: 'SHA256', value: p.sha256 },
    ];
    stanzas.push(renderParagraph(fields, 'index'));
  }
  const packages = Buffer.from(stanzas.join('\n'), 'utf8');
  const packagesXz = await runXz(packages, 'compress', xzPath);
  if (!packagesXz.ok) return err({ reason: 'io-error', detail: packagesXz.error, location: { file: join(abs, 'Packages.xz') } });
  const files: [string, Buffer][] = [['Packages', packages], ['Packages.xz', packagesXz.value]];
  const index: IndexFile[] = files.map(([name, bytes]) => ({ name, size: bytes.length, sha256: sha256(bytes) }));
  const release = Buffer.from(releaseText(index, (options.now ?? (() => new Date()))()), 'utf8');
  let signedBy: string | undefined;
  const signed: [string, Buffer][] = [];
  if (options.signingKey !== undefined) {
    const signatures = await signRelease(release, options.signingKey, {
      ...(options.gpgPath === undefined ? {} : { gpgPath: options.gpgPath }), ...(options.run === undefined ? {} : { run: options.run }),
    });
    if (!signatures.ok) return err({ reason: 'sign-failed', error: signatures.error, location: signatures.error.location });
    signedBy = signatures.value.fingerprint;
    await writeFileAtomic(join(abs, 'archive-key.gpg'), signatures.value.publicKey);
    await writeFileAtomic(join(abs, 'archive-key.asc'), signatures.value.publicKeyArmored);
    signed.push(['Release.gpg', signatures.value.releaseGpg], ['InRelease', signatures.value.inRelease]);
  }
  await mkdir(join(abs, BY_HASH), { recursive: true });
  for (const [i, [, bytes]] of files.entries()) await writeFileAtomic(join(abs, BY_HASH, index[i]?.sha256 ?? sha256(bytes)), bytes);
  for (const [name, bytes] of files) await writeFileAtomic(join(abs, name), bytes);
  // Release, then its signatures, InRelease last: apt reads InRelease first when there is one.
  await writeFileAtomic(join(abs, 'Release'), release);
  for (const [name, bytes] of signed) await writeFileAtomic(join(abs, name), bytes);
  if (options.signingKey === undefined) {
    // An unsigned index must not keep the signatures of an earlier one: they would not match.
    for (const stale of ['InRelease', 'Release.gpg']) await rm(join(abs, stale), { force: true });
  }
  await fsyncDir(abs);
  options.logger?.debug({ packages: listed.value.length, signedBy }, 'output repository indexed');
  return ok({ root: abs, packages: listed.value, ...(signedBy === undefined ? {} : { signedBy }) });
}

/** Whether a path is an output repository (has a Release). */
export async function isOutputRepo(root: string): Promise<boolean> {
  return (await stat(join(resolve(root), 'Release')).catch(() => undefined)) !== undefined;
}

function ioError(file: string, e: unknown): OutputRepoError {
  return { reason: 'io-error', of: 'file', failure: describeError(e), location: { file } };
}
