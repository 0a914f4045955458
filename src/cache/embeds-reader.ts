// Reads what packages embed from where they are (I/O), for `stubforge query embeds`: a `.deb`
// (its control file), or an apt repository given as a directory or an http(s) URL, laid out flat
// (`<base>/Packages[.xz]`, as stubforge's own repositories are) or as `dists/<suite>/` (the
// components' `binary-*/Packages[.xz]` named by the suite's Release). embeds-query.ts does the
// reading of each paragraph; every paragraph read is either a package or a problem.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultFetch, downloadToBuffer, type FetchLike } from '../archive/http.js';
import { parseDeb822 } from '../control/deb822.js';
import { readDebControl, type DebReadError } from '../deb/deb-reader.js';
import { DEFAULT_XZ_PATH, runXz } from '../deb/xz.js';
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';
import { embedsOfParagraph, type EmbedsProblem, type PackageEmbeds } from './embeds-query.js';
import { describeError } from '../io/describe-error.js';
import { errnoCode } from '../io/errno.js';

export interface EmbedsRead {
  readonly packages: readonly PackageEmbeds[];
  readonly problems: readonly EmbedsProblem[];
  /** Index files and packages actually read, for the report. */
  readonly read: readonly string[];
}

/** Why a repository's or a .deb's provenance could not be read, with the file or URL (`location`); messages in cli/cache-messages.ts. */
export type EmbedsReadError = { readonly location: SourceLocation } & (
  /** `detail`: what the deb822 parser said of the index. */
  | { readonly reason: 'malformed-index'; readonly detail: string }
  /** `xz`: what xz said of a compressed index. */
  | { readonly reason: 'malformed-index'; readonly xz: string }
  | { readonly reason: 'unreadable' | 'not-a-deb'; readonly error: DebReadError }
  /** A download that failed for another reason than a missing file (`fetch`, with the archive layer's detail when it has one). */
  | { readonly reason: 'unreadable'; readonly url: string; readonly fetch: string; readonly detail?: string }
  /** What the system said of `location`. */
  | { readonly reason: 'unreadable'; readonly failure: string }
  /** The Release at `location` lists `listed`/Packages, which is not there. */
  | { readonly reason: 'unreadable'; readonly listed: string }
  | { readonly reason: 'not-a-repo'; readonly problem: 'dists-over-http' | 'nothing-found' }
  /** `dir` of a dists/ layout has no InRelease or Release. */
  | { readonly reason: 'not-a-repo'; readonly problem: 'no-release'; readonly dir: string }
);

export interface ReaderOptions {
  readonly xzPath?: string;
  readonly fetch?: FetchLike;
  /** For a `dists/` layout: the suites to read (default: every suite a directory has; a URL needs them). */
  readonly suites?: readonly string[];
  readonly timeoutMs?: number;
}

const MAX_INDEX_BYTES = 512 * 1024 * 1024;

/** What one control text (a .deb's control, an index) says, paragraph by paragraph. */
export function embedsOfText(text: string, file: string): Result<EmbedsRead, EmbedsReadError> {
  const parsed = parseDeb822(text, { file });
  if (!parsed.ok) return err({ reason: 'malformed-index', detail: parsed.error.message, location: parsed.error.location });
  const packages: PackageEmbeds[] = [];
  const problems: EmbedsProblem[] = [];
  for (const p of parsed.value) {
    const r = embedsOfParagraph(p, file);
    if (r.embeds !== undefined) packages.push(r.embeds);
    problems.push(...r.problems);
  }
  return ok({ packages, problems, read: [file] });
}

export async function readDebEmbeds(path: string, options: ReaderOptions = {}): Promise<Result<EmbedsRead, EmbedsReadError>> {
  const control = await readDebControl(path, options.xzPath ?? DEFAULT_XZ_PATH);
  if (!control.ok) return err({ reason: control.error.reason === 'io-error' ? 'unreadable' : 'not-a-deb', error: control.error, location: { file: control.error.path } });
  return embedsOfText(control.value.control, path);
}

type Getter = (rel: string) => Promise<Result<{ data: Buffer; where: string } | undefined, EmbedsReadError>>;

function getterFor(location: string, options: ReaderOptions): { get: Getter; isUrl: boolean; base: string } {
  if (/^https?:\/\//.test(location)) {
    const base = location.endsWith('/') ? location : `${location}/`;
    const fetch = options.fetch ?? defaultFetch;
    return {
      isUrl: true, base,
      get: async (rel) => {
        const url = new URL(rel, base).toString();
        const got = await downloadToBuffer(url, { fetch, timeoutMs: options.timeoutMs ?? 30_000, maxBytes: MAX_INDEX_BYTES });
        if (got.ok) return ok({ data: got.value.data, where: url });
        if (got.error.reason === 'missing-file') return ok(undefined);
        return err({ reason: 'unreadable', url, fetch: got.error.reason, ...('detail' in got.error ? { detail: got.error.detail } : {}), location: { file: url } });
      },
    };
  }
  const base = location.startsWith('file:') ? new URL(location).pathname : location;
  return {
    isUrl: false, base,
    get: async (rel) => {
      const path = join(base, rel);
      try {
        return ok({ data: await readFile(path), where: path });
      } catch (e: unknown) {
        const code = errnoCode(e);
        if (code === 'ENOENT' || code === 'ENOTDIR') return ok(undefined);
        return err({ reason: 'unreadable', failure: describeError(e), location: { file: path } });
      }
    },
  };
}

/** `<dir>/Packages.xz`, else `<dir>/Packages`; undefined when neither is there. */
async function readPackagesAt(get: Getter, dir: string, xzPath: string): Promise<Result<EmbedsRead | undefined, EmbedsReadError>> {
  const prefix = dir === '' ? '' : `${dir.replace(/\/$/, '')}/`;
  const xz = await get(`${prefix}Packages.xz`);
  if (!xz.ok) return xz;
  if (xz.value !== undefined) {
    const plain = await runXz(xz.value.data, 'decompress', xzPath);
    if (!plain.ok) return err({ reason: 'malformed-index', xz: plain.error, location: { file: xz.value.where } });
    return embedsOfText(plain.value.toString('utf8'), xz.value.where);
  }
  const text = await get(`${prefix}Packages`);
  if (!text.ok) return text;
  return text.value === undefined ? ok(undefined) : embedsOfText(text.value.data.toString('utf8'), text.value.where);
}

/** The Packages files a suite's Release names (`main/binary-amd64/Packages.xz` ...), as directories. */
export function packagesDirsOfRelease(release: string, file: string): Result<string[], EmbedsReadError> {
  const parsed = parseDeb822(release, { file, signed: true });
  if (!parsed.ok) return err({ reason: 'malformed-index', detail: parsed.error.message, location: parsed.error.location });
  const first = parsed.value[0];
  const listed = first === undefined ? [] : [...first.getLines('SHA256'), ...first.getLines('MD5Sum')];
  const dirs = new Set<string>();
  for (const line of listed) {
    const name = line.split(/\s+/)[2] ?? '';
    const m = /^(.*\/binary-[^/]+)\/Packages(\.xz|\.gz)?$/.exec(name);
    if (m?.[1] !== undefined) dirs.add(m[1]);
  }
  return ok([...dirs].sort());
}

async function suitesOf(base: string, isUrl: boolean, options: ReaderOptions): Promise<Result<string[], EmbedsReadError>> {
  if (options.suites !== undefined && options.suites.length > 0) return ok([...options.suites]);
  if (isUrl) return err({ reason: 'not-a-repo', problem: 'dists-over-http', location: { file: base } });
  try {
    return ok((await readdir(join(base, 'dists'))).sort());
  } catch (e: unknown) {
    return err({ reason: 'unreadable', failure: describeError(e), location: { file: join(base, 'dists') } });
  }
}

/** Every package of a repository: flat, a suite directory, or a base holding `dists/`. */
export async function readRepoEmbeds(location: string, options: ReaderOptions = {}): Promise<Result<EmbedsRead, EmbedsReadError>> {
  const xzPath = options.xzPath ?? DEFAULT_XZ_PATH;
  const { get, isUrl, base } = getterFor(location, options);
  const flat = await readPackagesAt(get, '', xzPath);
  if (!flat.ok) return flat;
  if (flat.value !== undefined) return ok(flat.value);

  const suiteDirs: string[] = [];
  const ownRelease = await get('Release');
  if (!ownRelease.ok) return ownRelease;
  if (ownRelease.value !== undefined) suiteDirs.push('');
  else {
    const suites = await suitesOf(base, isUrl, options);
    if (!suites.ok) return suites;
    suiteDirs.push(...suites.value.map((s) => `dists/${s}/`));
  }
  if (suiteDirs.length === 0) return err({ reason: 'not-a-repo', problem: 'nothing-found', location: { file: location } });

  const packages: PackageEmbeds[] = [];
  const problems: EmbedsProblem[] = [];
  const read: string[] = [];
  for (const dir of suiteDirs) {
    const release = dir === '' ? ownRelease : await get(`${dir}InRelease`).then(async (r) => (r.ok && r.value === undefined ? get(`${dir}Release`) : r));
    if (!release.ok) return release;
    if (release.value === undefined) return err({ reason: 'not-a-repo', problem: 'no-release', dir, location: { file: location } });
    const dirs = packagesDirsOfRelease(release.value.data.toString('utf8'), release.value.where);
    if (!dirs.ok) return dirs;
    for (const sub of dirs.value) {
      const one = await readPackagesAt(get, `${dir}${sub}`, xzPath);
      if (!one.ok) return one;
      if (one.value === undefined) {
        return err({ reason: 'unreadable', listed: sub, location: { file: release.value.where } });
      }
      packages.push(...one.value.packages);
      problems.push(...one.value.problems);
      read.push(...one.value.read);
    }
  }
  return ok({ packages, problems, read });
}
