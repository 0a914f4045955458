// Failures as data, on real index excerpts: the util-linux ⇄ systemd bootstrap cycle (broken by
// the stage1 profile), the unsatisfiable chain cubature → fftw3 → mpi-default-dev, and the real
// qualifier pair `libfftw3-dev, libfftw3-dev:native` of cubature.
import { describe, expect, it } from 'vitest';
import { parseRecipe } from '../../src/recipe/recipe-file.js';
import type { RecipeSet } from '../../src/recipe/recipe.js';
import { sha256Hex } from '../../src/arch/arch-file.js';
import { describeProblem } from '../../src/solver/describe.js';
import { solve } from '../../src/solver/solve.js';
import type { SolveProblem } from '../../src/solver/types.js';
import { cycleRecipes, fixtureIndex, noRecipes, shippedArch } from './solver-fixtures.js';

function problemsOf(r: ReturnType<typeof solve>): readonly SolveProblem[] {
  if (r.ok) throw new Error('expected the solve to fail');
  return r.error.problems;
}

describe('the util-linux ⇄ systemd cycle (real Build-Depends, narrowed by test recipes)', () => {
  it('is broken by the solver choosing stage1 for util-linux', async () => {
    const r = solve({ archive: fixtureIndex(), ...shippedArch('musl-linux-amd64'), recipes: await cycleRecipes(), target: 'util-linux' });
    if (!r.ok) throw new Error(JSON.stringify(r.error.problems));
    const node = r.value.nodes.find((n) => n.source === 'util-linux');
    expect(node?.chosenProfiles.map((c) => c.profile)).toEqual(['stage1']);
    expect(node?.profiles).toContain('stage1');
    expect(node?.chosenProfiles[0]?.dropped).toContainEqual(expect.objectContaining({ text: 'libsystemd-dev [linux-any] <!stage1>', role: 'target', to: 'systemd' }));
    const dropped = r.value.dropped.find((e) => e.origin.text === 'libsystemd-dev [linux-any] <!stage1>');
    expect(dropped?.drops?.[0]).toMatchObject({ kind: 'profile', chosenProfiles: ['stage1'] });
  });

  // With the choice off, the loop is reported as it stands in the archive.
  it('is reported as the whole loop with the relation of each edge', async () => {
    const problems = problemsOf(solve({ archive: fixtureIndex(), ...shippedArch('musl-linux-amd64'), recipes: await cycleRecipes(), target: 'util-linux', profileChoice: 'off' }));
    expect(problems).toHaveLength(1);
    const cycle = problems[0];
    if (cycle?.reason !== 'cycle') throw new Error(`expected a cycle, got ${cycle?.reason ?? 'nothing'}`);
    expect(cycle.edges.map((e) => `${e.from} → ${e.to ?? ''}: ${e.origin.text}`)).toEqual([
      'systemd → util-linux: libblkid-dev (>= 2.24)',
      'util-linux → systemd: libsystemd-dev [linux-any] <!stage1>',
    ]);
  });

  it('names stage1 as the profile that breaks it, on util-linux', async () => {
    const problems = problemsOf(solve({ archive: fixtureIndex(), ...shippedArch('musl-linux-amd64'), recipes: await cycleRecipes(), target: 'util-linux', profileChoice: 'off' }));
    const cycle = problems[0];
    if (cycle?.reason !== 'cycle') throw new Error('expected a cycle');
    expect(cycle.breakers.map((b) => [b.edge.from, b.profiles, b.alternatives])).toEqual([['util-linux', ['stage1'], []]]);
    expect(describeProblem(cycle).join('\n')).toContain('could be broken by building util-linux with profile stage1');
  });

  it('goes away when the util-linux recipe builds with the stage1 profile', async () => {
    const base = await cycleRecipes();
    const text = 'Format-Version: 1.0\nSource: util-linux\nDrop-Unlisted: yes\nDrop-Unlisted-Reason: cycle test\n' +
      'Target: libsystemd-dev, libudev-dev\nBuild-Profiles: stage1\n';
    const stage1 = parseRecipe({ text, file: 'util-linux', name: 'util-linux', contentSha256: sha256Hex(text) });
    if (!stage1.ok) throw new Error(JSON.stringify(stage1.error));
    const recipes: RecipeSet = { byName: new Map([...base.byName, ['util-linux', stage1.value]]) };
    const r = solve({ archive: fixtureIndex(), ...shippedArch('musl-linux-amd64'), recipes, target: 'util-linux' });
    if (!r.ok) throw new Error(JSON.stringify(r.error.problems));
    expect(r.value.nodes.map((n) => n.source)).toEqual(['util-linux']);
    const dropped = r.value.dropped.find((e) => e.origin.text === 'libsystemd-dev [linux-any] <!stage1>');
    expect(dropped?.drops?.[0]?.kind).toBe('profile');
  });

  it('does not arise on rumprun-amd64, where [linux-any] excludes the systemd relations', async () => {
    const r = solve({ archive: fixtureIndex(), ...shippedArch('rumprun-amd64'), recipes: await cycleRecipes(), target: 'util-linux' });
    if (!r.ok) throw new Error(JSON.stringify(r.error.problems));
    expect(r.value.nodes.map((n) => n.source)).toEqual(['util-linux']);
    const e = r.value.dropped.find((d) => d.origin.text === 'libudev-dev [linux-any] <!stage1>');
    expect(e?.drops?.[0]).toMatchObject({ kind: 'arch', detail: '[linux-any] excludes host architecture rumprun-amd64' });
  });
});

describe('cubature (defaults, no recipe)', () => {
  const run = (): ReturnType<typeof solve> => solve({ archive: fixtureIndex(), ...shippedArch('musl-linux-amd64'), recipes: noRecipes, target: 'cubature' });

  it('reports the unsatisfiable relation with the chain from the target and what the archive offers', () => {
    const problems = problemsOf(run());
    expect(problems).toHaveLength(1);
    const p = problems[0];
    if (p?.reason !== 'unsatisfiable') throw new Error('expected unsatisfiable');
    expect(p.origin).toMatchObject({ source: 'fftw3', field: 'Build-Depends', text: 'mpi-default-dev' });
    expect(p.chain.map((e) => `${e.from}: ${e.origin.text} → ${e.to ?? ''}`)).toEqual(['cubature: libfftw3-dev → fftw3']);
    expect(p.attempts).toEqual([expect.objectContaining({ relation: 'mpi-default-dev', outcome: 'not-for-arch' })]);
    expect(p.offers).toEqual([{ name: 'mpi-default-dev', version: '1.14', suite: 'bookworm' }]);
    expect(describeProblem(p)[0]).toBe('unsatisfiable: fftw3 Build-Depends: mpi-default-dev  (Sources(bookworm/main) fftw3 3.3.10-1 Build-Depends)');
  });

  it.each([
    ['libfftw3-dev', 'target', 'library -dev package (Multi-Arch: same): rebuilt for the partial arch'],
    ['libfftw3-dev:native', 'native', ":native qualifier: the build machine's package satisfies it"],
  ])('gives %s the role %s', (text, role, reason) => {
    const r = run();
    const solution = r.ok ? r.value : r.error.partial;
    expect(solution.edges.find((e) => e.from === 'cubature' && e.origin.text === text)).toMatchObject({ role, roleReason: reason });
  });

  it('keeps the rest of the closure in the partial solution for why', () => {
    const r = run();
    if (r.ok) throw new Error('expected failure');
    expect(r.error.partial.nodes.map((n) => n.source)).toEqual(['cubature', 'fftw3']);
    expect(r.error.partial.natives.map((t) => t.binary)).toContain('gfortran');
  });
});

it('reports an unknown target as such', () => {
  const problems = problemsOf(solve({ archive: fixtureIndex(), ...shippedArch('musl-linux-amd64'), recipes: noRecipes, target: 'no-such-source' }));
  expect(problems).toEqual([expect.objectContaining({ reason: 'unknown-target', target: 'no-such-source' })]);
});
