// Build-profile choice, one rule per case, on small made-up indices (solver-builders.ts) with the
// real musl arch file (Build-Profiles: cross nocheck nodoc noinsttest noudeb) and dpkg tables.
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/arch/arch-file.js';
import type { ArchiveIndex } from '../../src/model/archive.js';
import { parseRecipe } from '../../src/recipe/recipe-file.js';
import type { Recipe, RecipeSet } from '../../src/recipe/recipe.js';
import { parsePackageListFormula, profileClass } from '../../src/solver/profiles.js';
import { solve } from '../../src/solver/solve.js';
import type { Solution, SolveNode } from '../../src/solver/types.js';
import { bin, index, lib, src, tool } from './solver-builders.js';
import { shippedArch } from './solver-fixtures.js';

const musl = shippedArch('musl-linux-amd64');

function recipes(texts: Record<string, string>): RecipeSet {
  const byName = new Map<string, Recipe>();
  for (const [name, body] of Object.entries(texts)) {
    const text = `Format-Version: 1.0\nSource: ${name}\n${body}`;
    const r = parseRecipe({ text, file: `recipes/${name}`, name, contentSha256: sha256Hex(text) });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    byName.set(name, r.value);
  }
  return { byName };
}

function solved(idx: ArchiveIndex, recipeTexts: Record<string, string> = {}): Solution {
  const r = solve({ archive: idx, ...musl, recipes: recipes(recipeTexts), target: 'app' });
  if (!r.ok) throw new Error(JSON.stringify(r.error.problems, null, 1));
  return r.value;
}

const node = (s: Solution, name: string): SolveNode | undefined => s.nodes.find((n) => n.source === name);
const chosen = (s: Solution, name: string): string[] => node(s, name)?.chosenProfiles.map((c) => c.profile) ?? [];

describe('profile classes', () => {
  it.each([
    ['nocheck', 'app', 'packaging'], ['nopython', 'app', 'binding'], ['nogir', 'app', 'binding'], ['stage1', 'app', 'feature'],
    ['pkg.app.nosystemd', 'app', 'feature'], ['pkg.app.libonly', 'app', 'feature'], ['pkg.other.libonly', 'app', undefined], ['pkg.other.nosystemd', 'app', undefined], ['pkg.app.with-x', 'app', undefined], ['nowindows', 'app', undefined],
  ])('%s for source %s is %s', (profile, source, cls) => {
    expect(profileClass(profile, source)).toBe(cls);
  });

  it('reads Package-List formulas: "," joins terms of one group, "+" separates groups', () => {
    expect(parsePackageListFormula('!stage1,!nocheck+!stage2')).toEqual([
      [{ negated: true, profile: 'stage1' }, { negated: true, profile: 'nocheck' }], [{ negated: true, profile: 'stage2' }],
    ]);
  });
});

describe('choosing profiles', () => {
  it('chooses nopython when it removes a language runtime library, and lists what it dropped', () => {
    const s = solved(index([
      src('app', { bd: 'liba-dev, libpython3-dev <!nopython>, dh-python <!nopython>' }), lib('liba'), lib('python3'),
      bin('libpython3-dev', { source: 'python3', ma: 'same' }), tool('dh-python'),
    ]));
    expect(s.nodes.map((n) => n.source)).toEqual(['app', 'liba']);
    expect(node(s, 'app')?.profiles).toEqual(['cross', 'nocheck', 'nodoc', 'noinsttest', 'nopython', 'noudeb']);
    expect(node(s, 'app')?.chosenProfiles[0]?.dropped).toEqual([
      { field: 'Build-Depends', text: 'libpython3-dev <!nopython>', role: 'target', to: 'python3', binary: 'libpython3-dev' },
      { field: 'Build-Depends', text: 'dh-python <!nopython>', role: 'native', binary: 'dh-python' },
    ]);
    expect(node(s, 'liba')?.chosenProfiles).toEqual([]);
  });

  it('chooses a binding profile that removes native tools only (no runtime to build the binding against)', () => {
    const s = solved(index([src('app', { bd: 'dh-python <!nopython>' }), tool('dh-python')]));
    expect(chosen(s, 'app')).toEqual(['nopython']);
    expect(s.natives).toEqual([]);
  });

  it('chooses stage1 only when it removes a library to rebuild, not for native tools', () => {
    const tools = solved(index([src('app', { bd: 'dh-python <!stage1>' }), tool('dh-python')]));
    expect(chosen(tools, 'app')).toEqual([]);
    const library = solved(index([src('app', { bd: 'liba-dev <!stage1>' }), lib('liba')]));
    expect(chosen(library, 'app')).toEqual(['stage1']);
    expect(library.nodes.map((n) => n.source)).toEqual(['app']);
  });

  it('chooses pkg.<source>.no* of the source itself only', () => {
    const s = solved(index([src('app', { bd: 'liba-dev <!pkg.app.noa>, libb-dev <!pkg.other.nob>' }), lib('liba'), lib('libb')]));
    expect(chosen(s, 'app')).toEqual(['pkg.app.noa']);
    expect(s.nodes.map((n) => n.source)).toEqual(['app', 'libb']);
  });

  it('chooses pkg.<source>.libonly when it removes a library to rebuild (unbound: its python binding and tools)', () => {
    const s = solved(index([
      src('app', { bd: 'libunbound-dev' }),
      src('unbound', { bd: 'libssl-dev <!pkg.unbound.libonly>, libpython3-dev <!pkg.unbound.libonly>', binaries: ['libunbound-dev'] }),
      bin('libunbound-dev', { source: 'unbound', ma: 'same' }),
      src('openssl', { binaries: ['libssl-dev'] }), bin('libssl-dev', { source: 'openssl', ma: 'same' }),
      src('python3', { binaries: ['libpython3-dev'] }), bin('libpython3-dev', { source: 'python3', ma: 'same' }),
    ]));
    expect(chosen(s, 'unbound')).toEqual(['pkg.unbound.libonly']);
    expect(s.nodes.map((n) => n.source)).toEqual(['app', 'unbound']);
  });

  it('does not choose a profile that brings in a library of its own (<stage1> positive term)', () => {
    const s = solved(index([src('app', { bd: 'liba-dev <!stage1>, libb-dev <stage1>' }), lib('liba'), lib('libb')]));
    expect(chosen(s, 'app')).toEqual([]);
    expect(s.nodes.map((n) => n.source)).toEqual(['app', 'liba']);
  });

  it('leaves alone a profile the arch or the recipe already sets', () => {
    const s = solved(index([src('app', { bd: 'liba-dev <!stage1>' }), lib('liba')]), { app: 'Build-Profiles: stage1\n' });
    expect(chosen(s, 'app')).toEqual([]);
    expect(node(s, 'app')?.profiles).toContain('stage1');
  });

  it('does not choose a profile that stops building a binary a dependant needs, and solves again without it', () => {
    const s = solved(index([
      src('app', { bd: 'liba-dev, libb-dev' }),
      src('liba', { bd: 'libpy-dev <!nopython>', binaries: ['liba-dev', 'liba-py-dev'], binaryProfiles: 'liba-py-dev !nopython' }),
      bin('liba-dev', { source: 'liba', ma: 'same' }),
      // libb's -dev needs liba-py-dev (a binding nopython would not build).
      lib('libb', { depends: 'liba-py-dev' }), bin('liba-py-dev', { source: 'liba', ma: 'same' }), lib('libpy'),
    ]));
    expect(chosen(s, 'liba')).toEqual([]);
    expect(node(s, 'liba')?.neededBinaries).toEqual(['liba-dev', 'liba-py-dev']);
    expect(s.nodes.map((n) => n.source)).toContain('libpy');
  });

  it('drops a -dev Depends that its source build-depends on only under a chosen profile', () => {
    const s = solved(index([
      src('app', { bd: 'liba-dev' }),
      src('liba', { bd: 'libpython3-dev <!nopython>', binaries: ['liba-dev'] }),
      bin('liba-dev', { source: 'liba', ma: 'same', depends: 'libpython3-dev' }), lib('python3'),
      bin('libpython3-dev', { source: 'python3', ma: 'same' }),
    ]));
    expect(s.nodes.map((n) => n.source)).toEqual(['app', 'liba']);
    const edge = s.dropped.find((e) => e.origin.binary === 'liba-dev');
    expect(edge?.drops?.[0]).toMatchObject({ kind: 'profile', chosenProfiles: ['nopython'] });
    expect(edge?.drops?.[0]?.detail).toContain('liba build-depends on libpython3-dev only through libpython3-dev <!nopython>');
  });

  it('drops a -dev Depends that its source build-depends on only for arches other than the partial arch', () => {
    const s = solved(index([
      src('app', { bd: 'libgst-dev' }),
      src('gst', { bd: 'libunwind-dev [i386 amd64], libz-dev', binaries: ['libgst-dev'] }),
      bin('libgst-dev', { source: 'gst', ma: 'same', depends: 'libunwind-dev, libz-dev' }),
      src('libunwind', { arch: 'amd64 i386', binaries: ['libunwind-dev'] }), bin('libunwind-dev', { source: 'libunwind', ma: 'same' }),
      src('z', { binaries: ['libz-dev'] }), bin('libz-dev', { source: 'z', ma: 'same' }),
    ]));
    expect(s.nodes.map((n) => n.source).sort()).toEqual(['app', 'gst', 'z']);
    const edge = s.dropped.find((e) => e.origin.binary === 'libgst-dev');
    expect(edge?.roleReason).toBe('arch');
    expect(edge?.drops?.[0]?.detail).toContain('gst build-depends on libunwind-dev only as libunwind-dev [i386 amd64]');
  });

  it('keeps a -dev Depends that its source build-depends on for the partial arch too', () => {
    const s = solved(index([
      src('app', { bd: 'libgst-dev' }),
      src('gst', { bd: 'libunwind-dev [i386], libunwind-dev [musl-linux-amd64]', binaries: ['libgst-dev'] }),
      bin('libgst-dev', { source: 'gst', ma: 'same', depends: 'libunwind-dev' }),
      src('libunwind', { binaries: ['libunwind-dev'] }), bin('libunwind-dev', { source: 'libunwind', ma: 'same' }),
    ]));
    expect(s.nodes.map((n) => n.source).sort()).toEqual(['app', 'gst', 'libunwind']);
  });

  it('chooses nothing with profileChoice off', () => {
    const r = solve({ archive: index([src('app', { bd: 'liba-dev <!stage1>' }), lib('liba')]), ...musl, recipes: recipes({}), target: 'app', profileChoice: 'off' });
    expect(r.ok && r.value.nodes.map((n) => [n.source, n.chosenProfiles.length])).toEqual([['app', 0], ['liba', 0]]);
  });
});
