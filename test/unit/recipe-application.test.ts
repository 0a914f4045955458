// The application fields of a recipe (docs/recipe-format.md): launch environment, launch
// manifest and the libraries a link must take from the rebuilt closure — read with their lines,
// every bad line an error at its line, the environment merged per arch.
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/arch/arch-file.js';
import { parseRecipe } from '../../src/recipe/recipe-file.js';
import { recipeForArch, type Recipe } from '../../src/recipe/recipe.js';
import { shippedRecipes } from './solver-fixtures.js';

const HEAD = 'Format-Version: 1.0\nSource: qemu\nKind: application\nPackage: qemu-system-xen-stubdom\nPackage-Description: QEMU for stub domains\n';

function parse(text: string): ReturnType<typeof parseRecipe> {
  return parseRecipe({ text, file: 'recipes/app', name: 'app', contentSha256: sha256Hex(text) });
}

function recipe(text: string): Recipe {
  const r = parse(text);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

function problems(text: string): { message: string; line: number | undefined }[] {
  const r = parse(text);
  if (r.ok) return [];
  return r.error.reason === 'invalid-recipe' ? r.error.problems.map((p) => ({ message: p.message, line: p.location.line })) : [{ message: r.error.message, line: r.error.location.line }];
}

describe('application recipe fields', () => {
  it('reads Link-From-Closure, Launch-Env and Launch-Manifest with their lines', () => {
    const r = recipe(`${HEAD}Link-From-Closure:\n z zlib\n glib-2.0 glib2.0\nLaunch-Env:\n TMPDIR=/tmp\nLaunch-Manifest:\n /etc/qemu/bridge.conf: \${SOURCE}/debian/bridge.conf\n`);
    expect(r.application?.closureLibraries).toEqual([
      { library: 'z', source: 'zlib', location: { file: 'recipes/app', line: 7 } },
      { library: 'glib-2.0', source: 'glib2.0', location: { file: 'recipes/app', line: 8 } },
    ]);
    expect(r.application?.launchEnv).toEqual([{ name: 'TMPDIR', value: '/tmp' }]);
    expect(r.application?.launchManifest).toEqual([{ text: '/etc/qemu/bridge.conf: ${SOURCE}/debian/bridge.conf', location: { file: 'recipes/app', line: 12 } }]);
  });

  it('takes the package\'s Maintainer from Package-Maintainer, as debian/control gives it', () => {
    expect(recipe(`${HEAD}Package-Maintainer: Xen stub domain team <xen-stubdom@lists.example.org>\n`).application?.maintainer)
      .toBe('Xen stub domain team <xen-stubdom@lists.example.org>');
    expect(recipe(HEAD).application?.maintainer).toBeUndefined();
  });

  it.each([
    ['a Maintainer without an address', `${HEAD}Package-Maintainer: Xen stub domain team\n`, 6, '"Xen stub domain team" is not "Full Name <email address>"'],
    ['a Maintainer without a name', `${HEAD}Package-Maintainer: <team@example.org>\n`, 6, '"<team@example.org>" is not "Full Name <email address>"'],
    ['a closure library without a source', `${HEAD}Link-From-Closure:\n z\n`, 7, '"z" is not "<library> <source>"'],
    ['a closure library with a bad source name', `${HEAD}Link-From-Closure:\n z Zlib\n`, 7, '"z Zlib" is not "<library> <source>"'],
    ['an environment line without =', `${HEAD}Launch-Env:\n TMPDIR\n`, 7, '"TMPDIR" is not NAME=value'],
    ['an environment value with a placeholder', `${HEAD}Launch-Env:\n DOM=\${DOMID}\n`, 7, 'launch environment values are literal'],
    ['an environment name given twice', `${HEAD}Launch-Env:\n A=1\n A=2\n`, 8, 'A is given twice'],
    ['launch fields in a library recipe', 'Format-Version: 1.0\nSource: zlib\nLink-From-Closure:\n z zlib\n', 3, 'Link-From-Closure belongs in an application recipe'],
    ['Launch-Env in a library overlay', 'Format-Version: 1.0\nSource: zlib\n\nArch: musl-linux-amd64\nLaunch-Env:\n A=1\n', 5, 'Launch-Env belongs in an application recipe'],
  ])('with %s is an error at its line', (_what, text, line, message) => {
    const found = problems(text).find((p) => p.message.includes(message));
    expect(found, JSON.stringify(problems(text))).toBeDefined();
    expect(found?.line).toBe(line);
  });

  it('adds an arch paragraph\'s Launch-Env to the general one, the later value winning', () => {
    const r = recipe(`${HEAD}Launch-Env:\n A=1\n B=2\n\nArch: rumprun-amd64\nLaunch-Env:\n B=3\n C=4\n`);
    expect(recipeForArch(r, 'rumprun-amd64').launchEnv).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }]);
    expect(recipeForArch(r, 'musl-linux-amd64').launchEnv).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
  });
});

describe('the shipped qemu-stubdom recipe', () => {
  it('builds with QEMU\'s configure through the steps driver and installs the program for the stub domain', async () => {
    const r = (await shippedRecipes()).byName.get('qemu-stubdom');
    expect(r?.build.buildSystem).toBe('steps');
    expect(r?.build.steps[0]).toMatch(/^\.\/configure \$STUBFORGE_CONFIGURE_OPTIONS/);
    expect(r?.application?.install).toEqual([{ from: 'build/qemu-system-i386', to: 'usr/lib/xen/bin/qemu-stubdom-i386' }]);
    expect(r?.application?.closureLibraries.map((l) => `${l.library} ${l.source}`)).toEqual(['z zlib', 'glib-2.0 glib2.0', 'pixman-1 pixman', 'xenctrl xen', 'xenstore xen']);
    expect(r?.application?.launchManifest.map((l) => l.text)).toEqual(['/usr/share/qemu/keymaps/en-us: ${SOURCE}/pc-bios/keymaps/en-us']);
  });
});
