// The executor's pure mappings on the shipped files: arch files → the drivers' toolchain, recipes →
// the drivers' build options, and the cache keys a run uses (the plan's, plus explicit choices).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArchFile, type PartialArch } from '../../src/arch/arch-file.js';
import { archToolchain, imagePlaceholdersUsed, recipeBuildOptions, recipeStepName } from '../../src/executor/builders/toolchain-mapping.js';
import { nodeKeys, ORIG_ONLY_KEY_LINE } from '../../src/executor/scheduler/node-keys.js';
import { loadRecipes } from '../../src/recipe/recipe-loader.js';
import { defaultRecipe, recipeForArch, type Recipe } from '../../src/recipe/recipe.js';
import { planCacheKeys, sameImageForEvery } from '../../src/plan/cache-key.js';
import { qemuPlan } from './executor-plans.js';

/** The builder the keys name (build code digest); the same for every key compared here. */
const BUILDER = { code: '9'.repeat(64) };

const ROOT = join(import.meta.dirname, '../..');
const FACTS = { buildTriplet: 'x86_64-linux-gnu', buildMultiarch: 'x86_64-linux-gnu' };

function arch(name: 'musl-linux-amd64' | 'rumprun-amd64'): PartialArch {
  const parsed = parseArchFile(readFileSync(join(ROOT, 'arch', name), 'utf8'), `arch/${name}`, name);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

async function recipe(name: string): Promise<Recipe> {
  const set = await loadRecipes([join(ROOT, 'recipes')]);
  if (!set.ok) throw new Error(JSON.stringify(set.error));
  const r = set.value.byName.get(name);
  if (r === undefined) throw new Error(`no recipe ${name}`);
  return r;
}

describe('archToolchain', () => {
  it('maps musl-linux-amd64: tools as written, flags as arguments, kernel headers of the build machine', () => {
    const mapped = archToolchain(arch('musl-linux-amd64'), FACTS);
    if (!mapped.ok) throw new Error(JSON.stringify(mapped.error));
    const t = mapped.value;
    expect(t).toMatchObject({ name: 'musl-linux-amd64', triplet: 'x86_64-linux-musl', buildTriplet: 'x86_64-linux-gnu', configSubGuessDir: '/usr/share/misc' });
    expect(t.tools).toMatchObject({ CC: 'musl-gcc', CPP: 'musl-gcc -E', AR: 'ar', PKG_CONFIG: 'pkg-config' });
    expect(t.tools.CXX).toBeUndefined();
    expect(t.cflags).toEqual(['-O2', '-g']);
    expect(t.ldflags).toEqual(['-static']);
    expect(t.kernelHeaders).toEqual(['/usr/include/linux', '/usr/include/x86_64-linux-gnu/asm', '/usr/include/asm-generic']);
    expect(t.elf).toEqual({ machine: 62, class: 64 });
  });

  it("fills the rumprun tree and gcc's include dir in, leaving the drivers' placeholders alone", () => {
    const a = arch('rumprun-amd64');
    expect([...imagePlaceholdersUsed(a)].sort()).toEqual(['HOST_GCC_INCLUDE', 'TOOLCHAIN_ROOT']);
    const mapped = archToolchain(a, { ...FACTS, toolchainRoot: '/opt/rumprun', hostGccInclude: '/usr/lib/gcc/x86_64-linux-gnu/12/include' });
    if (!mapped.ok) throw new Error(JSON.stringify(mapped.error));
    expect(mapped.value.tools.CC).toBe('/opt/rumprun/bin/x86_64-rumprun-netbsd-gcc');
    expect(mapped.value.cppflags).toEqual(['-idirafter', '/usr/lib/gcc/x86_64-linux-gnu/12/include']);
  });

  it.each([
    ['toolchainRoot', { hostGccInclude: '/x' }, 'TOOLCHAIN_ROOT'],
    ['hostGccInclude', { toolchainRoot: '/opt/rumprun' }, 'HOST_GCC_INCLUDE'],
  ])('refuses rumprun without %s, naming the placeholder and the arch file', (_what, given, name) => {
    const mapped = archToolchain(arch('rumprun-amd64'), { ...FACTS, ...given });
    expect(mapped.ok).toBe(false);
    if (mapped.ok) return;
    expect(mapped.error).toMatchObject({ reason: 'unresolved-placeholder', name, location: { file: 'arch/rumprun-amd64' } });
  });

  it('refuses an arch without a tool the drivers need', () => {
    const a = arch('musl-linux-amd64');
    const { LD: _ld, ...tools } = a.tools;
    const mapped = archToolchain({ ...a, tools }, FACTS);
    expect(mapped.ok ? undefined : mapped.error).toMatchObject({ reason: 'missing-tool', tool: 'LD' });
  });
});

describe('recipeBuildOptions', () => {
  it('turns steps into named steps, cache variables into a record, and keeps artefacts and the origin', async () => {
    const xen = recipeBuildOptions(recipeForArch(await recipe('xen'), 'musl-linux-amd64'));
    expect(xen.system).toBe('steps');
    expect(xen.steps?.[0]).toEqual({ name: '1: ./autogen.sh', run: './autogen.sh' });
    expect(xen.steps?.map((s) => s.name.split(':')[0])).toEqual(xen.steps?.map((_, i) => String(i + 1)));
    expect(xen.cacheVariables).toMatchObject({ ac_cv_header_uuid_h: 'yes', ac_cv_path_IASL: '/bin/false' });
    expect(xen.configureArgs).toContain('--host=${TRIPLET}');
    expect(xen.artefacts).toContain('lib/libxenctrl.a');
    expect(xen.origin?.file).toMatch(/recipes\/xen\/recipe$/);
  });

  it('has no cache variables for an arch whose paragraph does not give them', async () => {
    expect(recipeBuildOptions(recipeForArch(await recipe('xen'), 'rumprun-amd64')).cacheVariables).toBeUndefined();
  });

  it.each([
    ['glib2.0', 'meson', 'mesonOptions', '-Dselinux=disabled'],
    ['pixman', 'meson', 'mesonOptions', '-Dtests=disabled'],
  ] as const)('maps %s to %s with its options', async (name, system, field, option) => {
    const options = recipeBuildOptions(recipeForArch(await recipe(name), 'musl-linux-amd64'));
    expect(options.system).toBe(system);
    expect(options[field]).toContain(option);
  });

  it("keeps Debian's packaging for a recipe of roles only (libffi): no build system named", async () => {
    expect(recipeBuildOptions(recipeForArch(await recipe('libffi'), 'musl-linux-amd64')).system).toBe('detect');
  });

  it('gives a source without a recipe the detected build system and nothing else', () => {
    expect(recipeBuildOptions(defaultRecipe('libslirp'))).toEqual({ system: 'detect' });
  });

  it.each([
    [0, 'make', '1: make'],
    [2, 'for lib in toolcore toollog evtchn gnttab call foreignmemory devicemodel ctrl store; do make; done', '3: for lib in toolcore toollog evtchn gnttab call foreignmemor…'],
    [1, 'a\nb', '2: a'],
  ])('names step %d "%s" by its first line, shortened', (i, run, name) => {
    expect(recipeStepName(i, run)).toBe(name);
  });
});

describe('nodeKeys', () => {
  const digest = sameImageForEvery(qemuPlan(), `sha256:${'c'.repeat(64)}`);

  it("are the plan's own keys when no choice is made", () => {
    expect(nodeKeys(qemuPlan(), digest, BUILDER)).toEqual(planCacheKeys(qemuPlan(), digest, BUILDER));
  });

  it('change for a source built from its orig tarball alone, and for its dependants only', () => {
    const plain = nodeKeys(qemuPlan(), digest, BUILDER);
    const chosen = nodeKeys(qemuPlan(), digest, BUILDER, { origOnly: new Set(['pixman']) });
    const changed = [...plain.keys()].filter((s) => plain.get(s) !== chosen.get(s));
    expect(changed).toEqual(['pixman', 'qemu']);
    expect(ORIG_ONLY_KEY_LINE).toMatch(/^[a-z -]+$/);
  });

  it('change with the build image', () => {
    const other = nodeKeys(qemuPlan(), sameImageForEvery(qemuPlan(), `sha256:${'d'.repeat(64)}`), BUILDER);
    for (const [source, key] of nodeKeys(qemuPlan(), digest, BUILDER)) expect(other.get(source)).not.toBe(key);
  });
});
