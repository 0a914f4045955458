// The changelog stanza of an application rebuilt without a source change (pure): sbuild's binNMU
// stanza (`binary-only=yes`), naming the source update that caused the rebuild. The version it
// carries is the application's next rebuild version (src/deb/app-version.ts:
// `nextApplicationVersion`, `<source version>~stubforge<N>`), which sorts after every version
// already published, so apt sees the rebuild as an upgrade. `-cross` library packages rebuilt
// without a source change take Debian's own binNMU suffix instead (`crossBinNmuVersion`).
import { compareVersionStrings } from '../version/index.js';

export interface ChangelogUpdate {
  readonly source: string;
  /** The version embedded before, when one was (several: every arch's). */
  readonly from: readonly string[];
  readonly to: string;
}

export interface BinNmuChangelog {
  /** The application's source package (`qemu`). */
  readonly source: string;
  /** The new binary version (`nextApplicationVersion`). */
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

const BINNMU_RE = /^(.+)\+b([1-9][0-9]*)$/;

/**
 * The version of a `-cross` package whose content changed without a change of its source version
 * (a dependency rebuilt, another build image): Debian's binNMU suffix, `<source version>+b<N>`,
 * N one more than the highest of that source version already known (the plain version counting
 * as 0), so it sorts after every earlier build of it. Without an earlier build of that source
 * version the plain source version is kept. `known`: versions of the package already published
 * under other keys. Returns undefined for a version dpkg would not accept.
 */
export function crossBinNmuVersion(sourceVersion: string, known: readonly string[]): string | undefined {
  if (!compareVersionStrings(sourceVersion, sourceVersion).ok) return undefined;
  let highest = -1;
  for (const v of known) {
    const m = BINNMU_RE.exec(v);
    const base = m?.[1] ?? v;
    const same = compareVersionStrings(base, sourceVersion);
    if (same.ok && same.value === 0) highest = Math.max(highest, m === null ? 0 : Number(m[2]));
  }
  return highest < 0 ? sourceVersion : `${sourceVersion}+b${String(highest + 1)}`;
}
