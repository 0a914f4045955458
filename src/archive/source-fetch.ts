// Fetch a source package by its Sources record, verify every byte, unpack with dpkg-source.
//
// Trust: the InRelease is signed by the archive key (release.ts), it pins the Sources index, and
// the index pins size + SHA-256 of the .dsc and of every file. Each download is checked against
// the index, and the .dsc's own Checksums-Sha256 must say the same thing. The .dsc's PGP signature
// is the uploader's: checking it needs the Debian keyring of developers, and proves less than
// the archive signature we already hold. So dpkg-source runs with --no-check: its signature check
// would only warn or fail on keys we do not have, and its checksum check repeats ours.
//
// Layout: <cache>/sources/<name>_<version>/ is the unpacked tree (an epoch's ":" is written %3a:
// a colon in a path breaks docker bind-mount syntax); <cache>/sources/<name>_<version>.json
// records the verified file list. Work happens in <cache>/sources/.tmp-*; the record is written
// before the tree is renamed into place, so a tree in place is complete and verified. On any
// failure the temp directory goes: no partial or unverified file survives under a final name.
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDeb822 } from '../control/deb822.js';
import type { Logger } from '../log/logger.js';
import type { FileChecksum, SourceRecord } from '../model/archive.js';
import { err, ok, type Result } from '../model/result.js';
import type { ArchiveError } from './errors.js';
import { downloadToFile, type FetchLike } from './http.js';
import { writeFileAtomic } from './index-cache.js';
import { describeProcess, type ProcessRunner } from '../io/process.js';
import { errnoCode, exists } from '../io/errno.js';

export interface FetchSourceOptions {
  readonly cacheDir: string;
  /** Base URL of the mirror serving the record's suite. */
  readonly mirror: string;
  readonly fetch: FetchLike;
  readonly runProcess: ProcessRunner;
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** dpkg-source -x of a large source (qemu) takes a while; default 10 minutes. */
  readonly unpackTimeoutMs?: number;
}

export interface FetchedSource {
  /** The unpacked tree (`dpkg-source -x`: patches applied). */
  readonly dir: string;
  readonly record: SourceRecord;
  /** True when an earlier verified unpack was reused. */
  readonly reused: boolean;
}

interface VerifiedRecord {
  readonly package: string;
  readonly version: string;
  readonly files: readonly FileChecksum[];
}

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const VERSION = /^[A-Za-z0-9.+~:-]+$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;

export function sourceDirName(record: Pick<SourceRecord, 'package' | 'version'>): string {
  return `${record.package}_${record.version.replaceAll(':', '%3a')}`;
}

function fileUrl(mirror: string, record: SourceRecord, name: string): string {
  return `${mirror}/${record.directory}/${encodeURIComponent(name).replace(/%2B/g, '+')}`;
}

function sameFiles(a: readonly FileChecksum[], b: readonly FileChecksum[]): boolean {
  const key = (f: FileChecksum): string => `${f.name} ${f.size} ${f.sha256}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((k, i) => k === right[i]);
}

async function readVerified(path: string): Promise<VerifiedRecord | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as VerifiedRecord;
  } catch {
    return undefined;
  }
}

/** A tree in place is complete (it is renamed there whole); debian/control is a cheap witness. */
async function treeInPlace(path: string): Promise<boolean> {
  return exists(join(path, 'debian', 'control'));
}

/** The .dsc must name exactly the other files of the index entry, with the same size and hash. */
function checkDsc(text: string, dscUrl: string, record: SourceRecord): Result<true, ArchiveError> {
  const parsed = parseDeb822(text, { file: dscUrl, signed: true });
  if (!parsed.ok) return parsed;
  const dsc = parsed.value[0];
  const field = dsc?.field('Checksums-Sha256');
  if (dsc === undefined || field === undefined) {
    return err({ reason: 'malformed-control', message: '.dsc has no Checksums-Sha256', location: { file: dscUrl, ...(dsc === undefined ? {} : { line: dsc.line }) } });
  }
  const named = new Map<string, { size: number; sha256: string; line: number }>();
  field.value.split('\n').forEach((line, i) => {
    const m = /^([0-9a-f]{64}) (\d+) (\S+)$/.exec(line);
    if (m !== null) named.set(m[3] ?? '', { sha256: m[1] ?? '', size: Number(m[2]), line: field.line + i });
  });
  const expected = record.files.filter((f) => !f.name.endsWith('.dsc'));
  for (const f of expected) {
    const inDsc = named.get(f.name);
    if (inDsc === undefined) {
      return err({ reason: 'malformed-control', message: `.dsc does not list ${f.name}, which the Sources index lists`, location: { file: dscUrl, line: field.line } });
    }
    if (inDsc.size !== f.size || inDsc.sha256 !== f.sha256) {
      return err({
        reason: 'checksum-mismatch', file: f.name, url: dscUrl, expected: { size: f.size, sha256: f.sha256 },
        actual: { size: inDsc.size, sha256: inDsc.sha256 }, detail: `the .dsc (line ${inDsc.line}) and the Sources index disagree`,
      });
    }
  }
  const extra = [...named.keys()].find((name) => !expected.some((f) => f.name === name));
  if (extra !== undefined) {
    return err({ reason: 'malformed-control', message: `.dsc lists ${extra}, which the Sources index does not`, location: { file: dscUrl, line: named.get(extra)?.line ?? field.line } });
  }
  return ok(true);
}

/** Download one file into `dir`, verified against the index; only a verified file gets its name. */
async function download(dir: string, url: string, file: FileChecksum, options: FetchSourceOptions): Promise<Result<string, ArchiveError>> {
  const part = join(dir, `${file.name}.part`);
  const result = await downloadToFile(url, part, { fetch: options.fetch, timeoutMs: options.timeoutMs, file: file.name, expected: file });
  if (!result.ok) return result;
  const path = join(dir, file.name);
  await rename(part, path);
  return ok(path);
}

function checkNames(record: SourceRecord): Result<FileChecksum, ArchiveError> {
  const bad = (detail: string): Result<FileChecksum, ArchiveError> =>
    err({ reason: 'unpack-failed', source: record.package, version: record.version, detail });
  if (!PACKAGE_NAME.test(record.package) || !VERSION.test(record.version)) return bad('unsafe package name or version');
  const unsafe = record.files.find((f) => !FILE_NAME.test(f.name));
  if (unsafe !== undefined) return bad(`unsafe file name "${unsafe.name}"`);
  if (record.directory.split('/').some((part) => part === '..' || part === '')) return bad(`unsafe directory "${record.directory}"`);
  const dsc = record.files.find((f) => f.name.endsWith('.dsc'));
  return dsc === undefined ? bad('no .dsc in the record') : ok(dsc);
}

/** Download, verify and unpack `record`; reuse an earlier verified unpack of the same files. */
export async function fetchSource(record: SourceRecord, options: FetchSourceOptions): Promise<Result<FetchedSource, ArchiveError>> {
  const log = options.logger.child({ source: record.package, version: record.version });
  const dscFile = checkNames(record);
  if (!dscFile.ok) return dscFile;
  const root = join(options.cacheDir, 'sources');
  const finalDir = join(root, sourceDirName(record));
  const recordPath = `${finalDir}.json`;
  const verified = await readVerified(recordPath);
  if (await treeInPlace(finalDir)) {
    if (verified !== undefined && sameFiles(verified.files, record.files)) {
      log.debug({ dir: finalDir }, 'source already unpacked and verified, reusing');
      return ok({ dir: finalDir, record, reused: true });
    }
    log.warn({ dir: finalDir }, 'unpacked source does not match the index, replacing it');
    await rm(recordPath, { force: true });
    await rm(finalDir, { recursive: true, force: true });
  }
  await mkdir(root, { recursive: true });
  const tmp = await mkdtemp(join(root, `.tmp-${sourceDirName(record)}-`));
  try {
    const dscUrl = fileUrl(options.mirror, record, dscFile.value.name);
    const dscPath = await download(tmp, dscUrl, dscFile.value, options);
    if (!dscPath.ok) return dscPath;
    const dscCheck = checkDsc(await readFile(dscPath.value, 'utf8'), dscUrl, record);
    if (!dscCheck.ok) return dscCheck;
    const others = record.files.filter((f) => f !== dscFile.value);
    const results = await Promise.all(others.map((f) => download(tmp, fileUrl(options.mirror, record, f.name), f, options)));
    for (const result of results) if (!result.ok) return result;
    log.info({ files: record.files.length }, 'source files verified, unpacking');
    const unpack = await options.runProcess('dpkg-source', ['-x', '--no-check', '--no-copy', dscPath.value, join(tmp, 'tree')], {
      cwd: tmp, timeoutMs: options.unpackTimeoutMs ?? 600_000,
    });
    if (unpack.code !== 0) {
      return err({ reason: 'unpack-failed', source: record.package, version: record.version, detail: describeProcess('dpkg-source -x', unpack) });
    }
    const entry: VerifiedRecord = { package: record.package, version: record.version, files: record.files };
    await writeFileAtomic(recordPath, JSON.stringify(entry));
    try {
      await rename(join(tmp, 'tree'), finalDir);
    } catch (error: unknown) {
      const code = errnoCode(error);
      // Another run unpacked the same files meanwhile: theirs is as good as ours.
      if ((code === 'ENOTEMPTY' || code === 'EEXIST') && await treeInPlace(finalDir)) return ok({ dir: finalDir, record, reused: true });
      throw error;
    }
    log.info({ dir: finalDir }, 'source unpacked');
    return ok({ dir: finalDir, record, reused: false });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
