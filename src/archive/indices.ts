// Sources and Packages of one suite/component: from the cache when the InRelease is unchanged,
// else downloaded, verified against the InRelease (size + SHA-256, before anything decompresses
// or parses a byte of it), decompressed and parsed. Nothing reaches the cache unless every index
// of the suite verified and parsed.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Logger } from '../log/logger.js';
import type { BinaryRecord, SourceRecord } from '../model/archive.js';
import { err, ok, type Result } from '../model/result.js';
import { type ArchiveError } from './errors.js';
import { downloadToFile, type FetchLike } from './http.js';
import type { IndexPayload } from './index-codec.js';
import {
  latestCachedKey, newestCachedRelease, readCachedIndex, writeCachedIndices, type CacheRead, type IndexCacheKey,
} from './index-cache.js';
import { parsePackagesIndex, parseSourcesIndex, type IndexDiagnostic, type ParsedIndex } from './index-records.js';
import { describeProcess, type ProcessRunner } from '../io/process.js';
import { verdictDirOf } from './gpgv-verdicts.js';
import { clockExceptions, fetchRelease, verifyRelease, type Release, type ReleaseFileEntry, type VerifiedRelease } from './release.js';
import type { ConfiguredSuite } from './suites.js';
import { describeError } from '../io/describe-error.js';

const gunzipAsync = promisify(gunzip);

/** Compressed variants in order of preference; only those the InRelease lists are tried. */
const VARIANTS = ['.xz', '.gz', ''] as const;

export interface IndexOptions {
  readonly cacheDir: string;
  readonly arch: string;
  readonly fetch: FetchLike;
  readonly runProcess: ProcessRunner;
  readonly clock: () => Date;
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly offline?: boolean;
  readonly keyrings?: readonly string[];
  readonly allowExpired?: boolean;
}

export interface SuiteIndex extends IndexPayload {
  readonly ref: ConfiguredSuite;
  /** SHA-256 of the InRelease the records come from. */
  readonly release: string;
  readonly fromCache: boolean;
}

type Kind = 'Sources' | 'Packages';

function indexPath(kind: Kind, component: string, arch: string): string {
  return kind === 'Sources' ? `${component}/source/Sources` : `${component}/binary-${arch}/Packages`;
}

/** The URL of one listed index file: by-hash when the archive offers it (immune to mirror updates mid-run). */
function indexUrls(suite: ConfiguredSuite, entry: ReleaseFileEntry, byHash: boolean): string[] {
  const base = `${suite.mirror}/dists/${suite.suite}`;
  const plain = `${base}/${entry.path}`;
  if (!byHash) return [plain];
  const dir = entry.path.slice(0, entry.path.lastIndexOf('/'));
  return [`${base}/${dir}/by-hash/SHA256/${entry.sha256}`, plain];
}

/** A verified file that does not decompress means a broken archive: the index is unusable. */
async function decompress(
  path: string, variant: (typeof VARIANTS)[number], run: ProcessRunner, where: { suite: string; file: string },
): Promise<Result<string, ArchiveError>> {
  if (variant === '.xz') {
    const result = await run('xz', ['-dc', '--', path]);
    if (result.code !== 0) return err({ reason: 'index-missing', ...where, detail: describeProcess('xz -dc', result) });
    return ok(result.stdout.toString('utf8'));
  }
  const data = await readFile(path);
  if (variant === '.gz') {
    try {
      return ok((await gunzipAsync(data)).toString('utf8'));
    } catch (error: unknown) {
      return err({ reason: 'index-missing', ...where, detail: `gunzip: ${describeError(error)}` });
    }
  }
  return ok(data.toString('utf8'));
}

/** Download, verify, decompress one index; undefined text when the InRelease does not list it. */
async function fetchIndexText(
  suite: ConfiguredSuite, release: Release, kind: Kind, options: IndexOptions, tmp: string,
): Promise<Result<{ text: string; url: string } | undefined, ArchiveError>> {
  const path = indexPath(kind, suite.component, options.arch);
  const listed = VARIANTS.map((v) => ({ variant: v, entry: release.files.get(path + v) }))
    .filter((c): c is { variant: (typeof VARIANTS)[number]; entry: ReleaseFileEntry } => c.entry !== undefined);
  if (listed.length === 0) return ok(undefined);
  let last: ArchiveError | undefined;
  for (const { variant, entry } of listed) {
    for (const url of indexUrls(suite, entry, release.acquireByHash)) {
      const dest = join(tmp, `${kind}${variant}`);
      const downloaded = await downloadToFile(url, dest, {
        fetch: options.fetch, timeoutMs: options.timeoutMs, file: entry.path, expected: entry,
      });
      if (!downloaded.ok) {
        last = downloaded.error;
        // Only a missing file moves on to the next URL / variant; a bad one is an attack or a broken mirror.
        if (downloaded.error.reason === 'missing-file') continue;
        return downloaded;
      }
      const text = await decompress(dest, variant, options.runProcess, { suite: suite.suite, file: url });
      await rm(dest, { force: true });
      if (!text.ok) return text;
      return ok({ text: text.value, url });
    }
  }
  return err(last ?? { reason: 'index-missing', suite: suite.suite, file: path, detail: 'no variant could be fetched' });
}

async function fetchAndParse(
  suite: ConfiguredSuite, release: Release, options: IndexOptions,
): Promise<Result<IndexPayload, ArchiveError>> {
  const tmp = await mkdtemp(join(options.cacheDir, 'tmp-indices-'));
  try {
    const [sources, packages] = await Promise.all([
      fetchIndexText(suite, release, 'Sources', options, tmp),
      fetchIndexText(suite, release, 'Packages', options, tmp),
    ]);
    if (!sources.ok) return sources;
    if (!packages.ok) return packages;
    const notes: string[] = [];
    const diagnostics: IndexDiagnostic[] = [];
    // Notes and diagnostics are returned (and cached), and logged by the facade on every run.
    const parse = <R>(kind: Kind, got: { text: string; url: string } | undefined,
      parser: (text: string, label: { file: string; suite: string; component: string }) => Result<ParsedIndex<R>, ArchiveError>,
    ): Result<R[], ArchiveError> => {
      if (got === undefined) {
        const note = `${indexPath(kind, suite.component, options.arch)} is not listed in the InRelease of ${suite.suite}: empty`;
        notes.push(note);
        return ok([]);
      }
      const parsed = parser(got.text, { file: got.url, suite: suite.suite, component: suite.component });
      if (!parsed.ok) return parsed;
      diagnostics.push(...parsed.value.diagnostics);
      return ok(parsed.value.records);
    };
    const sourceRecords = parse<SourceRecord>('Sources', sources.value, parseSourcesIndex);
    if (!sourceRecords.ok) return sourceRecords;
    const binaryRecords = parse<BinaryRecord>('Packages', packages.value, parsePackagesIndex);
    if (!binaryRecords.ok) return binaryRecords;
    return ok({
      suite: suite.suite, component: suite.component, sources: sourceRecords.value,
      binaries: binaryRecords.value, diagnostics, notes,
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function currentRelease(suite: ConfiguredSuite, options: IndexOptions): Promise<Result<VerifiedRelease, ArchiveError>> {
  const releaseOptions = {
    fetch: options.fetch, runProcess: options.runProcess, clock: options.clock, tmpDir: options.cacheDir, verdictDir: verdictDirOf(options.cacheDir),
    timeoutMs: options.timeoutMs,
    ...(options.keyrings === undefined ? {} : { keyrings: options.keyrings }),
    ...(options.allowExpired === undefined ? {} : { allowExpired: options.allowExpired }),
  };
  if (options.offline !== true) return fetchRelease(suite, releaseOptions);
  const cached = await newestCachedRelease(options.cacheDir, suite.suite);
  if (cached === undefined) {
    return err({ reason: 'index-missing', suite: suite.suite, file: options.cacheDir, detail: 'offline, and no cached InRelease for this suite' });
  }
  const verified = await verifyRelease(cached.raw, `${options.cacheDir} (cached InRelease of ${suite.suite})`, suite, releaseOptions);
  if (verified.ok && verified.value.sha256 !== cached.key.release) {
    return err({ reason: 'bad-signature', url: verified.value.url, detail: 'cached InRelease does not match its cache key' });
  }
  return verified;
}

/**
 * While the InRelease downloads and gpgv checks it, load the most recent cached index: the
 * archive changes a few times a day, so it is nearly always the one the InRelease names, and a
 * warm run then costs max(network, load) instead of their sum. It is used only if the verified
 * InRelease's hash says so.
 */
async function speculate(suite: ConfiguredSuite, options: IndexOptions): Promise<{ key: IndexCacheKey; read: CacheRead } | undefined> {
  const key = await latestCachedKey(options.cacheDir, suite.suite);
  if (key === undefined) return undefined;
  return { key, read: await readCachedIndex(options.cacheDir, key, suite.component, options.arch) };
}

/** The records of one suite/component, from the cache when its InRelease has not changed. */
export async function loadSuiteIndex(suite: ConfiguredSuite, options: IndexOptions): Promise<Result<SuiteIndex, ArchiveError>> {
  const log = options.logger.child({ suite: suite.suite, component: suite.component });
  const pending = currentRelease(suite, options);
  // Awaited below; this only keeps an early unexpected rejection from counting as unhandled meanwhile.
  pending.catch(() => undefined);
  const guess = options.offline === true ? undefined : await speculate(suite, options).catch(() => undefined);
  const verified = await pending;
  if (!verified.ok) return verified;
  for (const exception of clockExceptions(verified.value.release, options.clock())) log.warn(exception.fields, exception.message);
  const key: IndexCacheKey = { suite: suite.suite, release: verified.value.sha256 };
  const cached = guess?.key.release === key.release ? guess.read
    : await readCachedIndex(options.cacheDir, key, suite.component, options.arch);
  if (cached.hit) {
    log.debug({ release: key.release }, 'index cache hit');
    return ok({ ...cached.payload, ref: suite, release: key.release, fromCache: true });
  }
  if (options.offline === true) {
    return err({ reason: 'index-missing', suite: suite.suite, file: options.cacheDir, detail: `offline: ${cached.why}` });
  }
  log.info({ release: key.release, why: cached.why }, 'index cache miss, downloading indices');
  const payload = await fetchAndParse(suite, verified.value.release, options);
  if (!payload.ok) return payload;
  try {
    await writeCachedIndices(options.cacheDir, key, verified.value.raw, [{ arch: options.arch, payload: payload.value }]);
  } catch (error: unknown) {
    // The records are verified and parsed; a full disk only costs the next run a download.
    log.warn({ error: describeError(error) }, 'index cache write failed');
  }
  return ok({ ...payload.value, ref: suite, release: key.release, fromCache: false });
}
