// Recipes: the shipped ones load (a folder recipe with its patch), per-arch paragraphs merge,
// the content digest covers patches, and every bad field is an error with its line.
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/arch/arch-file.js';
import { parseRecipe } from '../../src/recipe/recipe-file.js';
import { loadRecipes, type RecipeFileSystem } from '../../src/recipe/recipe-loader.js';
import { recipeForArch, type Recipe } from '../../src/recipe/recipe.js';
import { shippedRecipes } from './solver-fixtures.js';

async function shipped(name: string): Promise<Recipe> {
  const r = (await shippedRecipes()).byName.get(name);
  if (r === undefined) throw new Error(`no recipe ${name}`);
  return r;
}

describe('shipped recipes', () => {
  it('cover the QEMU stub domain closure, and three library deltas beyond it', async () => {
    expect([...(await shippedRecipes()).byName.keys()].sort()).toEqual(['glib2.0', 'gpm', 'libffi', 'libjpeg-turbo', 'openssl', 'pcre2', 'pixman', 'qemu-stubdom', 'xen', 'zlib']);
  });

  it('openssl keeps Debian\'s packaging with one patch; gpm builds its orig tarball with its own steps', async () => {
    const openssl = await shipped('openssl');
    expect(openssl.build.buildSystem).toBe('detect');
    expect(openssl.patchFiles.map((p) => p.name)).toEqual(['musl-linux-amd64-target.patch']);
    const gpm = await shipped('gpm');
    expect(gpm.build.buildSystem).toBe('steps');
    expect(gpm.artefacts).toEqual(['lib/libgpm.a', 'include/gpm.h']);
  });

  it('qemu-stubdom is an application recipe of source qemu with its patch, package and overrides', async () => {
    const r = await shipped('qemu-stubdom');
    expect(r).toMatchObject({ kind: 'application', source: 'qemu', build: { buildSystem: 'steps', patches: ['i386-softmmu-no-fdt.patch'] } });
    expect(r.patchFiles.map((p) => p.name).sort()).toEqual(['i386-softmmu-no-fdt.patch', 'rumprun-coroutine-stackswitch.patch']);
    expect(r.application?.package).toBe('qemu-system-xen-stubdom');
    expect(r.application?.lintianOverrides.map((o) => o.tag)).toEqual(['statically-linked-binary', 'embedded-library', 'unknown-field Static-Built-Using']);
    expect(r.roles.dropUnlisted?.reason).toMatch(/Xen-only/);
    expect(r.build.configureOptions).toEqual(expect.arrayContaining(['--enable-xen', '--disable-tcg', '--target-list=i386-softmmu', '--disable-fdt']));
  });

  it.each([
    ['musl-linux-amd64', 'static-executable', expect.stringContaining('-xen-domid ${DOMID}') as unknown],
    ['rumprun-amd64', 'xen_pv', expect.stringContaining('-xen-domid ${DOMID}') as unknown],
  ])('qemu-stubdom bakes %s with %s', async (arch, bake, cmdline) => {
    const e = recipeForArch(await shipped('qemu-stubdom'), arch);
    expect(e.bakeConfig).toBe(bake);
    expect(e.launchCmdline).toEqual(cmdline);
  });

  it('qemu-stubdom takes the coroutine backend patch on rumprun only; musl keeps its one patch and options', async () => {
    const r = await shipped('qemu-stubdom');
    const musl = recipeForArch(r, 'musl-linux-amd64');
    expect(musl.build.patches).toEqual(['i386-softmmu-no-fdt.patch']);
    expect(musl.build.configureOptions).not.toContain('--with-coroutine=stackswitch');
    const rumprun = recipeForArch(r, 'rumprun-amd64');
    expect(rumprun.build.patches).toEqual(['i386-softmmu-no-fdt.patch', 'rumprun-coroutine-stackswitch.patch']);
    expect(rumprun.build.configureOptions).toContain('--with-coroutine=stackswitch');
  });

  it('xen answers the configure checks with cache variables on musl only', async () => {
    const xen = await shipped('xen');
    expect(recipeForArch(xen, 'musl-linux-amd64').build.cacheVariables).toContainEqual({ name: 'ac_cv_header_uuid_h', value: 'yes' });
    expect(recipeForArch(xen, 'rumprun-amd64').build.cacheVariables).toEqual([]);
    expect(xen.architecture?.arches).toEqual(['musl-linux-amd64', 'rumprun-amd64']);
  });
});

describe('the loader', () => {
  const tree = (files: Record<string, string>): RecipeFileSystem => ({
    readFile: (path) => (path in files ? Promise.resolve(files[path] ?? '') : Promise.reject(Object.assign(new Error(path), { code: 'ENOENT' }))),
    list: (dir) => {
      const prefix = `${dir}/`;
      const names = new Map<string, boolean>();
      for (const path of Object.keys(files)) {
        if (!path.startsWith(prefix)) continue;
        const [head = '', ...rest] = path.slice(prefix.length).split('/');
        names.set(head, rest.length > 0);
      }
      if (names.size === 0) return Promise.reject(Object.assign(new Error(dir), { code: 'ENOENT' }));
      return Promise.resolve([...names].map(([name, isDirectory]) => ({ name, isDirectory })));
    },
  });
  const folder = (patch: string): Record<string, string> => ({
    '/r/app/recipe': 'Format-Version: 1.0\nSource: app\nPatches: fix.patch\n',
    '/r/app/patches/fix.patch': patch,
    '/r/README.md': 'not a recipe',
  });

  it('digests the patches with the recipe, so editing a patch changes the content key', async () => {
    const a = await loadRecipes(['/r'], tree(folder('--- a\n+++ b\n')));
    const b = await loadRecipes(['/r'], tree(folder('--- a\n+++ c\n')));
    if (!a.ok || !b.ok) throw new Error('load failed');
    expect([...a.value.byName.keys()]).toEqual(['app']);
    expect(a.value.byName.get('app')?.contentSha256).not.toBe(b.value.byName.get('app')?.contentSha256);
  });

  it('lets the user\'s folder hide a shipped recipe of the same name', async () => {
    const files = { '/mine/zlib': 'Format-Version: 1.0\nSource: zlib\nEstimated-Build-Seconds: 9\n', '/ship/zlib': 'Format-Version: 1.0\nSource: zlib\n' };
    const r = await loadRecipes(['/mine', '/ship'], tree(files));
    expect(r.ok && r.value.byName.get('zlib')?.estimatedBuildSeconds).toBe(9);
  });

  it('reports a patch the folder does not have', async () => {
    const r = await loadRecipes(['/r'], tree({ '/r/app/recipe': 'Format-Version: 1.0\nSource: app\nPatches: missing.patch\n' }));
    expect(!r.ok && r.error[0]).toMatchObject({ reason: 'invalid-recipe', problems: [{ message: 'patch "missing.patch" is not in the recipe\'s patches/ folder', location: { file: '/r/app/recipe', line: 3 } }] });
  });
});

function problems(text: string, name = 'zlib'): { message: string; line: number | undefined }[] {
  const r = parseRecipe({ text, file: `recipes/${name}`, name, contentSha256: sha256Hex(text) });
  if (r.ok) return [];
  if (r.error.reason !== 'invalid-recipe') return [{ message: r.error.message, line: r.error.location.line }];
  return r.error.problems.map((p) => ({ message: p.message, line: p.location.line }));
}

const HEAD = 'Format-Version: 1.0\nSource: zlib\n';

describe('a bad recipe', () => {
  it.each([
    ['a drop without a reason', `${HEAD}Drop:\n libfoo-dev\n`, 4, '"libfoo-dev" is not "<package> -- <reason>" (every drop needs a reason)'],
    ['an invalid added relation', `${HEAD}Add-Build-Depends:\n libfoo-dev (>= ) -- needed\n`, 4, 'invalid relation "libfoo-dev (>= )"'],
    ['a name in two lists', `${HEAD}Target: libfoo-dev\nDrop:\n libfoo-dev -- no\n`, 4, 'libfoo-dev is listed in both Target and Drop'],
    ['patches in a single-file recipe', `${HEAD}Patches: fix.patch\n`, 3, 'only a folder recipe'],
    ['an unknown placeholder', `${HEAD}Configure-Options:\n --host=\${HOST}\n`, 4, 'unknown placeholder ${HOST}'],
    ['a tool used as a placeholder', `${HEAD}Configure-Options:\n --cc=\${CC}\n`, 4, 'unknown placeholder ${CC} (known: TRIPLET PREFIX STAGE JOBS)'],
    ['a Subdir outside the source', `${HEAD}Subdir: ../elsewhere\n`, 3, 'Subdir must be a path inside the source'],
    ['an unknown build system', `${HEAD}Build-System: scons\n`, 3, 'Build-System must be one of'],
    ['steps without Steps', `${HEAD}Build-System: steps\n`, 3, 'Build-System: steps needs Steps'],
    ['Drop-Unlisted without a reason', `${HEAD}Drop-Unlisted: yes\n`, 3, 'Drop-Unlisted: yes needs a Drop-Unlisted-Reason'],
    ['Architecture without a reason', `${HEAD}Architecture: any-amd64\n`, 3, 'Architecture needs an Architecture-Reason'],
    ['a bad cache variable', `${HEAD}Cache-Variables:\n ac_cv_foo\n`, 4, '"ac_cv_foo" is not NAME=value'],
    ['application fields in a library recipe', `${HEAD}Package: zlib-static\n`, 3, 'Package belongs in an application recipe'],
    ['an absolute artefact', `${HEAD}Artefacts:\n /usr/lib/libz.a\n`, 4, 'must be relative to the staged prefix'],
    ['an unknown field', `${HEAD}Configure-Option: --x\n`, 3, 'unknown field Configure-Option'],
    ['an unsupported format', 'Format-Version: 3.1\nSource: zlib\n', 1, 'Format-Version 3.1 is not supported (this stubforge reads >=1.0.0 <2.0.0)'],
    ['a library recipe named after another source', 'Format-Version: 1.0\nSource: zlib1g\n', 2, 'a library recipe is named after its source'],
    ['a per-arch paragraph without Arch', `${HEAD}\nTarget: libfoo-dev\n`, 4, 'missing required field Arch'],
    ['a bake config in a library recipe', `${HEAD}\nArch: musl-linux-amd64\nBake-Config: xen_pv\n`, 5, 'Bake-Config belongs in an application recipe'],
  ])('with %s is an error at its line', (_what, text, line, message) => {
    const found = problems(text).find((p) => p.message.includes(message));
    expect(found, JSON.stringify(problems(text))).toBeDefined();
    expect(found?.line).toBe(line);
  });

  it('lets an Environment value name the arch\'s tools, and no other field', () => {
    expect(problems(`${HEAD}Environment:\n MAKEFLAGS=CC=\${CC} AR=\${AR} LD=\${LD}\n`)).toEqual([]);
    expect(problems(`${HEAD}Environment:\n X=\${CFLAGS}\n`).map((p) => p.message)).toEqual([expect.stringContaining('unknown placeholder ${CFLAGS}')]);
    expect(problems(`${HEAD}Cache-Variables:\n ac_cv_prog_CC=\${CC}\n`).map((p) => p.message)).toEqual([expect.stringContaining('unknown placeholder ${CC}')]);
  });

  it('reports the problems of every paragraph at once', () => {
    expect(problems(`${HEAD}Drop:\n libfoo-dev\n\nArch: musl-linux-amd64\nDrop:\n libbar-dev\n`).map((p) => p.line)).toEqual([4, 8]);
  });

  it('needs Package and Package-Description in an application recipe', () => {
    const text = 'Format-Version: 1.0\nSource: qemu\nKind: application\n';
    expect(problems(text, 'qemu-stubdom').map((p) => p.message)).toEqual(['missing required field Package', 'missing required field Package-Description']);
  });
});

describe('recipeForArch', () => {
  it('appends the paragraphs of that arch and leaves the others out', () => {
    const text = `${HEAD}Configure-Options:\n --a\n\nArch: musl-linux-amd64\nConfigure-Options:\n --musl\nTarget: libm-dev\n\nArch: rumprun-amd64\nConfigure-Options:\n --rump\n`;
    const r = parseRecipe({ text, file: 'recipes/zlib', name: 'zlib', contentSha256: sha256Hex(text) });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(recipeForArch(r.value, 'musl-linux-amd64').build.configureOptions).toEqual(['--a', '--musl']);
    expect(recipeForArch(r.value, 'musl-linux-amd64').roles.target).toEqual(['libm-dev']);
    expect(recipeForArch(r.value, 'rumprun-amd64').build.configureOptions).toEqual(['--a', '--rump']);
  });
});
