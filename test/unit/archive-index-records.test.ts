import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePackagesIndex, parseSourcesIndex } from '../../src/archive/index-records.js';
import { scanIndex } from '../../src/archive/index-scan.js';
import { parseDeb822 } from '../../src/control/deb822.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/archive/${name}`, import.meta.url), 'utf8');
const sourcesText = fixture('Sources-excerpt');
const packagesText = fixture('Packages-excerpt');
const label = { file: 'Sources(bookworm/main)', suite: 'bookworm', component: 'main' };

/** The 1-based line of the first line matching `re` in `text`. */
const lineOf = (text: string, re: RegExp): number => text.split('\n').findIndex((l) => re.test(l)) + 1;

describe('parseSourcesIndex on real bookworm paragraphs', () => {
  const parsed = parseSourcesIndex(sourcesText, label);
  if (!parsed.ok) throw new Error(parsed.error.message);
  const byName = new Map(parsed.value.records.map((r) => [r.package, r]));

  it('turns every paragraph into a record, with no diagnostics', () => {
    expect(parsed.value.diagnostics).toEqual([]);
    expect(parsed.value.records.map((r) => r.package)).toEqual(
      sourcesText.split('\n').filter((l) => l.startsWith('Package: ')).map((l) => l.slice(9)),
    );
  });

  it('reads zlib: version with epoch, binaries, format, directory, Checksums-Sha256 and suite', () => {
    expect(byName.get('zlib')).toMatchObject({
      version: '1:1.2.13.dfsg-1', suite: 'bookworm', component: 'main', format: '3.0 (quilt)',
      directory: 'pool/main/z/zlib', architecture: ['any'],
      binaries: ['zlib1g', 'zlib1g-dev', 'zlib1g-udeb', 'lib64z1', 'lib64z1-dev', 'lib32z1', 'lib32z1-dev', 'libn32z1', 'libn32z1-dev'],
      files: [
        { name: 'zlib_1.2.13.dfsg-1.dsc', size: 2399, sha256: '3fa1e6b2fc525062aa88207dda52fed8e045373c809d362fe8a2bfbf7cf515a8' },
        { name: 'zlib_1.2.13.dfsg.orig.tar.bz2', size: 1239825, sha256: '71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1' },
        { name: 'zlib_1.2.13.dfsg-1.debian.tar.xz', size: 15700, sha256: 'f66cf3d4f2d7defcd4d1fd1fb0a11ee39f1e01b42ec7d059c9dc5c1695133c44' },
      ],
    });
    expect(byName.get('zlib')?.buildDepends).toMatch(/^debhelper \(>= 13\), gcc-multilib \[amd64 /);
  });

  it('reads a format 1.0 source with a diff.gz (pixman)', () => {
    expect(byName.get('pixman')?.format).toBe('1.0');
    expect(byName.get('pixman')?.files.map((f) => f.name)).toEqual([
      'pixman_0.42.2-1.dsc', 'pixman_0.42.2.orig.tar.gz', 'pixman_0.42.2-1.diff.gz',
    ]);
  });

  it('folds a Binary field written over several lines (binutils)', () => {
    const binaries = byName.get('binutils')?.binaries ?? [];
    expect(binaries.length).toBeGreaterThan(20);
    expect(binaries.every((b) => /^[a-z0-9][a-z0-9.+-]+$/.test(b))).toBe(true);
  });

  it('marks Extra-Source-Only paragraphs (alabaster 0.7.8-1.1 is kept only for Built-Using beside 0.7.12-1)', () => {
    const alabaster = parsed.value.records.filter((r) => r.package === 'alabaster');
    expect(alabaster.map((r) => [r.version, r.extraSourceOnly])).toEqual([['0.7.8-1.1', true], ['0.7.12-1', undefined]]);
  });
});

describe('parsePackagesIndex on real bookworm amd64 paragraphs', () => {
  const parsed = parsePackagesIndex(packagesText, { ...label, file: 'Packages' });
  if (!parsed.ok) throw new Error(parsed.error.message);
  const byName = new Map(parsed.value.records.map((r) => [r.package, r]));

  it.each([
    ['zlib1g', { source: 'zlib', sourceVersion: '1:1.2.13.dfsg-1', multiArch: 'same', architecture: 'amd64' }],
    ['2048-qt', { version: '0.1.6-2+b2', source: '2048-qt', sourceVersion: '0.1.6-2' }],
    ['dash', { source: 'dash', essential: true, multiArch: 'foreign', preDepends: 'libc6 (>= 2.34)' }],
    ['python3-alabaster', { source: 'alabaster', architecture: 'all' }],
  ])('reads %s', (name, expected) => {
    expect(byName.get(name)).toMatchObject(expected);
  });

  it('keeps Filename, Depends and Provides, and nothing of the description', () => {
    const zlib = byName.get('zlib1g');
    expect(zlib).toMatchObject({ filename: 'pool/main/z/zlib/zlib1g_1.2.13.dfsg-1_amd64.deb', depends: 'libc6 (>= 2.14)', provides: 'libz1' });
    expect(Object.keys(zlib ?? {})).not.toContain('description');
  });
});

describe('malformed indices (real excerpts, altered by the test as named)', () => {
  it('reports a paragraph without Version as a diagnostic naming the file and the paragraph line', () => {
    const text = sourcesText.replace('Version: 1:1.2.13.dfsg-1\n', '');
    const parsed = parseSourcesIndex(text, label);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.value.records.map((r) => r.package)).not.toContain('zlib');
    expect(parsed.value.diagnostics).toEqual([{
      reason: 'missing-field', field: 'Version', package: 'zlib', message: 'paragraph lacks required field Version',
      location: { file: label.file, line: lineOf(text, /^Package: zlib$/) },
    }]);
  });

  it('reports a bad Checksums-Sha256 line at its own line', () => {
    const text = sourcesText.replace(' 3fa1e6b2fc525062aa88207dda52fed8e045373c809d362fe8a2bfbf7cf515a8 2399', ' 3fa1e6b2 2399');
    const parsed = parseSourcesIndex(text, label);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.value.diagnostics).toMatchObject([{
      reason: 'malformed-field', field: 'Checksums-Sha256', package: 'zlib', location: { line: lineOf(text, /^ 3fa1e6b2 2399/) },
    }]);
  });

  it('reports a Packages paragraph without Architecture', () => {
    const text = packagesText.replace(/^Package: dash\n((?:.+\n)*?)Architecture: amd64\n/m, 'Package: dash\n$1');
    const parsed = parsePackagesIndex(text, { ...label, file: 'Packages' });
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.value.diagnostics).toMatchObject([{ field: 'Architecture', package: 'dash', location: { file: 'Packages', line: lineOf(text, /^Package: dash$/) } }]);
  });

  it('stops at a line that is no field line, naming file and line', () => {
    const text = sourcesText.replace('Format: 1.0\n', 'Format 1.0\n');
    const parsed = parseSourcesIndex(text, label);
    expect(parsed).toEqual({
      ok: false,
      error: { reason: 'malformed-control', message: 'not a field line: "Format 1.0"', location: { file: label.file, line: lineOf(text, /^Format 1\.0$/) } },
    });
  });
});

describe('scanIndex classifies every line as parseDeb822 does', () => {
  const keepAll = (text: string): string[] => [...new Set(text.split('\n').map((l) => /^([^\s:]+):/.exec(l)?.[1]).filter((n): n is string => n !== undefined))];
  const scanAll = (text: string): unknown => {
    const keep = keepAll(text);
    const paragraphs: Record<string, string>[] = [];
    const result = scanIndex(text, { file: 'f', keep }, (p) => {
      const fields: Record<string, string> = {};
      p.values.forEach((v, i) => { if (v !== undefined) fields[(keep[i] ?? '').toLowerCase()] = v; });
      paragraphs.push({ line: String(p.line), ...fields });
    });
    return result.ok ? { ok: true, paragraphs } : result;
  };
  const deb822 = (text: string): unknown => {
    const result = parseDeb822(text, { file: 'f' });
    if (!result.ok) return result;
    return {
      ok: true,
      paragraphs: result.value.map((p) => ({ line: String(p.line), ...Object.fromEntries(p.fields.map((f) => [f.name.toLowerCase(), f.value])) })),
    };
  };

  it.each([
    ['the real Sources excerpt', sourcesText],
    ['the real Packages excerpt', packagesText],
    ['CRLF line ends', 'Package: a\r\nDescription: x\r\n y\r\n\r\nPackage: b\r\n'],
    ['a blank-only separator line', 'A: 1\n \t \nB: 2\n'],
    ['a separator of non-ASCII blanks', 'A: 1\n\u00a0\nB: 2\n'],
    ['a tab continuation', 'A: 1\n\tmore\n'],
    ['a non-ASCII field name', 'Ä: 1\n'],
    ['a field name with a no-break space', 'A\u00a0B: 1\n'],
    ['a U+2028 inside a value', 'A: x\u2028y\n'],
    ['a control character in a name', 'A\u0001: 1\n'],
    ['an empty name', ': 1\n'],
    ['a name with a blank before the colon', 'A B: 1\n'],
    ['a line without colon', 'A: 1\nnonsense\n'],
    ['a continuation before any field', ' x\nA: 1\n'],
    ['a duplicate field differing in case', 'Package: a\npackage: b\n'],
    ['a name starting with a hyphen', 'A: 1\n-B: 2\n'],
    ['a comment line', 'A: 1\n# no\n'],
    ['no final newline', 'A: 1\nB: 2'],
  ])('%s', (_what, text) => {
    expect(scanAll(text)).toEqual(deb822(text));
  });
});
