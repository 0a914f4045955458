// The version and changelog entry of an application rebuilt without a source change (pure), the
// way Debian's binary-only non-maintainer uploads do it: the source version stays, the binary
// version gets `+b<N>` (`0.7.8` → `0.7.8+b1`, `1.4.1-3+b4` → `1.4.1-3+b5`), with N one more than
// the highest already published for that source version, so `dpkg --compare-versions` and apt
// see the new package as an upgrade of every earlier one. The changelog stanza is sbuild's binNMU
// stanza (`binary-only=yes`), naming the source update that caused the rebuild.
import { err, ok, type Result } from '../model/result.js';
import { compareVersionStrings, parseVersion } from '../version/index.js';

/** Debian's binNMU suffix. The application .deb writer (src/deb/app-version.ts) counts its own rebuilds as `+stubforge<N>`. */
export const BINNMU_MARKER: RebuildMarker = '+b';

export type RebuildMarker = '+b' | '+stubforge';

const suffixRe = (marker: RebuildMarker): RegExp => new RegExp(`${marker.replace(/[+.]/g, '\\$&')}(\\d+)$`);

export interface BinNmuError {
  readonly reason: 'invalid-version' | 'not-newer';
  readonly version: string;
  readonly message: string;
}

/** The source version a binary version was built from: `1.4.1-3+b4` → `1.4.1-3`. */
export function binNmuBase(version: string, marker: RebuildMarker = BINNMU_MARKER): { readonly base: string; readonly n: number } {
  const m = suffixRe(marker).exec(version);
  if (m === null) return { base: version, n: 0 };
  return { base: version.slice(0, m.index), n: Number(m[1]) };
}

/**
 * The binary version of the next rebuild of `sourceVersion`, given every binary version already
 * published (of any source version: only those of this one count for N). `marker` is `+b` (Debian's
 * binNMUs) unless the package's versions already use another rebuild suffix. The answer sorts after
 * each of them; if one is newer anyway (a later source version), that is an error, not a version
 * that would never be installed.
 */
export function nextBinNmuVersion(sourceVersion: string, published: readonly string[], marker: RebuildMarker = BINNMU_MARKER): Result<string, BinNmuError> {
  const checked = parseVersion(sourceVersion);
  if (!checked.ok) return err({ reason: 'invalid-version', version: sourceVersion, message: `${sourceVersion}: ${checked.error.message}` });
  let highest = 0;
  for (const v of published) {
    const parsed = parseVersion(v);
    if (!parsed.ok) return err({ reason: 'invalid-version', version: v, message: `${v}: ${parsed.error.message}` });
    const { base, n } = binNmuBase(parsed.value.text, marker);
    if (base === checked.value.text) highest = Math.max(highest, n);
  }
  const next = `${checked.value.text}${marker}${highest + 1}`;
  for (const v of published) {
    const c = compareVersionStrings(next, v);
    if (!c.ok) return err({ reason: 'invalid-version', version: v, message: `${v}: ${c.error.message}` });
    if (c.value <= 0) return err({ reason: 'not-newer', version: v, message: `${v} is already published and sorts after ${next}` });
  }
  return ok(next);
}

export interface ChangelogUpdate {
  readonly source: string;
  /** The version embedded before, when one was (several: every arch's). */
  readonly from: readonly string[];
  readonly to: string;
}

export interface BinNmuChangelog {
  /** The application's source package (`qemu`). */
  readonly source: string;
  /** The new binary version (`nextBinNmuVersion`). */
  readonly version: string;
  /** The distribution of the stanza header: the suite the build environment is made from. */
  readonly distribution: string;
  readonly arch: string;
  readonly updates: readonly ChangelogUpdate[];
  /** `Name <email>`. */
  readonly maintainer: string;
  readonly date: Date;
}

/** RFC 5322 date as dpkg-parsechangelog wants it: `Sat, 21 Nov 2026 13:05:00 +0000`. */
export function changelogDate(date: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${days[date.getUTCDay()] ?? ''}, ${two(date.getUTCDate())} ${months[date.getUTCMonth()] ?? ''} ${date.getUTCFullYear()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

/** A `debian/changelog` stanza, ending in a newline, for the binNMU. */
export function binNmuChangelogEntry(entry: BinNmuChangelog): string {
  const lines = [
    `${entry.source} (${entry.version}) ${entry.distribution}; urgency=medium, binary-only=yes`,
    '',
    `  * Binary-only non-maintainer upload for ${entry.arch}; no source changes.`,
  ];
  for (const u of entry.updates) {
    const was = u.from.length === 0 ? '' : ` (was ${u.from.join(', ')})`;
    lines.push(...bullet(`Rebuild against ${u.source} ${u.to}${was}.`));
  }
  lines.push('', ` -- ${entry.maintainer}  ${changelogDate(entry.date)}`, '');
  return lines.join('\n');
}

/** A `  * ` bullet kept under 80 columns; continuation lines are indented under its text. */
function bullet(text: string): string[] {
  const out: string[] = [];
  let line = '  *';
  for (const word of text.split(' ')) {
    if (line !== '  *' && line.length + 1 + word.length > 79) {
      out.push(line);
      line = `    ${word}`;
    } else {
      line = `${line} ${word}`;
    }
  }
  out.push(line);
  return out;
}
