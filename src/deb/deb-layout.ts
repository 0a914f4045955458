// What goes into a .deb, decided before any byte is written: the control file, the entries of
// control.tar and data.tar (sorted, owners and modes normalised, mtimes clamped) and Installed-Size.
// Pure: file contents on disk are described (size, md5) by the caller, see deb-tree.ts.
import { createHash } from 'node:crypto';
import { err, ok, type Result } from '../model/result.js';
import type { SourceLocation } from '../model/location.js';
import {
  canonicalFieldName, compareBytes, formatDescription, renderParagraph, validateArchitecture,
  validateFieldName, validateFieldValue, validatePackageName, validateVersion,
  type ControlField, type DebLayoutError, type PackageDescription,
} from './deb-fields.js';
import { checkDataPath, checkLinkTarget, tarName, type DataPath } from './deb-paths.js';

/** A regular file already on disk; `deb-tree.ts` measures it, the writer checks it did not change. */
export interface FileSource {
  readonly path: string;
  readonly size: number;
  /** Lower-case hex MD5 of the content (for DEBIAN/md5sums). */
  readonly md5: string;
  /** Modification time in seconds, clamped to SOURCE_DATE_EPOCH. */
  readonly mtime?: number;
}

export type DataEntryInput =
  | { readonly type: 'file'; readonly path: string; readonly mode?: number; readonly content: Uint8Array | string; readonly source?: never }
  | { readonly type: 'file'; readonly path: string; readonly mode?: number; readonly source: FileSource; readonly content?: never }
  | { readonly type: 'symlink'; readonly path: string; readonly target: string }
  | { readonly type: 'directory'; readonly path: string; readonly mode?: number };

export interface DebDescription {
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  readonly maintainer: string;
  readonly description: PackageDescription;
  /** Every other field, any order and dpkg's order on output: Source, Depends, Built-Using, X-... */
  readonly fields?: readonly ControlField[];
  /** Paths in the package (`/usr/...`, `usr/...` or `./usr/...`); parent directories are implied. */
  readonly files: readonly DataEntryInput[];
  /** Absolute paths of regular files in `files` that dpkg must treat as conffiles. */
  readonly conffiles?: readonly string[];
  /** SOURCE_DATE_EPOCH (seconds): every mtime is clamped to it, the ar members carry it. */
  readonly sourceDateEpoch: number;
  /** Where this description came from, for error locations; default `deb(<package>)`. */
  readonly origin?: SourceLocation;
}

export type TarBody =
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array }
  | { readonly kind: 'disk'; readonly source: FileSource };

export interface TarEntry {
  /** As dpkg-deb writes it: `./`, `./usr/`, `./usr/lib/libz.a`. */
  readonly name: string;
  readonly type: 'file' | 'directory' | 'symlink';
  readonly mode: number;
  readonly mtime: number;
  readonly size: number;
  readonly linkname?: string;
  readonly body?: TarBody;
}

export interface DebLayout {
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  /** `<package>_<version without epoch>_<arch>.deb`, as dpkg-name and dpkg-genchanges name it. */
  readonly filename: string;
  /** The DEBIAN/control text. */
  readonly control: string;
  readonly installedSize: number;
  /** mtime of the ar members (SOURCE_DATE_EPOCH). */
  readonly mtime: number;
  readonly controlEntries: readonly TarEntry[];
  readonly dataEntries: readonly TarEntry[];
}

/** Fields given by their own property, and the one dpkg computes. */
const OWN_FIELDS = new Set(['package', 'version', 'architecture', 'maintainer', 'description']);
const COMPUTED_FIELDS = new Set(['installed-size']);
/** ustar's 11 octal digits of mtime. */
export const MAX_MTIME = 0o77777777777;

export function buildDebLayout(desc: DebDescription): Result<DebLayout, DebLayoutError> {
  const location = desc.origin ?? { file: `deb(${desc.package})` };
  const sde = desc.sourceDateEpoch;
  if (!Number.isSafeInteger(sde) || sde < 0 || sde > MAX_MTIME) {
    return err({ reason: 'invalid-source-date-epoch', value: sde, location });
  }
  const name = validatePackageName(desc.package, location);
  if (!name.ok) return name;
  const version = validateVersion(desc.version, location);
  if (!version.ok) return version;
  const arch = validateArchitecture(desc.architecture, location);
  if (!arch.ok) return arch;
  const fields = collectFields(desc, location);
  if (!fields.ok) return fields;

  const data = buildDataEntries(desc.files, sde, location);
  if (!data.ok) return data;
  const conffiles = checkConffiles(desc.conffiles ?? [], data.value, location);
  if (!conffiles.ok) return conffiles;

  const conffilesText = conffiles.value.map((p) => `${p}\n`).join('');
  const installedSize = computeInstalledSize(data.value, Buffer.byteLength(conffilesText));
  const control = renderParagraph(
    [...fields.value, { name: 'Installed-Size', value: String(installedSize) }], 'deb');
  const md5sums = renderMd5sums(data.value, new Set(conffiles.value));

  const controlFiles: [string, string][] = [['./control', control]];
  if (conffilesText.length > 0) controlFiles.push(['./conffiles', conffilesText]);
  if (md5sums.length > 0) controlFiles.push(['./md5sums', md5sums]);
  controlFiles.sort(([a], [b]) => compareBytes(a, b));
  const controlEntries: TarEntry[] = [
    { name: './', type: 'directory', mode: 0o755, mtime: sde, size: 0 },
    ...controlFiles.map(([entryName, text]): TarEntry => {
      const bytes = Buffer.from(text, 'utf8');
      return { name: entryName, type: 'file', mode: 0o644, mtime: sde, size: bytes.length, body: { kind: 'bytes', bytes } };
    }),
  ];

  return ok({
    package: desc.package,
    version: desc.version,
    architecture: desc.architecture,
    filename: `${desc.package}_${desc.version.replace(/^[0-9]+:/, '')}_${desc.architecture}.deb`,
    control,
    installedSize,
    mtime: sde,
    controlEntries,
    dataEntries: data.value,
  });
}

function collectFields(desc: DebDescription, location: SourceLocation): Result<ControlField[], DebLayoutError> {
  const description = formatDescription(desc.description, location);
  if (!description.ok) return description;
  const out: ControlField[] = [
    { name: 'Package', value: desc.package },
    { name: 'Version', value: desc.version },
    { name: 'Architecture', value: desc.architecture },
    { name: 'Maintainer', value: desc.maintainer },
    { name: 'Description', value: description.value },
  ];
  const maintainer = validateFieldValue('Maintainer', desc.maintainer, location);
  if (!maintainer.ok) return maintainer;
  const seen = new Set<string>();
  for (const field of desc.fields ?? []) {
    const fieldName = validateFieldName(field.name, location);
    if (!fieldName.ok) return fieldName;
    const key = field.name.toLowerCase();
    if (COMPUTED_FIELDS.has(key)) {
      return err({ reason: 'computed-field', field: field.name, location });
    }
    if (OWN_FIELDS.has(key) || seen.has(key)) {
      return err({ reason: 'duplicate-field', field: field.name, location });
    }
    seen.add(key);
    const value = validateFieldValue(field.name, field.value, location);
    if (!value.ok) return value;
    out.push({ name: canonicalFieldName(field.name), value: field.value });
  }
  return ok(out);
}

interface PendingEntry {
  readonly path: DataPath;
  readonly entry: TarEntry;
}

function buildDataEntries(inputs: readonly DataEntryInput[], sde: number, location: SourceLocation): Result<TarEntry[], DebLayoutError> {
  const byKey = new Map<string, PendingEntry>();
  const explicitDirs = new Set<string>();
  for (const input of inputs) {
    const checked = checkDataPath(input.path, input.type === 'directory', location);
    if (!checked.ok) return checked;
    const path = checked.value;
    const entry = toTarEntry(input, path, sde, location);
    if (!entry.ok) return entry;
    const existing = byKey.get(path.key);
    if (existing !== undefined || explicitDirs.has(path.key)) {
      return err({ reason: 'duplicate-path', path: path.key, location });
    }
    byKey.set(path.key, { path, entry: entry.value });
    if (input.type === 'directory') explicitDirs.add(path.key);
  }
  // Every parent directory is present, as in a tar made from a real tree; the root is `./`.
  const implied = new Map<string, PendingEntry>();
  implied.set('', { path: { key: '', parts: [] }, entry: dirEntry('./', 0o755, sde) });
  for (const { path } of byKey.values()) {
    for (let i = 1; i < path.parts.length; i++) {
      const parts = path.parts.slice(0, i);
      const key = parts.join('/');
      const owner = byKey.get(key);
      if (owner !== undefined && owner.entry.type !== 'directory') {
        return err({ reason: 'path-conflict', path: key, type: owner.entry.type, child: path.key, location });
      }
      if (owner === undefined && !implied.has(key)) {
        implied.set(key, { path: { key, parts }, entry: dirEntry(tarName(parts, true), 0o755, sde) });
      }
    }
  }
  const all = [...implied.values(), ...byKey.values()];
  all.sort((a, b) => comparePathParts(a.path.parts, b.path.parts));
  // dpkg-deb puts symlinks after everything else (their targets are unpacked first).
  return ok([
    ...all.filter((e) => e.entry.type !== 'symlink').map((e) => e.entry),
    ...all.filter((e) => e.entry.type === 'symlink').map((e) => e.entry),
  ]);
}

function toTarEntry(input: DataEntryInput, path: DataPath, sde: number, location: SourceLocation): Result<TarEntry, DebLayoutError> {
  const name = tarName(path.parts, input.type === 'directory');
  switch (input.type) {
    case 'directory':
      return ok(dirEntry(name, 0o755, sde));
    case 'symlink': {
      const target = checkLinkTarget(input.target, path.key, location);
      if (!target.ok) return target;
      return ok({ name, type: 'symlink', mode: 0o777, mtime: sde, size: 0, linkname: target.value });
    }
    case 'file': {
      const mode = normaliseFileMode(input.mode ?? 0o644);
      if (input.source !== undefined) {
        const { size, md5 } = input.source;
        if (!Number.isSafeInteger(size) || size < 0 || !/^[0-9a-f]{32}$/.test(md5)) {
          return err({ reason: 'invalid-path', problem: 'file-without-sums', path: path.key, location });
        }
        const mtime = Math.min(Math.floor(input.source.mtime ?? sde), sde);
        return ok({ name, type: 'file', mode, mtime, size: input.source.size, body: { kind: 'disk', source: input.source } });
      }
      const bytes = typeof input.content === 'string' ? Buffer.from(input.content, 'utf8') : input.content;
      return ok({ name, type: 'file', mode, mtime: sde, size: bytes.length, body: { kind: 'bytes', bytes } });
    }
  }
}

function dirEntry(name: string, mode: number, mtime: number): TarEntry {
  return { name, type: 'directory', mode, mtime, size: 0 };
}

/** Executable if any execute bit is set, else 0644; setuid/setgid/sticky never survive. */
export function normaliseFileMode(mode: number): number {
  return (mode & 0o111) !== 0 ? 0o755 : 0o644;
}

/** Depth-first, siblings in byte order: the order dpkg-deb's tree walk produces. */
export function comparePathParts(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareBytes(a[i] ?? '', b[i] ?? '');
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function checkConffiles(conffiles: readonly string[], data: readonly TarEntry[], location: SourceLocation): Result<string[], DebLayoutError> {
  const files = new Set(data.filter((e) => e.type === 'file').map((e) => e.name.slice(1)));
  const out: string[] = [];
  for (const conffile of conffiles) {
    if (!conffile.startsWith('/') || !files.has(conffile)) {
      return err({ reason: 'invalid-conffile', problem: 'not-a-file', conffile, location });
    }
    if (out.includes(conffile)) {
      return err({ reason: 'invalid-conffile', problem: 'listed-twice', conffile, location });
    }
    out.push(conffile);
  }
  return ok(out.sort(compareBytes));
}

/**
 * Installed-Size as dpkg-gencontrol computes it (dpkg 1.21.23, scripts/dpkg-gencontrol.pl, the
 * `$scan_installed_size` walk over the package build tree): a regular file or symlink adds
 * ceil(lstat size / 1024) — for a symlink that is the length of its target — and every other
 * object, directories included (the tree's root too: File::Find visits it), adds 1.
 * Under debhelper the walk also meets DEBIAN/ (made by dh_installdeb, +1) and DEBIAN/conffiles,
 * but not md5sums or control, which come later. Checked against zlib1g-dev 1:1.2.13.dfsg-1:
 * its data tree sums to 1309 and its Installed-Size is 1310.
 */
export function computeInstalledSize(data: readonly TarEntry[], conffilesBytes = 0): number {
  let kib = 1 + Math.ceil(conffilesBytes / 1024);
  for (const entry of data) {
    if (entry.type === 'directory') kib += 1;
    else if (entry.type === 'symlink') kib += Math.ceil(Buffer.byteLength(entry.linkname ?? '') / 1024);
    else kib += Math.ceil(entry.size / 1024);
  }
  return kib;
}

/** DEBIAN/md5sums as dh_md5sums writes it: regular files but conffiles, `LC_ALL=C sort`ed. */
export function renderMd5sums(data: readonly TarEntry[], conffiles: ReadonlySet<string>): string {
  const lines: [string, string][] = [];
  for (const entry of data) {
    if (entry.type !== 'file' || entry.body === undefined) continue;
    if (conffiles.has(entry.name.slice(1))) continue;
    // A file from disk was hashed when it was described; bytes in memory are hashed here.
    let md5: string;
    if (entry.body.kind === 'disk') ({ md5 } = entry.body.source);
    else md5 = createHash('md5').update(entry.body.bytes).digest('hex');
    lines.push([entry.name.slice(2), md5]);
  }
  lines.sort(([a], [b]) => compareBytes(a, b));
  return lines.map(([path, md5]) => `${md5}  ${path}\n`).join('');
}
