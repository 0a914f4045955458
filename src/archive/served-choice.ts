// Which version of a source the mirror can really give: every version the configured suites
// hold, newest first by dpkg order, each checked (through an injected probe) for the files the
// mirror does not serve, and the newest one it serves whole. A mirror may lack some pool files
// (a security upload's .dsc, a Debian diff); the archive moves on, so what "newest" means changes
// from one week to the next. This is how a caller — `stubforge served`, the main job, a test
// against the real archive — finds out and then chooses explicitly (`--pin`), instead of assuming
// or falling back silently. Pure: the probe is the only I/O, and it is passed in.
import type { SourceRecord } from '../model/archive.js';
import { err, ok, type Result } from '../model/result.js';
import { compareVersionStrings, type VersionError } from '../version/index.js';
import type { ArchiveError } from './errors.js';

/** A file of a source version that the mirror answered 404 (or 410) for. */
export interface MissingFile {
  readonly file: string;
  readonly url: string;
}

/** Asks the mirror for each file of `record`; answers the ones it does not serve (none: served whole). */
export type ServedProbe = (record: SourceRecord) => Promise<Result<readonly MissingFile[], ArchiveError>>;

export interface CheckedVersion {
  readonly record: SourceRecord;
  readonly missing: readonly MissingFile[];
}

export interface ServedChoice {
  readonly name: string;
  /** The newest version of the suites (what `plan` and `build` take unless pinned). */
  readonly newest: SourceRecord;
  /** Versions probed, newest first, down to the first one served whole (or all of them). */
  readonly checked: readonly CheckedVersion[];
  /** The newest version the mirror serves whole; absent when it serves none whole. */
  readonly chosen?: SourceRecord;
}

export type ServedChoiceError =
  | { readonly reason: 'source-not-found'; readonly name: string; readonly suites: readonly string[] }
  | VersionError
  | ArchiveError;

const ORIG_TARBALL = /\.orig(-[A-Za-z0-9][A-Za-z0-9-]*)?\.tar\.[a-z0-9]+$/;
const DEBIAN_PART = /(\.diff\.gz|\.debian\.tar\.[a-z0-9]+)$/;

/**
 * Every version of `name` in `suites` (all suites when undefined), newest first, one record per
 * version (the first suite in configured order that has it). Extra-Source-Only records count only
 * when there is nothing else, as for `findSource`: the archive keeps them for Built-Using, their
 * binaries are gone from the Packages index, so a plan could pin one as its target but nothing
 * that build-depends on it could be built against it.
 */
export function versionsNewestFirst(
  sources: readonly SourceRecord[], name: string, suites?: readonly string[],
): Result<SourceRecord[], VersionError> {
  const all = sources.filter((r) => r.package === name && (suites === undefined || suites.includes(r.suite)));
  const current = all.filter((r) => r.extraSourceOnly !== true);
  const byVersion = new Map<string, SourceRecord>();
  for (const r of current.length > 0 ? current : all) if (!byVersion.has(r.version)) byVersion.set(r.version, r);
  const records = [...byVersion.values()];
  for (const r of records) {
    // Validate each version once, so that the sort below never meets an invalid one.
    const valid = compareVersionStrings(r.version, r.version);
    if (!valid.ok) return err({ ...valid.error, location: { file: `Sources(${r.suite}/${r.component})` } });
  }
  return ok(records.sort((a, b) => {
    const order = compareVersionStrings(b.version, a.version);
    return order.ok ? order.value : 0;
  }));
}

/** Probe `versions` newest first and stop at the first one the mirror serves whole. */
export async function chooseServed(
  name: string, versions: readonly SourceRecord[], probe: ServedProbe, suites: readonly string[] = [],
): Promise<Result<ServedChoice, ServedChoiceError>> {
  const [newest] = versions;
  if (newest === undefined) return err({ reason: 'source-not-found', name, suites });
  const checked: CheckedVersion[] = [];
  for (const record of versions) {
    const missing = await probe(record);
    if (!missing.ok) return missing;
    checked.push({ record, missing: missing.value });
    if (missing.value.length === 0) return ok({ name, newest, checked, chosen: record });
  }
  return ok({ name, newest, checked });
}

/** The mirror lacks only the Debian part (diff or debian tarball) and serves an orig tarball: `--allow-orig-only` can build it. */
export function lacksOnlyDebianPart(v: CheckedVersion): boolean {
  return v.missing.length > 0 && v.missing.every((m) => DEBIAN_PART.test(m.file)) &&
    v.record.files.some((f) => ORIG_TARBALL.test(f.name) && !v.missing.some((m) => m.file === f.name));
}

/** What a caller must choose explicitly for this source, if anything. */
export type ServedVerdict =
  | { readonly kind: 'newest-served'; readonly version: string }
  | { readonly kind: 'pin'; readonly version: string; readonly suite: string; readonly instead: CheckedVersion }
  | { readonly kind: 'orig-only'; readonly version: string; readonly missing: readonly MissingFile[] }
  | { readonly kind: 'none'; readonly missing: readonly MissingFile[] };

export function verdictOf(choice: ServedChoice): ServedVerdict {
  const [first] = choice.checked;
  if (choice.chosen !== undefined) {
    if (choice.chosen === choice.newest || first === undefined) return { kind: 'newest-served', version: choice.chosen.version };
    return { kind: 'pin', version: choice.chosen.version, suite: choice.chosen.suite, instead: first };
  }
  if (first !== undefined && lacksOnlyDebianPart(first)) return { kind: 'orig-only', version: first.record.version, missing: first.missing };
  return { kind: 'none', missing: first?.missing ?? [] };
}
