// The copyright file of an application package (pure): the application source's own
// debian/copyright, then the copyright file of every source whose code the binary embeds, each
// verbatim and introduced by a banner naming the source, its version and where the text was read.
// One file cannot be a single DEP-5 document (every part has its own `Files: *`), so the whole is
// a free-form file made of DEP-5 parts; each part stays exactly as its source ships it.

export interface CopyrightPart {
  readonly source: string;
  readonly version: string;
  /** `application`: the package's own source; the others are embedded. */
  readonly role: 'application' | 'closure' | 'toolchain-package';
  /** Where the text was read: `debian/copyright` of the source, or a package's `/usr/share/doc/<pkg>/copyright`. */
  readonly readFrom: string;
  readonly text: string;
}

export interface CopyrightHeader {
  readonly package: string;
  readonly version: string;
}

const RULE = '='.repeat(78);

const ROLE_TEXT: Readonly<Record<CopyrightPart['role'], string>> = {
  application: 'the source of this package',
  closure: 'statically linked: rebuilt by stubforge from the Debian source',
  'toolchain-package': 'statically linked: the toolchain\'s C library, from the build image',
};

/**
 * The aggregated text: a header listing every part, then the parts — the application's first,
 * the embedded sources in name order. Each text ends with exactly one newline.
 */
export function aggregateCopyright(header: CopyrightHeader, parts: readonly CopyrightPart[]): string {
  const ordered = [...parts].sort((a, b) => {
    if ((a.role === 'application') !== (b.role === 'application')) return a.role === 'application' ? -1 : 1;
    return a.source < b.source ? -1 : a.source > b.source ? 1 : 0;
  });
  const lines = [
    `${header.package} ${header.version}`,
    '',
    'This package was built by stubforge from Debian source packages. Its binary embeds the code',
    'of every source listed below (Static-Built-Using); the copyright file of each follows',
    'unchanged, as that source ships it.',
    '',
    ...ordered.map((p) => `  ${p.source} ${p.version}: ${ROLE_TEXT[p.role]}`),
    '',
  ];
  for (const p of ordered) {
    lines.push(RULE, `${p.source} ${p.version} (${ROLE_TEXT[p.role]})`, `read from: ${p.readFrom}`, RULE, '');
    lines.push(p.text.replace(/\s+$/, ''), '');
  }
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
