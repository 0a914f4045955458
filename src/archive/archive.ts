// The archive facade: configured suites → verified, cached indices → source lookup and fetch.
// Everything I/O is injectable (fetch, child processes, clock, logger) with real defaults; cli/
// passes the cache dir and the user's choices (it alone reads process.env and argv).
// The index reader, source finder and source fetcher are loaded when first used: a caller that
// only checks releases (`checkReleases`) does not pay for their modules.
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../log/logger.js';
import type { ArchiveIndex, SourceRecord } from '../model/archive.js';
import { err, ok, type Result } from '../model/result.js';
import { loadAptSources } from './apt-sources.js';
import type { ArchiveError } from './errors.js';
import type { FindSourceError, SourceFinder } from './find-source.js';
import { verdictDirOf } from './gpgv-verdicts.js';
import { defaultFetch, type FetchLike, type HttpResponse } from './http.js';
import type { IndexDiagnostic } from './index-records.js';
import { newestCachedRelease } from './index-cache.js';
import { runProcess as defaultRunProcess, type ProcessRunner } from '../io/process.js';
import { fetchRelease, verifyRelease, type Release, type ReleaseOptions, type VerifiedRelease } from './release.js';
import type { FetchedSource } from './source-fetch.js';
import { resolveSuites, type ConfiguredSuite, type SuiteSelection } from './suites.js';

export type { ArchiveError } from './errors.js';
export type { FindSourceError } from './find-source.js';
export type { FetchedSource } from './source-fetch.js';
export type { ConfiguredSuite } from './suites.js';

export interface ArchiveOptions extends SuiteSelection {
  /** Where indices and sources are cached (cli/: ~/.cache/stubforge or $STUBFORGE_CACHE). */
  readonly cacheDir: string;
  /** Binary architecture of the Packages index; default amd64. */
  readonly arch?: string;
  /** apt configuration directory; default /etc/apt. Not read when `mirror` is given. */
  readonly aptDir?: string;
  /** Keyrings that replace the apt entries' Signed-By and the Debian archive keyring. */
  readonly keyrings?: readonly string[];
  /** Use the newest cached InRelease of each suite and never touch the network for indices. */
  readonly offline?: boolean;
  /** Accept an InRelease past its Valid-Until (snapshot mirrors); see release.ts. */
  readonly allowExpiredRelease?: boolean;
  readonly fetch?: FetchLike;
  readonly runProcess?: ProcessRunner;
  readonly clock?: () => Date;
  /** Inactivity timeout of one HTTP transfer; default 60 s. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
}

export interface Archive {
  readonly index: ArchiveIndex;
  readonly suites: readonly ConfiguredSuite[];
  /** SHA-256 of the InRelease each suite's records come from, in the order of `suites`. */
  readonly releases: readonly string[];
  /** Paragraphs skipped for a missing or malformed field, with index and line. */
  readonly diagnostics: readonly IndexDiagnostic[];
  /** Newest version (dpkg order) of source `name`, in `suite` or across all configured suites. */
  findSource(name: string, suite?: string): Result<SourceRecord, FindSourceError>;
  /** Download, verify and unpack a source package (reused when already unpacked and verified). */
  fetchSource(record: SourceRecord, options?: { readonly unpackTimeoutMs?: number }): Promise<Result<FetchedSource, ArchiveError>>;
}

/** Binary architecture of the Packages indices read when the options name none. */
export const DEFAULT_INDEX_ARCH = 'amd64';

/** Temp entries older than this are leftovers of a crashed run, removed on the next start. */
const STALE_TEMP_MS = 60 * 60 * 1000;

async function removeStaleTemps(dir: string, prefix: string, now: number): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names.filter((n) => n.startsWith(prefix))) {
    const path = join(dir, name);
    try {
      if (now - (await stat(path)).mtimeMs > STALE_TEMP_MS) await rm(path, { recursive: true, force: true });
    } catch {
      // Gone already (another run cleaned it): nothing to do.
    }
  }
}

async function configuredSuites(options: ArchiveOptions): Promise<Result<ConfiguredSuite[], ArchiveError>> {
  if (options.mirror !== undefined) return resolveSuites([], options);
  const apt = await loadAptSources(options.aptDir);
  if (!apt.ok) return apt;
  return resolveSuites(apt.value.entries, options, apt.value.files);
}

async function prepareCacheDir(cacheDir: string): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  // File ages are on the file system's clock, not the injected one (which may be a snapshot's date).
  const now = Date.now();
  await removeStaleTemps(cacheDir, 'tmp-indices-', now);
  await removeStaleTemps(cacheDir, 'gpgv-', now);
  await removeStaleTemps(join(cacheDir, 'sources'), '.tmp-', now);
}

export async function openArchive(options: ArchiveOptions): Promise<Result<Archive, ArchiveError>> {
  const logger = options.logger ?? silentLogger();
  const clock = options.clock ?? ((): Date => new Date());
  const suites = await configuredSuites(options);
  if (!suites.ok) return suites;
  await prepareCacheDir(options.cacheDir);

  const http = { fetch: options.fetch ?? defaultFetch, timeoutMs: options.timeoutMs ?? 60_000 };
  const runProcess = options.runProcess ?? defaultRunProcess;
  const [{ loadSuiteIndex }, { createSourceFinder }] = await Promise.all([import('./indices.js'), import('./find-source.js')]);
  const loaded = await Promise.all(suites.value.map((suite) => loadSuiteIndex(suite, {
    ...http, runProcess, clock, logger, cacheDir: options.cacheDir, arch: options.arch ?? DEFAULT_INDEX_ARCH,
    ...(options.offline === undefined ? {} : { offline: options.offline }),
    ...(options.keyrings === undefined ? {} : { keyrings: options.keyrings }),
    ...(options.allowExpiredRelease === undefined ? {} : { allowExpired: options.allowExpiredRelease }),
  })));
  const indices = [];
  for (const result of loaded) {
    if (!result.ok) return result;
    indices.push(result.value);
  }
  for (const i of indices) {
    logger.info({
      suite: i.suite, component: i.component, sources: i.sources.length, binaries: i.binaries.length,
      diagnostics: i.diagnostics.length, fromCache: i.fromCache,
    }, 'index loaded');
    // e.g. bookworm-updates without a Packages index for the architecture: empty, and said so.
    for (const note of i.notes) logger.info({ suite: i.suite, component: i.component, note }, 'index not listed in InRelease, using an empty one');
  }
  const index: ArchiveIndex = {
    suites: suites.value,
    sources: indices.flatMap((i) => i.sources),
    binaries: indices.flatMap((i) => i.binaries),
  };
  let finder: SourceFinder | undefined;
  const archive: Archive = {
    index,
    suites: suites.value,
    releases: indices.map((i) => i.release),
    diagnostics: indices.flatMap((i) => i.diagnostics),
    findSource(name, suite) {
      finder ??= createSourceFinder(index.sources);
      return finder(name, suite);
    },
    async fetchSource(record, fetchOptions = {}) {
      const suite = suites.value.find((s) => s.suite === record.suite && s.component === record.component);
      if (suite === undefined) {
        return err({ reason: 'index-missing', suite: record.suite, file: `${record.component}/source/Sources`, detail: 'suite/component is not configured' });
      }
      const { fetchSource } = await import('./source-fetch.js');
      return fetchSource(record, {
        ...http, runProcess, cacheDir: options.cacheDir, mirror: suite.mirror, logger,
        ...(fetchOptions.unpackTimeoutMs === undefined ? {} : { unpackTimeoutMs: fetchOptions.unpackTimeoutMs }),
      });
    },
  };
  return ok(archive);
}

/** One suite's InRelease, downloaded (offline: the newest cached one) and verified with gpgv. */
export interface CheckedRelease {
  readonly suite: ConfiguredSuite;
  /** SHA-256 of the InRelease: the key of the suite's cached indices. */
  readonly sha256: string;
  readonly release: Release;
}

export interface ReleaseCheck {
  readonly suites: readonly ConfiguredSuite[];
  /** One per entry of `suites`, in that order. */
  readonly releases: readonly CheckedRelease[];
  /**
   * `openArchive` with the same options, reading these InRelease files: online, the bytes checked
   * here are handed to it again (and verified again) instead of being downloaded twice; offline it
   * picks the newest cached ones as this check did. Its `releases` say which it read.
   */
  open(): Promise<Result<Archive, ArchiveError>>;
}

/**
 * Offline: the newest cached InRelease of the suite, verified again (keyring and clock may have
 * changed), as `openArchive` reads it offline (indices.ts).
 */
async function newestVerifiedRelease(
  suite: ConfiguredSuite, cacheDir: string, options: Omit<ReleaseOptions, 'fetch'>,
): Promise<Result<VerifiedRelease, ArchiveError>> {
  const cached = await newestCachedRelease(cacheDir, suite.suite);
  if (cached === undefined) {
    return err({ reason: 'index-missing', suite: suite.suite, file: cacheDir, detail: 'offline, and no cached InRelease for this suite' });
  }
  const verified = await verifyRelease(cached.raw, `${cacheDir} (cached InRelease of ${suite.suite})`, suite, options);
  if (verified.ok && verified.value.sha256 !== cached.key.release) {
    return err({ reason: 'bad-signature', url: verified.value.url, detail: 'cached InRelease does not match its cache key' });
  }
  return verified;
}

/** A response holding bytes already in memory. */
function bufferResponse(data: Buffer): HttpResponse {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(data));
      controller.close();
    },
  });
  return { status: 200, body };
}

/**
 * The first half of `openArchive`: each configured suite's InRelease downloaded and verified with
 * gpgv exactly as `openArchive` does it (offline: the newest cached one, verified again), without
 * reading any index. For a caller whose answer depends on the archive only through the InRelease
 * hashes (plan's memo): it knows from them whether its answer still holds, and opens the archive
 * only when it does not.
 */
export async function checkReleases(options: ArchiveOptions): Promise<Result<ReleaseCheck, ArchiveError>> {
  const suites = await configuredSuites(options);
  if (!suites.ok) return suites;
  await prepareCacheDir(options.cacheDir);
  const fetch = options.fetch ?? defaultFetch;
  const releaseOptions = {
    fetch, runProcess: options.runProcess ?? defaultRunProcess, clock: options.clock ?? ((): Date => new Date()),
    tmpDir: options.cacheDir, verdictDir: verdictDirOf(options.cacheDir), timeoutMs: options.timeoutMs ?? 60_000,
    ...(options.keyrings === undefined ? {} : { keyrings: options.keyrings }),
    ...(options.allowExpiredRelease === undefined ? {} : { allowExpired: options.allowExpiredRelease }),
  };
  // One InRelease per mirror and suite, however many components are read from it.
  const pending = new Map<string, Promise<Result<VerifiedRelease, ArchiveError>>>();
  const verifyOnce = (suite: ConfiguredSuite): Promise<Result<VerifiedRelease, ArchiveError>> => {
    const id = `${suite.mirror} ${suite.suite}`;
    let release = pending.get(id);
    if (release === undefined) {
      release = options.offline === true
        ? newestVerifiedRelease(suite, options.cacheDir, releaseOptions)
        : fetchRelease(suite, releaseOptions);
      pending.set(id, release);
    }
    return release;
  };
  const verified = await Promise.all(suites.value.map(async (suite) => ({ suite, result: await verifyOnce(suite) })));
  const releases: CheckedRelease[] = [];
  const served = new Map<string, Buffer>();
  for (const { suite, result } of verified) {
    if (!result.ok) return result;
    releases.push({ suite, sha256: result.value.sha256, release: result.value.release });
    if (options.offline !== true) served.set(result.value.url, result.value.raw);
  }
  const replay: FetchLike = async (url, init) => {
    const raw = served.get(url);
    return raw === undefined ? fetch(url, init) : bufferResponse(raw);
  };
  return ok({
    suites: suites.value,
    releases,
    open: () => openArchive({ ...options, fetch: replay }),
  });
}
