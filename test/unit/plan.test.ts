// The plan of the QEMU stub domain (real fixtures): build order with critical-path priority,
// content cache keys that cover their inputs and those of their dependencies, the three renderings.
import { beforeAll, describe, expect, it } from 'vitest';
import { cacheKey, cacheKeyText, planCacheKeys, sameImageForEvery, type BuilderIdentity, type CacheKeyInputs } from '../../src/plan/cache-key.js';
import { buildPlan, type BuildPlan } from '../../src/plan/plan.js';
import { planToJson, renderPlanDot, renderPlanText } from '../../src/plan/render.js';
import type { CacheKey, Sha256Hex } from '../../src/model/brand.js';
import { solve } from '../../src/solver/solve.js';
import type { Solution } from '../../src/solver/types.js';
import { fixtureIndex, shippedArch, shippedRecipes } from './solver-fixtures.js';
import { changed } from './changed.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
let solution: Solution;
let plan: BuildPlan;

beforeAll(async () => {
  const musl = shippedArch('musl-linux-amd64');
  const r = solve({ archive: fixtureIndex(), ...musl, recipes: await shippedRecipes(), target: 'qemu-stubdom' });
  if (!r.ok) throw new Error('solve failed');
  solution = r.value;
  const p = buildPlan(solution, musl.arch);
  if (!p.ok) throw new Error('plan failed');
  plan = p.value;
});

describe('build order', () => {
  it('puts every source after what it needs, the application last', () => {
    const position = new Map(plan.nodes.map((n) => [n.source, n.order]));
    for (const n of plan.nodes) for (const d of n.depends) expect(position.get(d)).toBeLessThan(n.order);
    expect(plan.nodes.at(-1)?.source).toBe('qemu');
  });

  it('starts the ready sources with the longest remaining path first', () => {
    expect(plan.nodes.map((n) => `${n.source}:${n.priority}`)).toEqual([
      'pcre2:278', 'zlib:278', 'libffi:248', 'glib2.0:218', 'pixman:188', 'xen:177', 'qemu:170',
    ]);
  });

  it('names the critical path and its length from the recipes\' estimates', () => {
    expect(plan.criticalPath).toEqual({ sources: ['pcre2', 'glib2.0', 'qemu'], seconds: 278 });
    // pcre2 and zlib have no recipe any more (Debian's packaging builds them): the default estimate.
    expect(plan.nodes.filter((n) => n.durationFrom === 'default').map((n) => n.source).sort()).toEqual(['pcre2', 'zlib']);
  });

  it('lists the build image packages: toolchain, config.sub source, then the native tools', () => {
    expect(plan.imagePackages.slice(0, 3)).toEqual(['musl-tools', 'musl-dev', 'autotools-dev']);
    expect(plan.imagePackages).toEqual(expect.arrayContaining(['meson', 'ninja-build', 'pkg-config', 'libglib2.0-dev-bin']));
  });

  it('uses the default estimate for a source without one', () => {
    const stripped: Solution = { ...solution, nodes: solution.nodes.map((n) => ({ ...n, recipe: changed(n.recipe, { recipe: undefined }) })) };
    const p = buildPlan(stripped, shippedArch('musl-linux-amd64').arch, 60);
    expect(p.ok && p.value.nodes.map((n) => n.durationFrom)).toEqual(Array(7).fill('default'));
  });
});

const BUILDER: BuilderIdentity = { code: '9'.repeat(64) };

describe('cache keys', () => {
  const base: CacheKeyInputs = {
    source: 'zlib', version: '1:1.2.13.dfsg-1',
    files: [{ name: 'zlib_1.2.13.dfsg-1.dsc', size: 2345, sha256: 'a'.repeat(64) }],
    recipeSha256: 'b'.repeat(64) as Sha256Hex, archSha256: 'c'.repeat(64) as Sha256Hex,
    imageDigest: DIGEST, builder: BUILDER, dependencyKeys: [], profiles: ['nocheck', 'cross'],
  };

  it('is the SHA-256 of a canonical text naming every input', () => {
    expect(cacheKeyText(base)).toBe([
      'stubforge-cache-key 2', 'source zlib', 'version 1:1.2.13.dfsg-1', `file zlib_1.2.13.dfsg-1.dsc 2345 ${'a'.repeat(64)}`,
      `recipe ${'b'.repeat(64)}`, `arch ${'c'.repeat(64)}`, `image ${DIGEST}`, 'profiles cross nocheck', `builder ${'9'.repeat(64)}`, '',
    ].join('\n'));
    expect(cacheKey(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<[string, { [K in keyof CacheKeyInputs]?: CacheKeyInputs[K] | undefined }]>([
    ['the version', { version: '1:1.2.13.dfsg-2' }],
    ['a file checksum', { files: [{ name: 'zlib_1.2.13.dfsg-1.dsc', size: 2345, sha256: 'd'.repeat(64) }] }],
    ['the recipe', { recipeSha256: 'e'.repeat(64) as Sha256Hex }],
    ['having no recipe', { recipeSha256: undefined }],
    ['the arch file', { archSha256: 'f'.repeat(64) as Sha256Hex }],
    ['the build image', { imageDigest: `sha256:${'0'.repeat(64)}` }],
    ['the build code', { builder: { code: '8'.repeat(64) } }],
    ['a toolchain tree', { builder: { ...BUILDER, toolchainTree: '7'.repeat(64) } }],
    ['a dependency key', { dependencyKeys: [{ source: 'libffi', key: '1'.repeat(64) as CacheKey }] }],
    ['a build profile', { profiles: ['cross', 'nocheck', 'nopython'] }],
  ])('changes with %s', (_what, change) => {
    expect(cacheKey(changed(base, change))).not.toBe(cacheKey(base));
  });

  it('does not depend on the order files and dependencies are listed in', () => {
    const deps = [{ source: 'a', key: '1'.repeat(64) as CacheKey }, { source: 'b', key: '2'.repeat(64) as CacheKey }];
    expect(cacheKey({ ...base, dependencyKeys: deps })).toBe(cacheKey({ ...base, dependencyKeys: [...deps].reverse() }));
  });

  it('carries a change below a node up to every source that builds on it', () => {
    const before = planCacheKeys(plan, sameImageForEvery(plan, DIGEST), BUILDER);
    const nodes = plan.nodes.map((n) => (n.source === 'pcre2' ? { ...n, version: '10.42-1+deb12u2' } : n));
    const after = planCacheKeys({ ...plan, nodes }, sameImageForEvery(plan, DIGEST), BUILDER);
    const changed = plan.nodes.filter((n) => before.get(n.source) !== after.get(n.source)).map((n) => n.source);
    expect(changed).toEqual(['pcre2', 'glib2.0', 'qemu']);
  });

  it('gives every node a different key for another build image', () => {
    const a = planCacheKeys(plan, sameImageForEvery(plan, DIGEST), BUILDER);
    const b = planCacheKeys(plan, sameImageForEvery(plan, `sha256:${'cd'.repeat(32)}`), BUILDER);
    for (const n of plan.nodes) expect(a.get(n.source)).not.toBe(b.get(n.source));
  });
});

describe('renderings', () => {
  it('text: each source with version, suite, role, cache state and why; then tools and drops', () => {
    const text = renderPlanText(plan, { suites: ['bookworm'] });
    expect(text).toContain('plan for qemu-stubdom (source qemu) on musl-linux-amd64 (x86_64-linux-musl)');
    expect(text).toMatch(/^ {2}1 +pcre2 +10\.42-1 +bookworm +target +60 s\* +unknown +qemu → glib2\.0: libpcre2-dev$/m);
    expect(text).toMatch(/^ {2}7 +qemu +1:7\.2\+dfsg-7\+deb12u18 +bookworm +target \(app\) +170 s +unknown +the target \(application recipe\)$/m);
    expect(text).toContain('C library: musl 1.2.3-1 (bookworm) from the toolchain');
    expect(text).toMatch(/qemu: \d+ relations not listed by its recipe/);
  });

  it('text: shows cache keys when given some', () => {
    const keys = planCacheKeys(plan, sameImageForEvery(plan, DIGEST), BUILDER);
    expect(renderPlanText(plan, { keys, imageDigest: DIGEST })).toContain(`  zlib     ${keys.get('zlib') ?? ''}`);
  });

  it('text and json: how each source is built, with the evidence', () => {
    const buildPaths = new Map(plan.nodes.map((n) => [n.source, n.source === 'zlib'
      ? { kind: 'debian' as const, evidence: 'no recipe; debian/rules without dh (its own targets); install: install, line 164' }
      : { kind: 'driver' as const, evidence: 'a recipe' }]));
    const text = renderPlanText(plan, { buildPaths });
    expect(text).toContain("built by (Debian's packaging unless a recipe says otherwise):");
    expect(text).toMatch(/^ {2}zlib +debian +no recipe; debian\/rules without dh \(its own targets\); install: install, line 164$/m);
    const json = planToJson(plan, { buildPaths }) as { nodes: { source: string; buildPath?: { kind: string } }[] };
    expect(json.nodes.find((n) => n.source === 'zlib')?.buildPath?.kind).toBe('debian');
  });

  it('json: nodes with why, cache state and keys', () => {
    const json = planToJson(plan, { keys: planCacheKeys(plan, sameImageForEvery(plan, DIGEST), BUILDER), imageDigest: DIGEST }) as { nodes: { source: string; cached: string; cacheKey?: string; why: { text: string }[] }[] };
    const libffi = json.nodes.find((n) => n.source === 'libffi');
    expect(libffi?.cached).toBe('unknown');
    expect(libffi?.cacheKey).toMatch(/^[0-9a-f]{64}$/);
    expect(libffi?.why.map((e) => e.text)).toHaveLength(2);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  it('dot: one arrow per pair of sources, labelled with the relations', () => {
    const dot = renderPlanDot(plan);
    expect(dot).toContain('"glib2.0" -> "libffi" [label="libffi-dev (>= 3.3)"];');
    expect(dot.match(/"glib2\.0" -> "libffi"/g)).toHaveLength(1);
    expect(dot).toContain('"qemu" [label="qemu\\n1:7.2+dfsg-7+deb12u18", style=bold];');
  });
});
