import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArchTables, type ArchTable, type ArchTableExtra } from '../../src/arch/dpkg-arch.js';
import { loadArchTables, type TableFileSystem } from '../../src/arch/dpkg-tables-loader.js';

// dpkg's tables as shipped by dpkg 1.21.23 (bookworm), and dpkg-architecture's answers for a grid
// of arches × wildcards with the rumprun lines prepended: test/fixtures/dpkg/capture.sh.
const fixture = (name: string): string => readFileSync(new URL(`../fixtures/dpkg/${name}`, import.meta.url), 'utf8');
const stock = { cputable: fixture('cputable'), ostable: fixture('ostable'), tupletable: fixture('tupletable') };
const rumprun: ArchTableExtra = { ostable: fixture('extra-ostable'), tupletable: fixture('extra-tupletable') };

function build(extra?: ArchTableExtra): ArchTable {
  const r = parseArchTables(stock, extra);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const table = build(rumprun);
const rows = (name: string): string[][] => fixture(name).split('\n').filter((l) => l !== '').map((l) => l.split(' '));

describe('archIs (debarch_is) against dpkg-architecture -a X -i Y', () => {
  const answers = rows('archis-answers.txt').map(([real = '', alias = '', answer = '']) => ({ real, alias, answer }));

  it('has the captured grid', () => {
    expect(answers.length).toBeGreaterThan(1000);
  });

  it.each(answers)('$real matches $alias: $answer', ({ real, alias, answer }) => {
    expect(table.archIs(real, alias) ? 'yes' : 'no').toBe(answer);
  });
});

describe('GNU and multiarch triplets against dpkg-architecture -q', () => {
  const answers = rows('triplet-answers.txt').map(([arch = '', gnu = '', multiarch = '']) => ({ arch, gnu, multiarch }));

  it.each(answers)('$arch is $gnu ($multiarch) and back', ({ arch, gnu, multiarch }) => {
    expect(table.gnuTriplet(arch)).toBe(gnu);
    expect(table.multiarchTriplet(arch)).toBe(multiarch);
    // `linux-amd64` is dpkg's old alias of amd64: the triplet maps back to the real name.
    expect(table.archFromGnuTriplet(gnu)).toBe(arch.replace(/^linux-/, ''));
  });
});

describe('the partial architectures', () => {
  it.each([
    ['musl-linux-amd64', { abi: 'base', libc: 'musl', os: 'linux', cpu: 'amd64' }],
    ['rumprun-amd64', { abi: 'base', libc: 'rumprun', os: 'netbsd', cpu: 'amd64' }],
    ['netbsd-amd64', { abi: 'base', libc: 'bsd', os: 'netbsd', cpu: 'amd64' }],
  ])('%s has the tuple %o', (arch, tuple) => {
    expect(table.tupleOf(arch)).toEqual(tuple);
  });

  it('maps x86_64-rumprun-netbsd to netbsd-amd64 without the extra lines, as stock dpkg does', () => {
    const plain = build();
    expect(plain.archFromGnuTriplet('x86_64-rumprun-netbsd')).toBe('netbsd-amd64');
    expect(plain.tupleOf('rumprun-amd64')).toBeUndefined();
    expect(table.archFromGnuTriplet('x86_64-rumprun-netbsd')).toBe('rumprun-amd64');
  });

  it('takes the tupletable line of arch/rumprun-amd64 (literal amd64, no <cpu>) the same way', () => {
    const literal = build({ ...(rumprun.ostable === undefined ? {} : { ostable: rumprun.ostable }), tupletable: 'base-rumprun-netbsd-amd64 rumprun-amd64\n' });
    expect(literal.gnuTriplet('rumprun-amd64')).toBe('x86_64-rumprun-netbsd');
    expect(literal.archIs('rumprun-amd64', 'netbsd-any')).toBe(true);
  });
});

describe('isWildcard (debarch_is_wildcard)', () => {
  it.each([
    ['any', true], ['linux-any', true], ['any-amd64', true], ['musl-linux-any', true],
    ['base-any-any-amd64', true], ['netbsd-any', true], ['all', false], ['amd64', false],
    ['musl-linux-amd64', false], ['rumprun-amd64', false], ['unknown', false],
  ])('%s: %s', (arch, expected) => {
    expect(table.isWildcard(arch)).toBe(expected);
  });
});

describe('archIsConcerned (debarch_is_concerned)', () => {
  const terms = (text: string): { negated: boolean; arch: string }[] =>
    text.split(' ').map((t) => ({ negated: t.startsWith('!'), arch: t.replace(/^!/, '') }));

  it.each([
    ['amd64', 'amd64 i386', true],
    ['arm64', 'amd64 i386', false],
    ['hurd-i386', '!hurd-any', false],
    ['amd64', '!hurd-any !kfreebsd-any', true],
    ['musl-linux-amd64', 'linux-any', true],
    ['musl-linux-amd64', '!musl-linux-any', false],
    ['rumprun-amd64', '!linux-any', true],
    ['amd64', 'AMD64', true],
  ])('%s in [%s]: %s', (host, list, expected) => {
    expect(table.archIsConcerned(host, terms(list))).toBe(expected);
  });
});

describe('parseArchTables diagnostics', () => {
  it('names the table and line of a row with missing columns', () => {
    const r = parseArchTables({ ...stock, cputable: '# cpu table\namd64 x86_64 (amd64|x86_64) 64\n' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ reason: 'invalid-arch-table', location: { file: 'cputable', line: 2 } });
  });

  it('names the extra lines when they are broken', () => {
    const r = parseArchTables(stock, { ostable: 'base-rumprun-netbsd rumprun-netbsd\n' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.location).toEqual({ file: 'ostable (extra lines)', line: 1 });
  });

  it('rejects an invalid regular expression', () => {
    const r = parseArchTables(stock, { ostable: 'base-x-y x-y x[\n' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain("invalid regular expression 'x['");
  });
});

describe('loadArchTables', () => {
  it('reads the three tables from the directory given', async () => {
    const read: string[] = [];
    const fs: TableFileSystem = {
      readFile: (path) => {
        read.push(path);
        const name = path.split('/').pop() ?? '';
        return Promise.resolve(fixture(name));
      },
    };
    const r = await loadArchTables('/data', rumprun, fs);
    expect(read).toEqual(['/data/cputable', '/data/ostable', '/data/tupletable']);
    expect(r.ok && r.value.gnuTriplet('rumprun-amd64')).toBe('x86_64-rumprun-netbsd');
  });

  it('reports an unreadable table with its path', async () => {
    const fs: TableFileSystem = { readFile: () => Promise.reject(new Error('ENOENT')) };
    const r = await loadArchTables('/nowhere', undefined, fs);
    expect(r).toMatchObject({ ok: false, error: { reason: 'unreadable-arch-table', location: { file: '/nowhere/cputable' } } });
  });
});
