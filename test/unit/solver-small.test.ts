// One solver rule per case, on small made-up indices (solver-builders.ts) with the real musl arch
// file and dpkg tables: alternatives, versions, Provides, qualifiers, roles, failures.
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/arch/arch-file.js';
import type { ArchiveIndex } from '../../src/model/archive.js';
import { parseRecipe } from '../../src/recipe/recipe-file.js';
import type { Recipe, RecipeSet } from '../../src/recipe/recipe.js';
import { solve } from '../../src/solver/solve.js';
import type { Solution, SolveEdge, SolveProblem } from '../../src/solver/types.js';
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

function run(idx: ArchiveIndex, recipeTexts: Record<string, string> = {}, pins?: Map<string, string>, profileChoice?: 'off'): ReturnType<typeof solve> {
  return solve({ archive: idx, ...musl, recipes: recipes(recipeTexts), target: 'app', ...(pins === undefined ? {} : { pins }), ...(profileChoice === undefined ? {} : { profileChoice }) });
}

function ok(r: ReturnType<typeof solve>): Solution {
  if (!r.ok) throw new Error(JSON.stringify(r.error.problems, null, 1));
  return r.value;
}

function problems(r: ReturnType<typeof solve>): readonly SolveProblem[] {
  if (r.ok) throw new Error('expected problems');
  return r.error.problems;
}

const edgeOf = (s: Solution, text: string): SolveEdge | undefined => s.edges.find((e) => e.origin.text === text);

describe('alternatives', () => {
  it('takes the first alternative that can be satisfied', () => {
    const s = ok(run(index([src('app', { bd: 'liba-dev | libb-dev' }), lib('liba'), lib('libb')])));
    expect(edgeOf(s, 'liba-dev | libb-dev')).toMatchObject({ role: 'target', to: 'liba' });
  });

  it('falls through to a later alternative when an earlier one has no satisfying version', () => {
    const s = ok(run(index([src('app', { bd: 'liba-dev (>= 2) | libb-dev' }), lib('liba'), lib('libb')])));
    expect(edgeOf(s, 'liba-dev (>= 2) | libb-dev')).toMatchObject({ role: 'target', to: 'libb' });
  });

  it('counts an alternative built by the same source as satisfied', () => {
    const libx = [src('libx', { binaries: ['libx-dev', 'libx1'] }), bin('libx-dev', { source: 'libx', ma: 'same', depends: 'libx1 (= 1.0-1) | libnothere1' }), bin('libx1', { source: 'libx', ma: 'same' })];
    const s = ok(run(index([src('app', { bd: 'libx-dev' }), libx])));
    expect(edgeOf(s, 'libx1 (= 1.0-1) | libnothere1')?.drops?.map((d) => d.kind)).toEqual(['same-source']);
  });

  it('treats an alternative the toolchain provides as satisfied, without looking it up', () => {
    const s = ok(run(index([src('app', { bd: 'libc6-dev | libc-dev' })])));
    expect(edgeOf(s, 'libc6-dev | libc-dev')).toMatchObject({ role: 'dropped', drops: [expect.objectContaining({ kind: 'toolchain' })] });
  });

  it('drops the whole group when the recipe drops its first alternative and names no other', () => {
    const s = ok(run(index([src('app', { bd: 'liba-dev | libb-dev' }), lib('liba'), lib('libb')]), { app: 'Drop:\n liba-dev -- not wanted\n' }));
    const e = edgeOf(s, 'liba-dev | libb-dev');
    expect(e?.role).toBe('dropped');
    expect(e?.drops?.[1]?.detail).toMatch(/^not tried: the recipe drops liba-dev/);
  });

  it('takes a later alternative the recipe names after dropping the first', () => {
    const s = ok(run(index([src('app', { bd: 'liba-dev | libb-dev' }), lib('liba'), lib('libb')]), { app: 'Drop:\n liba-dev -- not wanted\nTarget: libb-dev\n' }));
    expect(edgeOf(s, 'liba-dev | libb-dev')).toMatchObject({ role: 'target', to: 'libb' });
  });
});

describe('versions', () => {
  const suites = ['stable', 'stable-updates', 'testing'];
  const versions = [
    ...lib('liba', { version: '1.0-1', suite: 'stable' }), ...lib('liba', { version: '2.0-1', suite: 'stable-updates' }), ...lib('liba', { version: '3.0-1', suite: 'testing' }),
  ];

  it('takes the newest version across suites that satisfies the relation and lists the others', () => {
    const s = ok(run(index([src('app', { bd: 'liba-dev (<< 3)' }), versions], suites)));
    expect(s.nodes.find((n) => n.source === 'liba')).toMatchObject({ version: '2.0-1', suite: 'stable-updates' });
    expect(edgeOf(s, 'liba-dev (<< 3)')?.choice?.others).toEqual([{ version: '3.0-1', suite: 'testing' }, { version: '1.0-1', suite: 'stable' }]);
  });

  it('prefers the first configured suite between equal versions', () => {
    const s = ok(run(index([src('app', { bd: 'liba-dev' }), lib('liba', { suite: 'testing' }), lib('liba', { suite: 'stable' })], suites)));
    expect(s.nodes.find((n) => n.source === 'liba')?.suite).toBe('stable');
  });

  it('reports a relation no version satisfies, with every version the archive has', () => {
    const p = problems(run(index([src('app', { bd: 'liba-dev (>= 5)' }), versions], suites)))[0];
    if (p?.reason !== 'unsatisfiable') throw new Error('expected unsatisfiable');
    expect(p.attempts).toEqual([{ relation: 'liba-dev (>= 5)', outcome: 'version-mismatch', detail: 'no version in the suites satisfies liba-dev (>= 5)' }]);
    expect(p.offers.map((o) => `${o.version} ${o.suite}`)).toEqual(['3.0-1 testing', '2.0-1 stable-updates', '1.0-1 stable']);
  });

  it('keeps one version per source and reports a relation the chosen one does not meet', () => {
    const b = [src('libb', { binaries: ['libb-dev'] }), bin('libb-dev', { source: 'libb', ma: 'same', depends: 'liba-dev (<< 2)' })];
    const p = problems(run(index([src('app', { bd: 'liba-dev (>= 2), libb-dev' }), versions, b], suites)));
    expect(p).toEqual([expect.objectContaining({ reason: 'version-conflict', source: 'liba', chosen: '3.0-1' })]);
  });

  it('excludes candidates of a pinned source and says so when nothing is left', () => {
    const p = problems(run(index([src('app', { bd: 'liba-dev' }), lib('liba')]), {}, new Map([['liba', '9.9-1']])))[0];
    expect(p?.reason === 'unsatisfiable' && p.attempts[0]?.outcome).toBe('pinned-out');
  });

  it('reaches a pinned source still listed in Sources through its binary of another version (a point release replaced them)', () => {
    // Sources lists liba 1.0-1 and 1.0-1+u1; the binaries are 1.0-1+u1's only.
    const idx = index([src('app', { bd: 'liba-dev' }), src('liba', { binaries: ['liba-dev'] }), lib('liba', { version: '1.0-1+u1' })]);
    const s = ok(run(idx, {}, new Map([['liba', '1.0-1']])));
    expect(s.nodes.find((n) => n.source === 'liba')?.version).toBe('1.0-1');
    // Not for a version whose Sources entry does not list the binary.
    const other = index([src('app', { bd: 'liba-dev' }), src('liba', { binaries: ['liba1'] }), lib('liba', { version: '1.0-1+u1' })]);
    expect(problems(run(other, {}, new Map([['liba', '1.0-1']])))[0]).toMatchObject({ reason: 'unsatisfiable' });
  });
});

describe('Provides', () => {
  it('satisfies a versioned relation through a versioned Provides', () => {
    const s = ok(run(index([src('app', { bd: 'libv-dev (>= 2)' }), lib('libreal', { provides: 'libv-dev (= 2.5)' })])));
    expect(edgeOf(s, 'libv-dev (>= 2)')?.choice).toMatchObject({ binary: 'libreal-dev', provides: 'libv-dev' });
  });

  it('never satisfies a versioned relation through an unversioned Provides (Policy 7.5)', () => {
    const p = problems(run(index([src('app', { bd: 'libu-dev (>= 1)' }), lib('libreal', { provides: 'libu-dev' })])))[0];
    if (p?.reason !== 'unsatisfiable') throw new Error('expected unsatisfiable');
    expect(p.offers).toEqual([{ name: 'libu-dev', version: '(unversioned)', suite: 'stable', providedBy: 'libreal-dev 1.0-1' }]);
  });

  it('prefers a real package over a provider', () => {
    const s = ok(run(index([src('app', { bd: 'libv-dev' }), lib('libv'), lib('libreal', { provides: 'libv-dev' })])));
    expect(edgeOf(s, 'libv-dev')?.choice?.binary).toBe('libv-dev');
  });
});

describe('roles by the archive metadata', () => {
  it.each([
    ['liba-dev:native', 'native'],
    ['liba-dev:any', 'native'],
    ['liba-dev', 'target'],
    ['toolx', 'native'],
    ['headers-dev', 'native'],
    ['runtime1', 'native'],
  ])('gives %s the role %s', (relation, role) => {
    const idx = index([
      src('app', { bd: relation }), lib('liba'), tool('toolx'),
      src('headers'), bin('headers-dev', { source: 'headers', arch: 'all' }),
      src('runtime'), bin('runtime1', { source: 'runtime', ma: 'same' }),
    ]);
    expect(edgeOf(ok(run(idx)), relation)?.role).toBe(role);
  });

  it('follows the Depends of a chosen -dev package and records the chain', () => {
    const idx = index([src('app', { bd: 'liba-dev' }), lib('liba', { depends: 'libb-dev, toolx' }), lib('libb'), tool('toolx')]);
    const s = ok(run(idx));
    expect(s.nodes.map((n) => n.source)).toEqual(['app', 'liba', 'libb']);
    expect(s.nodes[2]?.why.map((e) => `${e.from}:${e.origin.field}:${e.origin.text}`)).toEqual(['app:Build-Depends:liba-dev', 'liba:Depends:libb-dev']);
    expect(s.natives.map((t) => `${t.binary} ← ${t.neededBy.map((e) => e.from).join(',')}`)).toEqual(['toolx ← liba']);
  });
});

describe('sources', () => {
  it('refuses a target whose source does not build for the arch, unless a recipe says it does', () => {
    const idx = index([src('app', { bd: 'liba-dev' }), src('liba', { arch: 'amd64 arm64', binaries: ['liba-dev'] }), bin('liba-dev', { source: 'liba', ma: 'same' })]);
    const p = problems(run(idx))[0];
    expect(p?.reason === 'unsatisfiable' && p.attempts[0]?.outcome).toBe('not-for-arch');
    const s = ok(run(idx, { liba: 'Architecture: any-amd64\nArchitecture-Reason: builds anywhere on x86-64\n' }));
    expect(s.nodes.map((n) => n.source)).toContain('liba');
  });

  it('reports a binary whose source is not in the Sources indices', () => {
    const p = problems(run(index([src('app', { bd: 'liba-dev' }), bin('liba-dev', { source: 'gone', ma: 'same' })])))[0];
    expect(p?.reason === 'unsatisfiable' && p.attempts[0]).toMatchObject({ outcome: 'source-missing' });
  });

  it('reports an invalid relation field with the index record it came from', () => {
    const p = problems(run(index([src('app', { bd: 'liba-dev (>= )' })])))[0];
    expect(p).toMatchObject({ reason: 'invalid-relation', origin: { source: 'app', field: 'Build-Depends' } });
    expect(p?.reason === 'invalid-relation' && p.origin.location.file).toBe('Sources(stable/main) app 1.0-1 Build-Depends');
  });

  it('drops Build-Depends-Indep and keeps Build-Depends-Arch', () => {
    const s = ok(run(index([src('app', { bdArch: 'liba-dev', bdIndep: 'libb-dev' }), lib('liba'), lib('libb')])));
    expect(s.nodes.map((n) => n.source)).toEqual(['app', 'liba']);
    expect(edgeOf(s, 'libb-dev')?.drops?.[0]?.kind).toBe('indep');
  });
});

describe('cycles', () => {
  it('names another alternative of an edge as a way to break the loop', () => {
    const idx = index([src('app', { bd: 'liba-dev' }), lib('liba', { bd: 'libb-dev | libc-dev' }), lib('libb', { bd: 'liba-dev' }), lib('libc')]);
    const p = problems(run(idx)).find((x) => x.reason === 'cycle');
    if (p?.reason !== 'cycle') throw new Error('expected a cycle');
    expect(p.edges.map((e) => `${e.from}→${e.to ?? ''}`)).toEqual(['liba→libb', 'libb→liba']);
    expect(p.breakers).toEqual([expect.objectContaining({ profiles: [], alternatives: ['libc-dev'] })]);
  });

  it('names the profile when every relation of an edge carries one', () => {
    const idx = index([src('app', { bd: 'liba-dev' }), lib('liba', { bd: 'libb-dev <!stage1>' }), lib('libb', { bd: 'liba-dev' })]);
    const p = problems(run(idx, {}, undefined, 'off')).find((x) => x.reason === 'cycle');
    expect(p?.reason === 'cycle' && p.breakers.map((b) => [b.edge.from, b.profiles])).toEqual([['liba', ['stage1']]]);
  });
});

it('warns about recipe entries that no relation names', () => {
  const s = ok(run(index([src('app', { bd: 'liba-dev' }), lib('liba')]), { app: 'Target: liba-dev, libgone-dev\n' }));
  expect(s.warnings.filter((w) => w.reason === 'unused-recipe-entry')).toEqual([
    expect.objectContaining({ source: 'app', name: 'libgone-dev', list: 'Target', location: { file: 'recipes/app', line: 1 } }),
  ]);
});

it('warns when the C library source of the arch is not in the suites', () => {
  const s = ok(run(index([src('app')])));
  expect(s.cLibrary).toBeUndefined();
  expect(s.warnings).toEqual([{ reason: 'c-library-missing', source: 'musl', location: { file: 'arch/musl-linux-amd64', line: 3 } }]);
});
