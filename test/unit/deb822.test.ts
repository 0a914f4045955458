import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDeb822 } from '../../src/control/deb822.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/control/${name}`, import.meta.url), 'utf8');

describe('parseDeb822 on real archive files', () => {
  it('reads a debian/control with # comments and keeps every paragraph', () => {
    const text = fixture('qemu_7.2+dfsg-7+deb12u18.control');
    const result = parseDeb822(text, { file: 'debian/control', comments: true });
    if (!result.ok) throw new Error(result.error.message);
    const [source, ...binaries] = result.value;
    expect(source?.get('Source')).toBe('qemu');
    expect(source?.getFolded('Build-Depends')).toContain('libpixman-1-dev');
    // Every "Package:" line in the file is one binary paragraph.
    const packageLines = text.split('\n').filter((l) => l.startsWith('Package:')).length;
    expect(binaries).toHaveLength(packageLines);
  });

  it('rejects comments outside debian/control, naming the line', () => {
    const result = parseDeb822(fixture('qemu_7.2+dfsg-7+deb12u18.control'), { file: 'x' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.location).toEqual({ file: 'x', line: 1 });
  });

  it('unwraps a signed .dsc and keeps original line numbers', () => {
    const text = fixture('zlib_1.2.13.dfsg-1.dsc');
    const result = parseDeb822(text, { file: 'zlib.dsc', signed: true });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toHaveLength(1);
    const dsc = result.value[0];
    const formatLine = text.split('\n').findIndex((l) => l.startsWith('Format:')) + 1;
    expect(dsc?.field('Format')?.line).toBe(formatLine);
    expect(dsc?.getLines('Checksums-Sha256').length).toBeGreaterThanOrEqual(2);
  });

  it('refuses a signed file where a plain one is expected', () => {
    const result = parseDeb822(fixture('zlib_1.2.13.dfsg-1.dsc'), { file: 'zlib.dsc' });
    expect(result.ok).toBe(false);
  });

  it('keeps multiline fields line by line and folds folded ones', () => {
    const result = parseDeb822(fixture('Sources-zlib-bookworm.txt'), { file: 'Sources' });
    if (!result.ok) throw new Error(result.error.message);
    const zlib = result.value[0];
    expect(zlib?.get('Package')).toBe('zlib');
    expect(zlib?.getLines('Files')[0]).toMatch(/^[0-9a-f]{32} \d+ zlib_.*\.dsc$/);
    expect(zlib?.get('package')).toBe('zlib');
  });
});

describe('parseDeb822 diagnostics', () => {
  it.each([
    ['a line with no colon', 'Package: a\nnonsense\n', 2, /not a field line/],
    ['a continuation with no field', ' leading\nPackage: a\n', 1, /continuation/],
    ['a duplicate field', 'Package: a\nVersion: 1\npackage: b\n', 3, /duplicate field/],
    ['a field name starting with a hyphen', 'Package: a\n-X: 1\n', 2, /invalid field name/],
    ['an unterminated signature', '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nA: b\n', 1, /no signature/],
  ])('reports %s with its line', (_what, text, line, message) => {
    const result = parseDeb822(text, { file: 'f', signed: true });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.location.line).toBe(line);
      expect(result.error.message).toMatch(message);
    }
  });

  it('separates paragraphs on blank and whitespace-only lines and records where each starts', () => {
    const result = parseDeb822('A: 1\n\n \nB: 2\nC: x\n y\n', { file: 'f' });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.map((p) => p.line)).toEqual([1, 4]);
    expect(result.value[1]?.get('C')).toBe('x\ny');
  });
});
