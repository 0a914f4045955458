// The changelog stanza of an application rebuilt without a source change (pure): sbuild's binNMU
// stanza (`binary-only=yes`), naming the source update that caused the rebuild. The version it
// carries is the application's next rebuild version (src/deb/app-version.ts:
// `nextApplicationVersion`, `<source version>~stubforge<N>`), which sorts after every version
// already published, so apt sees the rebuild as an upgrade.
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
