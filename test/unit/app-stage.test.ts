// The pure parts of an application build: the container step (flags that give every program a
// link map and a build-id and keep build paths out, the copy-out of Install files), the file lists
// that name the closure's archives, the launch manifest read from recipe lines, and which linked
// archives are the compiler's runtime or the application's own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDebContents } from '../../src/bake/closure-owners.js';
import { buildSpecFor } from '../../src/drivers/registry.js';
import { parseRecipeManifest } from '../../src/executor/builders/app-launch.js';
import { COMPILER_RUNTIME, isOwnArchive } from '../../src/executor/builders/app-provenance.js';
import { appBuildScript, appDriverInput, APP_CFLAGS, APP_LDFLAGS } from '../../src/executor/builders/app-step.js';
import { recipeForArch } from '../../src/recipe/recipe.js';
import { archToolchain } from './drivers-arches.js';
import { planNode } from './executor-plans.js';
import { shippedRecipes } from './solver-fixtures.js';

const listing = readFileSync(join(import.meta.dirname, '../fixtures/deb/zlib1g-dev_1.2.13.dfsg-1.data-listing.txt'), 'utf8');
const LOCATION = { file: 'recipes/qemu-stubdom/recipe' };

async function qemuInput() {
  const recipe = (await shippedRecipes()).byName.get('qemu-stubdom');
  if (recipe === undefined) throw new Error('no qemu-stubdom recipe');
  const node = planNode('qemu', { version: '1:7.2+dfsg-7+deb12u18', kind: 'application' });
  return { recipe, input: appDriverInput(node, archToolchain('musl-linux-amd64'), recipeForArch(recipe, 'musl-linux-amd64'), 2, 1747958400) };
}

describe('the application step', () => {
  it('appends a link map per program, a build-id and the prefix maps to the recipe\'s flags', async () => {
    const { input } = await qemuInput();
    expect(APP_LDFLAGS).toEqual(['-Wl,--build-id', '-Wl,-Map=/out/link-maps/']);
    expect(APP_CFLAGS).toEqual(['-ffile-prefix-map=/build=.', '-ffile-prefix-map=/tmp/stubforge-build=.', '-ffile-prefix-map=/deps=']);
    expect(input.options.env?.['LDFLAGS']).toBe('-Wl,--build-id -Wl,-Map=/out/link-maps/');
    expect(input.destDir).toBe('/out/destdir');
    const spec = buildSpecFor(input, ['configure', 'meson.build']);
    if (!spec.ok) throw new Error(JSON.stringify(spec.error));
    const configure = spec.value.steps.find((s) => s.run.startsWith('./configure'));
    expect(configure?.env['LDFLAGS']).toBe('-L/deps/usr/x86_64-linux-musl/lib -static -Wl,--build-id -Wl,-Map=/out/link-maps/');
    expect(configure?.env['CFLAGS']).toBe('-O2 -g -ffile-prefix-map=/build=. -ffile-prefix-map=/tmp/stubforge-build=. -ffile-prefix-map=/deps=');
  });

  it('makes the output folders first and copies each Install file out of the build tree last', async () => {
    const { recipe, input } = await qemuInput();
    const spec = buildSpecFor(input, ['configure']);
    if (!spec.ok) throw new Error('spec');
    const script = appBuildScript(spec.value, recipe.application?.install ?? [], [], LOCATION);
    if (!script.ok) throw new Error(JSON.stringify(script.error));
    const text = script.value;
    expect(text).toContain('mkdir -p /out/link-maps /out/package /out/destdir');
    expect(text).toContain('mkdir -p /out/package/usr/lib/xen/bin && cp -pL /build/build/qemu-system-i386 /out/package/usr/lib/xen/bin/qemu-stubdom-i386');
    expect(text.indexOf('application-output-folders')).toBeLessThan(text.indexOf('./configure'));
    expect(text.indexOf('./configure')).toBeLessThan(text.indexOf('collect-install-files'));
  });

  it.each([
    ['an absolute source', '/build/x', 'usr/bin/x'],
    ['a path leaving the tree', '../x', 'usr/bin/x'],
    ['an absolute package path', 'x', '/usr/bin/x'],
  ])('refuses %s in Install', async (_what, from, to) => {
    const { input } = await qemuInput();
    const spec = buildSpecFor(input, ['configure']);
    if (!spec.ok) throw new Error('spec');
    expect(appBuildScript(spec.value, [{ from, to }], [], LOCATION)).toMatchObject({ ok: false, error: { reason: 'invalid-install', location: LOCATION } });
  });
});

describe('file lists of the closure packages (dpkg-deb --contents)', () => {
  it('reads every file and link of zlib1g-dev and no directory', () => {
    const { files, unreadable } = parseDebContents(listing);
    expect(unreadable).toEqual([]);
    expect(files).toHaveLength(30);
    expect(files).toContain('/usr/lib/x86_64-linux-gnu/libz.a');
    expect(files).toContain('/usr/lib/x86_64-linux-gnu/libz.so');
    expect(files.some((f) => f.endsWith('/'))).toBe(false);
  });

  it('returns a line it cannot read instead of dropping it', () => {
    expect(parseDebContents('garbage line\n').unreadable).toEqual(['garbage line']);
  });
});

describe('the launch manifest of a recipe', () => {
  it('parses each line and puts a problem at the recipe\'s line', () => {
    const ok = parseRecipeManifest([{ text: '/data/x.png: ${SOURCE}/x.png', location: { file: 'r', line: 30 } }]);
    expect(ok).toMatchObject({ ok: true, value: [{ kind: 'file', guest: '/data/x.png', host: '${SOURCE}/x.png', location: { file: 'r', line: 30 } }] });
    const bad = parseRecipeManifest([{ text: '/data/x.png ${SOURCE}/x.png', location: { file: 'r', line: 31 } }]);
    expect(bad).toMatchObject({ ok: false, error: [{ reason: 'missing-separator', location: { file: 'r', line: 31 } }] });
  });
});

describe('linked archives that are named nowhere', () => {
  it.each([
    ['/usr/lib/gcc/x86_64-linux-gnu/12/libgcc.a', true],
    ['/usr/lib/gcc/x86_64-linux-gnu/12/libgcc_eh.a', true],
    ['/usr/lib/x86_64-linux-musl/libc.a', false],
    ['/usr/lib/gcc/x86_64-linux-gnu/12/libstdc++.a', false],
  ])('%s is the compiler runtime: %s', (path, yes) => {
    expect(COMPILER_RUNTIME.test(path)).toBe(yes);
  });

  it.each([
    ['/build/build/libqemuutil.a', true],
    ['/tmp/stubforge-build/build/libfoo.a', true],
    ['/deps/usr/x86_64-linux-musl/lib/libz.a', false],
    ['/buildx/libfoo.a', false],
  ])('%s is the application\'s own: %s', (path, yes) => {
    expect(isOwnArchive(path)).toBe(yes);
  });
});
