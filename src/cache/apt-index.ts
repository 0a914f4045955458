// The repository's index files as values (pure): one Packages stanza per published .deb, in
// dpkg's index field order (as dpkg-scanpackages writes them), and a flat-repository Release file
// with the SHA256 of each index file. Also the per-key record kept beside the packages.
import type { CacheKey, Sha256Hex } from '../model/brand.js';
import { err, ok, type Result } from '../model/result.js';
import { parseDeb822 } from '../control/deb822.js';
import { compareBytes, renderField, renderParagraph, type ControlField } from '../deb/deb-fields.js';

/** The X-Stubforge-* fields of a -cross package. */
export interface Provenance {
  readonly source: string;
  readonly sourceVersion: string;
  readonly recipeSha256: string;
  readonly cacheKey: string;
  readonly arch: string;
  readonly note?: string;
}

/** What the caller says it publishes; each package's own fields must agree. */
export interface PublishMeta {
  readonly source: string;
  readonly sourceVersion: string;
  readonly arch: string;
  readonly recipeSha256: Sha256Hex;
  readonly note?: string;
}

export interface PublishedDeb {
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  /** Relative to the repository root, as in the Packages index: `pool/<key>/<file>.deb`. */
  readonly filename: string;
  readonly size: number;
  readonly md5: string;
  readonly sha1: string;
  readonly sha256: string;
  /** The package's DEBIAN/control text. */
  readonly control: string;
  readonly provenance: Provenance;
}

/** `pool/<key>/entry.json`: written inside the staging directory, so it appears with the packages. */
export interface PublishedEntry {
  readonly key: CacheKey;
  /** ISO time of the publish. */
  readonly publishedAt: string;
  readonly meta: PublishMeta;
  readonly debs: readonly PublishedDeb[];
}

export interface ControlSummary {
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  readonly fields: readonly ControlField[];
  readonly provenance: Provenance | undefined;
}

export function summariseControl(control: string, file: string): Result<ControlSummary, string> {
  const parsed = parseDeb822(control, { file });
  if (!parsed.ok) return err(parsed.error.message);
  const [p, extra] = parsed.value;
  if (p === undefined || extra !== undefined) return err(`${file}: control must hold exactly one paragraph`);
  const pkg = p.get('Package');
  const version = p.get('Version');
  const architecture = p.get('Architecture');
  if (pkg === undefined || version === undefined || architecture === undefined) {
    return err(`${file}: control lacks Package, Version or Architecture`);
  }
  const source = p.get('X-Stubforge-Source');
  const sourceVersion = p.get('X-Stubforge-Source-Version');
  const recipeSha256 = p.get('X-Stubforge-Recipe-Sha256');
  const cacheKey = p.get('X-Stubforge-Cache-Key');
  const arch = p.get('X-Stubforge-Arch');
  const note = p.get('X-Stubforge-Note');
  const provenance = source === undefined || sourceVersion === undefined || recipeSha256 === undefined || cacheKey === undefined || arch === undefined
    ? undefined
    : { source, sourceVersion, recipeSha256, cacheKey, arch, ...(note === undefined ? {} : { note }) };
  return ok({ package: pkg, version, architecture, fields: p.fields.map((f) => ({ name: f.name, value: f.value })), provenance });
}

/** Where a package's provenance disagrees with the key and meta it is published under. */
export function provenanceMismatch(p: Provenance | undefined, key: CacheKey, meta: PublishMeta): string | undefined {
  if (p === undefined) return 'it has no X-Stubforge-* provenance fields';
  const checks: [string, string | undefined, string | undefined][] = [
    ['X-Stubforge-Cache-Key', p.cacheKey, key],
    ['X-Stubforge-Source', p.source, meta.source],
    ['X-Stubforge-Source-Version', p.sourceVersion, meta.sourceVersion],
    ['X-Stubforge-Arch', p.arch, meta.arch],
    ['X-Stubforge-Recipe-Sha256', p.recipeSha256, meta.recipeSha256],
    ['X-Stubforge-Note', p.note, meta.note],
  ];
  const bad = checks.find(([, have, want]) => have !== want);
  return bad === undefined ? undefined : `${bad[0]} is ${JSON.stringify(bad[1] ?? null)}, expected ${JSON.stringify(bad[2] ?? null)}`;
}

export interface IndexChoice {
  readonly stanzas: readonly string[];
  /** Packages left out of the index because a later publish has the same name, version and arch. */
  readonly shadowed: readonly { readonly key: CacheKey; readonly package: string; readonly by: CacheKey }[];
}

/**
 * The Packages stanzas. Two keys may publish the same package name and version (a recipe change
 * rebuilds the same source version): apt cannot tell them apart, so the index lists only the
 * latest publish; the older one stays in the pool and `lookup` still finds it by key.
 */
export function packagesStanzas(entries: readonly PublishedEntry[]): Result<IndexChoice, string> {
  const chosen = new Map<string, { entry: PublishedEntry; deb: PublishedDeb }>();
  const shadowed: { key: CacheKey; package: string; by: CacheKey }[] = [];
  const ordered = [...entries].sort((a, b) => compareBytes(a.publishedAt, b.publishedAt) || compareBytes(a.key, b.key));
  for (const entry of ordered) {
    for (const deb of entry.debs) {
      const id = `${deb.package} ${deb.version} ${deb.architecture}`;
      const previous = chosen.get(id);
      if (previous !== undefined) shadowed.push({ key: previous.entry.key, package: deb.package, by: entry.key });
      chosen.set(id, { entry, deb });
    }
  }
  const stanzas: string[] = [];
  for (const [, { deb }] of [...chosen.entries()].sort(([a], [b]) => compareBytes(a, b))) {
    const stanza = packagesStanza(deb);
    if (!stanza.ok) return stanza;
    stanzas.push(stanza.value);
  }
  return ok({ stanzas, shadowed });
}

export function packagesStanza(deb: PublishedDeb): Result<string, string> {
  const summary = summariseControl(deb.control, deb.filename);
  if (!summary.ok) return err(`corrupt record for ${deb.filename}: ${summary.error}`);
  const { filename, size, md5, sha1, sha256 } = deb;
  const fields: ControlField[] = [
    ...summary.value.fields,
    { name: 'Filename', value: filename },
    { name: 'Size', value: String(size) },
    { name: 'MD5sum', value: md5 },
    { name: 'SHA1', value: sha1 },
    { name: 'SHA256', value: sha256 },
  ];
  return ok(renderParagraph(fields, 'index'));
}

export interface IndexFile {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

/**
 * A flat repository's Release (used as `deb [trusted=yes] file:<root> ./`). `Acquire-By-Hash`
 * makes apt fetch `by-hash/SHA256/<hash>`, immutable files, so replacing Release is the one atomic
 * switch between index generations: a reader never pairs a new Release with an old Packages.
 */
export function releaseText(files: readonly IndexFile[], date: Date): string {
  const fields: ControlField[] = [
    { name: 'Origin', value: 'stubforge' },
    { name: 'Label', value: 'stubforge local cache' },
    { name: 'Date', value: date.toUTCString().replace(/GMT$/, 'UTC') },
    { name: 'Acquire-By-Hash', value: 'yes' },
    { name: 'SHA256', value: ['', ...files.map((f) => `${f.sha256} ${String(f.size).padStart(8)} ${f.name}`)].join('\n') },
  ];
  // In the order of dpkg's CTRL_REPO_RELEASE list (checksums last), as written here.
  return fields.map(renderField).join('');
}
