// The archive facade: configured suites → verified, cached indices → source lookup and fetch.
// Everything I/O is injectable (fetch, child processes, clock, logger) with real defaults; cli/
// passes the cache dir and the user's choices (it alone reads process.env and argv).
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../log/logger.js';
import type { ArchiveIndex, SourceRecord } from '../model/archive.js';
import { err, ok, type Result } from '../model/result.js';
import { loadAptSources } from './apt-sources.js';
import type { ArchiveError } from './errors.js';
import { createSourceFinder, type FindSourceError, type SourceFinder } from './find-source.js';
import { defaultFetch, type FetchLike } from './http.js';
import type { IndexDiagnostic } from './index-records.js';
import { loadSuiteIndex } from './indices.js';
import { runProcess as defaultRunProcess, type ProcessRunner } from './process.js';
import { fetchSource, type FetchedSource } from './source-fetch.js';
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
  /** Paragraphs skipped for a missing or malformed field, with index and line. */
  readonly diagnostics: readonly IndexDiagnostic[];
  /** Newest version (dpkg order) of source `name`, in `suite` or across all configured suites. */
  findSource(name: string, suite?: string): Result<SourceRecord, FindSourceError>;
  /** Download, verify and unpack a source package (reused when already unpacked and verified). */
  fetchSource(record: SourceRecord, options?: { readonly unpackTimeoutMs?: number }): Promise<Result<FetchedSource, ArchiveError>>;
}

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

export async function openArchive(options: ArchiveOptions): Promise<Result<Archive, ArchiveError>> {
  const logger = options.logger ?? silentLogger();
  const clock = options.clock ?? ((): Date => new Date());
  const suites = await configuredSuites(options);
  if (!suites.ok) return suites;
  await mkdir(options.cacheDir, { recursive: true });
  // File ages are on the file system's clock, not the injected one (which may be a snapshot's date).
  const now = Date.now();
  await removeStaleTemps(options.cacheDir, 'tmp-indices-', now);
  await removeStaleTemps(options.cacheDir, 'gpgv-', now);
  await removeStaleTemps(join(options.cacheDir, 'sources'), '.tmp-', now);

  const http = { fetch: options.fetch ?? defaultFetch, timeoutMs: options.timeoutMs ?? 60_000 };
  const runProcess = options.runProcess ?? defaultRunProcess;
  const loaded = await Promise.all(suites.value.map((suite) => loadSuiteIndex(suite, {
    ...http, runProcess, clock, logger, cacheDir: options.cacheDir, arch: options.arch ?? 'amd64',
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
      return fetchSource(record, {
        ...http, runProcess, cacheDir: options.cacheDir, mirror: suite.mirror, logger,
        ...(fetchOptions.unpackTimeoutMs === undefined ? {} : { unpackTimeoutMs: fetchOptions.unpackTimeoutMs }),
      });
    },
  };
  return ok(archive);
}
