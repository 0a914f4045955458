// The application stage for rumprun-amd64, with the user's rumprun tree (STUBFORGE_RUMPRUN):
// - a hw tree: the pngcheck-static recipe baked with hw_generic boots in qemu-system-x86_64 under
//   software emulation and prints, on the serial console, the zlib it was compiled with and runs
//   with (the rebuilt closure's, never the sysroot's 1.2.3) before `halted`;
// - a hw tree: the qemu-stubdom recipe, with its rumprun bake config switched to hw_generic in a
//   copy given with --recipe-dir (the shipped one bakes the stub domain, xen_pv), links QEMU
//   against the whole rebuilt closure; the image boots and prints QEMU's version, and runs
//   coroutines (the recipe's own backend for rumprun, which has neither ucontext nor sigaltstack:
//   docs/stub-domain-rumprun.md) while it opens a block device;
// - a xen tree: the qemu-stubdom recipe bakes with xen_pv and the image carries the PV guest
//   descriptor Xen's loader reads.
// Every package names rumprun's own components (not in Debian) at the revisions stated in a
// components file: the one STUBFORGE_RUMPRUN_COMPONENTS names, else one this test writes with the
// revisions docs/rumprun-tree.md gives (the trees the project's runs used were built from them).
// The SPDX document and the copyright file must name each at its stated revision; without the file
// a build that packages an application is refused, with a message saying what to write.
// Without a tree every test here is reported as skipped, and the describe name says why.
// Status (docs/stub-domain-rumprun.md): both qemu-stubdom tests have been seen to pass.
// The qemu-stubdom builds take a fresh STUBFORGE_HOME each run unless STUBFORGE_RUMPRUN_HOME
// names one to reuse (its store keeps the closure, which takes most of an hour on two cores).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRumprunTree } from '../../src/bake/backends/rumprun-tree-io.js';
import { renderRumprunConfig } from '../../src/bake/rumprun-json.js';
import { plannedVersions, servedChoices } from './archive-versions.js';
import { command as build } from '../../src/cli/commands/build.js';
import { dpkgInstall, field, FIXTURE_RECIPES, lintianErrors, packagesOf, ROOT, run, stubforgeBuild } from './application-support.js';
import { runCommand } from './cli-support.js';
import { bootAndWatch } from './rumprun-boot.js';

const treeDir = process.env['STUBFORGE_RUMPRUN'];
const withTree = treeDir !== undefined && treeDir !== '';
const tree = withTree ? await readRumprunTree(treeDir) : undefined;
const platform = tree?.ok === true ? tree.value.platform : undefined;
const qemu = ['/usr/bin/qemu-system-x86_64', '/usr/local/bin/qemu-system-x86_64'].find((p) => existsSync(p));
const title = withTree
  ? `applications for rumprun-amd64 with the tree in STUBFORGE_RUMPRUN (${treeDir ?? ''}, ${platform ?? 'unreadable'} platform)`
  : 'applications for rumprun-amd64 — skipped: STUBFORGE_RUMPRUN is not set (point it at an installed rumprun tree)';

// Made only with a tree: a skipped file runs no hooks, so nothing would remove it.
const work = withTree ? mkdtempSync(join(tmpdir(), 'stubforge-app-rumprun-')) : '';
const cache = join(work, 'cache');
const reusedHome = process.env['STUBFORGE_RUMPRUN_HOME'];
/** Where a qemu-stubdom build keeps its state: the reused home when given, else one in `work`. */
function qemuHome(name: string): { home: string; cache: string } {
  return reusedHome === undefined || reusedHome === '' ? { home: join(work, name), cache } : { home: reusedHome, cache: join(reusedHome, 'cache') };
}
afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

/** The revisions docs/rumprun-tree.md names; mini-os is part of the rumprun checkout. */
const RUMPRUN_REVISION = 'b04d42225a12a6fae57a78a9c1cf23642e46cd00';
const DOCUMENTED: readonly { name: string; revision: string; licence: string; spdx: string; platforms: readonly string[] }[] = [
  { name: 'rumprun', revision: RUMPRUN_REVISION, licence: 'BSD-2-Clause', spdx: 'BSD-2-Clause', platforms: ['hw', 'xen'] },
  { name: 'buildrump.sh', revision: '9c9b022cb2115734935e50600c867a3bc230b32c', licence: 'BSD-2-Clause', spdx: 'BSD-2-Clause', platforms: ['hw', 'xen'] },
  { name: 'src-netbsd', revision: 'b8b951e911a2fc555848a2785a9998bc128530b6', licence: 'BSD-2-Clause and BSD-3-Clause', spdx: 'BSD-2-Clause AND BSD-3-Clause', platforms: ['hw', 'xen'] },
  { name: 'mini-os', revision: RUMPRUN_REVISION, licence: 'Expat', spdx: 'MIT', platforms: ['xen'] },
];
const userComponents = process.env['STUBFORGE_RUMPRUN_COMPONENTS'];
const stated = DOCUMENTED.filter((c) => c.platforms.includes(platform ?? ''));
if (withTree && (userComponents === undefined || userComponents === '')) {
  const file = join(work, 'rumprun.components');
  writeFileSync(file, `${stated.map((c) => `Component: ${c.name}\nRevision: ${c.revision}\nLicense: ${c.licence}\n`).join('\n')}`);
  process.env['STUBFORGE_RUMPRUN_COMPONENTS'] = file;
}

/** The installed package's SPDX document and copyright file name every stated component at its revision. */
function expectComponentsNamed(root: string, pkg: string): void {
  if (userComponents !== undefined && userComponents !== '') return;
  const spdx = JSON.parse(readFileSync(join(root, `usr/share/doc/${pkg}/${pkg}.spdx.json`), 'utf8')) as {
    packages: { SPDXID: string; name: string; versionInfo?: string; licenseDeclared: string; downloadLocation: string }[];
    relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[];
  };
  const copyright = readFileSync(join(root, `usr/share/doc/${pkg}/copyright`), 'utf8');
  for (const c of stated) {
    const named = spdx.packages.find((p) => p.name === c.name);
    expect(named, c.name).toMatchObject({ versionInfo: c.revision, licenseDeclared: c.spdx, downloadLocation: 'NOASSERTION' });
    expect(spdx.relationships).toContainEqual({ spdxElementId: `SPDXRef-Package-${pkg}`, relationshipType: 'STATIC_LINK', relatedSpdxElement: named?.SPDXID });
    expect(copyright).toContain(`  ${c.name} ${c.revision}: baked in`);
    expect(copyright).toContain(`Component: ${c.name}\nRevision: ${c.revision}\nLicense: ${c.licence}\n`);
  }
  expect(spdx.packages.filter((p) => p.SPDXID.startsWith('SPDXRef-Component-')).map((p) => p.name).sort()).toEqual(stated.map((c) => c.name).sort());
}

describe(title, () => {
  it.skipIf(!withTree)('reads the tree', () => {
    expect(tree?.ok, JSON.stringify(tree)).toBe(true);
  });

  it.skipIf(!withTree)('refuses to package an application without a components file, saying what to write', async () => {
    const missing = join(work, 'no-such.components');
    const args = ['pngcheck-static', '--arch', 'rumprun-amd64', '--suite', 'bookworm', '--arch-dir', join(ROOT, 'arch'), '--recipe-dir', FIXTURE_RECIPES, '--recipe-dir', join(ROOT, 'recipes')];
    const refused = await runCommand(build, args, { env: { ...process.env, STUBFORGE_HOME: join(work, 'refused'), STUBFORGE_CACHE: cache, STUBFORGE_RUMPRUN_COMPONENTS: missing }, cwd: work });
    expect(refused.code, refused.stderr).toBe(2);
    expect(refused.stderr).toContain(`${missing}: no components file`);
    for (const c of stated) expect(refused.stderr).toContain(`Component: ${c.name}\n`);
    expect(refused.stderr).toMatch(/Revision: <full commit id/);
  }, 600_000);

  it.skipIf(!withTree)('bakes pngcheck-static with hw_generic; it boots in qemu-system-x86_64 and prints its zlib', async ({ skip }) => {
    if (platform !== 'hw') skip(`a ${platform ?? 'unreadable'} tree: hw_generic needs a hw tree`);
    if (qemu === undefined) skip('qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)');
    // bookworm, with a --pin where its newest version is not served whole; zlib's version is the plan's.
    const args = ['--arch', 'rumprun-amd64', '--suite', 'bookworm'];
    const commandEnv = { env: { ...process.env, STUBFORGE_HOME: join(work, 'png'), STUBFORGE_CACHE: cache, STUBFORGE_RUMPRUN: treeDir }, cwd: work,
      extra: ['--arch-dir', join(ROOT, 'arch'), '--recipe-dir', FIXTURE_RECIPES, '--recipe-dir', join(ROOT, 'recipes')] };
    const choices = await servedChoices('pngcheck-static', args, commandEnv);
    const zlib = (await plannedVersions('pngcheck-static', [...args, ...choices], commandEnv)).get('zlib');
    const built = await stubforgeBuild(['pngcheck-static', ...args, ...choices], { home: join(work, 'png'), cache });
    expect(built.code, `${built.stdout}\n${built.stderr}`).toBe(0);
    const { deb } = packagesOf(built.stdout);
    // rumprun's C library is the toolchain's own (no Debian source): only zlib is named.
    expect(field(deb, 'Static-Built-Using')).toBe(`zlib (= ${zlib ?? '(zlib not in the plan)'})`);
    expect(field(deb, 'X-Stubforge-Arch')).toBe('rumprun-amd64');
    expect(lintianErrors(deb).errors).toEqual([]);
    const root = join(work, 'png-x');
    expect(run('dpkg-deb', ['-x', deb, root]).status).toBe(0);
    // rumprun's wire form repeats a key per element ("env":"A=1","env":"B=2"); JSON.parse keeps the last.
    const packaged = JSON.parse(readFileSync(join(root, 'usr/lib/pngcheck-static/rumprun.json'), 'utf8')) as { cmdline: string };
    expect(packaged.cmdline).toContain('pngcheck -v /data/openlogo-nd-100.png');
    expectComponentsNamed(root, 'pngcheck-static');
    const json = renderRumprunConfig({ cmdline: ['pngcheck'], env: [], blk: [] });
    if (!json.ok) throw new Error(JSON.stringify(json.error));
    const serial = await bootAndWatch(qemu ?? '', join(root, 'usr/bin/pngcheck'), json.value, 120_000);
    expect(serial).toMatch(/Compiled with zlib 1\.2\.13; using zlib 1\.2\.13\./);
    expect(serial).toContain('halted');
  }, 1_800_000);

  it.skipIf(!withTree)('links QEMU against the closure, bakes it with hw_generic; it boots and prints its version', async ({ skip }) => {
    if (platform !== 'hw') skip(`a ${platform ?? 'unreadable'} tree: hw_generic needs a hw tree`);
    if (qemu === undefined) skip('qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)');
    const recipes = join(work, 'recipes-hw');
    cpSync(join(ROOT, 'recipes/qemu-stubdom'), join(recipes, 'qemu-stubdom'), { recursive: true });
    const recipe = join(recipes, 'qemu-stubdom/recipe');
    const text = readFileSync(recipe, 'utf8');
    const hw = text.replace(/(Arch: rumprun-amd64\n(?:.*\n)*?)Bake-Config: xen_pv\n/, '$1Bake-Config: hw_generic\n');
    expect(hw).not.toBe(text);
    writeFileSync(recipe, hw);
    const built = await stubforgeBuild(['qemu-stubdom', '--arch', 'rumprun-amd64', '--suite', 'bookworm', '--allow-orig-only', 'pixman', '--recipe-dir', recipes], qemuHome('qemu-hw'));
    expect(built.code, `${built.stdout}\n${built.stderr}`).toBe(0);
    const { deb } = packagesOf(built.stdout);
    expect(field(deb, 'Static-Built-Using')).toMatch(/glib2\.0 \(= .*pixman \(= .*xen \(= .*zlib \(= /);
    expect(lintianErrors(deb).errors).toEqual([]);
    const root = join(work, 'qemu-hw-root');
    expect(dpkgInstall(deb, root).status).toBe(0);
    expectComponentsNamed(root, 'qemu-system-xen-stubdom');
    const image = join(root, 'usr/lib/xen/bin/qemu-stubdom-i386');
    const json = renderRumprunConfig({ cmdline: ['qemu-system-i386', '-version'], env: [], blk: [] });
    if (!json.ok) throw new Error(JSON.stringify(json.error));
    const serial = await bootAndWatch(qemu ?? '', image, json.value, 300_000);
    expect(serial).toMatch(/QEMU emulator version 7\.2/);
    expect(serial).toContain('halted');
    // Opening a drive whose format is not given makes the block layer probe it: blk_pread from
    // outside a coroutine creates one, enters it and polls it to its end. The trace (QEMU's `log`
    // backend, on stderr) shows the coroutine entered and terminated; the unknown device then
    // stops QEMU with its error, so the guest halts.
    const probe = renderRumprunConfig({ cmdline: ['qemu-system-i386', '-machine', 'none', '-accel', 'qtest', '-display', 'none', '-nodefaults',
      '-trace', 'qemu_aio_coroutine_enter', '-trace', 'qemu_coroutine_terminate', '-drive', 'file=null-co://,if=none,id=probe', '-device', 'no-such-device'], env: [], blk: [] });
    if (!probe.ok) throw new Error(JSON.stringify(probe.error));
    const coroutines = await bootAndWatch(qemu ?? '', image, probe.value, 300_000);
    expect(coroutines).toMatch(/qemu_aio_coroutine_enter /);
    expect(coroutines).toMatch(/qemu_coroutine_terminate /);
    expect(coroutines).toContain("'no-such-device' is not a valid device model name");
    expect(coroutines).toContain('halted');
  }, 7_200_000);

  it.skipIf(!withTree)('bakes the qemu-stubdom recipe with xen_pv; the image carries the PV guest descriptor (__xen_guest)', async ({ skip }) => {
    if (platform !== 'xen') skip(`a ${platform ?? 'unreadable'} tree: xen_pv needs a xen tree`);
    // As the main job: the default suites with the choices of `stubforge served --target`.
    const args = ['--arch', 'rumprun-amd64'];
    const state = qemuHome('qemu');
    const commandEnv = { env: { ...process.env, STUBFORGE_HOME: state.home, STUBFORGE_CACHE: state.cache, STUBFORGE_RUMPRUN: treeDir }, cwd: work,
      extra: ['--arch-dir', join(ROOT, 'arch'), '--recipe-dir', FIXTURE_RECIPES, '--recipe-dir', join(ROOT, 'recipes')] };
    const choices = await servedChoices('qemu-stubdom', args, commandEnv, ['pixman']);
    const built = await stubforgeBuild(['qemu-stubdom', ...args, ...choices], state);
    expect(built.code, `${built.stdout}\n${built.stderr}`).toBe(0);
    const { deb } = packagesOf(built.stdout);
    expect(field(deb, 'Static-Built-Using')).toMatch(/glib2\.0 \(= .*pixman \(= .*xen \(= .*zlib \(= /);
    expect(lintianErrors(deb).errors).toEqual([]);
    const root = join(work, 'qemu-x');
    expect(dpkgInstall(deb, root).status).toBe(0);
    expectComponentsNamed(root, 'qemu-system-xen-stubdom');
    const image = join(root, 'usr/lib/xen/bin/qemu-stubdom-i386');
    expect(spawnSync('file', [image], { encoding: 'utf8' }).stdout).toMatch(/ELF 64-bit LSB executable, x86-64/);
    // rumprun's mini-os describes the PV kernel to Xen's loader in the older `__xen_guest` section
    // (a GUEST_OS=...,XEN_VER=... string, which Xen's libelf still reads), not in ELF notes of
    // owner "Xen": `readelf -n` shows only rumprun-bake's own note. It must survive the stripping.
    const guest = spawnSync('readelf', ['-p', '__xen_guest', image], { encoding: 'utf8' }).stdout;
    expect(guest).toMatch(/GUEST_OS=rumprun,XEN_VER=xen-3\.0,.*LOADER=generic/);
    expect(spawnSync('readelf', ['-n', image], { encoding: 'utf8' }).stdout).toContain('rumpkernel.org');
    expect(readFileSync(join(root, 'usr/lib/qemu-system-xen-stubdom/rumprun.json'), 'utf8')).toContain('-xen-domid ${DOMID}');
  }, 7_200_000);
});
