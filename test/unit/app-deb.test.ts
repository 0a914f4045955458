// The application package as described before writing (docs/application-deb.md): fields, the
// Built-Using rule on the real copyright files of the QEMU stub domain's closure, the aggregated
// copyright file, the SPDX document and the debug-symbols package.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDeb822 } from '../../src/control/deb822.js';
import { describeApplicationDebs, lintianOverridesText, type ApplicationDebInput, type EmbeddedSource } from '../../src/deb/app-deb.js';
import { builtUsingDecision, licenceAlternatives, readCopyrightLicences, spdxLicenceExpression } from '../../src/deb/copyright-licence.js';
import { buildDebLayout } from '../../src/deb/deb-layout.js';
import { describeAppDebError, describeDebLayoutError } from '../../src/cli/deb-messages.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/app-deb');
const copyright = (source: string): string => readFileSync(join(FIXTURES, `${source}.copyright`), 'utf8');

/** The closure the qemu-stubdom link really used (musl-linux-amd64), with the versions built. */
const QEMU_EMBEDS: readonly [string, string, EmbeddedSource['origin'], string][] = [
  ['zlib', '1:1.2.13.dfsg-1', 'closure', 'zlib1g-dev-musl-linux-amd64-cross'],
  ['xen', '4.17.5+72-g01140da4e8-1', 'closure', 'libxen-dev-musl-linux-amd64-cross'],
  ['glib2.0', '2.74.6-2+deb12u9', 'closure', 'libglib2.0-dev-musl-linux-amd64-cross'],
  ['pixman', '0.42.2-1', 'closure', 'libpixman-1-dev-musl-linux-amd64-cross'],
  ['musl', '1.2.3-1', 'toolchain-package', 'musl-dev:amd64'],
];

const embedded = (list = QEMU_EMBEDS): EmbeddedSource[] => list.map(([source, version, origin, pkg]) => ({
  source, version, origin, packages: [pkg], copyright: { text: copyright(source), readFrom: `/usr/share/doc/${pkg.split(':')[0] ?? ''}/copyright` },
}));

function input(over: Partial<ApplicationDebInput> = {}): ApplicationDebInput {
  return {
    package: 'qemu-system-xen-stubdom',
    description: { synopsis: 'QEMU as a Xen device model for stub domains', extended: ['A statically linked qemu-system-i386.'] },
    section: 'otherosfs',
    source: { name: 'qemu', version: '1:7.2+dfsg-7+deb12u18', copyright: copyright('qemu') },
    architecture: 'amd64', partialArch: 'musl-linux-amd64', maintainer: 'Stubforge Tester <tester@example.org>',
    target: 'qemu-stubdom', recipeSha256: 'a'.repeat(64), cacheKey: 'b'.repeat(64),
    embedded: embedded(),
    files: [{ type: 'file', path: 'usr/lib/xen/bin/qemu-stubdom-i386', mode: 0o755, content: 'ELF' }],
    lintianOverrides: [{ tag: 'statically-linked-binary', reason: 'a stub domain image is static by design' }],
    sourceDateEpoch: 1747958400, tool: 'stubforge-0.1.0',
    ...over,
  };
}

function described(over: Partial<ApplicationDebInput> = {}) {
  const d = describeApplicationDebs(input(over));
  if (!d.ok) throw new Error(describeAppDebError(d.error));
  return d.value;
}

function controlOf(over: Partial<ApplicationDebInput> = {}): Map<string, string> {
  const layout = buildDebLayout(described(over).main);
  if (!layout.ok) throw new Error(describeDebLayoutError(layout.error));
  const p = parseDeb822(layout.value.control, { file: 'control' });
  if (!p.ok || p.value[0] === undefined) throw new Error('control');
  return new Map(p.value[0].fields.map((f) => [f.name, f.value]));
}

describe('the Built-Using rule on the real copyright files', () => {
  it.each([
    ['glib2.0', true, /Files: \* is "LGPL-2\+ and LGPL-2\.1\+/],
    ['xen', true, /Files: \* is "GPL-2": copyleft$/],
    ['zlib', false, /"Zlib": not copyleft/],
    ['pcre2', false, /BSD-3-clause-Cambridge/],
    ['libffi', false, /"Expat": not copyleft/],
    ['musl', false, /"MIT": not copyleft/],
    ['pixman', false, /free-text copyright file \(no Format: header.*names no GNU licence/],
    ['qemu', true, /free-text copyright file \(no Files: \* paragraph with a License\) names "GNU General Public License"/],
  ])('%s: Built-Using %s', (source, required, because) => {
    const text = copyright(source);
    const decision = builtUsingDecision(readCopyrightLicences(text, source), text);
    expect(decision.required).toBe(required);
    expect(decision.because).toMatch(because);
  });

  it.each([
    ['GPL-2', [['GPL-2']]],
    ['MPL-1.1 or GPL-2+ or LGPL-2.1+', [['MPL-1.1'], ['GPL-2+'], ['LGPL-2.1+']]],
    ['GPL-2+ or BSD-2-clause', [['GPL-2+'], ['BSD-2-clause']]],
    ['LGPL-2.1+ and BSD-3-clause-pcre', [['LGPL-2.1+', 'BSD-3-clause-pcre']]],
    ['GPL-2 or LGPL-2.1, and Expat', [['GPL-2', 'Expat'], ['LGPL-2.1', 'Expat']]],
  ])('reads "%s" as alternatives of conjunctions', (expression, alternatives) => {
    expect(licenceAlternatives(expression)).toEqual(alternatives);
  });

  it.each([
    ['GPL-2+ or BSD-2-clause', false],
    ['MPL-1.1 or GPL-2+ or LGPL-2.1+', true],
    ['GPL-2+ with Autoconf exception', true],
  ])('a Files: * licence "%s" keeps the source: %s', (licence, required) => {
    const text = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 2020 Someone\nLicense: ${licence}\n`;
    expect(builtUsingDecision(readCopyrightLicences(text, 'x'), text).required).toBe(required);
  });
});

describe('SPDX licence expressions', () => {
  it.each([
    ['GPL-2', 'GPL-2.0-only', []],
    ['LGPL-2.1+', 'LGPL-2.1-or-later', []],
    ['Expat', 'MIT', []],
    ['GPL-2+ or BSD-2-clause', 'GPL-2.0-or-later OR BSD-2-Clause', []],
    ['GPL-2+ with Autoconf exception', 'GPL-2.0-or-later WITH Autoconf-exception-generic', []],
    ['GPL-2 or LGPL-2.1, and Expat', '(GPL-2.0-only AND MIT) OR (LGPL-2.1-only AND MIT)', []],
    ['Custom-MIT-like', 'LicenseRef-Custom-MIT-like', ['Custom-MIT-like']],
  ])('%s → %s', (dep5, spdx, refs) => {
    expect(spdxLicenceExpression(dep5)).toEqual({ expression: spdx, refs });
  });
});

describe('the application package', () => {
  it('names its source, the rebuild version and the partial arch it was built for', () => {
    const c = controlOf();
    expect(c.get('Package')).toBe('qemu-system-xen-stubdom');
    expect(c.get('Source')).toBe('qemu (1:7.2+dfsg-7+deb12u18)');
    expect(c.get('Version')).toBe('1:7.2+dfsg-7+deb12u18~stubforge1');
    expect(c.get('Architecture')).toBe('amd64');
    expect(c.get('X-Stubforge-Arch')).toBe('musl-linux-amd64');
    expect(c.get('X-Stubforge-Target')).toBe('qemu-stubdom');
    expect(c.get('X-Stubforge-Source-Version')).toBe('1:7.2+dfsg-7+deb12u18');
  });

  it('lists every embedded source in Static-Built-Using and the copyleft ones in Built-Using, sorted', () => {
    const c = controlOf();
    expect(c.get('Static-Built-Using')).toBe('glib2.0 (= 2.74.6-2+deb12u9), musl (= 1.2.3-1), pixman (= 0.42.2-1), xen (= 4.17.5+72-g01140da4e8-1), zlib (= 1:1.2.13.dfsg-1)');
    expect(c.get('Built-Using')).toBe('glib2.0 (= 2.74.6-2+deb12u9), xen (= 4.17.5+72-g01140da4e8-1)');
  });

  it('has no Built-Using when no embedded licence needs it', () => {
    const c = controlOf({ embedded: embedded(QEMU_EMBEDS.filter(([s]) => s === 'zlib' || s === 'musl')) });
    expect(c.get('Static-Built-Using')).toBe('musl (= 1.2.3-1), zlib (= 1:1.2.13.dfsg-1)');
    expect(c.has('Built-Using')).toBe(false);
  });

  it('takes the caller\'s version for a rebuild it numbers itself', () => {
    expect(controlOf({ version: '1:7.2+dfsg-7+deb12u18~stubforge1+b1' }).get('Version')).toBe('1:7.2+dfsg-7+deb12u18~stubforge1+b1');
  });

  it('refuses one source embedded at two versions', () => {
    const twice = [...embedded(), { ...embedded()[0], version: '1:1.3.dfsg-1' } as EmbeddedSource];
    const d = describeApplicationDebs(input({ embedded: twice }));
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error).toMatchObject({ reason: 'duplicate-embedded-source', source: 'zlib', versions: ['1:1.2.13.dfsg-1', '1:1.3.dfsg-1'] });
  });

  it('ships the aggregated copyright file: the source\'s own first, then each embedded one verbatim', () => {
    const d = described();
    const text = d.copyright;
    for (const s of ['qemu', 'glib2.0', 'musl', 'pixman', 'xen', 'zlib']) expect(text).toContain(copyright(s).trimEnd());
    const order = ['qemu 1:7.2', 'glib2.0 2.74', 'musl 1.2.3', 'pixman 0.42', 'xen 4.17', 'zlib 1:1.2.13'].map((h) => text.indexOf(`\n${h}`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(text).toMatch(/^ {2}zlib 1:1\.2\.13\.dfsg-1: statically linked: rebuilt by stubforge from the Debian source$/m);
    expect(text).toMatch(/^read from: \/usr\/share\/doc\/musl-dev\/copyright$/m);
    const files = d.main.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining([
      'usr/share/doc/qemu-system-xen-stubdom/copyright', 'usr/share/doc/qemu-system-xen-stubdom/qemu-system-xen-stubdom.spdx.json',
      'usr/share/lintian/overrides/qemu-system-xen-stubdom',
    ]));
  });

  it('gives every override its reason and overrides its own provenance fields', () => {
    const text = lintianOverridesText('p', [{ tag: 'embedded-library', reason: 'rebuilt from Debian\'s zlib' }], ['X-Stubforge-Arch']);
    expect(text).toBe("# rebuilt from Debian's zlib\np binary: embedded-library\n\n# Provenance of the rebuild (source, version, recipe hash, cache key, partial arch, recipe),\n# read by stubforge's repositories and shown by dpkg-deb --field and apt-cache show.\np binary: unknown-field X-Stubforge-Arch\n");
  });

  it('describes a -dbgsym package for the debug files, as dh_strip would', () => {
    const d = described({ debug: { files: [{ type: 'file', path: 'usr/lib/debug/.build-id/ab/cdef.debug', content: 'DBG' }], buildIds: ['abcdef'] } });
    const dbg = d.dbgsym;
    expect(dbg?.package).toBe('qemu-system-xen-stubdom-dbgsym');
    expect(dbg?.fields).toEqual(expect.arrayContaining([
      { name: 'Auto-Built-Package', value: 'debug-symbols' }, { name: 'Build-Ids', value: 'abcdef' },
      { name: 'Depends', value: 'qemu-system-xen-stubdom (= 1:7.2+dfsg-7+deb12u18~stubforge1)' }, { name: 'Section', value: 'debug' },
    ]));
    expect(dbg?.files).toContainEqual({ type: 'symlink', path: 'usr/share/doc/qemu-system-xen-stubdom-dbgsym', target: 'qemu-system-xen-stubdom' });
    expect(described().dbgsym).toBeUndefined();
  });
});

describe('the SPDX document', () => {
  const doc = (): { [k: string]: unknown; packages: { SPDXID: string; name: string; versionInfo?: string; licenseDeclared: string; externalRefs?: { referenceLocator: string }[]; comment?: string }[]; relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[]; hasExtractedLicensingInfos?: { licenseId: string; extractedText: string }[] } =>
    JSON.parse(described({ compilerRuntime: [{ source: 'gcc-12', version: '12.2.0-14+deb12u1', packages: ['libgcc-12-dev:amd64'] }] }).spdx) as never;

  it('is SPDX 2.3 describing the package, created at SOURCE_DATE_EPOCH', () => {
    const d = doc();
    expect(d).toMatchObject({ spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', SPDXID: 'SPDXRef-DOCUMENT', name: 'qemu-system-xen-stubdom_1:7.2+dfsg-7+deb12u18~stubforge1_amd64' });
    expect(d['creationInfo']).toEqual({ created: '2025-05-23T00:00:00Z', creators: ['Tool: stubforge-0.1.0'] });
    expect(d['documentNamespace']).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(d.relationships[0]).toEqual({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Package-qemu-system-xen-stubdom' });
  });

  it('lists each embedded source with its version, purl and declared licence, statically linked', () => {
    const d = doc();
    const byName = new Map(d.packages.map((p) => [p.name, p]));
    expect([...byName.keys()].sort()).toEqual(['gcc-12', 'glib2.0', 'musl', 'pixman', 'qemu', 'qemu-system-xen-stubdom', 'xen', 'zlib']);
    expect(byName.get('zlib')).toMatchObject({ versionInfo: '1:1.2.13.dfsg-1', licenseDeclared: 'Zlib', externalRefs: [{ referenceLocator: 'pkg:deb/debian/zlib@1:1.2.13.dfsg-1?arch=source' }] });
    expect(byName.get('xen')?.licenseDeclared).toBe('GPL-2.0-only');
    expect(byName.get('pixman')?.licenseDeclared).toBe('NOASSERTION');
    expect(byName.get('gcc-12')?.comment).toMatch(/not named in Static-Built-Using/);
    const links = d.relationships.filter((r) => r.relationshipType === 'STATIC_LINK').map((r) => r.relatedSpdxElement).sort();
    expect(links).toEqual(['SPDXRef-Source-gcc-12', 'SPDXRef-Source-glib2.0', 'SPDXRef-Source-musl', 'SPDXRef-Source-pixman', 'SPDXRef-Source-xen', 'SPDXRef-Source-zlib']);
    expect(d.relationships).toContainEqual({ spdxElementId: 'SPDXRef-Package-qemu-system-xen-stubdom', relationshipType: 'GENERATED_FROM', relatedSpdxElement: 'SPDXRef-Source-qemu' });
  });

  it('carries the text of every LicenseRef it uses, from the copyright file', () => {
    const d = doc();
    const used = new Set(d.packages.flatMap((p) => p.licenseDeclared.match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? []));
    expect(new Set(d.hasExtractedLicensingInfos?.map((l) => l.licenseId))).toEqual(used);
    expect(d.hasExtractedLicensingInfos?.find((l) => l.licenseId === 'LicenseRef-Iconv-PD')?.extractedText).toMatch(/\S/);
  });

  it('is the same text for the same inputs', () => {
    expect(described().spdx).toBe(described().spdx);
  });
});
