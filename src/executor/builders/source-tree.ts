// The unpacked source of a plan node, and what a build needs to know from it: its top-level file
// names (driver detection), its copyright text and a SOURCE_DATE_EPOCH. The normal way is the
// archive's verified `dpkg-source -x`. When the user explicitly allows it (`--allow-orig-only
// SRC`), the source is made from its verified orig tarball(s) alone — for a mirror that lacks the
// Debian diff — and the packages say so.
import { lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Archive } from '../../archive/archive.js';
import type { ArchiveError } from '../../archive/errors.js';
import { defaultFetch, downloadToFile, type FetchLike } from '../../archive/http.js';
import { runProcess as defaultRunProcess, describeProcess, type ProcessRunner } from '../../io/process.js';
import { sourceDirName } from '../../archive/source-fetch.js';
import { parseDeb822 } from '../../control/deb822.js';
import type { Logger } from '../../log/logger.js';
import type { FileChecksum, SourceRecord } from '../../model/archive.js';
import { err, ok, type Result } from '../../model/result.js';
import { ORIG_ONLY_NOTE } from '../../cache/cross-package.js';
import type { PlanNode } from '../../plan/plan.js';
import type { NodeFailure } from '../scheduler/outcome.js';
import { findSpecialFiles, readTreeText, type TreeFileError } from './tree-files.js';
import { errnoCode } from '../../io/errno.js';

export { ORIG_ONLY_NOTE } from '../../cache/cross-package.js';

export interface SourceTree {
  readonly dir: string;
  readonly record: SourceRecord;
  /** Set when the tree is the orig tarball alone. */
  readonly note?: string;
}

export interface SourceTreeOptions {
  readonly archive: Archive;
  /** Where orig-only trees are kept (the archive's cache dir). */
  readonly cacheDir: string;
  readonly origOnly: boolean;
  readonly logger: Logger;
  readonly fetch?: FetchLike;
  readonly runProcess?: ProcessRunner;
  readonly timeoutMs?: number;
}

const ORIG_TARBALL = /\.orig(-[A-Za-z0-9][A-Za-z0-9-]*)?\.tar\.[a-z0-9]+$/;
const DEBIAN_PART = /(\.diff\.gz|\.debian\.tar\.[a-z0-9]+)$/;

/**
 * tar's arguments for an orig tarball: not as root would by default (no owners, no setuid bits);
 * GNU tar itself refuses `..` members and strips a leading `/`. Device nodes it would make are
 * refused after unpacking (findSpecialFiles).
 */
export function untarArgs(tarball: string, into: string): string[] {
  return ['-x', '--no-same-owner', '--no-same-permissions', '--no-overwrite-dir', '-f', tarball, '-C', into];
}

/** The Sources record a plan node was made from. */
export function recordOf(archive: Archive, node: PlanNode): SourceRecord | undefined {
  return archive.index.sources.find((s) => s.package === node.source && s.version === node.version && s.suite === node.suite);
}

/** Fetch (or reuse) the unpacked source of a node; a failure says what is missing and what else there is. */
export async function sourceTree(node: PlanNode, options: SourceTreeOptions): Promise<Result<SourceTree, NodeFailure>> {
  const record = recordOf(options.archive, node);
  if (record === undefined) return err({ reason: 'no-source-record', source: node.source, version: node.version, suite: node.suite });
  const fetched = options.origOnly ? await origOnlyTree(record, options) : await options.archive.fetchSource(record);
  if (!fetched.ok) {
    const error = fetched.error;
    const alternatives = options.archive.index.sources
      .filter((s) => s.package === node.source && !(s.version === node.version && s.suite === node.suite))
      .map((s) => ({ suite: s.suite, version: s.version }));
    const debianPartMissing = error.reason === 'missing-file' && DEBIAN_PART.test(error.file) && record.files.some((f) => ORIG_TARBALL.test(f.name));
    return err({ reason: 'source-unavailable', source: node.source, version: node.version, suite: node.suite, error, alternatives, debianPartMissing });
  }
  // tar runs as root here and makes device nodes as the archive says: a source has none.
  const special = await findSpecialFiles(fetched.value.dir);
  if (special.length > 0) {
    const detail = `the unpacked source holds ${special.map((s) => `${s.file} (${s.kind})`).join(', ')}; refusing it`;
    if (options.origOnly) await rm(fetched.value.dir, { recursive: true, force: true });
    return err({
      reason: 'source-unavailable', source: node.source, version: node.version, suite: node.suite, alternatives: [], debianPartMissing: false,
      error: { reason: 'unpack-failed', source: node.source, version: node.version, detail: `${fetched.value.dir}: ${detail}` },
    });
  }
  return ok(options.origOnly ? { dir: fetched.value.dir, record, note: ORIG_ONLY_NOTE } : { dir: fetched.value.dir, record });
}

/**
 * The orig tarball(s) of `record`, each checked against the Sources index (which the signed
 * InRelease pins), unpacked: the main one as the tree, `orig-<component>` ones into `<component>/`,
 * as dpkg-source does. Kept beside the archive's unpacked sources, under a name of its own.
 */
async function origOnlyTree(record: SourceRecord, options: SourceTreeOptions): Promise<Result<{ readonly dir: string }, ArchiveError>> {
  const log = options.logger.child({ source: record.package, version: record.version });
  const root = join(options.cacheDir, 'sources');
  const finalDir = join(root, `${sourceDirName(record)}.orig-only`);
  const marker = `${finalDir}.json`;
  if (await sameRecord(marker, record.files)) return ok({ dir: finalDir });
  await rm(finalDir, { recursive: true, force: true });
  const origs = record.files.filter((f) => ORIG_TARBALL.test(f.name));
  const main = origs.find((f) => !/\.orig-/.test(f.name));
  if (main === undefined) return err({ reason: 'unpack-failed', source: record.package, version: record.version, detail: 'no orig tarball in the Sources record' });
  const suite = options.archive.suites.find((s) => s.suite === record.suite && s.component === record.component);
  if (suite === undefined) return err({ reason: 'index-missing', suite: record.suite, file: `${record.component}/source/Sources`, detail: 'suite/component is not configured' });
  await mkdir(root, { recursive: true });
  // `.tmp-` is the prefix the archive's start-up clean-up removes when a run died here.
  const tmp = await mkdtemp(join(root, `.tmp-${sourceDirName(record)}-orig-`));
  const run = options.runProcess ?? defaultRunProcess;
  try {
    for (const file of origs) {
      const url = `${suite.mirror}/${record.directory}/${encodeURIComponent(file.name).replace(/%2B/g, '+')}`;
      const got = await downloadToFile(url, join(tmp, file.name), {
        fetch: options.fetch ?? defaultFetch, timeoutMs: options.timeoutMs ?? 60_000, file: file.name, expected: file,
      });
      if (!got.ok) return got;
    }
    const unpack = async (file: FileChecksum, into: string): Promise<Result<string, ArchiveError>> => {
      const x = join(tmp, `x-${file.name}`);
      await mkdir(x);
      const untar = await run('tar', untarArgs(join(tmp, file.name), x), { timeoutMs: 600_000 });
      if (untar.code !== 0) return err({ reason: 'unpack-failed', source: record.package, version: record.version, detail: describeProcess(`tar -x ${file.name}`, untar) });
      // An upstream tarball holds one top directory (pixman-0.42.2/); its content is the tree.
      const names = await readdir(x);
      const only = names.length === 1 && names[0] !== undefined && (await lstat(join(x, names[0]))).isDirectory() ? join(x, names[0]) : x;
      await rename(only, into);
      return ok(into);
    };
    const tree = join(tmp, 'tree');
    const unpacked = await unpack(main, tree);
    if (!unpacked.ok) return unpacked;
    for (const file of origs.filter((f) => f !== main)) {
      const component = /\.orig-([A-Za-z0-9][A-Za-z0-9-]*)\.tar\./.exec(file.name)?.[1] ?? 'component';
      const done = await unpack(file, join(tree, component));
      if (!done.ok) return done;
    }
    await writeFile(marker, JSON.stringify({ package: record.package, version: record.version, files: record.files }));
    try {
      await rename(tree, finalDir);
    } catch (error: unknown) {
      const code = errnoCode(error);
      // Another run unpacked the same tarballs meanwhile: theirs is as good as ours.
      if (code === 'ENOTEMPTY' || code === 'EEXIST') return ok({ dir: finalDir });
      throw error;
    }
    log.info({ dir: finalDir, tarballs: origs.map((f) => f.name) }, 'source unpacked from its orig tarball alone');
    return ok({ dir: finalDir });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function sameRecord(marker: string, files: readonly FileChecksum[]): Promise<boolean> {
  try {
    const seen = JSON.parse(await readFile(marker, 'utf8')) as { files?: FileChecksum[] };
    const key = (f: FileChecksum): string => `${f.name} ${f.size} ${f.sha256}`;
    const a = (seen.files ?? []).map(key).sort().join('\n');
    return a === files.map(key).sort().join('\n') && (await stat(marker.replace(/\.json$/, ''))).isDirectory();
  } catch {
    return false;
  }
}

/** Top-level names of a tree, for build-system detection. */
export async function topLevelNames(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/** Names of licence files an upstream tree may carry, in the order tried: bare names, then LICENSE with a text or markdown suffix. */
const UPSTREAM_LICENCE_FILES = ['COPYING', 'LICENSE', 'LICENCE', 'COPYRIGHT', 'COPYING.LIB', ...['txt', 'md'].map((suffix) => `LICENSE.${suffix}`)];

/**
 * The copyright text a package ships: the source's debian/copyright; for an orig-only tree, the
 * upstream licence file, introduced by a line that says so. Read under the tree rule
 * (tree-files.ts): a licence file that is a link out of the tree, or not a regular file, is refused
 * and named, never followed.
 */
export async function copyrightOf(tree: SourceTree): Promise<Result<string, { readonly message: string; readonly file: string }>> {
  const refused = (e: TreeFileError): Result<never, { readonly message: string; readonly file: string }> =>
    err({ message: `refusing ${e.file}: ${e.detail}`, file: e.path });
  const debian = await readTreeText(tree.dir, 'debian/copyright');
  if (debian.ok) return debian;
  if (debian.error.reason !== 'missing') return refused(debian.error);
  if (tree.note === undefined) return err({ message: 'the source has no debian/copyright', file: join(tree.dir, 'debian', 'copyright') });
  for (const name of UPSTREAM_LICENCE_FILES) {
    const text = await readTreeText(tree.dir, name);
    if (!text.ok) {
      if (text.error.reason === 'missing') continue;
      return refused(text.error);
    }
    return ok(`The Debian copyright file of ${tree.record.package} ${tree.record.version} was not available ` +
      `(${tree.note}).\nUpstream's ${name} follows.\n\n${text.value}`);
  }
  return err({ message: `neither debian/copyright nor an upstream licence file (${UPSTREAM_LICENCE_FILES.join(', ')})`, file: tree.dir });
}

/** The Maintainer of packages built when neither the user, the recipe nor the source names one. */
export const FALLBACK_MAINTAINER = 'stubforge local build <root@localhost>';

/**
 * The Maintainer of the packages built from a tree: the user's (DEBFULLNAME/DEBEMAIL) when given,
 * else the source's own (debian/control), as a binNMU keeps it; lintian refuses the fallback's
 * root@localhost (`bogus-mail-host`, `root-in-contact`), which only an orig-only tree gets.
 */
export async function maintainerFor(tree: SourceTree, user: string | undefined): Promise<string> {
  if (user !== undefined) return user;
  const file = join(tree.dir, 'debian', 'control');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const parsed = text === undefined ? undefined : parseDeb822(text, { file, comments: true });
  const maintainer = parsed?.ok === true ? parsed.value[0]?.get('Maintainer')?.trim() : undefined;
  return maintainer === undefined || maintainer === '' ? FALLBACK_MAINTAINER : maintainer;
}

/**
 * SOURCE_DATE_EPOCH of a source: the date of its latest debian/changelog entry, as
 * dpkg-buildpackage sets it; for an orig-only tree, the newest top-level mtime the tarball gave
 * (of the entries themselves: a link's own time, not its target's).
 */
export async function sourceDateEpoch(tree: SourceTree): Promise<number> {
  const changelog = await readTreeText(tree.dir, 'debian/changelog');
  if (changelog.ok) {
    const trailer = /^ -- .+?> {2}(.+)$/m.exec(changelog.value);
    const when = trailer?.[1] === undefined ? NaN : Date.parse(trailer[1]);
    if (!Number.isNaN(when)) return Math.floor(when / 1000);
  }
  let newest = 0;
  for (const name of await readdir(tree.dir)) newest = Math.max(newest, (await lstat(join(tree.dir, name))).mtimeMs);
  return Math.floor(newest / 1000);
}

