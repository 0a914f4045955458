// The QEMU stub domain closure, solved on real bookworm index excerpts with the shipped arch files
// and recipes: roles, reasons, versions across suites, Provides, qualifiers, link closures, why.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RecipeSet } from '../../src/recipe/recipe.js';
import { solve } from '../../src/solver/solve.js';
import type { DropKind, Solution, SolveEdge } from '../../src/solver/types.js';
import { explainWhy } from '../../src/solver/why.js';
import { fixtureIndex, shippedArch, shippedRecipes, type ArchName } from './solver-fixtures.js';

let recipes: RecipeSet;
beforeAll(async () => {
  recipes = await shippedRecipes();
});

function solved(arch: ArchName, suites: Parameters<typeof fixtureIndex>[0] = ['bookworm'], pins?: Map<string, string>): Solution {
  const r = solve({ archive: fixtureIndex(suites), ...shippedArch(arch), recipes, target: 'qemu-stubdom', ...(pins === undefined ? {} : { pins }) });
  if (!r.ok) throw new Error(JSON.stringify(r.error.problems, null, 1));
  return r.value;
}

/** The edge of `from` whose relation (as written) is `text`. */
function edge(s: Solution, from: string, text: string, field?: string): SolveEdge {
  const found = s.edges.find((e) => e.from === from && e.origin.text === text && (field === undefined || e.origin.field === field));
  if (found === undefined) throw new Error(`no edge ${from}: ${text}`);
  return found;
}

describe('qemu-stubdom for musl-linux-amd64 on bookworm', () => {
  it('rebuilds exactly qemu, glib2.0, pixman, zlib, xen, libffi and pcre2', () => {
    const s = solved('musl-linux-amd64');
    expect(s.nodes.map((n) => n.source).sort()).toEqual(['glib2.0', 'libffi', 'pcre2', 'pixman', 'qemu', 'xen', 'zlib']);
    expect(s.root).toBe('qemu');
    expect(s.nodes.find((n) => n.source === 'qemu')?.depends).toEqual(['glib2.0', 'pixman', 'xen', 'zlib']);
    expect(s.nodes.find((n) => n.source === 'glib2.0')?.depends).toEqual(['libffi', 'pcre2', 'zlib']);
    expect(s.warnings).toEqual([]);
  });

  it.each([
    ['pixman', '0.42.2-1'], ['zlib', '1:1.2.13.dfsg-1'], ['glib2.0', '2.74.6-2+deb12u9'], ['libffi', '3.4.4-1'],
    ['pcre2', '10.42-1'], ['xen', '4.17.5+72-g01140da4e8-1'], ['qemu', '1:7.2+dfsg-7+deb12u18'],
  ])('takes %s at the version in the index (%s)', (source, version) => {
    expect(solved('musl-linux-amd64').nodes.find((n) => n.source === source)?.version).toBe(version);
  });

  it('pulls libffi and pcre2 in through glib2.0, with the chain from the target', () => {
    const s = solved('musl-linux-amd64');
    const libffi = s.nodes.find((n) => n.source === 'libffi');
    expect(libffi?.why.map((e) => `${e.from} ${e.origin.field}: ${e.origin.text} → ${e.to ?? ''}`)).toEqual([
      'qemu Add-Build-Depends: libglib2.0-dev (>= 2.56) → glib2.0',
      'glib2.0 Depends: libffi-dev (>= 3.3) → libffi',
    ]);
    expect(libffi?.why[1]?.origin.binary).toBe('libglib2.0-dev');
    expect(explainWhy(s, 'pcre2')[0]?.kind).toBe('target');
  });

  it.each<[string, string, string, DropKind]>([
    ['qemu', 'libfdt-dev (>> 1.5.0-2~)', 'Build-Depends', 'recipe'],
    ['qemu', 'libgtk-3-dev', 'Build-Depends', 'recipe-unlisted'],
    ['qemu', 'libxen-dev [linux-amd64]', 'Build-Depends', 'arch'],
    ['qemu', 'device-tree-compiler', 'Build-Depends-Indep', 'indep'],
    ['glib2.0', 'dbus-daemon <!nocheck> <!noinsttest>', 'Build-Depends', 'profile'],
    ['glib2.0', 'linux-libc-dev [linux-any]', 'Build-Depends', 'toolchain'],
    ['glib2.0', 'libselinux1-dev [linux-any]', 'Build-Depends', 'recipe'],
    ['glib2.0', 'libglib2.0-0 (= 2.74.6-2+deb12u9)', 'Depends', 'same-source'],
    ['zlib', 'libc6-dev | libc-dev', 'Depends', 'toolchain'],
  ])('drops %s %s (%s) for reason %s', (from, text, field, kind) => {
    const e = edge(solved('musl-linux-amd64'), from, text, field);
    expect(e.role).toBe('dropped');
    expect(e.drops?.[0]?.kind).toBe(kind);
  });

  it('names the recipe line of a recipe drop', () => {
    const e = edge(solved('musl-linux-amd64'), 'qemu', 'libfdt-dev (>> 1.5.0-2~)');
    expect(e.drops?.[0]?.location?.file).toMatch(/recipes\/qemu-stubdom\/recipe$/);
    expect(e.drops?.[0]?.location?.line).toBeGreaterThan(1);
  });

  it('turns libxen-dev into a target through the recipe although Debian restricts it to [linux-amd64]', () => {
    const e = edge(solved('musl-linux-amd64'), 'qemu', 'libxen-dev', 'Add-Build-Depends');
    expect(e).toMatchObject({ role: 'target', to: 'xen', roleReason: 'recipe lists libxen-dev as target' });
  });

  it.each([
    ['meson', 'qemu', 'meson (>> 0.61.5~)', 'recipe lists meson as native'],
    ['meson', 'glib2.0', 'meson (>= 0.60.0)', 'Multi-Arch: foreign: a tool that runs on the build machine'],
    ['python3', 'glib2.0', 'python3:any', ":any qualifier: the build machine's package satisfies it"],
    ['pkg-config', 'pixman', 'pkg-config', 'not a -dev package: runs on the build machine'],
    ['dpkg-dev', 'zlib', 'dpkg-dev (>= 1.16.1)', 'Multi-Arch: foreign: a tool that runs on the build machine'],
    ['libglib2.0-dev-bin', 'glib2.0', 'libglib2.0-dev-bin (= 2.74.6-2+deb12u9)', 'Multi-Arch: foreign: a tool that runs on the build machine'],
  ])('installs %s natively for %s (%s)', (binary, from, text, reason) => {
    const e = edge(solved('musl-linux-amd64'), from, text);
    expect(e.role).toBe('native');
    expect(e.roleReason).toBe(reason);
    expect(e.choice?.binary).toBe(binary);
  });

  it('satisfies debhelper-compat (= 13) through debhelper\'s versioned Provides', () => {
    const e = edge(solved('musl-linux-amd64'), 'pixman', 'debhelper-compat (= 13)');
    expect(e.choice).toMatchObject({ binary: 'debhelper', version: '13.11.4', provides: 'debhelper-compat' });
  });

  it('satisfies dh-sequence-python3 through an unversioned Provides', () => {
    expect(edge(solved('musl-linux-amd64'), 'glib2.0', 'dh-sequence-python3').choice?.binary).toBe('dh-python');
  });

  it('names the C library source of the toolchain', () => {
    expect(solved('musl-linux-amd64').cLibrary).toEqual({ source: 'musl', version: '1.2.3-1', suite: 'bookworm' });
  });
});

describe('qemu-stubdom for rumprun-amd64', () => {
  it('differs from musl only where the arch files differ', () => {
    const musl = solved('musl-linux-amd64');
    const rump = solved('rumprun-amd64');
    const nodes = (s: Solution): string[] => s.nodes.map((n) => `${n.source} ${n.version} ${n.depends.join(',')}`);
    expect(nodes(rump)).toEqual(nodes(musl));
    expect(rump.natives.map((t) => t.binary)).toEqual(musl.natives.map((t) => t.binary));
    expect(rump.cLibrary).toBeUndefined();
    const changed = rump.edges.filter((e, i) => JSON.stringify(e.drops) !== JSON.stringify(musl.edges[i]?.drops));
    // Every difference is an arch restriction ([linux-any] ...) or the toolchain's wording.
    for (const e of changed) expect(e.drops?.every((d) => d.kind === 'arch' || d.kind === 'toolchain')).toBe(true);
    expect(edge(rump, 'glib2.0', 'libmount-dev (>= 2.35.2-7~) [linux-any]').drops?.[0]?.kind).toBe('arch');
    expect(edge(musl, 'glib2.0', 'libmount-dev (>= 2.35.2-7~) [linux-any]').drops?.[0]?.kind).toBe('recipe');
  });
});

describe('versions across bookworm, bookworm-updates and bookworm-security', () => {
  const three = ['bookworm', 'bookworm-updates', 'bookworm-security'] as const;

  it('takes the newest version that satisfies, from whichever suite has it, and shows the choice', () => {
    const s = solved('musl-linux-amd64', [...three]);
    const version = (src: string): string | undefined => s.nodes.find((n) => n.source === src)?.version;
    expect(version('pcre2')).toBe('10.42-1+deb12u2');
    expect(version('xen')).toBe('4.17.7+13-g2445b30a44-0+deb12u1');
    expect(s.nodes.find((n) => n.source === 'xen')?.suite).toBe('bookworm-security');
    // bookworm's point release is ahead of the security suite for glib2.0 and qemu.
    expect(version('glib2.0')).toBe('2.74.6-2+deb12u9');
    expect(version('qemu')).toBe('1:7.2+dfsg-7+deb12u18');
    const glib = edge(s, 'qemu', 'libglib2.0-dev (>= 2.56)');
    expect(glib.choice?.others).toEqual([{ version: '2.74.6-2+deb12u2', suite: 'bookworm-security' }]);
  });

  it('keeps to a pinned source version and records the pin in the choice', () => {
    const pins = new Map([['xen', '4.17.5+72-g01140da4e8-1'], ['pcre2', '10.42-1']]);
    const s = solved('musl-linux-amd64', [...three], pins);
    expect(s.nodes.find((n) => n.source === 'xen')).toMatchObject({ version: '4.17.5+72-g01140da4e8-1', suite: 'bookworm' });
    expect(edge(s, 'qemu', 'libxen-dev').choice?.pin).toBe('4.17.5+72-g01140da4e8-1');
    expect(s.nodes.find((n) => n.source === 'pcre2')?.version).toBe('10.42-1');
  });
});
