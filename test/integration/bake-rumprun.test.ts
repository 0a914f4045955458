// The rumprun path on real tools. The disk-image spec runs everywhere (mke2fs and debugfs are part
// of every Debian system). Everything that needs a rumprun tree runs only when STUBFORGE_RUMPRUN
// names one; otherwise those tests are reported as skipped, and the describe name says why.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBakeList } from '../../src/bake/backends/rumprun-bake-list.js';
import { readRumprunTree } from '../../src/bake/backends/rumprun-tree-io.js';
import type { RumprunTree } from '../../src/bake/backends/rumprun-tree.js';
import { rumprunBackend, rumprunListCommand } from '../../src/bake/backends/rumprun.js';
import { runBakeCommandsOnHost, stageFiles } from '../../src/bake/bake-host.js';
import { expandManifest, parseManifest } from '../../src/bake/manifest.js';
import { cookfsSpec, diskImageSpec } from '../../src/bake/rumprun-fs-image.js';
import { renderRumprunConfig, rumprunDelivery } from '../../src/bake/rumprun-json.js';
import { bootAndWatch } from './rumprun-boot.js';

const baseEnv = { PATH: `${process.env['PATH'] ?? '/usr/bin:/bin'}:/usr/sbin:/sbin` };
let work = '';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'stubforge-bake-rumprun-'));
});

afterAll(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

describe('a rumprun data disk from a manifest, made by the real mke2fs', () => {
  async function makeImage(name: string): Promise<{ image: string; files: { guestPath: string; hostPath: string }[] }> {
    const source = join(work, 'source');
    await mkdir(join(source, 'etc/qemu'), { recursive: true });
    await mkdir(join(source, 'keymaps'), { recursive: true });
    await writeFile(join(source, 'etc/qemu/bridge.conf'), 'allow xenbr0\n');
    await writeFile(join(source, 'keymaps/en-us'), 'include common\nmap 0x409\n');
    await writeFile(join(source, 'keymaps/common'), 'Shift_L 0x2a modifier\n');
    const manifest = parseManifest('/data/qemu/bridge.conf: ${SOURCE}/etc/qemu/bridge.conf\n/data/keymaps/**: ${SOURCE}/keymaps/**\n', 'usr.manifest');
    if (!manifest.ok) throw new Error('manifest');
    const hostFiles = [join(source, 'etc/qemu/bridge.conf'), join(source, 'keymaps/en-us'), join(source, 'keymaps/common')];
    const files = expandManifest(manifest.value, { variables: { SOURCE: source }, files: hostFiles });
    if (!files.ok) throw new Error('expand');
    const sizes = new Map<string, number>();
    for (const f of hostFiles) sizes.set(f, (await stat(f)).size);
    const spec = diskImageSpec(files.value, {
      workDir: join(work, name), sourceDateEpoch: 1700000000, mountpoint: '/data', sizes, uuid: '6b1d0f3e-0000-4000-8000-000000000000',
    });
    if (!spec.ok) throw new Error(JSON.stringify(spec.error));
    await stageFiles(spec.value.staging);
    const ran = await runBakeCommandsOnHost(spec.value.commands, { baseEnv });
    if (!ran.ok) throw new Error(`${ran.error.name}: ${ran.error.outputTail}`);
    return { image: spec.value.image, files: files.value };
  }

  it('holds every file below the mountpoint with its content, owner 0:0 and the epoch as its times', async () => {
    const { image } = await makeImage('first');
    const debugfs = (request: string): string => execFileSync('debugfs', ['-R', request, image], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...baseEnv, TZ: 'UTC' } });
    expect(debugfs('cat /qemu/bridge.conf')).toBe('allow xenbr0\n');
    expect(debugfs('cat /keymaps/en-us')).toBe('include common\nmap 0x409\n');
    expect(debugfs('ls -l /keymaps')).toMatch(/100644 \(1\)\s+0\s+0\s+22 14-Nov-2023 22:13 common/);
    expect(debugfs('stat /qemu/bridge.conf')).toMatch(/ctime: 0x6553f100/);
  });

  it('is byte-identical when made again from the same inputs', async () => {
    const sha = async (path: string): Promise<string> => createHash('sha256').update(await readFile(path)).digest('hex');
    const first = await makeImage('again-1');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await makeImage('again-2');
    expect(await sha(second.image)).toBe(await sha(first.image));
  });
});

const treeDir = process.env['STUBFORGE_RUMPRUN'];
const withTree = treeDir !== undefined && treeDir !== '';
const treeTitle = withTree ? `the rumprun tree in STUBFORGE_RUMPRUN (${treeDir})` : 'a rumprun tree — skipped: STUBFORGE_RUMPRUN is not set (point it at an installed rumprun tree)';

describe(treeTitle, () => {
  let tree: RumprunTree | undefined;
  let image = '';

  beforeAll(async () => {
    if (!withTree) return;
    const read = await readRumprunTree(treeDir);
    if (!read.ok) throw new Error(JSON.stringify(read.error));
    tree = read.value;
  });

  /** The tree's tools only run outside a container when the tree sits where it was built. */
  function inPlace(skip: (note?: string) => void): RumprunTree {
    if (tree === undefined) throw new Error('no tree');
    if (tree.relocated) skip(`the tree was built for ${tree.asBuiltRoot}: its tools run only mounted there (a build container)`);
    return tree;
  }

  it.skipIf(!withTree)('reads the build path and platform from the wrappers', () => {
    expect(tree?.tuple).toBe('x86_64-rumprun-netbsd');
    expect(tree?.asBuiltRoot.startsWith('/')).toBe(true);
    expect(['hw', 'xen']).toContain(tree?.platform);
  });

  it.skipIf(!withTree)('lists configs of the tree\'s platform with rumprun-bake list', ({ skip }) => {
    const t = inPlace(skip);
    const list = rumprunListCommand(t, work);
    const [program = '', ...args] = list.argv;
    const stdout = execFileSync(program, args, { cwd: list.cwd, env: { ...baseEnv, ...list.env }, encoding: 'utf8' });
    const listing = parseBakeList(stdout);
    if (!listing.ok) throw new Error(JSON.stringify(listing.error));
    expect(listing.value.map((l) => l.config)).toContain(t.platform === 'hw' ? 'hw_generic' : 'xen_pv');
  });

  it.skipIf(!withTree)('bakes a program with a cookfs file bundled, for the tree\'s platform', async ({ skip }) => {
    const t = inPlace(skip);
    const src = join(work, 'rr');
    await mkdir(join(src, 'data'), { recursive: true });
    await writeFile(join(src, 'data/greeting'), 'hello from cookfs\n');
    await writeFile(join(src, 'hello.c'), '#include <stdio.h>\nint main(int argc, char **argv) { FILE *f = fopen("/greeting", "r"); char b[64] = ""; if (f) fgets(b, sizeof b, f); printf("%s says %s", argc > 1 ? argv[1] : "?", b); return 0; }\n');
    const cookfs = cookfsSpec([{ guestPath: '/greeting', hostPath: join(src, 'data/greeting'), location: { file: 'test' } }], { tree: t, workDir: join(src, 'fs') });
    if (!cookfs.ok) throw new Error(JSON.stringify(cookfs.error));
    await stageFiles(cookfs.value.staging);
    const staged = await runBakeCommandsOnHost(cookfs.value.commands, { baseEnv });
    if (!staged.ok) throw new Error(staged.error.outputTail);
    const cc = join(t.asBuiltRoot, 'bin', `${t.tuple}-gcc`);
    execFileSync(cc, ['-O2', '-Wl,-z,noexecstack', '-o', 'hello', 'hello.c', cookfs.value.linkObject], { cwd: src, env: baseEnv });
    const spec = rumprunBackend.plan({
      config: t.platform === 'hw' ? 'hw_generic' : 'xen_pv', program: join(src, 'hello'), outDir: join(src, 'bake'), imageName: 'hello.bin',
      tools: { OBJCOPY: 'objcopy', STRIP: 'strip' }, rumprun: { tree: t },
    });
    if (!spec.ok) throw new Error(JSON.stringify(spec.error));
    const baked = await runBakeCommandsOnHost(spec.value.commands, { baseEnv });
    if (!baked.ok) throw new Error(baked.error.outputTail);
    image = spec.value.outputs.image;
    expect(execFileSync('file', [image], { encoding: 'utf8' })).toMatch(/ELF 64-bit LSB executable, x86-64/);
  });

  it.skipIf(!withTree)('boots the hw_generic image in qemu-system-x86_64 with its configuration on -append', async ({ skip }) => {
    const t = inPlace(skip);
    if (t.platform !== 'hw') skip('a xen tree: booting needs a Xen host');
    if (image === '') skip('the bake test did not produce an image');
    const qemu = ['/usr/bin/qemu-system-x86_64', '/usr/local/bin/qemu-system-x86_64'].find((p) => existsSync(p));
    if (qemu === undefined) skip('qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)');
    const json = renderRumprunConfig({ cmdline: ['hello', 'stubforge'], env: [], blk: [] });
    if (!json.ok) throw new Error(JSON.stringify(json.error));
    const delivery = rumprunDelivery(json.value, 'hw', image);
    expect(delivery.ok && delivery.value.kind).toBe('kernel-cmdline');
    const serial = await bootAndWatch(qemu ?? '', image, json.value, 60_000);
    expect(serial).toContain('stubforge says hello from cookfs');
    expect(serial).toContain('halted');
  });
});
