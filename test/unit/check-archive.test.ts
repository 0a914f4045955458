// check-archive on real bookworm excerpts: the sources below were checked on the whole index when
// the fixture was captured (capture.mjs records every lookup), so the answers are the archive's.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecipeSet } from '../../src/recipe/recipe.js';
import { checkArchive, type ArchiveCheck, type SourceCheck } from '../../src/solver/check-archive.js';
import { fixtureIndex, shippedArch, shippedRecipes } from './solver-fixtures.js';

const CHECKED = ['zlib', 'libffi', 'pcre2', 'pixman', 'glib2.0', 'xen', 'fftw3', 'cubature', 'mpi-defaults', 'fonts-dejavu'];
let recipes: RecipeSet;
let report: ArchiveCheck;

beforeAll(async () => {
  recipes = await shippedRecipes();
  report = checkArchive({ archive: fixtureIndex(), ...shippedArch('musl-linux-amd64'), recipes, only: new Set(CHECKED) });
});

const entry = (source: string): SourceCheck | undefined => report.sources.find((s) => s.source === source);

describe('check-archive for musl-linux-amd64', () => {
  it('counts every status', () => {
    expect(report.counts).toEqual({ ok: 6, blocked: 1, unsatisfiable: 1, 'not-for-arch': 1, 'arch-indep': 1 });
    expect(report.sources.map((s) => s.source)).toEqual([...CHECKED].sort());
  });

  it.each([
    ['zlib', 'ok'], ['libffi', 'ok'], ['pcre2', 'ok'], ['pixman', 'ok'], ['glib2.0', 'ok'],
    ['xen', 'ok'], ['fftw3', 'unsatisfiable'], ['cubature', 'blocked'], ['mpi-defaults', 'not-for-arch'], ['fonts-dejavu', 'arch-indep'],
  ])('%s is %s', (source, status) => {
    expect(entry(source)?.status).toBe(status);
  });

  it('lists the target sources a source needs, link closures included', () => {
    expect(entry('glib2.0')?.targets).toEqual(['libffi', 'pcre2', 'zlib']);
  });

  it('says which target blocks a source that resolves itself', () => {
    expect(entry('cubature')).toMatchObject({ targets: ['fftw3'], blockedBy: ['fftw3'], problems: [] });
  });

  it('gives the unsatisfiable relation with what was tried', () => {
    const p = entry('fftw3')?.problems[0];
    expect(p?.reason === 'unsatisfiable' && p.attempts.map((a) => `${a.relation}: ${a.outcome}`)).toEqual(['mpi-default-dev: not-for-arch']);
  });

  it('lets a recipe\'s Architecture override count (xen is amd64 arm64 armhf in Debian)', () => {
    const none: RecipeSet = { byName: new Map() };
    const without = checkArchive({ archive: fixtureIndex(), ...shippedArch('musl-linux-amd64'), recipes: none, only: new Set(['xen']) });
    expect(without.sources[0]?.status).toBe('not-for-arch');
  });
});

describe('check-archive and the arch-only drop of a -dev Depends', () => {
  it('does not hold a -dev Depends against a source whose source needs it only for other arches, as plan does not', async () => {
    const { bin, index, src } = await import('./solver-builders.js');
    const idx = index([
      src('app', { bd: 'libgst-dev' }),
      src('gst', { bd: 'libunwind-dev [i386 amd64]', binaries: ['libgst-dev'] }),
      bin('libgst-dev', { source: 'gst', ma: 'same', depends: 'libunwind-dev' }),
      src('libunwind', { arch: 'amd64 i386', binaries: ['libunwind-dev'] }), bin('libunwind-dev', { source: 'libunwind', ma: 'same' }),
    ]);
    const check = checkArchive({ archive: idx, ...shippedArch('musl-linux-amd64'), recipes: { byName: new Map() }, only: new Set(['app']) });
    expect(check.sources.find((s) => s.source === 'app')?.status).toBe('ok');
  });
});
