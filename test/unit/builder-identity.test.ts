// The builder in the cache key: stubforge's own build code (executor/builders/builder-code.ts), read from a
// copy of this checkout's src/ that the test edits, and a user-supplied toolchain tree's digest
// (plan/toolchain-tree.ts, pure: the tree below is a listing, the only place one is made up; the
// walker runs on a real toolchain folder, musl's, and on a real rumprun tree when one is given).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILDER_CODE, builderCodeDigest, installedCodeRoot } from '../../src/executor/builders/builder-code.js';
import { digestToolchainTree } from '../../src/executor/builders/toolchain-tree-io.js';
import { planCacheKeys, sameImageForEvery } from '../../src/plan/cache-key.js';
import { toolchainTreeDigest, type TreeEntry } from '../../src/plan/toolchain-tree.js';
import { qemuPlan } from './executor-plans.js';

const SRC = join(import.meta.dirname, '../../src');
const work = mkdtempSync(join(tmpdir(), 'stubforge-builder-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function srcCopy(name: string): string {
  const dir = join(work, name);
  cpSync(SRC, dir, { recursive: true });
  return dir;
}

function edit(root: string, file: string, from: string, to: string): void {
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  expect(text).toContain(from);
  writeFileSync(path, text.replace(from, to));
}

describe('the build code in the key', () => {
  const plan = qemuPlan();
  const digests = sameImageForEvery(plan, `sha256:${'c'.repeat(64)}`);
  const keysWith = async (root: string): Promise<ReadonlyMap<string, string>> => planCacheKeys(plan, digests, { code: await builderCodeDigest(root) });

  it('is the same for an identical copy of the code', async () => {
    expect(await builderCodeDigest(srcCopy('same'))).toBe(await builderCodeDigest(SRC));
  });

  it('changes every key when a driver emits another command', async () => {
    const root = srcCopy('driver');
    const before = await keysWith(root);
    edit(root, 'drivers/autotools/autotools-driver.ts', "'--disable-shared',", "'--disable-shared', '--disable-silent-rules',");
    const after = await keysWith(root);
    for (const n of plan.nodes) expect(after.get(n.source), n.source).not.toBe(before.get(n.source));
  });

  it.each([
    ['the step script', 'executor/builders/step-script.ts'],
    ['the toolchain mapping', 'executor/builders/toolchain-mapping.ts'],
  ])('changes with %s', async (_what, file) => {
    const root = srcCopy(file.replace(/\W/g, '-'));
    const before = await builderCodeDigest(root);
    writeFileSync(join(root, file), `${readFileSync(join(root, file), 'utf8')}\nexport const CHANGED = 1;\n`);
    expect(await builderCodeDigest(root)).not.toBe(before);
  });

  it('keeps every key when a comment changes in a module that does not build (cli/, solver/)', async () => {
    const root = srcCopy('comment');
    const before = await keysWith(root);
    edit(root, 'cli/main.ts', '//', '// (edited)');
    edit(root, 'solver/why.ts', '//', '// (edited)');
    expect(await keysWith(root)).toEqual(before);
  });

  it('is, in a test, the digest of the build the CLI runs (dist/src/ once built), so both name one builder', () => {
    const built = join(SRC, '../dist/src/');
    expect(installedCodeRoot()).toBe(existsSync(built) ? built : `${SRC}/`);
  });

  it('names only folders and modules that exist', () => {
    for (const item of BUILDER_CODE) expect(existsSync(join(SRC, item.endsWith('/') ? item : `${item}.ts`)), item).toBe(true);
  });
});

describe('a toolchain tree in the key', () => {
  // A listing shaped like an installed rumprun tree (wrappers, specs, sysroot, bake libraries).
  const tree: TreeEntry[] = [
    { path: 'bin', kind: 'dir' },
    { path: 'bin/x86_64-rumprun-netbsd-gcc', kind: 'file', executable: true, size: 310, sha256: '1'.repeat(64) },
    { path: 'bin/x86_64-rumprun-netbsd-cc', kind: 'symlink', target: 'x86_64-rumprun-netbsd-gcc' },
    { path: 'lib/rumprun-x86_64-hw/specs', kind: 'file', executable: false, size: 900, sha256: '2'.repeat(64) },
    { path: 'rumprun-x86_64/lib/libc.a', kind: 'file', executable: false, size: 4_000_000, sha256: '3'.repeat(64) },
    { path: 'rumprun-x86_64/include/stdio.h', kind: 'file', executable: false, size: 12_000, sha256: '4'.repeat(64) },
  ];
  const base = toolchainTreeDigest('/opt/rumprun', tree);

  it('does not depend on listing order', () => {
    expect(toolchainTreeDigest('/opt/rumprun', [...tree].reverse())).toBe(base);
  });

  it.each<[string, string, TreeEntry[]]>([
    ['a header', '/opt/rumprun', tree.map((e) => (e.path.endsWith('stdio.h') && e.kind === 'file' ? { ...e, sha256: '5'.repeat(64) } : e))],
    ['a wrapper losing its exec bit', '/opt/rumprun', tree.map((e) => (e.kind === 'file' && e.path.startsWith('bin/') ? { ...e, executable: false } : e))],
    ['a symlink target', '/opt/rumprun', tree.map((e) => (e.kind === 'symlink' ? { ...e, target: 'gcc' } : e))],
    ['another platform', '/opt/rumprun', [...tree, { path: 'lib/rumprun-x86_64-xen/specs', kind: 'file', executable: false, size: 900, sha256: '6'.repeat(64) }]],
    ['the path it was built for', '/opt/rumprun-xen', tree],
  ])('changes with %s', (_what, root, entries) => {
    expect(toolchainTreeDigest(root, entries)).not.toBe(base);
  });

  it('changes the key of every node built with it, and nothing of a plan built without it', () => {
    const plan = qemuPlan();
    const digests = sameImageForEvery(plan, `sha256:${'c'.repeat(64)}`);
    const code = '9'.repeat(64);
    const hw = planCacheKeys(plan, digests, { code, toolchainTree: base });
    const xen = planCacheKeys(plan, digests, { code, toolchainTree: toolchainTreeDigest('/opt/rumprun-xen', tree) });
    for (const n of plan.nodes) expect(xen.get(n.source), n.source).not.toBe(hw.get(n.source));
    // A packaged toolchain (musl) has no tree: its keys are those of the code and the image alone.
    expect(planCacheKeys(plan, digests, { code })).toEqual(planCacheKeys(plan, digests, { code }));
    expect(planCacheKeys(plan, digests, { code }).get('zlib')).not.toBe(hw.get('zlib'));
  });
});

describe('digestToolchainTree on a real toolchain folder (musl\'s)', () => {
  it('hashes each file once, then answers from its memo until a file changes', async () => {
    // musl-dev's sysroot, laid out as a tree: its libraries and specs, its headers.
    const root = join(work, 'musl-tree');
    cpSync('/usr/lib/x86_64-linux-musl', join(root, 'lib'), { recursive: true, verbatimSymlinks: true });
    cpSync('/usr/include/x86_64-linux-musl', join(root, 'include'), { recursive: true, verbatimSymlinks: true });
    const memo = join(work, 'memo');
    const first = await digestToolchainTree(root, memo);
    if (!first.ok) throw new Error(first.error.detail);
    expect(first.value.files).toBeGreaterThan(100);
    expect(first.value.hashed).toBe(first.value.files);
    const again = await digestToolchainTree(root, memo);
    expect(again.ok && again.value).toEqual({ ...first.value, hashed: 0 });
    const specs = join(root, 'lib/musl-gcc.specs');
    writeFileSync(specs, `${readFileSync(specs, 'utf8')} `);
    utimesSync(specs, new Date(2000, 0, 1), new Date(2000, 0, 1));
    const changed = await digestToolchainTree(root, memo);
    expect(changed.ok && changed.value.hashed).toBe(1);
    expect(changed.ok && changed.value.digest).not.toBe(first.value.digest);
  });
});

const RUMPRUN = process.env.STUBFORGE_RUMPRUN;
const withTree = RUMPRUN !== undefined && RUMPRUN !== '';
const title = withTree
  ? `digestToolchainTree on the rumprun tree in STUBFORGE_RUMPRUN (${RUMPRUN ?? ''})`
  : 'digestToolchainTree on a rumprun tree — skipped: STUBFORGE_RUMPRUN is not set (point it at an installed rumprun tree)';
describe(title, () => {
  it.skipIf(!withTree)('digests the tree, and a second look reads no file again', async () => {
    const memo = join(work, 'rumprun-memo');
    const first = await digestToolchainTree(RUMPRUN ?? '', memo);
    if (!first.ok) throw new Error(first.error.detail);
    const again = await digestToolchainTree(RUMPRUN ?? '', memo);
    expect(again.ok && again.value).toEqual({ ...first.value, hashed: 0 });
  });
});
