// Launch configuration: the recipe's command line, the rumprun JSON (shapes per docs/rumprun.md, wire
// form per rumprun's config.c), its delivery limits, the file system image specs, and the musl
// package layout with its launcher file.
import { describe, expect, it } from 'vitest';
import type { RumprunTree } from '../../src/bake/backends/rumprun-tree.js';
import {
  describeLaunchError, muslLaunchPackage, parseLaunchCmdline, resolveLaunchArgs, rumprunLaunchConfig, type LaunchSpec,
} from '../../src/bake/launch-config.js';
import type { ManifestFile } from '../../src/bake/manifest.js';
import { cookfsSpec, diskImageKiB, diskImageSpec } from '../../src/bake/rumprun-fs-image.js';
import { encodeCmdlineArg, renderRumprunConfig, rumprunDelivery, type RumprunConfig } from '../../src/bake/rumprun-json.js';
import { changed } from './changed.js';

const recipe = { file: 'recipes/qemu-stubdom/recipe', line: 56 };
// The rumprun-amd64 Launch-Cmdline of recipes/qemu-stubdom.
const QEMU_CMDLINE = 'qemu-system-i386 -xen-domid ${DOMID} -nodefaults -no-user-config -machine xenfv -display none';

const file = (guestPath: string, hostPath: string): ManifestFile => ({ guestPath, hostPath, location: { file: 'usr.manifest', line: 1 } });
const keymap = file('/usr/share/qemu/keymaps/en-us', '/build/qemu/src/pc-bios/keymaps/en-us');
const bridge = file('/etc/qemu/bridge.conf', '/build/qemu/src/etc/bridge.conf');

describe('the recipe command line', () => {
  it('splits on whitespace and keeps a launch-time ${DOMID} for the launcher to fill', () => {
    const words = parseLaunchCmdline(QEMU_CMDLINE, recipe);
    if (!words.ok) throw new Error('split');
    expect(resolveLaunchArgs(words.value, {}, ['DOMID'], recipe)).toEqual({
      ok: true,
      value: { argv: ['qemu-system-i386', '-xen-domid', '${DOMID}', '-nodefaults', '-no-user-config', '-machine', 'xenfv', '-display', 'none'], launchTimeVariables: ['DOMID'] },
    });
  });

  it('fills build-time values', () => {
    expect(resolveLaunchArgs(['prog', '--keymaps=${DATADIR}/keymaps'], { DATADIR: '/usr/share/qemu' }, [], recipe)).toEqual({
      ok: true, value: { argv: ['prog', '--keymaps=/usr/share/qemu/keymaps'], launchTimeVariables: [] },
    });
  });

  it.each([
    ['', 'empty-cmdline'],
    ["prog 'a b'", 'quoting-not-supported'],
    ['prog a\\ b', 'quoting-not-supported'],
  ])('refuses %j with %s', (text, reason) => {
    const words = parseLaunchCmdline(text, recipe);
    expect(words.ok ? undefined : words.error.reason).toBe(reason);
  });

  it('names an undefined variable with the known ones', () => {
    const r = resolveLaunchArgs(['prog', '${DOMAIN}'], { DATADIR: '/d' }, ['DOMID'], recipe);
    expect(r.ok ? '' : describeLaunchError(r.error)).toBe('"${DOMAIN}": no value for ${DOMAIN} (known: DATADIR DOMID)');
  });
});

const spec: LaunchSpec = {
  argv: ['qemu-system-i386', '-xen-domid', '${DOMID}', '-machine', 'xenfv'],
  env: [{ name: 'QEMU_AUDIO_DRV', value: 'none' }, { name: 'TMPDIR', value: '/tmp' }],
  files: [bridge, keymap],
  hostname: 'stubdom',
  location: recipe,
};

describe('rumprun JSON configuration', () => {
  it('has the keys docs/rumprun.md names, one program in cmdline', () => {
    const config = rumprunLaunchConfig(spec, { disk: { source: 'dev', path: '/dev/ld0a', fstype: 'blk', mountpoint: '/data' } });
    expect(config).toEqual({
      ok: true,
      value: {
        cmdline: ['qemu-system-i386', '-xen-domid', '${DOMID}', '-machine', 'xenfv'],
        env: ['QEMU_AUDIO_DRV=none', 'TMPDIR=/tmp'],
        hostname: 'stubdom',
        blk: [{ source: 'dev', path: '/dev/ld0a', fstype: 'blk', mountpoint: '/data' }],
      },
    });
  });

  it('is written for rumprun\'s parser: one "env" member per entry, blk as docs/rumprun.md\'s example', () => {
    const config = rumprunLaunchConfig(spec, { disk: { source: 'dev', path: '/dev/ld0a', fstype: 'blk', mountpoint: '/data' } });
    if (!config.ok) throw new Error('config');
    expect(renderRumprunConfig(config.value)).toEqual({
      ok: true,
      value: '{"cmdline":"qemu-system-i386 -xen-domid ${DOMID} -machine xenfv","env":"QEMU_AUDIO_DRV=none","env":"TMPDIR=/tmp",'
        + '"hostname":"stubdom","blk":{"source":"dev","path":"/dev/ld0a","fstype":"blk","mountpoint":"/data"}}',
    });
  });

  it('writes several programs under the key the guest reads (rc_TESTING), with a network', () => {
    const config: RumprunConfig = {
      rc: [{ bin: 'server', argv: ['-p', '80'], runmode: '&' }, { bin: 'client', argv: [] }],
      env: [], blk: [], net: { if: 'vioif0', type: 'inet', method: 'static', addr: '10.0.0.2', mask: '24', cloner: true },
    };
    expect(renderRumprunConfig(config)).toEqual({
      ok: true,
      value: '{"rc_TESTING":[{"bin":"server","argv":["-p","80"],"runmode":"&"},{"bin":"client","argv":[]}],'
        + '"net":{"if":"vioif0","cloner":"true","type":"inet","method":"static","addr":"10.0.0.2","mask":"24"}}',
    });
  });

  it.each([
    ['plain-arg_1.0', 'plain-arg_1.0'],
    ['two words', "'two words'"],
    ['', "''"],
    ['say "hi"', `'say \\"hi\\"'`],
    ['C:\\dir', "'C:\\\\dir'"],
  ])('encodes the argument %j for rumprun_parseargs as %s', (arg, encoded) => {
    expect(encodeCmdlineArg(arg)).toEqual({ ok: true, value: encoded });
  });

  it.each([
    ["it's", 'cmdline'],
    ['a\tb', 'cmdline'],
    ['_RUMPRUN_ROOTFSCFG=/x', 'cmdline'],
  ])('cannot pass the argument %j', (arg, key) => {
    const encoded = encodeCmdlineArg(arg);
    expect(encoded.ok ? undefined : [encoded.error.reason, 'key' in encoded.error ? encoded.error.key : '']).toEqual(['unrepresentable-value', key]);
  });

  it.each([
    [{ env: ['A="x"'] }, 'unrepresentable-value'],
    [{ env: ['PATH=C:\\bin'] }, 'unrepresentable-value'],
    [{ env: ['NOEQUALS'] }, 'invalid-config'],
    [{ hostname: 'a\nb' }, 'unrepresentable-value'],
    [{ cmdline: undefined }, 'invalid-config'],
    [{ rc: [{ bin: 'a', argv: [] }] }, 'invalid-config'],
    [{ cmdline: undefined, rc: [{ bin: 'a', argv: [], runmode: '|' }] }, 'invalid-config'],
  ] as const)('refuses %j with %s', (change, reason) => {
    const config = changed<RumprunConfig>({ cmdline: ['prog'], env: [], blk: [] }, change);
    const rendered = renderRumprunConfig(config);
    expect(rendered.ok ? undefined : rendered.error.reason).toBe(reason);
  });

  it('refuses an environment name twice', () => {
    const config = rumprunLaunchConfig({ ...spec, env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] });
    expect(config.ok ? undefined : config.error.reason).toBe('duplicate-env');
  });
});

describe('how the configuration reaches the guest', () => {
  const json = (bytes: number): string => `{"cmdline":"${'x'.repeat(bytes - 14)}"}`;

  it.each([
    [4095, undefined, 'kernel-cmdline'],
    [4000, '/build/app/bake/zlib-test.bin', 'kernel-cmdline'],
    [4065, '/build/app/bake/zlib-test.bin', 'kernel-cmdline'],
    [4066, '/build/app/bake/zlib-test.bin', 'multiboot-module'],
    [4094, '/build/app/bake/zlib-test.bin', 'multiboot-module'],
  ])('hw: %d bytes (kernel %s) go as %s', (bytes, kernel, kind) => {
    expect(json(bytes)).toHaveLength(bytes);
    const delivery = rumprunDelivery(json(bytes), 'hw', kernel);
    expect(delivery.ok && delivery.value.kind).toBe(kind);
  });

  it.each([
    [4096, undefined],
    [4095, '/k'],
  ])('hw: %d bytes (kernel %s) fit neither the command line nor a module: the guest would halt', (bytes, kernel) => {
    const delivery = rumprunDelivery(json(bytes), 'hw', kernel);
    expect(delivery.ok ? undefined : delivery.error).toMatchObject({ reason: 'config-too-large', bytes, limit: 4094 });
  });

  it('xen: written to xenstore, within one xenstore message with its key', () => {
    expect(rumprunDelivery(json(4064), 'xen')).toEqual({ ok: true, value: { kind: 'xenstore', key: '/local/domain/${DOMID}/rumprun/cfg', bytes: 4064, limit: 4064 } });
    const tooLarge = rumprunDelivery(json(4065), 'xen');
    expect(tooLarge.ok ? undefined : tooLarge.error.reason).toBe('config-too-large');
  });

  it('counts bytes, not characters', () => {
    const delivery = rumprunDelivery('{"hostname":"ü"}', 'hw');
    expect(delivery.ok && delivery.value.bytes).toBe(17);
  });
});

const tree: RumprunTree = { hostRoot: '/home/u/rr', asBuiltRoot: '/opt/rumprun-hw', platform: 'hw', machineArch: 'x86_64', tuple: 'x86_64-rumprun-netbsd', relocated: true };

describe('file system image specs', () => {
  it('cookfs: stages by guest path and strips the staging directory with -s 1', () => {
    const cookfs = cookfsSpec([bridge, keymap], { tree, workDir: '/build/app/fs' });
    expect(cookfs).toEqual({
      ok: true,
      value: {
        kind: 'cookfs',
        staging: {
          dir: '/build/app/fs/rootfs',
          copies: [
            { from: bridge.hostPath, to: '/build/app/fs/rootfs/etc/qemu/bridge.conf' },
            { from: keymap.hostPath, to: '/build/app/fs/rootfs/usr/share/qemu/keymaps/en-us' },
          ],
          writes: [],
        },
        commands: [
          { name: 'cookfs', argv: ['/opt/rumprun-hw/bin/x86_64-rumprun-netbsd-cookfs', '-s', '1', '/build/app/fs/fs.o', 'rootfs'], env: {}, cwd: '/build/app/fs' },
        ],
        linkObject: '/build/app/fs/fs.o',
      },
    });
  });

  it('refuses guest paths cookfs would split or glob', () => {
    const cookfs = cookfsSpec([file('/etc/my file', '/x')], { tree, workDir: '/w' });
    expect(cookfs.ok ? undefined : cookfs.error.reason).toBe('unsafe-guest-path');
  });

  const sizes = new Map([[bridge.hostPath, 120], [keymap.hostPath, 5200]]);
  const dataBridge = file('/data/qemu/bridge.conf', bridge.hostPath);
  const dataKeymap = file('/data/keymaps/en-us', keymap.hostPath);

  it('disk: an ext2 image of the files below the mountpoint, reproducible, with its blk entry', () => {
    const disk = diskImageSpec([dataBridge, dataKeymap], { workDir: '/w', sourceDateEpoch: 1700000000, mountpoint: '/data', sizes, uuid: '6b1d0f3e-0000-4000-8000-000000000000' });
    if (!disk.ok) throw new Error(JSON.stringify(disk.error));
    expect(disk.value.staging.copies.map((c) => c.to)).toEqual(['/w/disk/qemu/bridge.conf', '/w/disk/keymaps/en-us']);
    expect(disk.value.blk).toEqual({ source: 'dev', path: '/dev/ld0a', fstype: 'blk', mountpoint: '/data' });
    const [mke2fs, fixup] = disk.value.commands;
    expect(mke2fs?.env).toEqual({ E2FSPROGS_FAKE_TIME: '1700000000' });
    expect(mke2fs?.argv).toEqual([
      'mke2fs', '-q', '-F', '-t', 'ext2', '-r', '1', '-I', '128', '-O', 'none,filetype,sparse_super', '-b', '1024', '-m', '0',
      '-L', 'stubforge', '-U', '6b1d0f3e-0000-4000-8000-000000000000', '-E', 'root_owner=0:0,hash_seed=6b1d0f3e-0000-4000-8000-000000000000',
      '-d', 'disk', '/w/disk.img', '1024',
    ]);
    expect(fixup?.argv).toEqual(['debugfs', '-w', '-f', '/w/fixup.debugfs', '/w/disk.img']);
    const script = disk.value.staging.writes[0];
    expect(script?.path).toBe('/w/fixup.debugfs');
    // Every inode, the directories included, gets owner 0:0 and the epoch for all three times.
    expect(script?.content.split('\n').filter((l) => l.endsWith(' ctime @1700000000'))).toEqual([
      'set_inode_field / ctime @1700000000',
      'set_inode_field /keymaps ctime @1700000000',
      'set_inode_field /keymaps/en-us ctime @1700000000',
      'set_inode_field /qemu ctime @1700000000',
      'set_inode_field /qemu/bridge.conf ctime @1700000000',
    ]);
    expect(script?.content.split('\n').filter((l) => l.startsWith('set_inode_field /qemu/bridge.conf '))).toEqual([
      'set_inode_field /qemu/bridge.conf uid 0', 'set_inode_field /qemu/bridge.conf gid 0', 'set_inode_field /qemu/bridge.conf atime @1700000000',
      'set_inode_field /qemu/bridge.conf mtime @1700000000', 'set_inode_field /qemu/bridge.conf ctime @1700000000',
    ]);
  });

  it.each([
    [{ mountpoint: '/etc' }, 'outside-mountpoint'],
    [{ uuid: 'not-a-uuid' }, 'invalid-image-option'],
    [{ sizes: new Map<string, number>() }, 'invalid-image-option'],
  ])('disk: refuses %j', (change, reason) => {
    const disk = diskImageSpec([dataBridge], { workDir: '/w', sourceDateEpoch: 0, mountpoint: '/data', sizes, uuid: '6b1d0f3e-0000-4000-8000-000000000000', ...change });
    expect(disk.ok ? undefined : disk.error.reason).toBe(reason);
  });

  it('sizes an image from its files, with a 1 MiB floor', () => {
    expect(diskImageKiB([dataBridge], sizes)).toBe(1024);
    expect(diskImageKiB([file('/data/big', '/big')], new Map([['/big', 8 * 1024 * 1024]]))).toBe(Math.ceil(8193 * 1.25) + 256);
  });
});

describe('musl package layout', () => {
  it('puts the files below usr/lib/<package>/root and writes the launcher file', () => {
    const pkg = muslLaunchPackage(spec, { packageName: 'qemu-system-xen-stubdom', executable: 'usr/lib/xen/bin/qemu-stubdom-i386' });
    if (!pkg.ok) throw new Error('pkg');
    expect(pkg.value.entries).toEqual([
      { packagePath: 'usr/lib/qemu-system-xen-stubdom/root/etc/qemu/bridge.conf', hostPath: bridge.hostPath },
      { packagePath: 'usr/lib/qemu-system-xen-stubdom/root/usr/share/qemu/keymaps/en-us', hostPath: keymap.hostPath },
    ]);
    expect(pkg.value.launcher.packagePath).toBe('usr/lib/qemu-system-xen-stubdom/launch.json');
    expect(JSON.parse(pkg.value.launcher.content)).toEqual({
      format: 1,
      executable: '/usr/lib/xen/bin/qemu-stubdom-i386',
      cmdline: ['qemu-system-i386', '-xen-domid', '${DOMID}', '-machine', 'xenfv'],
      env: { QEMU_AUDIO_DRV: 'none', TMPDIR: '/tmp' },
      root: '/usr/lib/qemu-system-xen-stubdom/root',
      files: ['/etc/qemu/bridge.conf', '/usr/share/qemu/keymaps/en-us'],
    });
    expect(pkg.value.launcher.content.endsWith('}\n')).toBe(true);
  });

  it.each([
    [{ executable: '/usr/bin/x' }, 'invalid-package-path'],
    [{ packageName: '../x' }, 'invalid-package-path'],
  ])('refuses %j', (change, reason) => {
    const pkg = muslLaunchPackage(spec, { packageName: 'p', executable: 'usr/bin/p', ...change });
    expect(pkg.ok ? undefined : pkg.error.reason).toBe(reason);
  });

  it('refuses an invalid environment name', () => {
    const pkg = muslLaunchPackage({ ...spec, env: [{ name: '1X', value: '' }] }, { packageName: 'p', executable: 'usr/bin/p' });
    expect(pkg.ok ? undefined : pkg.error.reason).toBe('invalid-env-name');
  });
});
