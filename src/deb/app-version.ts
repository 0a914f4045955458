// The version of an application package stubforge builds (pure). It is a rebuild of one exact
// Debian source version, and says so: `<source version>~stubforge<N>`, N counting rebuilds of the
// same source version (1 for the first; a rebuild for an updated embedded library takes the next
// N: `nextApplicationVersion`). One scheme for both: a binNMU-style `+b<M>` would sort above every
// later `~stubforge<N>` of the same source version. docs/application-deb.md has the ordering
// table, which the tests check against dpkg.
//
// Why `~` (the convention of PPA rebuilds, `1.0-1~ppa1`) and not `+`: a rebuild must sort above
// every rebuild of an earlier source version. Debian's updates extend the version they fix
// (`1:1.2.13.dfsg-1` → `1:1.2.13.dfsg-1+deb12u1`), and `+stubforge1` would sort above the
// `+deb12u1…` of the update (`s` > `d`): the rebuild of the fix would be a downgrade. `~` sorts
// below everything, so `<v>~stubforge<N>` keeps the order of the source versions whatever their
// shape, and sits just below `<v>` itself — a version only Debian's own packages carry, under other
// package names.
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';
import { compareVersionStrings, parseVersion } from '../version/index.js';
import { validateVersion, type DebLayoutError } from './deb-fields.js';

export const REBUILD_MARKER = '~stubforge';

/** `<sourceVersion>~stubforge<rebuild>`, or an error for an invalid source version or count. */
export function applicationVersion(sourceVersion: string, rebuild = 1, location: SourceLocation = { file: 'application-version' }): Result<string, DebLayoutError> {
  const valid = validateVersion(sourceVersion, location);
  if (!valid.ok) return valid;
  if (!Number.isSafeInteger(rebuild) || rebuild < 1) {
    return err({ reason: 'invalid-version', problem: 'rebuild-number', rebuild, location });
  }
  return validateVersion(`${sourceVersion}${REBUILD_MARKER}${String(rebuild)}`, location);
}

export interface RebuildVersion {
  readonly sourceVersion: string;
  readonly rebuild: number;
}

const REBUILD_RE = /^(.+)~stubforge([1-9][0-9]*)(?:\+b[1-9][0-9]*)?$/;

/** The source version and rebuild number of an application version (a `+b<M>` after it ignored); undefined without the marker. */
export function parseApplicationVersion(version: string): RebuildVersion | undefined {
  const m = REBUILD_RE.exec(version);
  if (m === null) return undefined;
  return { sourceVersion: m[1] ?? '', rebuild: Number(m[2]) };
}

/** `version`: the version at fault, the source version or a published one (messages: cli/deb-messages.ts). */
export type NextVersionError =
  /** `detail`: what the version parser or comparison said of it. */
  | { readonly reason: 'invalid-version'; readonly version: string; readonly detail: string }
  /** A published `version` sorts at or after `next`, the rebuild's version. */
  | { readonly reason: 'not-newer'; readonly version: string; readonly next: string };

/**
 * The version of the next rebuild of `sourceVersion`, given every version of the package already
 * published: `~stubforge<N+1>` after the highest N published for that source version (a `+b<M>`
 * left by an older rebuild counted as its N). The answer sorts after every published version; if
 * one is newer anyway (a later source version), that is an error, not a version apt would never
 * install.
 */
export function nextApplicationVersion(sourceVersion: string, published: readonly string[]): Result<string, NextVersionError> {
  const source = parseVersion(sourceVersion);
  if (!source.ok) return err({ reason: 'invalid-version', version: sourceVersion, detail: source.error.message });
  let highest = 0;
  for (const v of published) {
    const parsed = parseVersion(v);
    if (!parsed.ok) return err({ reason: 'invalid-version', version: v, detail: parsed.error.message });
    const rebuild = parseApplicationVersion(parsed.value.text);
    // The same source version in dpkg's eyes: `0:1.0-1` is `1.0-1`.
    const same = rebuild === undefined ? undefined : compareVersionStrings(rebuild.sourceVersion, source.value.text);
    if (rebuild !== undefined && same?.ok === true && same.value === 0) highest = Math.max(highest, rebuild.rebuild);
  }
  const next = `${source.value.text}${REBUILD_MARKER}${String(highest + 1)}`;
  for (const v of published) {
    const c = compareVersionStrings(next, v);
    if (!c.ok) return err({ reason: 'invalid-version', version: v, detail: c.error.message });
    if (c.value <= 0) return err({ reason: 'not-newer', version: v, next });
  }
  return ok(next);
}

/** A version of the package stubforge knows, and where it was found (for the messages). */
export interface KnownVersion {
  readonly version: string;
  /** `the package being replaced`, `the local repository`, `the output repository`, `--against-repo FILE` … */
  readonly where: string;
}

export interface NextRebuild {
  readonly version: string;
  /** The highest version known before, which the new one sorts after; undefined when none was known. */
  readonly after?: KnownVersion;
}

/** `where`: where the version at fault was found. */
export type RebuildVersionError = NextVersionError & { readonly where?: string };

/**
 * The version of a rebuilt application: `nextApplicationVersion` over every version of the package
 * stubforge knows — the one being replaced, the local repository, the output repository and the
 * repository the team deploys from — so the rebuild upgrades whichever of them a machine installed.
 */
export function nextRebuildVersion(sourceVersion: string, known: readonly KnownVersion[]): Result<NextRebuild, RebuildVersionError> {
  const next = nextApplicationVersion(sourceVersion, known.map((k) => k.version));
  if (!next.ok) {
    const at = known.find((k) => k.version === next.error.version);
    return err({ ...next.error, ...(at === undefined ? {} : { where: at.where }) });
  }
  let after: KnownVersion | undefined;
  for (const k of known) {
    const c = compareVersionStrings(k.version, after?.version ?? k.version);
    if (after === undefined || (c.ok && c.value > 0)) after = k;
  }
  return ok({ version: next.value, ...(after === undefined ? {} : { after }) });
}
