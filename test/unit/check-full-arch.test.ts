// check-archive for a full architecture (amd64): installability of Build-Depends, one rule per
// case on small made-up indices (solver-builders.ts), dpkg's real tables (test/fixtures/dpkg).
import { describe, expect, it } from 'vitest';
import type { ArchiveIndex } from '../../src/model/archive.js';
import { checkFullArch } from '../../src/solver/check-full-arch.js';
import type { SourceCheck } from '../../src/solver/check-archive.js';
import { bin, index, src } from './solver-builders.js';
import { shippedArch } from './solver-fixtures.js';

const { table } = shippedArch('musl-linux-amd64');

function check(idx: ArchiveIndex, profiles: readonly string[] = []): Map<string, SourceCheck> {
  const r = checkFullArch({ archive: idx, arch: 'amd64', table, profiles });
  return new Map(r.sources.map((s) => [s.source, s]));
}

describe('check-archive on a full architecture', () => {
  it('finds a package missing deep in the dependency chain', () => {
    const r = check(index([src('app', { bd: 'a' }), bin('a', { depends: 'b' }), bin('b', { depends: 'c (>= 2)' }), bin('c')]));
    expect(r.get('app')?.status).toBe('unsatisfiable');
    const p = r.get('app')?.problems[0];
    expect(p?.reason === 'unsatisfiable' && p.attempts[0]).toMatchObject({ outcome: 'uninstallable', detail: 'cannot be installed: a 1.0-1 (Depends: b)' });
  });

  it('takes a later alternative when the first cannot be installed', () => {
    const r = check(index([src('app', { bd: 'a | b' }), bin('a', { depends: 'missing' }), bin('b')]));
    expect(r.get('app')?.status).toBe('ok');
  });

  it('counts a dependency cycle as installable', () => {
    const r = check(index([src('app', { bd: 'a' }), bin('a', { depends: 'b' }), bin('b', { depends: 'a' })]));
    expect(r.get('app')?.status).toBe('ok');
  });

  it('satisfies :any only with Multi-Arch: allowed, as dpkg does', () => {
    const r = check(index([
      src('app', { bd: 'perl:any' }), src('tool', { bd: 'make:any' }),
      bin('perl', { ma: 'allowed' }), bin('make', { ma: 'foreign' }),
    ]));
    expect(r.get('app')?.status).toBe('ok');
    expect(r.get('tool')?.status).toBe('unsatisfiable');
  });

  it('reduces Build-Depends for the arch and the given profiles, and checks Architecture: all sources too', () => {
    const idx = index([src('app', { bd: 'gone <!nocheck>, gone2 [i386]', arch: 'all' }), src('other', { arch: 'i386' })]);
    expect(check(idx).get('app')?.status).toBe('unsatisfiable');
    expect(check(idx, ['nocheck']).get('app')?.status).toBe('ok');
    expect(check(idx).get('other')?.status).toBe('not-for-arch');
  });
});
