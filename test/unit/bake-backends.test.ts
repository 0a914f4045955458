// Bake backends as pure spec builders: argv and outputs of static-executable and rumprun, the
// registry, `rumprun-bake list` and config checks, the rumprun tree's build path read from its
// wrappers, and the build-id reader on real ELF files (test/fixtures/link).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BakeRequest } from '../../src/bake/backends/backend.js';
import { BAKE_BACKENDS, backendForConfig } from '../../src/bake/backends/registry.js';
import { checkBakeConfig, parseBakeList } from '../../src/bake/backends/rumprun-bake-list.js';
import { readRumprunTree } from '../../src/bake/backends/rumprun-tree-io.js';
import { readRumprunTreeLayout, type RumprunTree } from '../../src/bake/backends/rumprun-tree.js';
import { rumprunBackend, rumprunListCommand } from '../../src/bake/backends/rumprun.js';
import { staticExecutableBackend } from '../../src/bake/backends/static-executable.js';
import { debugFilePath, readElfBuildId } from '../../src/bake/elf-build-id.js';
import { changed } from './changed.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/link');
const here = { file: 'recipes/qemu-stubdom/recipe', line: 52 };

const muslRequest: BakeRequest = {
  config: 'static-executable',
  program: '/build/qemu/build/qemu-system-i386',
  outDir: '/build/qemu/bake',
  imageName: 'qemu-system-i386',
  tools: { OBJCOPY: 'objcopy', STRIP: 'strip' },
  buildId: '539b11949951fa2732114ba084b01790efed00e2',
  origin: here,
};

describe('static-executable backend', () => {
  it('keeps the debug info under its build-id name, strips, and links the two', () => {
    const spec = staticExecutableBackend.plan(muslRequest);
    if (!spec.ok) throw new Error(JSON.stringify(spec.error));
    const debug = '/build/qemu/bake/9b11949951fa2732114ba084b01790efed00e2.debug';
    expect(spec.value.commands.map((c) => c.argv)).toEqual([
      ['objcopy', '--only-keep-debug', '/build/qemu/build/qemu-system-i386', debug],
      ['strip', '--strip-all', '--remove-section=.comment', '-o', '/build/qemu/bake/qemu-system-i386', '/build/qemu/build/qemu-system-i386'],
      ['objcopy', `--add-gnu-debuglink=${debug}`, '/build/qemu/bake/qemu-system-i386'],
    ]);
    expect(spec.value.outputs).toEqual({
      image: '/build/qemu/bake/qemu-system-i386',
      debugFile: { path: debug, packagePath: 'usr/lib/debug/.build-id/53/9b11949951fa2732114ba084b01790efed00e2.debug', buildId: muslRequest.buildId },
    });
    expect(spec.value.mounts).toEqual([]);
  });

  it('strips debug and unneeded symbols only when asked, with a multi-word tool', () => {
    const spec = staticExecutableBackend.plan({ ...muslRequest, strip: 'debug-unneeded', tools: { OBJCOPY: 'objcopy', STRIP: 'eatmydata strip' } });
    expect(spec.ok && spec.value.commands[1]?.argv.slice(0, 4)).toEqual(['eatmydata', 'strip', '--strip-debug', '--strip-unneeded']);
  });

  it.each([
    [{ buildId: undefined }, 'missing-build-id'],
    [{ buildId: 'XYZ' }, 'invalid-build-id'],
    [{ program: 'build/qemu' }, 'invalid-path'],
    [{ outDir: '/build/../etc' }, 'invalid-path'],
    [{ imageName: 'a/b' }, 'invalid-path'],
    [{ config: 'xen_pv' }, 'unknown-bake-config'],
  ] as const)('refuses %j with %s', (change, reason) => {
    const spec = staticExecutableBackend.plan(changed(muslRequest, change));
    expect(spec.ok ? undefined : spec.error.reason).toBe(reason);
  });
});

const hwTree: RumprunTree = {
  hostRoot: '/home/user/rumprun-hw', asBuiltRoot: '/opt/rumprun-hw', platform: 'hw', machineArch: 'x86_64', tuple: 'x86_64-rumprun-netbsd', relocated: true,
};
const bakeRequest: BakeRequest = {
  config: 'hw_generic', program: '/build/app/zlib-test', outDir: '/build/app/bake', imageName: 'zlib-test.bin',
  tools: { OBJCOPY: 'objcopy', STRIP: 'strip' }, rumprun: { tree: hwTree }, origin: here,
};

describe('rumprun backend', () => {
  it('runs the tree\'s rumprun-bake with CONFIG OUTPUT INPUT, the tree mounted where it was built, then strips the image', () => {
    const spec = rumprunBackend.plan(bakeRequest);
    if (!spec.ok) throw new Error(JSON.stringify(spec.error));
    expect(spec.value.commands).toEqual([{
      name: 'rumprun-bake',
      argv: ['/opt/rumprun-hw/bin/rumprun-bake', 'hw_generic', '/build/app/bake/zlib-test.bin.unstripped', '/build/app/zlib-test'],
      env: { RUMPRUN_WARNING_STFU: 'please' },
      cwd: '/build/app/bake',
    }, {
      name: 'strip',
      argv: ['strip', '--strip-all', '--remove-section=.comment', '-o', '/build/app/bake/zlib-test.bin', '/build/app/bake/zlib-test.bin.unstripped'],
      env: {},
      cwd: '/build/app/bake',
    }]);
    expect(spec.value.mounts).toEqual([{ source: '/home/user/rumprun-hw', target: '/opt/rumprun-hw', readOnly: true }]);
    expect(spec.value.outputs).toEqual({ image: '/build/app/bake/zlib-test.bin' });
  });

  it('passes a conffile with -c and bakes several programs into one image', () => {
    const spec = rumprunBackend.plan({ ...bakeRequest, rumprun: { tree: hwTree, conffile: '/build/app/bake.conf', extraPrograms: ['/build/app/second'] } });
    expect(spec.ok && spec.value.commands[0]?.argv).toEqual([
      '/opt/rumprun-hw/bin/rumprun-bake', '-c', '/build/app/bake.conf', 'hw_generic', '/build/app/bake/zlib-test.bin.unstripped', '/build/app/zlib-test', '/build/app/second',
    ]);
  });

  it.each([
    [{ config: 'xen_pv' }, 'wrong-platform'],
    [{ config: 'hw-generic' }, 'unknown-bake-config'],
    [{ rumprun: undefined }, 'missing-rumprun-tree'],
    [{ program: '/build/my app' }, 'invalid-path'],
    [{ rumprun: { tree: hwTree, extraPrograms: Array.from({ length: 8 }, (_, i) => `/p/${String(i)}`) } }, 'too-many-programs'],
  ] as const)('refuses %j with %s', (change, reason) => {
    const spec = rumprunBackend.plan(changed(bakeRequest, change));
    expect(spec.ok ? undefined : spec.error.reason).toBe(reason);
  });

  it('lists configs with the same tool and environment', () => {
    expect(rumprunListCommand(hwTree, '/build', '/build/extra.conf').argv).toEqual(['/opt/rumprun-hw/bin/rumprun-bake', '-c', '/build/extra.conf', 'list']);
  });
});

// rumprun-bake's list loop is `printf '%-16s' name; printf ': %s' description; printf '\n'` over
// the public configs of app-tools/rumprun-bake.conf; these are its lines for that file, preceded
// by the script's notice as it appears when stderr is merged in.
const LISTING = [
  '', '!!!', '!!! NOTE: rumprun-bake is experimental. syntax may change in the future', '!!!', '',
  'xen_pv          : Xen with paravirtualized I/O drivers',
  'xen_pci         : Xen with paravirtualized and PCI I/O drivers',
  'hw_virtio       : virtio targets (e.g. QEMU/KVM)',
  'hw_virtio_scsi  : virtio targets with SCSI (e.g. QEMU/KVM)',
  'hw_generic      : generic targets, includes (almost) all drivers',
  '',
].join('\n');

describe('rumprun-bake list', () => {
  it('reads every config with its description and passes over the notice', () => {
    const listing = parseBakeList(LISTING);
    expect(listing.ok && listing.value.map((l) => l.config)).toEqual(['xen_pv', 'xen_pci', 'hw_virtio', 'hw_virtio_scsi', 'hw_generic']);
    expect(listing.ok && listing.value[4]).toEqual({ config: 'hw_generic', description: 'generic targets, includes (almost) all drivers' });
  });

  it('answers the line it cannot read, never skips it', () => {
    const listing = parseBakeList('xen_pv          : Xen\n>> ERROR: config version not specified\n');
    expect(listing).toEqual({ ok: false, error: { reason: 'unreadable-listing', text: '>> ERROR: config version not specified', location: { file: 'rumprun-bake list', line: 2 } } });
  });

  it.each([
    ['hw_generic', 'hw', true, undefined],
    ['xen_pv', 'xen', true, undefined],
    ['xen_pv', 'hw', true, 'wrong-platform'],
    ['hw_custom', 'hw', true, 'config-not-in-tree'],
    ['hw_custom', 'hw', false, 'unknown-bake-config'],
    ['hw_virtio_scsi', 'hw', false, undefined],
  ] as const)('%s on a %s tree (listing read: %s) → %s', (config, platform, withListing, reason) => {
    const listing = parseBakeList(LISTING);
    if (!listing.ok) throw new Error('listing');
    const checked = checkBakeConfig(config, platform, withListing ? listing.value : undefined, here);
    expect(checked.ok ? undefined : checked.error.reason).toBe(reason);
  });
});

describe('bake backend registry', () => {
  it.each([
    ['static-executable', 'static-executable'],
    ['xen_pv', 'rumprun'],
    ['hw_generic', 'rumprun'],
    ['hw_mine', 'rumprun'],
  ])('serves %s with the %s backend', (config, id) => {
    const backend = backendForConfig(config, here);
    expect(backend.ok && backend.value.id).toBe(id);
  });

  it('names the known configs for one it does not know', () => {
    const backend = backendForConfig('iso', here);
    expect(backend.ok ? undefined : backend.error).toEqual({
      reason: 'unknown-bake-config', config: 'iso', location: here,
      known: ['static-executable', 'xen_pv', 'xen_pci', 'hw_generic', 'hw_virtio', 'hw_virtio_scsi'],
    });
    expect([...BAKE_BACKENDS.keys()]).toEqual(['static-executable', 'rumprun']);
  });
});

/**
 * The path-carrying lines of rumprun's app-tools templates as its Makefile writes them for a tree
 * installed in `dir` (cc.in's CC=, --sysroot and dumpmachine lines; the binutils wrapper printf).
 */
function compilerWrapper(dir: string, platform: string): string {
  return [
    '#!/bin/sh', 'case ${PROGNAME} in', '*-gcc|*-clang)',
    `\tCC="${dir}/libexec/rumprun-x86_64-${platform}//x86_64--netbsd-gcc"`,
    '\tCFLAGS="-fno-stack-protector"', '\t;;', 'esac', 'case ${MODE} in', 'compile)',
    '\texec ${CC} ${CFLAGS} -no-integrated-cpp \\',
    `\t    --sysroot ${dir}/rumprun-x86_64 \\`,
    `\t    -specs=${dir}/rumprun-x86_64/lib/specs-compile_or_ferment \\`,
    '\t    "$@" ${EXTRALIBS}', '\t;;', 'dumpmachine)', '\techo x86_64-rumprun-netbsd', '\t;;', 'esac', '',
  ].join('\n');
}
const binutilsWrapper = (dir: string, platform: string, tool: string): string =>
  `#!/bin/sh\n\nexec ${dir}/libexec/rumprun-x86_64-${platform}//x86_64--netbsd-${tool} "\${@}"\n`;

describe('rumprun tree build path', () => {
  let root = '';
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'stubforge-rumprun-tree-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function writeTree(name: string, asBuilt: string, platform: string, arAsBuilt = asBuilt): Promise<string> {
    const dir = join(root, name);
    await mkdir(join(dir, 'bin'), { recursive: true });
    await mkdir(join(dir, 'libexec', `rumprun-x86_64-${platform}`), { recursive: true });
    await writeFile(join(dir, 'bin/x86_64-rumprun-netbsd-gcc'), compilerWrapper(asBuilt, platform));
    await writeFile(join(dir, 'bin/x86_64-rumprun-netbsd-ar'), binutilsWrapper(arAsBuilt, platform, 'ar'));
    await writeFile(join(dir, 'bin/x86_64-rumprun-netbsd-objcopy'), binutilsWrapper(asBuilt, platform, 'objcopy'));
    return dir;
  }

  it('reads the as-built path and platform of a tree that was moved', async () => {
    const dir = await writeTree('moved', '/opt/rumprun-hw', 'hw');
    expect(await readRumprunTree(dir)).toEqual({
      ok: true,
      value: { hostRoot: dir, asBuiltRoot: '/opt/rumprun-hw', platform: 'hw', machineArch: 'x86_64', tuple: 'x86_64-rumprun-netbsd', relocated: true },
    });
  });

  it('sees a tree in place as not relocated', async () => {
    const dir = join(root, 'inplace');
    await writeTree('inplace', dir, 'xen');
    const tree = await readRumprunTree(dir);
    expect(tree.ok && [tree.value.platform, tree.value.relocated]).toEqual(['xen', false]);
  });

  it('refuses wrappers that disagree about the build path', async () => {
    const dir = await writeTree('mixed', '/opt/rumprun-a', 'hw', '/opt/rumprun-b');
    const tree = await readRumprunTree(dir);
    expect(tree.ok ? undefined : tree.error).toMatchObject({ reason: 'inconsistent-tree-paths', paths: ['/opt/rumprun-a', '/opt/rumprun-b'] });
  });

  it('answers unreadable-tree without a compiler wrapper', async () => {
    const tree = await readRumprunTree(join(root, 'nothing'));
    expect(tree.ok ? undefined : tree.error.reason).toBe('unreadable-tree');
  });

  it.each([
    ['/usr', 'unmountable-build-path'],
    ['/proc/rumprun', 'unmountable-build-path'],
    ['/usr/local/rumprun', undefined],
  ])('a tree built for %s → %s', (asBuilt, reason) => {
    const layout = readRumprunTreeLayout({
      hostRoot: '/srv/tree', compilerWrapperPath: 'bin/x86_64-rumprun-netbsd-gcc', compilerWrapper: compilerWrapper(asBuilt, 'hw'),
      otherWrappers: new Map(), libexecDirs: ['rumprun-x86_64-hw'],
    });
    expect(layout.ok ? undefined : layout.error.reason).toBe(reason);
  });

  it('refuses a wrapper whose libexec platform the tree does not have', () => {
    const layout = readRumprunTreeLayout({
      hostRoot: '/srv/tree', compilerWrapperPath: 'bin/x86_64-rumprun-netbsd-gcc', compilerWrapper: compilerWrapper('/opt/r', 'xen'),
      otherWrappers: new Map(), libexecDirs: ['rumprun-x86_64-hw'],
    });
    expect(layout.ok ? undefined : layout.error).toMatchObject({ reason: 'libexec-mismatch', expected: 'libexec/rumprun-x86_64-xen' });
  });

  it('refuses a file that is not a rumprun wrapper (musl-gcc, say)', () => {
    const layout = readRumprunTreeLayout({
      hostRoot: '/srv/tree', compilerWrapperPath: 'bin/x86_64-rumprun-netbsd-gcc',
      compilerWrapper: '#!/bin/sh\nexec "${REALGCC:-x86_64-linux-gnu-gcc}" "$@" -specs "/usr/lib/x86_64-linux-musl/musl-gcc.specs"\n',
      otherWrappers: new Map(), libexecDirs: [],
    });
    expect(layout.ok ? undefined : layout.error.reason).toBe('not-a-rumprun-wrapper');
  });
});

describe('build-id of real ELF files', () => {
  it('reads the id readelf -n shows', () => {
    const readelf = readFileSync(join(FIXTURES, 'tiny-build-id.readelf-n.txt'), 'utf8');
    const expected = /Build ID: ([0-9a-f]+)/.exec(readelf)?.[1];
    expect(readElfBuildId(readFileSync(join(FIXTURES, 'tiny-build-id.elf')))).toEqual({ ok: true, value: expected });
  });

  it('answers no-build-id for a musl-gcc link without -Wl,--build-id', () => {
    const id = readElfBuildId(readFileSync(join(FIXTURES, 'tiny-no-build-id.elf')));
    expect(id.ok ? undefined : id.error.reason).toBe('no-build-id');
  });

  it.each([
    [new Uint8Array([0x7f, 0x45, 0x4c]), 'not-elf'],
    [readFileSync(join(FIXTURES, 'musl-static.trace.txt')), 'not-elf'],
    [readFileSync(join(FIXTURES, 'tiny-build-id.elf')).subarray(0, 600), 'truncated-elf'],
  ])('refuses bad input (%#) with %s', (bytes, reason) => {
    const id = readElfBuildId(bytes);
    expect(id.ok ? undefined : id.error.reason).toBe(reason);
  });

  it('lays debug files out as Debian does', () => {
    expect(debugFilePath('539b11949951fa2732114ba084b01790efed00e2')).toBe('usr/lib/debug/.build-id/53/9b11949951fa2732114ba084b01790efed00e2.debug');
  });
});
