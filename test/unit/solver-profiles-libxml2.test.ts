// libxml2 for musl-linux-amd64 on real bookworm paragraphs (test/fixtures/solver-profiles): the
// solver chooses nopython, which its Build-Depends-Arch and Package-List declare, and the closure
// is libxml2, icu, xz-utils and zlib — no python, no systemd.
import { describe, expect, it } from 'vitest';
import type { ArchiveIndex } from '../../src/model/archive.js';
import { buildPlan } from '../../src/plan/plan.js';
import { renderPlanText } from '../../src/plan/render.js';
import { explainWhy } from '../../src/solver/why.js';
import { solve } from '../../src/solver/solve.js';
import { bookwormExcerpt, shippedArch, shippedRecipes } from './solver-fixtures.js';

const fixture = (): ArchiveIndex => bookwormExcerpt('solver-profiles');

const musl = shippedArch('musl-linux-amd64');

describe('libxml2 with build profiles chosen per source', () => {
  it('keeps the python3-libxml2 profile formula of Package-List in the source record', () => {
    const libxml2 = fixture().sources.find((s) => s.package === 'libxml2');
    expect(libxml2?.binaryProfiles).toBe('python3-libxml2 !nopython');
  });

  it('is a small closure: nopython chosen for libxml2, no python, no systemd', async () => {
    const r = solve({ archive: fixture(), ...musl, recipes: await shippedRecipes(), target: 'libxml2' });
    if (!r.ok) throw new Error(JSON.stringify(r.error.problems));
    expect(r.value.nodes.map((n) => n.source).sort()).toEqual(['icu', 'libxml2', 'xz-utils', 'zlib']);
    const libxml2 = r.value.nodes.find((n) => n.source === 'libxml2');
    expect(libxml2?.chosenProfiles.map((c) => c.profile)).toEqual(['nopython']);
    expect(libxml2?.profiles).toEqual([...musl.arch.buildProfiles, 'nopython'].sort());
    expect(libxml2?.chosenProfiles[0]?.dropped).toContainEqual(
      { field: 'Build-Depends-Arch', text: 'libpython3-all-dev <!nopython>', role: 'target', to: 'python3-defaults', binary: 'libpython3-all-dev' },
    );
    expect(r.value.natives.map((t) => t.binary)).not.toContain('python3-all-dev');
    expect(explainWhy(r.value, 'libpython3-all-dev')[0]).toMatchObject({ kind: 'dropped' });
  });

  it('names the chosen profile and what it dropped in the plan', async () => {
    const r = solve({ archive: fixture(), ...musl, recipes: await shippedRecipes(), target: 'libxml2' });
    if (!r.ok) throw new Error('expected a solution');
    const plan = buildPlan(r.value, musl.arch);
    if (!plan.ok) throw new Error('expected a plan');
    expect(plan.value.nodes.find((n) => n.source === 'libxml2')?.profiles).toContain('nopython');
    const text = renderPlanText(plan.value);
    expect(text).toContain('  libxml2: cross nocheck nodoc noinsttest nopython noudeb\n');
    expect(text).toContain('Build-Depends-Arch: libpython3-all-dev <!nopython> — would rebuild python3-defaults for libpython3-all-dev');
  });

  it('walks into python3-defaults with the choice off', async () => {
    const r = solve({ archive: fixture(), ...musl, recipes: await shippedRecipes(), target: 'libxml2', profileChoice: 'off' });
    const nodes = (r.ok ? r.value : r.error.partial).nodes.map((n) => n.source);
    expect(nodes).toContain('python3-defaults');
  });
});
