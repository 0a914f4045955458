// The copyright file of an application package (pure): the application source's own
// debian/copyright, then the copyright file of every source whose code the binary embeds, each
// verbatim and introduced by a banner naming the source, its version and where the text was read.
// One file cannot be a single DEP-5 document (every part has its own `Files: *`), so the whole is
// a free-form file made of DEP-5 parts; each part stays exactly as its source ships it. The
// components of a user-supplied toolchain tree (rumprun's, not in Debian) have no copyright file
// to read: their part is the paragraph of the components file the tree's builder wrote.

export interface CopyrightPart {
  readonly source: string;
  readonly version: string;
  /** `application`: the package's own source; the others are embedded (`toolchain-tree`: a component of a user-supplied tree). */
  readonly role: 'application' | 'closure' | 'toolchain-package' | 'toolchain-tree';
  /** Where the text was read: `debian/copyright` of the source, a package's `/usr/share/doc/<pkg>/copyright`, the tree's components file. */
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
  'toolchain-tree': 'baked in: from the user-supplied toolchain tree, not in Debian; revision and licence as its builder stated them',
};

/**
 * The aggregated text: a header listing every part, then the parts — the application's first,
 * the embedded sources in name order, the toolchain tree's components last. Each text ends with exactly one newline.
 */
export function aggregateCopyright(header: CopyrightHeader, parts: readonly CopyrightPart[]): string {
  const rank = (p: CopyrightPart): number => (p.role === 'application' ? 0 : p.role === 'toolchain-tree' ? 2 : 1);
  const ordered = [...parts].sort((a, b) => rank(a) - rank(b) || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  const lines = [
    `${header.package} ${header.version}`,
    '',
    'This package was built by stubforge from Debian source packages. Its binary embeds the code',
    'of every source listed below (Static-Built-Using); the copyright file of each follows',
    'unchanged, as that source ships it.',
    ...(ordered.some((p) => p.role === 'toolchain-tree') ? [
      '',
      'The toolchain tree\'s own components are not Debian sources: each is named at the upstream',
      'revision the tree\'s builder stated, and its part is that statement.',
    ] : []),
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
