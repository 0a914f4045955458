import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDeb822 } from '../../src/control/deb822.js';
import { buildDebLayout, type DataEntryInput, type DebDescription, type DebLayout } from '../../src/deb/deb-layout.js';
import { describeDebLayoutError } from '../../src/cli/deb-messages.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/deb');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

interface ListedEntry { readonly mode: string; readonly size: number; readonly name: string; readonly target?: string }

/** `tar tvf` lines: `-rw-r--r-- root/root  16589 2022-11-05 12:24 ./usr/include/zconf.h`. */
function parseListing(text: string): ListedEntry[] {
  return text.trimEnd().split('\n').map((line) => {
    const m = /^(\S+) root\/root +(\d+) \S+ \S+ (.+?)(?: -> (.+))?$/.exec(line);
    if (m?.[1] === undefined || m[2] === undefined || m[3] === undefined) throw new Error(`bad listing line: ${line}`);
    return { mode: m[1], size: Number(m[2]), name: m[3], ...(m[4] === undefined ? {} : { target: m[4] }) };
  });
}

/** zlib1g-dev 1:1.2.13.dfsg-1 as a DebDescription: files from its data listing and md5sums. */
function zlibDescription(): DebDescription {
  const md5 = new Map(fixture('zlib1g-dev_1.2.13.dfsg-1.md5sums').trimEnd().split('\n').map((l) => {
    const [sum = '', path = ''] = l.split('  ');
    return [path, sum] as const;
  }));
  const files: DataEntryInput[] = [];
  for (const e of parseListing(fixture('zlib1g-dev_1.2.13.dfsg-1.data-listing.txt'))) {
    const path = e.name.slice(2);
    if (e.target !== undefined) files.push({ type: 'symlink', path, target: e.target });
    else if (e.mode.startsWith('-')) files.push({ type: 'file', path, mode: 0o644, source: { path: `fixture:${path}`, size: e.size, md5: md5.get(path) ?? '' } });
  }
  const parsed = parseDeb822(fixture('zlib1g-dev_1.2.13.dfsg-1.control'), { file: 'zlib1g-dev.control' });
  if (!parsed.ok) throw new Error(parsed.error.message);
  const p = parsed.value[0];
  if (p === undefined) throw new Error('no paragraph');
  const own = new Set(['package', 'version', 'architecture', 'maintainer', 'description', 'installed-size']);
  const [synopsis = '', ...extended] = (p.get('Description') ?? '').split('\n');
  return {
    package: p.get('Package') ?? '',
    version: p.get('Version') ?? '',
    architecture: p.get('Architecture') ?? '',
    maintainer: p.get('Maintainer') ?? '',
    description: { synopsis, extended: extended.map((l) => (l === '.' ? '' : l)) },
    fields: p.fields.filter((f) => !own.has(f.name.toLowerCase())).map((f) => ({ name: f.name, value: f.value })),
    files,
    sourceDateEpoch: 1667651040,
  };
}

function layoutOf(desc: DebDescription): DebLayout {
  const r = buildDebLayout(desc);
  if (!r.ok) throw new Error(describeDebLayoutError(r.error));
  return r.value;
}

describe('buildDebLayout against zlib1g-dev 1:1.2.13.dfsg-1 from the archive', () => {
  const layout = layoutOf(zlibDescription());
  const listing = parseListing(fixture('zlib1g-dev_1.2.13.dfsg-1.data-listing.txt'));

  it('writes the same control file, Installed-Size included, as dpkg-gencontrol did', () => {
    expect(layout.installedSize).toBe(1310);
    expect(layout.control).toBe(fixture('zlib1g-dev_1.2.13.dfsg-1.control'));
  });

  it('orders data.tar entries as dpkg-deb did: depth first, byte order, symlinks last', () => {
    expect(layout.dataEntries.map((e) => e.name)).toEqual(listing.map((e) => e.name));
  });

  it('writes the same md5sums as dh_md5sums did', () => {
    const md5sums = layout.controlEntries.find((e) => e.name === './md5sums');
    expect(md5sums?.body?.kind === 'bytes' && Buffer.from(md5sums.body.bytes).toString()).toBe(fixture('zlib1g-dev_1.2.13.dfsg-1.md5sums'));
  });

  it('names the file <package>_<version without epoch>_<arch>.deb', () => {
    expect(layout.filename).toBe('zlib1g-dev_1.2.13.dfsg-1_amd64.deb');
  });

  it('lists control.tar as ./, ./control, ./md5sums', () => {
    expect(layout.controlEntries.map((e) => e.name)).toEqual(['./', './control', './md5sums']);
  });
});

const base: DebDescription = {
  package: 'demo', version: '1.0-1', architecture: 'all', maintainer: 'Demo <demo@example.org>',
  description: { synopsis: 'demo package' }, files: [], sourceDateEpoch: 1_700_000_000,
};

describe('buildDebLayout normalisation', () => {
  it('adds every parent directory, root:root modes and clamps mtimes to SOURCE_DATE_EPOCH', () => {
    const layout = layoutOf({
      ...base,
      files: [
        { type: 'file', path: '/usr/bin/tool', mode: 0o4775, content: '#!/bin/sh\n' },
        { type: 'file', path: 'usr/share/doc/demo/copyright', mode: 0o600, content: 'c', },
        { type: 'file', path: './usr/lib/old', source: { path: '/x/old', size: 3, md5: '0'.repeat(32), mtime: 1_000 } },
        { type: 'file', path: 'usr/lib/new', source: { path: '/x/new', size: 3, md5: '0'.repeat(32), mtime: 2_000_000_000 } },
        { type: 'directory', path: 'var/empty/', mode: 0o700 },
      ],
    });
    expect(layout.dataEntries.map((e) => [e.name, e.mode.toString(8), e.mtime])).toEqual([
      ['./', '755', 1_700_000_000],
      ['./usr/', '755', 1_700_000_000],
      ['./usr/bin/', '755', 1_700_000_000],
      ['./usr/bin/tool', '755', 1_700_000_000],
      ['./usr/lib/', '755', 1_700_000_000],
      ['./usr/lib/new', '644', 1_700_000_000],
      ['./usr/lib/old', '644', 1_000],
      ['./usr/share/', '755', 1_700_000_000],
      ['./usr/share/doc/', '755', 1_700_000_000],
      ['./usr/share/doc/demo/', '755', 1_700_000_000],
      ['./usr/share/doc/demo/copyright', '644', 1_700_000_000],
      ['./var/', '755', 1_700_000_000],
      ['./var/empty/', '755', 1_700_000_000],
    ]);
  });

  it.each([
    // [what, files, expected]: dirs and the root count 1, files and symlinks ceil(size / 1 KiB), DEBIAN/ 1.
    ['an empty package', [], 1 + 1],
    ['one empty file', [{ type: 'file', path: 'a', content: '' }], 1 + 1 + 0],
    ['a 1025-byte file', [{ type: 'file', path: 'a', content: 'x'.repeat(1025) }], 1 + 1 + 2],
    ['a file two dirs deep', [{ type: 'file', path: 'd/e/f', content: 'x' }], 1 + 1 + 2 + 1],
    ['a symlink', [{ type: 'symlink', path: 'l', target: 'x' }], 1 + 1 + 1],
  ] as const)('counts Installed-Size of %s like dpkg-gencontrol', (_what, files, size) => {
    expect(layoutOf({ ...base, files }).installedSize).toBe(size);
  });

  it('adds DEBIAN/conffiles to Installed-Size and leaves conffiles out of md5sums', () => {
    const layout = layoutOf({
      ...base,
      files: [{ type: 'file', path: 'etc/demo.conf', content: 'a=1\n' }, { type: 'file', path: 'usr/x', content: 'y' }],
      conffiles: ['/etc/demo.conf'],
    });
    // root + DEBIAN/ + DEBIAN/conffiles + etc/ + usr/ + the two files
    expect(layout.installedSize).toBe(1 + 1 + 1 + 2 + 2);
    expect(layout.controlEntries.map((e) => e.name)).toEqual(['./', './conffiles', './control', './md5sums']);
    const md5sums = layout.controlEntries.find((e) => e.name === './md5sums');
    expect(md5sums?.body?.kind === 'bytes' && Buffer.from(md5sums.body.bytes).toString()).toBe('415290769594460e2e485922904f345d  usr/x\n');
  });
});

describe('buildDebLayout errors', () => {
  it.each([
    ['a bad package name', { package: 'Demo' }, 'invalid-package-name'],
    ['a bad version', { version: 'v1' }, 'invalid-version'],
    ['a bad architecture', { architecture: 'All Arch' }, 'invalid-architecture'],
    ['a field given twice', { fields: [{ name: 'Depends', value: 'a' }, { name: 'depends', value: 'b' }] }, 'duplicate-field'],
    ['Package among the fields', { fields: [{ name: 'Package', value: 'x' }] }, 'duplicate-field'],
    ['Installed-Size among the fields', { fields: [{ name: 'Installed-Size', value: '3' }] }, 'computed-field'],
    ['a bad field name', { fields: [{ name: 'Bad Name', value: 'x' }] }, 'invalid-field-name'],
    ['an empty field value', { fields: [{ name: 'Depends', value: '' }] }, 'invalid-field-value'],
    ['a negative SOURCE_DATE_EPOCH', { sourceDateEpoch: -1 }, 'invalid-source-date-epoch'],
    ['a .. component', { files: [{ type: 'file', path: 'usr/../etc/x', content: '' }] }, 'invalid-path'],
    ['a DEBIAN path', { files: [{ type: 'file', path: 'DEBIAN/postinst', content: '' }] }, 'invalid-path'],
    ['a path given twice', { files: [{ type: 'file', path: 'a', content: '' }, { type: 'file', path: '/a', content: '' }] }, 'duplicate-path'],
    ['a file used as a directory', { files: [{ type: 'file', path: 'a', content: '' }, { type: 'file', path: 'a/b', content: '' }] }, 'path-conflict'],
    ['a non-ASCII name', { files: [{ type: 'file', path: 'usr/ünï.h', content: '' }] }, 'path-needs-pax'],
    ['a name too long for ustar', { files: [{ type: 'file', path: `usr/${'a'.repeat(150)}/${'b'.repeat(101)}`, content: '' }] }, 'path-needs-pax'],
    ['a symlink target over 100 bytes', { files: [{ type: 'symlink', path: 'l', target: 'x'.repeat(101) }] }, 'path-needs-pax'],
    ['a conffile that is not in the package', { conffiles: ['/etc/missing'] }, 'invalid-conffile'],
    ['a file source without a proper md5', { files: [{ type: 'file', path: 'a', source: { path: '/a', size: 1, md5: 'xyz' } }] }, 'invalid-path'],
  ] as const)('refuses %s', (_what, change, reason) => {
    const r = buildDebLayout({ ...base, ...change } as DebDescription);
    expect(r.ok ? 'ok' : r.error.reason).toBe(reason);
    if (!r.ok) expect(r.error.location).toEqual({ file: `deb(${(change as Partial<DebDescription>).package ?? 'demo'})` });
  });

  it('accepts a 246-byte path that splits into ustar prefix and name', () => {
    const path = `usr/${'a'.repeat(90)}/${'c'.repeat(50)}/${'b'.repeat(99)}`;
    expect(buildDebLayout({ ...base, files: [{ type: 'file', path, content: '' }] }).ok).toBe(true);
  });
});
