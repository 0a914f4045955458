// Each node's own build image (plan/node-image.ts) on the real qemu-stubdom plan (fixtures captured
// from the archive): the arch's toolchain plus that node's own native tools, and keys that name
// each node's own image digest, so a change of one node's tools changes only its key and its
// dependants' keys.
import { beforeAll, describe, expect, it } from 'vitest';
import { planCacheKeys, sameImageForEvery } from '../../src/plan/cache-key.js';
import { nodeImagePackages } from '../../src/plan/node-image.js';
import { buildPlan, type BuildPlan } from '../../src/plan/plan.js';
import { solve } from '../../src/solver/solve.js';
import { fixtureIndex, shippedArch, shippedRecipes } from './solver-fixtures.js';

/** The builder the keys name (build code digest); the same for every key compared here. */
const BUILDER = { code: '9'.repeat(64) };

const TOOLCHAIN = ['autotools-dev', 'musl-dev', 'musl-tools'];
let plan: BuildPlan;

beforeAll(async () => {
  const musl = shippedArch('musl-linux-amd64');
  const solved = solve({ archive: fixtureIndex(), ...musl, recipes: await shippedRecipes(), target: 'qemu-stubdom' });
  if (!solved.ok) throw new Error('solve failed');
  const p = buildPlan(solved.value, musl.arch);
  if (!p.ok) throw new Error('plan failed');
  plan = p.value;
});

/** Digest `sha256:<c repeated>` for every node, `other` for the sources named. */
function digests(changed: readonly string[] = []): Map<string, string> {
  return new Map(plan.nodes.map((n) => [n.source, `sha256:${(changed.includes(n.source) ? 'd' : 'c').repeat(64)}`]));
}

describe('nodeImagePackages', () => {
  it.each([
    ['zlib', [...TOOLCHAIN, 'debhelper', 'dpkg-dev']],
    ['libffi', [...TOOLCHAIN, 'debhelper', 'libltdl-dev', 'texinfo']],
    ['xen', ['autoconf', 'automake', ...TOOLCHAIN, 'pkg-config', 'python3-dev']],
    ['qemu', [...TOOLCHAIN, 'meson', 'ninja-build', 'pkg-config', 'python3']],
  ])('gives %s the toolchain and its own native tools, sorted', (source, packages) => {
    expect(nodeImagePackages(plan).get(source)).toEqual([...packages].sort());
  });

  it('lists every package once, sorted, for every node of the plan', () => {
    const images = nodeImagePackages(plan);
    expect([...images.keys()]).toEqual(plan.nodes.map((n) => n.source));
    for (const packages of images.values()) expect(packages).toEqual([...new Set(packages)].sort());
  });

  it('puts every native tool of the plan in the image of each source that asked for it', () => {
    const images = nodeImagePackages(plan);
    for (const tool of plan.natives) for (const edge of tool.neededBy) expect(images.get(edge.from)).toContain(tool.binary);
  });

  it('gives sources with the same tools the same list (one shared image)', () => {
    const images = nodeImagePackages(plan);
    expect(images.get('pcre2')).toEqual(images.get('zlib'));
    expect(new Set([...images.values()].map((p) => p.join(' '))).size).toBe(6);
  });

  it('changes only the image of the source whose build tools change', () => {
    // zlib 1.3 build-depends on autoconf, the bookworm zlib does not: the same tool, now also asked for by zlib.
    const natives = plan.natives.map((t) => (t.binary === 'autoconf' ? { ...t, neededBy: [...t.neededBy, ...t.neededBy.slice(0, 1).map((e) => ({ ...e, from: 'zlib' }))] } : t));
    const before = nodeImagePackages(plan);
    const after = nodeImagePackages({ ...plan, natives });
    const changed = plan.nodes.filter((n) => before.get(n.source)?.join(' ') !== after.get(n.source)?.join(' ')).map((n) => n.source);
    expect(changed).toEqual(['zlib']);
  });
});

describe('per-node image digests in the cache keys', () => {
  it('are the one-image keys when every node has the same digest', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    expect(planCacheKeys(plan, digests(), BUILDER)).toEqual(planCacheKeys(plan, sameImageForEvery(plan, digest), BUILDER));
  });

  it.each([
    ['zlib', ['zlib', 'glib2.0', 'qemu']],
    ['xen', ['xen', 'qemu']],
    ['qemu', ['qemu']],
  ])('a new image for %s changes the keys of %j only', (source, expected) => {
    const before = planCacheKeys(plan, digests(), BUILDER);
    const after = planCacheKeys(plan, digests([source]), BUILDER);
    expect(plan.nodes.filter((n) => before.get(n.source) !== after.get(n.source)).map((n) => n.source)).toEqual(expected);
  });

  it('gives no key to a node whose image digest is unknown, nor to its dependants', () => {
    const known = digests();
    known.delete('pixman');
    expect([...planCacheKeys(plan, known, BUILDER).keys()].sort()).toEqual(['glib2.0', 'libffi', 'pcre2', 'xen', 'zlib']);
  });
});
