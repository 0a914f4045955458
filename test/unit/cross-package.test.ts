import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDeb822 } from '../../src/control/deb822.js';
import { buildCrossPackages, crossPackageName, type CrossBuild } from '../../src/cache/cross-package.js';
import type { DataEntryInput } from '../../src/deb/deb-layout.js';
import type { CacheKey, Sha256Hex } from '../../src/model/brand.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/deb');
const md5 = 'd41d8cd98f00b204e9800998ecf8427e';
const file = (path: string, size = 0): DataEntryInput => ({ type: 'file', path, source: { path: `/staged/${path}`, size, md5 } });

// The staged layout of zlib's static musl build (names as zlib 1.2.13's `make install` makes them).
const zlibStaged: DataEntryInput[] = [
  { type: 'directory', path: 'usr' },
  { type: 'directory', path: 'usr/x86_64-linux-musl' },
  file('usr/x86_64-linux-musl/include/zconf.h', 16589),
  file('usr/x86_64-linux-musl/include/zlib.h', 97323),
  file('usr/x86_64-linux-musl/lib/libz.a', 148862),
  file('usr/x86_64-linux-musl/lib/pkgconfig/zlib.pc', 265),
];

const zlib: CrossBuild = {
  source: 'zlib',
  sourceVersion: '1:1.2.13.dfsg-1',
  arch: 'musl-linux-amd64',
  triplet: 'x86_64-linux-musl',
  binaries: [{ name: 'zlib1g-dev' }],
  staged: zlibStaged,
  dependencies: [],
  recipeSha256: '1'.repeat(64) as Sha256Hex,
  cacheKey: '2'.repeat(64) as CacheKey,
  copyright: 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n',
  maintainer: 'Stubforge Builds <builds@stubforge.example.org>',
  sourceDateEpoch: 1_700_000_000,
};

function fieldsOf(control: string): Map<string, string> {
  const parsed = parseDeb822(control, { file: 'control' });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return new Map(parsed.value[0]?.fields.map((f) => [f.name, f.value]));
}

describe('crossPackageName', () => {
  it.each([
    ['zlib1g-dev', 'musl-linux-amd64', 'zlib1g-dev-musl-linux-amd64-cross'],
    ['libglib2.0-dev', 'rumprun-amd64', 'libglib2.0-dev-rumprun-amd64-cross'],
    ['libc6-dev', 'arm64', 'libc6-dev-arm64-cross'],
  ])('names %s for %s as %s, as Debian names its cross packages', (binary, arch, name) => {
    expect(crossPackageName(binary, arch)).toBe(name);
  });
});

describe('buildCrossPackages', () => {
  const built = buildCrossPackages(zlib);
  const pkg = built.ok ? built.value[0] : undefined;
  const fields = fieldsOf(pkg?.layout.control ?? '');

  it('makes one Architecture: all, Multi-Arch: foreign libdevel package with provenance fields', () => {
    expect([...fields.entries()].filter(([n]) => n !== 'Description' && n !== 'Installed-Size')).toEqual([
      ['Package', 'zlib1g-dev-musl-linux-amd64-cross'],
      ['Source', 'zlib'],
      ['Version', '1:1.2.13.dfsg-1'],
      ['Architecture', 'all'],
      ['Maintainer', 'Stubforge Builds <builds@stubforge.example.org>'],
      ['Built-Using', 'zlib (= 1:1.2.13.dfsg-1)'],
      ['Section', 'libdevel'],
      ['Priority', 'optional'],
      ['Multi-Arch', 'foreign'],
      ['X-Stubforge-Arch', 'musl-linux-amd64'],
      ['X-Stubforge-Cache-Key', '2'.repeat(64)],
      ['X-Stubforge-Recipe-Sha256', '1'.repeat(64)],
      ['X-Stubforge-Source', 'zlib'],
      ['X-Stubforge-Source-Version', '1:1.2.13.dfsg-1'],
    ]);
  });

  it('follows the field order of Debian\'s own linux-libc-dev-arm64-cross', () => {
    const debian = [...fieldsOf(readFileSync(join(FIXTURES, 'linux-libc-dev-arm64-cross_6.1.4-1cross1.control'), 'utf8')).keys()];
    const ours = [...fields.keys()].filter((n) => debian.includes(n));
    expect(ours).toEqual(debian.filter((n) => fields.has(n)));
  });

  it('installs under /usr/<triplet>/ with the copyright and the lintian overrides', () => {
    expect(pkg?.layout.filename).toBe('zlib1g-dev-musl-linux-amd64-cross_1.2.13.dfsg-1_all.deb');
    expect(pkg?.layout.dataEntries.filter((e) => e.type === 'file').map((e) => e.name)).toEqual([
      './usr/share/doc/zlib1g-dev-musl-linux-amd64-cross/copyright',
      './usr/share/lintian/overrides/zlib1g-dev-musl-linux-amd64-cross',
      './usr/x86_64-linux-musl/include/zconf.h',
      './usr/x86_64-linux-musl/include/zlib.h',
      './usr/x86_64-linux-musl/lib/libz.a',
      './usr/x86_64-linux-musl/lib/pkgconfig/zlib.pc',
    ]);
  });

  it('writes lintian overrides in the form Debian\'s cross packages use', () => {
    const overrides = pkg?.layout.dataEntries.find((e) => e.type === 'file' && e.name.startsWith('./usr/share/lintian/overrides/'));
    const text = overrides?.body?.kind === 'bytes' ? Buffer.from(overrides.body.bytes).toString() : '';
    const debian = readFileSync(join(FIXTURES, 'linux-libc-dev-arm64-cross.lintian-overrides'), 'utf8');
    expect(debian).toBe('linux-libc-dev-arm64-cross binary: non-standard-dir-in-usr\n');
    expect(text).toContain('zlib1g-dev-musl-linux-amd64-cross binary: non-standard-dir-in-usr [usr/x86_64-linux-musl/]\n');
    expect(text).toContain('binary: arch-independent-package-contains-binary-or-object [usr/x86_64-linux-musl/*]\n');
    // Every override has a comment line before its group (lintian shows it as the reason).
    for (const group of text.trim().split('\n\n')) expect(group.startsWith('# ')).toBe(true);
  });

  it('depends exactly on the -cross packages of its target dependencies and records a note', () => {
    const r = buildCrossPackages({
      ...zlib, source: 'glib2.0', sourceVersion: '2.74.6-2+deb12u9', binaries: [{ name: 'libglib2.0-dev' }],
      dependencies: [{ binary: 'libffi-dev', version: '3.4.4-1' }, { binary: 'libpcre2-dev', version: '10.42-1' }],
      note: 'built from the orig tarball alone: debian diff missing on the mirror',
    });
    const f = fieldsOf(r.ok ? r.value[0]?.layout.control ?? '' : '');
    expect(f.get('Depends')).toBe('libffi-dev-musl-linux-amd64-cross (= 3.4.4-1), libpcre2-dev-musl-linux-amd64-cross (= 10.42-1)');
    expect(f.get('X-Stubforge-Note')).toBe('built from the orig tarball alone: debian diff missing on the mirror');
    expect(f.get('Description')).toContain('\nNote: built from the orig tarball alone');
  });

  it('splits a build between binaries by claims, the claim-less one taking the rest', () => {
    const r = buildCrossPackages({
      ...zlib, binaries: [{ name: 'zlib1g-dev' }, { name: 'zlib1g-headers', claims: ['include'] }],
    });
    const names = r.ok ? r.value.map((p) => [p.binary, p.layout.dataEntries.filter((e) => e.name.includes('/x86_64-linux-musl/') && e.type === 'file').map((e) => e.name.split('/').pop())]) : [];
    expect(names).toEqual([['zlib1g-dev', ['libz.a', 'zlib.pc']], ['zlib1g-headers', ['zconf.h', 'zlib.h']]]);
  });

  it.each([
    ['a staged file outside /usr/<triplet>/', { staged: [...zlibStaged, file('usr/bin/minigzip')] }, 'outside-triplet-dir'],
    ['no binaries', { binaries: [] }, 'no-binaries'],
    ['a binary listed twice', { binaries: [{ name: 'zlib1g-dev' }, { name: 'zlib1g-dev', claims: ['lib'] }] }, 'duplicate-binary'],
    ['two claim-less binaries', { binaries: [{ name: 'a1' }, { name: 'b1' }] }, 'several-default-binaries'],
    ['a path no binary claims', { binaries: [{ name: 'zlib1g-dev', claims: ['lib'] }] }, 'unclaimed-path'],
    ['a path two binaries claim', { binaries: [{ name: 'a1', claims: ['lib'] }, { name: 'b1', claims: ['lib/libz.a', 'include'] }] }, 'ambiguous-claim'],
    ['a claim matching nothing', { binaries: [{ name: 'zlib1g-dev' }, { name: 'b1', claims: ['lib/libzz.a'] }] }, 'claim-matches-nothing'],
    ['a bad triplet', { triplet: 'x86_64' }, 'invalid-triplet'],
    ['a bad source version', { sourceVersion: 'latest' }, 'invalid-version'],
    ['a bad dependency name', { dependencies: [{ binary: 'Libffi', version: '1' }] }, 'invalid-package-name'],
  ] as const)('refuses %s', (_what, change, reason) => {
    const r = buildCrossPackages({ ...zlib, ...change } as CrossBuild);
    expect(r.ok ? 'ok' : r.error.reason).toBe(reason);
    if (!r.ok) expect(r.error.location).toEqual({ file: 'recipe(zlib)' });
  });
});
