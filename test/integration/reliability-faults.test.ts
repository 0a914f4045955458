// Faults mid-run, with the real engine and real builds of zlib (the smallest source the project
// builds; docs/reliability.md): a build cache corrupted in several ways and repaired, an index that
// lags its pool, a read-only repository, a build that publishes links to the host, the engine lost
// mid-step (a socket of the test's own between stubforge and the engine, then cut), SIGTERM, SIGINT
// and SIGKILL mid-step followed by a rerun, a step log on a full disk, and two runs on one home.
// Each asserts the exit code, a message naming what and where, that no container of the run is
// left, that no key is half-published, and that the cache verifies clean afterwards.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRepo } from '../../src/cache/apt-repo.js';
import { verifyRepo } from '../../src/cache/repo-verify.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { Label } from '../../src/runtime/labels.js';
import { startEngineProxy } from './engine-proxy.js';
import { ensureEngine } from './runtime-support.js';
import { describeRepoError } from '../../src/cli/cache-messages.js';

const ROOT = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'stubforge-reliability-faults-'));
const CACHE = join(tmpdir(), 'stubforge-test-index-cache');
const runtime = new DockerRuntime();
const mounts: string[] = [];
const base = join(work, 'base');

afterAll(() => {
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
  rmSync(work, { recursive: true, force: true });
});

/** Recipe folders: the steps-driver zlib recipe of test/fixtures/recipes with extra steps (each variant is its own key). */
function recipeDir(name: string, extraSteps: readonly string[], replaceSteps = false): string {
  const dir = join(work, 'recipes', name);
  mkdirSync(dir, { recursive: true });
  const shipped = readFileSync(join(ROOT, 'test/fixtures/recipes/zlib'), 'utf8');
  const text = replaceSteps
    ? shipped.replace(/^Steps:\n(?: .*\n)+/m, `Steps:\n${extraSteps.map((s) => ` ${s}\n`).join('')}`)
    : shipped.replace(/^( make install DESTDIR="\$DESTDIR"\n)/m, `$1${extraSteps.map((s) => ` ${s}\n`).join('')}`);
  writeFileSync(join(dir, 'zlib'), text);
  return dir;
}

const SLEEPING = recipeDir('sleeping', ['echo stubforge-step-running', 'sleep 600'], true);

interface Run { code: number | null; signal: NodeJS.Signals | null; out: string; ms: number; pid: number }

interface Started { readonly pid: number; readonly done: Promise<Run> }

function start(home: string, args: readonly string[], env: Record<string, string> = {}): Started {
  const began = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'bin/stubforge.js'), 'build', 'zlib', '--suite', 'bookworm', '--jobs', '1', ...args], {
    env: { ...process.env, STUBFORGE_HOME: home, STUBFORGE_CACHE: CACHE, STUBFORGE_LOG_LEVEL: 'warn', ...env }, cwd: work,
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
  const done = new Promise<Run>((resolve) => {
    child.on('close', (code, signal) => { resolve({ code, signal, out, ms: performance.now() - began, pid: child.pid ?? 0 }); });
  });
  return { pid: child.pid ?? 0, done };
}

async function build(home: string, ...args: string[]): Promise<Run> {
  return start(home, args).done;
}

async function containersOf(pid: number): Promise<string[]> {
  const listed = await runtime.listContainers({ [Label.pid]: String(pid) });
  if (!listed.ok) throw new Error(listed.error.reason);
  return listed.value.map((c) => c.id);
}

/** The container of `pid` once its step runs (its first line is in the log). */
async function runningContainer(pid: number, within = 240_000): Promise<string> {
  const until = performance.now() + within;
  while (performance.now() < until) {
    const listed = await runtime.listContainers({ [Label.pid]: String(pid) }, { runningOnly: true });
    if (listed.ok && listed.value[0] !== undefined) return listed.value[0].id;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no running container of ${pid}`);
}

async function expectCleanCache(home: string): Promise<void> {
  const repo = join(home, 'repo');
  const checked = await verifyRepo(repo, { deep: true });
  expect(checked.ok && checked.value.findings).toEqual([]);
  expect(readdirSync(join(repo, '.staging'))).toEqual([]);
}

function workFolders(home: string): string[] {
  const dir = join(home, 'state', 'work');
  return existsSync(dir) ? readdirSync(dir) : [];
}

function copyHome(name: string): string {
  const home = join(work, name);
  cpSync(base, home, { recursive: true });
  return home;
}

function cli(home: string, ...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/stubforge.js'), ...args], {
    env: { ...process.env, STUBFORGE_HOME: home, STUBFORGE_CACHE: CACHE }, cwd: work, encoding: 'utf8', timeout: 300_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

function keyOf(home: string): string {
  const keys = readdirSync(join(home, 'repo', 'pool'));
  if (keys.length !== 1 || keys[0] === undefined) throw new Error(`expected one key, found ${keys.join(', ')}`);
  return keys[0];
}

function debOf(home: string): string {
  const dir = join(home, 'repo', 'pool', keyOf(home));
  const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (deb === undefined) throw new Error('no .deb');
  return join(dir, deb);
}

/** The index written while the key was not in the pool yet: an index update that failed after the pool rename. */
async function makeIndexLag(home: string): Promise<void> {
  const repo = join(home, 'repo');
  const key = keyOf(home);
  renameSync(join(repo, 'pool', key), join(work, `${key}.aside`));
  const opened = await openRepo(repo);
  if (!opened.ok) throw new Error(describeRepoError(opened.error));
  renameSync(join(work, `${key}.aside`), join(repo, 'pool', key));
}

const canMount = ((): boolean => {
  const probe = mkdtempSync(join(work, 'probe-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (mounted) mounts.push(probe);
  return mounted;
})();

beforeAll(async () => {
  ensureEngine();
  mkdirSync(CACHE, { recursive: true });
  const first = await build(base);
  if (first.code !== 0) throw new Error(`the first build failed (${String(first.code)}):\n${first.out}`);
}, 900_000);

describe('stubforge cache verify', () => {
  it('a freshly built home verifies clean', () => {
    const r = cli(base, 'cache', 'verify');
    expect(r.out).toContain('found: nothing wrong');
    expect(r.code).toBe(0);
  });

  it.each([
    ['a package whose bytes changed', 'deb-mismatch', (home: string): string => {
      const deb = debOf(home);
      const bytes = readFileSync(deb);
      bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] ?? 0) ^ 1;
      writeFileSync(deb, bytes);
      return deb;
    }],
    ['a publish record that is not JSON', 'entry-corrupt', (home: string): string => {
      const record = join(home, 'repo', 'pool', keyOf(home), 'entry.json');
      writeFileSync(record, '{ garbage');
      return record;
    }],
    ['an emptied Packages', 'index-mismatch', (home: string): string => {
      writeFileSync(join(home, 'repo', 'Packages'), '');
      return join(home, 'repo', 'Packages');
    }],
    ['a deleted Release', 'release-missing', (home: string): string => {
      rmSync(join(home, 'repo', 'Release'));
      return join(home, 'repo', 'Release');
    }],
    ['a stray folder in the pool', 'pool-orphan', (home: string): string => {
      mkdirSync(join(home, 'repo', 'pool', 'not-a-key'));
      return join(home, 'repo', 'pool', 'not-a-key');
    }],
    ['a staging folder of a dead publisher', 'leftover', (home: string): string => {
      const dir = join(home, 'repo', '.staging', `${keyOf(home)}.999999999.abcdef`);
      mkdirSync(dir);
      return dir;
    }],
  ])('names %s and repairs it', (name, kind, corrupt) => {
    const home = copyHome(`verify-${kind}`);
    const where = corrupt(home);
    const found = cli(home, 'cache', 'verify');
    expect(found.code).toBe(1);
    expect(found.out).toContain(`${kind}: ${where}`);
    const repaired = cli(home, 'cache', 'verify', '--repair');
    expect(repaired.code, repaired.out).toBe(0);
    expect(repaired.out).toMatch(/verified again:\n.*\nfound: nothing wrong/);
    expect(name).toBeTruthy();
  });

  it('names five corruptions of one home, and --repair leaves a home that verifies clean and builds', async () => {
    const home = copyHome('verify-five');
    const repo = join(home, 'repo');
    const key = keyOf(home);
    await makeIndexLag(home);
    writeFileSync(join(repo, 'Packages.xz'), 'not xz');
    cpSync(join(repo, 'pool', key), join(repo, 'pool', 'a'.repeat(64)), { recursive: true });
    writeFileSync(join(repo, 'pool', key, 'stray.txt'), 'x');
    mkdirSync(join(repo, '.trash', `${key}.999999999.abcdef`));
    const found = cli(home, 'cache', 'verify');
    expect(found.code).toBe(1);
    for (const kind of ['index-stale', 'index-mismatch', 'entry-corrupt', 'pool-orphan', 'leftover']) expect(found.out).toContain(`${kind}: `);
    expect(cli(home, 'cache', 'verify', '--repair').code).toBe(0);
    expect(cli(home, 'cache', 'verify').code).toBe(0);
    const again = await build(home);
    expect(again.code, again.out).toBe(0);
    await expectCleanCache(home);
  }, 600_000);
});

describe('the index never answers alone', () => {
  it('query embeds finds a key the index lags behind (the index update failed after the pool rename)', async () => {
    const home = copyHome('lagging');
    await makeIndexLag(home);
    const r = cli(home, 'query', 'embeds', 'zlib');
    expect(r.out).toMatch(/zlib1g-dev-musl-linux-amd64-cross/);
    expect(r.code).toBe(0);
  });

  it.skipIf(!canMount)('query refuses a lagging index it cannot rewrite (read-only repository), exit 4', async () => {
    const home = copyHome('lagging-ro');
    await makeIndexLag(home);
    const repo = join(home, 'repo');
    execFileSync('mount', ['--bind', repo, repo]);
    mounts.push(repo);
    execFileSync('mount', ['-o', 'remount,bind,ro', repo]);
    const r = cli(home, 'query', 'embeds', 'zlib');
    expect(r.out).toMatch(new RegExp(`${repo}: the index disagrees with the pool .*not answering from it`));
    expect(r.code).toBe(4);
  });

  it.skipIf(!canMount)('a read-only repository still serves its cache hits', async () => {
    const home = copyHome('read-only');
    const repo = join(home, 'repo');
    execFileSync('mount', ['--bind', repo, repo]);
    mounts.push(repo);
    execFileSync('mount', ['-o', 'remount,bind,ro', repo]);
    const r = await build(home);
    expect(r.out).toMatch(/1 cached/);
    expect(r.code).toBe(0);
  }, 300_000);
});

describe('hostile build outputs', () => {
  it('links to the host, a fifo and a setuid file are refused, nothing is published', async () => {
    const home = copyHome('hostile');
    const recipes = recipeDir('hostile', [
      'ln -s /etc/shadow "$DESTDIR$STUBFORGE_PREFIX/include/x.h"',
      'ln -s ../../../../../etc/passwd "$DESTDIR$STUBFORGE_PREFIX/include/y.h"',
      'rm "$DESTDIR$STUBFORGE_PREFIX/lib/libz.a" && ln -s /usr/lib/x86_64-linux-gnu/libz.a "$DESTDIR$STUBFORGE_PREFIX/lib/libz.a"',
      'mkfifo "$DESTDIR$STUBFORGE_PREFIX/include/fifo"',
      'chmod u+s "$DESTDIR$STUBFORGE_PREFIX/include/zlib.h"',
    ]);
    const before = readdirSync(join(home, 'repo', 'pool'));
    const r = await build(home, '--recipe-dir', recipes);
    expect(r.code).toBe(1);
    for (const line of [
      'include/x.h: symlink to /etc/shadow',
      'include/y.h: symlink to ../../../../../etc/passwd',
      'lib/libz.a: symlink to /usr/lib/x86_64-linux-gnu/libz.a',
      'include/fifo: a fifo',
      'include/zlib.h: mode 4644 has the setuid/setgid bit',
    ]) expect(r.out).toContain(`usr/x86_64-linux-musl/${line}`);
    expect(readdirSync(join(home, 'repo', 'pool'))).toEqual(before);
    expect(await containersOf(r.pid)).toEqual([]);
    await expectCleanCache(home);
  }, 600_000);
});

describe('the engine lost mid-step', () => {
  it.each(['hang', 'reset'] as const)('(%s): exit 5 within seconds; the next run removes the container', async (mode) => {
    const home = copyHome(`engine-${mode}`);
    const proxy = await startEngineProxy(join(work, `engine-${mode}.sock`));
    try {
      const run = start(home, ['--recipe-dir', SLEEPING], { DOCKER_HOST: `unix://${proxy.socket}` });
      await runningContainer(run.pid);
      const cut = performance.now();
      proxy.cut(mode);
      const r = await run.done;
      expect(r.code, r.out).toBe(5);
      expect(performance.now() - cut).toBeLessThan(45_000);
      expect(r.out).toContain(`the container engine does not answer on ${proxy.socket}`);
      // The engine itself is fine: the next run (through its real socket) reaps what was left.
      const rerun = await build(home);
      expect(rerun.code, rerun.out).toBe(0);
      expect(await containersOf(r.pid)).toEqual([]);
      expect(workFolders(home)).toEqual([]);
      await expectCleanCache(home);
    } finally {
      await proxy.close();
    }
  }, 600_000);
});

describe('signals mid-step', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s ends the run promptly (130), container and work folder removed', async (signal) => {
    const home = copyHome(`signal-${signal}`);
    const run = start(home, ['--recipe-dir', SLEEPING]);
    const id = await runningContainer(run.pid);
    // The build container carries the default limits (docs/reliability.md).
    expect(execFileSync('docker', ['inspect', '-f', '{{.HostConfig.PidsLimit}} {{.HostConfig.CpuShares}}', id], { encoding: 'utf8' }).trim()).toBe('4096 512');
    const sent = performance.now();
    process.kill(run.pid, signal);
    const r = await run.done;
    expect(r.code, r.out).toBe(130);
    expect(performance.now() - sent).toBeLessThan(30_000);
    expect(await containersOf(run.pid)).toEqual([]);
    expect(workFolders(home)).toEqual([]);
    await expectCleanCache(home);
  }, 600_000);

  it('SIGKILL leaves a container and a work folder; the rerun removes both and verifies clean', async () => {
    const home = copyHome('signal-SIGKILL');
    const run = start(home, ['--recipe-dir', SLEEPING]);
    await runningContainer(run.pid);
    process.kill(run.pid, 'SIGKILL');
    const r = await run.done;
    expect(r.signal).toBe('SIGKILL');
    expect(await containersOf(run.pid)).not.toEqual([]);
    expect(workFolders(home).length).toBe(1);
    const rerun = await build(home);
    expect(rerun.code, rerun.out).toBe(0);
    expect(await containersOf(run.pid)).toEqual([]);
    expect(workFolders(home)).toEqual([]);
    await expectCleanCache(home);
  }, 600_000);
});

describe('host faults mid-run', () => {
  it.skipIf(!canMount)('a step log on a full disk: exit 6 naming the log, no container, no work folder', async () => {
    const home = copyHome('full-logs');
    const logs = join(home, 'state', 'logs');
    mkdirSync(logs, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', logs]);
    mounts.push(logs);
    const r = await build(home, '--recipe-dir', recipeDir('noisy', ['yes stubforge-noise | head -c 20000000'], true));
    expect(r.code, r.out).toBe(6);
    expect(r.out).toMatch(new RegExp(`${logs}/\\S+/zlib\\.log: writing the step log: ENOSPC`));
    expect(await containersOf(r.pid)).toEqual([]);
    expect(workFolders(home)).toEqual([]);
    await expectCleanCache(home);
  }, 600_000);

  it('a build that fills more than --scratch-limit is stopped, its container and folders removed', async () => {
    const home = copyHome('scratch');
    const recipes = recipeDir('filling', ['head -c 200000000 /dev/zero > /tmp/fill', 'sleep 600'], true);
    const r = await build(home, '--recipe-dir', recipes, '--scratch-limit', '0.05');
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/zlib: build step stopped after filling \d+ MiB of scratch space \(limit 51 MiB, --scratch-limit\)/);
    expect(await containersOf(r.pid)).toEqual([]);
    expect(workFolders(home)).toEqual([]);
    await expectCleanCache(home);
  }, 600_000);

  it('two runs of the same new key on one home: both succeed, the key is published once', async () => {
    const home = copyHome('concurrent');
    const recipes = recipeDir('concurrent', ['true # a recipe of its own, so a key of its own']);
    const [a, b] = await Promise.all([start(home, ['--recipe-dir', recipes]).done, start(home, ['--recipe-dir', recipes]).done]);
    expect(a?.code, a?.out).toBe(0);
    expect(b?.code, b?.out).toBe(0);
    expect(readdirSync(join(home, 'repo', 'pool')).length).toBe(2);
    await expectCleanCache(home);
    appendFileSync(join(work, 'concurrent.log'), `${a?.out ?? ''}\n${b?.out ?? ''}`);
  }, 600_000);
});
