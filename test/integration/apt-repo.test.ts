// The local apt repository against real processes and the real apt: publishers killed mid-publish
// (child node processes, SIGKILL), concurrent publishers, a dead lock holder, and apt-get reading
// the repository as `deb [trusted=yes] file:<root> ./`.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeb822 } from '../../src/control/deb822.js';
import { openRepo, type AptRepo, type PublishMeta } from '../../src/cache/apt-repo.js';
import type { CacheKey, Sha256Hex } from '../../src/model/brand.js';
import { ARCH, crossPackagesFor, stageLibrary, writeAll } from './deb-fixtures.js';
import { describeRepoError } from '../../src/cli/cache-messages.js';

const PROJECT = join(import.meta.dirname, '../..');
let dir: string;
let staged: string;
const children: ChildProcess[] = [];

interface Job { readonly key: string; readonly debs: string[]; readonly meta: PublishMeta }

const meta = (source: string): PublishMeta => ({ source, sourceVersion: '1.0-1', arch: ARCH, recipeSha256: 'a'.repeat(64) as Sha256Hex });
const keyOf = (n: number | string): CacheKey => createHash('sha256').update(`key-${n}`).digest('hex') as CacheKey;

/** Build and write the -cross package of source `demo<n>` for a key. */
async function job(n: number | string, key = keyOf(n), deps: { binary: string; version: string }[] = []): Promise<Job> {
  const source = `demo${n}`;
  const pkgs = await crossPackagesFor(staged, source, key, { dependencies: deps });
  const written = await writeAll(pkgs, join(dir, 'debs', key));
  return { key, debs: written.map((w) => w.path), meta: meta(source) };
}

async function open(root: string, lockTimeoutMs = 10_000): Promise<AptRepo> {
  const r = await openRepo(root, { lockTimeoutMs });
  if (!r.ok) throw new Error(describeRepoError(r.error));
  return r.value;
}

/** Run child.mjs; resolves with the child once it printed `waitFor` on stdout. */
function startChild(args: string[], waitFor: string): Promise<{ child: ChildProcess; done: Promise<number | null>; output: () => string }> {
  const child = spawn(process.execPath, [join(dir, 'child.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code); }));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      if (out.includes(waitFor)) resolve({ child, done, output: () => out });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    void done.then((code) => { if (!out.includes(waitFor)) reject(new Error(`child exited ${code}: ${out}`)); });
  });
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => { child.on('exit', () => { resolve(); }); child.kill('SIGKILL'); });
}

/** Check that Release names the current Packages and Packages.xz, and return the Packages stanzas. */
function consistentIndex(root: string): Map<string, string>[] {
  const release = readFileSync(join(root, 'Release'), 'utf8');
  for (const name of ['Packages', 'Packages.xz']) {
    const bytes = readFileSync(join(root, name));
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(release).toMatch(new RegExp(`\\n ${sha} +${bytes.length} ${name.replace('.', '\\.')}\\n`));
    expect(readFileSync(join(root, 'by-hash/SHA256', sha)).equals(bytes)).toBe(true);
  }
  const text = readFileSync(join(root, 'Packages'), 'utf8');
  expect(execFileSync('xz', ['-dc', join(root, 'Packages.xz')]).toString()).toBe(text);
  const parsed = parseDeb822(text, { file: 'Packages' });
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value.map((p) => new Map(p.fields.map((f) => [f.name, f.value])));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stubforge-repo-'));
  staged = stageLibrary(dir, 'demo');
  // The child processes run the real repository code, compiled from src/ for them.
  execFileSync(join(PROJECT, 'node_modules/.bin/tsc'), [
    '--outDir', join(dir, 'js'), '--rootDir', PROJECT, '--module', 'nodenext', '--moduleResolution', 'nodenext',
    '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--noEmitOnError', 'false', '--ignoreConfig',
    join(PROJECT, 'src/cache/apt-repo.ts'), join(PROJECT, 'src/cache/lock.ts'), join(PROJECT, 'src/types-debian-control.d.ts'),
  ], { cwd: PROJECT });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(join(PROJECT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, 'child.mjs'), `
import { openRepo } from './js/src/cache/apt-repo.js';
import { acquireLock } from './js/src/cache/lock.js';
const [cmd, target, arg, stopAt] = process.argv.slice(2);
const park = () => setInterval(() => undefined, 1 << 30);
if (cmd === 'lock-loop') {
  // Enter and leave the critical section many times, logging both ends: the log shows any overlap.
  const { appendFileSync } = await import('node:fs');
  for (let i = 0; i < Number(arg); i++) {
    const lock = await acquireLock(target, { timeoutMs: 60000, pollMs: 5 });
    if (!lock.ok) { console.error(lock.error.message); process.exit(2); }
    appendFileSync(stopAt, 'enter ' + process.pid + '\\n');
    await new Promise((r) => setTimeout(r, 3));
    appendFileSync(stopAt, 'leave ' + process.pid + '\\n');
    await lock.value.release();
  }
  process.stdout.write('DONE\\n');
} else if (cmd === 'hold-lock') {
  const lock = await acquireLock(target);
  if (!lock.ok) { console.error(lock.error.message); process.exit(2); }
  process.stdout.write('LOCKED\\n');
  park();
} else {
  const onPublishStage = async (stage) => {
    if (stage !== stopAt) return;
    process.stdout.write('STOPPED ' + stage + '\\n');
    park();
    await new Promise(() => undefined);
  };
  const repo = await openRepo(target, { onPublishStage, lockTimeoutMs: 60000 });
  if (!repo.ok) { console.error(repo.error.message); process.exit(2); }
  for (const job of JSON.parse(arg)) {
    const r = await repo.value.publish(job.key, job.debs, job.meta);
    if (!r.ok) { console.error(JSON.stringify(r.error)); process.exit(1); }
  }
  process.stdout.write('DONE\\n');
}
`);
}, 120_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('AptRepo', () => {
  it('publishes a key, finds it by lookup with its provenance, and misses an unknown key', async () => {
    const repo = await open(join(dir, 'r1', 'repo'));
    const j = await job(1);
    const published = await repo.publish(j.key as CacheKey, j.debs, j.meta);
    expect(published.ok).toBe(true);
    const found = await repo.lookup(j.key as CacheKey);
    expect(found.ok && found.value?.debs.map((d) => [d.package, d.filename, d.provenance])).toEqual([[
      `libdemo1-dev-${ARCH}-cross`, `pool/${j.key}/libdemo1-dev-${ARCH}-cross_1.0-1_all.deb`,
      { source: 'demo1', sourceVersion: '1.0-1', recipeSha256: 'a'.repeat(64), cacheKey: j.key, arch: ARCH },
    ]]);
    expect((await repo.lookup(keyOf('absent'))).ok && (await repo.lookup(keyOf('absent')))).toEqual({ ok: true, value: undefined });
    const listed = await repo.list();
    expect(listed.ok && listed.value.map((e) => e.key)).toEqual([j.key]);
    const stanzas = consistentIndex(repo.root);
    expect(stanzas.map((s) => [s.get('Package'), s.get('Filename'), s.get('X-Stubforge-Cache-Key')])).toEqual([
      [`libdemo1-dev-${ARCH}-cross`, `pool/${j.key}/libdemo1-dev-${ARCH}-cross_1.0-1_all.deb`, j.key],
    ]);
    expect((await repo.publish(j.key as CacheKey, j.debs, j.meta)).ok).toBe(true);
  });

  it('refuses packages whose provenance disagrees with the key, leaving nothing behind', async () => {
    const repo = await open(join(dir, 'r2', 'repo'));
    const j = await job(2);
    const r = await repo.publish(keyOf('other'), j.debs, j.meta);
    expect(!r.ok && r.error.reason).toBe('provenance-mismatch');
    expect(!r.ok && describeRepoError(r.error)).toContain('X-Stubforge-Cache-Key');
    expect((await repo.lookup(keyOf('other'))).ok && (await repo.lookup(keyOf('other')))).toEqual({ ok: true, value: undefined });
    expect(readdirSync(join(repo.root, '.staging'))).toEqual([]);
    expect(readdirSync(join(repo.root, 'pool'))).toEqual([]);
  });

  it('leaves nothing lookup returns when the publisher is killed after staging, and cleans up on open', async () => {
    const root = join(dir, 'r3', 'repo');
    await open(root);
    const j = await job(3);
    const { child } = await startChild(['publish', root, JSON.stringify([j]), 'staged'], 'STOPPED staged');
    await kill9(child);
    expect(readdirSync(join(root, '.staging'))).toHaveLength(1);
    const repo = await open(root);
    expect(await repo.lookup(j.key as CacheKey)).toEqual({ ok: true, value: undefined });
    expect(readdirSync(join(root, '.staging'))).toEqual([]);
    expect(consistentIndex(root)).toEqual([]);
    expect((await repo.publish(j.key as CacheKey, j.debs, j.meta)).ok).toBe(true);
    expect(consistentIndex(root)).toHaveLength(1);
  });

  it('keeps a key committed before the kill, and the next open brings the index up to date', async () => {
    const root = join(dir, 'r4', 'repo');
    await open(root);
    const j = await job(4);
    const { child } = await startChild(['publish', root, JSON.stringify([j]), 'committed'], 'STOPPED committed');
    await kill9(child);
    expect(consistentIndex(root)).toEqual([]);
    const repo = await open(root);
    const found = await repo.lookup(j.key as CacheKey);
    expect(found.ok && found.value?.debs).toHaveLength(1);
    expect(consistentIndex(root).map((s) => s.get('X-Stubforge-Cache-Key'))).toEqual([j.key]);
  });

  it('takes over the index lock of a killed process', async () => {
    const root = join(dir, 'r5', 'repo');
    const repo = await open(root);
    const { child } = await startChild(['hold-lock', join(root, '.lock')], 'LOCKED');
    const holder = child.pid;
    await kill9(child);
    expect(JSON.parse(readFileSync(join(root, '.lock'), 'utf8'))).toMatchObject({ pid: holder });
    const j = await job(5);
    expect((await repo.publish(j.key as CacheKey, j.debs, j.meta)).ok).toBe(true);
    expect(existsSync(join(root, '.lock'))).toBe(false);
    expect(consistentIndex(root)).toHaveLength(1);
  });

  it('lets one process at a time hold the lock, three racing to take over a dead holder\'s lock', async () => {
    const root = join(dir, 'r5b');
    mkdirSync(root);
    const lockPath = join(root, '.lock');
    const log = join(root, 'critical.log');
    const { child } = await startChild(['hold-lock', lockPath], 'LOCKED');
    await kill9(child);
    const loopers = await Promise.all([1, 2, 3].map(() => startChild(['lock-loop', lockPath, '40', log], 'DONE')));
    expect(await Promise.all(loopers.map((l) => l.done))).toEqual([0, 0, 0]);
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3 * 40 * 2);
    for (let i = 0; i < lines.length; i += 2) {
      expect([lines[i]?.split(' ')[0], lines[i + 1]]).toEqual(['enter', lines[i]?.replace('enter', 'leave')]);
    }
    expect(new Set(lines.map((l) => l.split(' ')[1])).size).toBe(3);
    expect(existsSync(lockPath)).toBe(false);
  });

  it('waits for a live lock holder and names it when it gives up', async () => {
    const root = join(dir, 'r6', 'repo');
    await open(root);
    const { child } = await startChild(['hold-lock', join(root, '.lock')], 'LOCKED');
    const repo = await open(root, 300);
    const r = await repo.reindex();
    expect(!r.ok && [r.error.reason, r.error.reason === 'lock-timeout' && r.error.holder?.pid]).toEqual(['lock-timeout', child.pid]);
    await kill9(child);
  });

  it('keeps a consistent index with two publishers running at once', async () => {
    const root = join(dir, 'r7', 'repo');
    await open(root);
    const jobsA = await Promise.all([10, 11, 12, 13, 14, 15].map((n) => job(n)));
    const jobsB = await Promise.all([20, 21, 22, 23, 24, 25].map((n) => job(n)));
    const shared = await job('shared');
    const [a, b] = await Promise.all([
      startChild(['publish', root, JSON.stringify([shared, ...jobsA])], 'DONE'),
      startChild(['publish', root, JSON.stringify([shared, ...jobsB])], 'DONE'),
    ]);
    expect([await a.done, await b.done]).toEqual([0, 0]);
    const stanzas = consistentIndex(root);
    expect(stanzas.map((s) => s.get('X-Stubforge-Source')).sort()).toEqual(
      ['demo10', 'demo11', 'demo12', 'demo13', 'demo14', 'demo15', 'demo20', 'demo21', 'demo22', 'demo23', 'demo24', 'demo25', 'demoshared']);
    expect(readdirSync(join(root, '.staging'))).toEqual([]);
    expect(existsSync(join(root, '.lock'))).toBe(false);
    // The two really ran at the same time: their publish times interleave.
    const listed = await (await open(root)).list();
    const times = (jobs: readonly Job[]): number[] => (listed.ok ? listed.value : [])
      .filter((e) => jobs.some((j) => j.key === e.key)).map((e) => Date.parse(e.publishedAt));
    const [ta, tb] = [times(jobsA), times(jobsB)];
    expect(Math.max(...ta) > Math.min(...tb) && Math.max(...tb) > Math.min(...ta)).toBe(true);
  });

  it('refuses a second, different .deb under one package version, naming both files; its binNMU version is published beside the first', async () => {
    const repo = await open(join(dir, 'r8', 'repo'));
    const first = await job('same', keyOf('same-1'));
    const second = await job('same', keyOf('same-2'));
    expect((await repo.publish(first.key as CacheKey, first.debs, first.meta)).ok).toBe(true);
    const refused = await repo.publish(second.key as CacheKey, second.debs, second.meta);
    expect(!refused.ok && refused.error.reason).toBe('version-exists');
    const name = `libdemosame-dev-${ARCH}-cross_1.0-1_all.deb`;
    expect(!refused.ok && describeRepoError(refused.error)).toContain(join(dir, 'debs', second.key, name));
    expect(!refused.ok && describeRepoError(refused.error)).toContain(join(repo.root, 'pool', first.key, name));
    expect(await repo.lookup(second.key as CacheKey)).toEqual({ ok: true, value: undefined });
    expect(readdirSync(join(repo.root, '.staging'))).toEqual([]);
    // The same package rebuilt for another key takes a binNMU version (what the library builder gives it).
    const binNmuKey = keyOf('same-3');
    const binNmu = await writeAll(await crossPackagesFor(staged, 'demosame', binNmuKey, { version: '1.0-1+b1' }), join(dir, 'debs', binNmuKey));
    expect((await repo.publish(binNmuKey, binNmu.map((w) => w.path), meta('demosame'))).ok).toBe(true);
    expect(consistentIndex(repo.root).map((s) => [s.get('Version'), s.get('X-Stubforge-Cache-Key')])).toEqual([['1.0-1', first.key], ['1.0-1+b1', binNmuKey]]);
  });

  it('remove unpublishes a key and the index drops it', async () => {
    const repo = await open(join(dir, 'r9', 'repo'));
    const j = await job(9);
    await repo.publish(j.key as CacheKey, j.debs, j.meta);
    expect(await repo.remove(j.key as CacheKey)).toEqual({ ok: true, value: true });
    expect(await repo.remove(j.key as CacheKey)).toEqual({ ok: true, value: false });
    expect(await repo.lookup(j.key as CacheKey)).toEqual({ ok: true, value: undefined });
    expect(consistentIndex(repo.root)).toEqual([]);
  });

  it('stores build logs under <root>/../store/<key>/ and reads them back', async () => {
    const repo = await open(join(dir, 'r10', 'repo'));
    const key = keyOf('log');
    expect(await repo.store.put(key, 'build.log', 'configure: ok\n')).toEqual({ ok: true, value: join(dir, 'r10', 'store', key, 'build.log') });
    const got = await repo.store.get(key, 'build.log');
    expect(got.ok && got.value?.toString()).toBe('configure: ok\n');
    expect(await repo.store.list(key)).toEqual({ ok: true, value: ['build.log'] });
    expect((await repo.store.put(key, '../escape', 'x')).ok).toBe(false);
  });
});

describe('apt-get against the repository', () => {
  it('updates, shows provenance, resolves -cross Depends and downloads', async () => {
    const repo = await open(join(dir, 'apt', 'repo'));
    const base = await job('base');
    const top = await job('top', keyOf('top'), [{ binary: 'libdemobase-dev', version: '1.0-1' }]);
    for (const j of [base, top]) expect((await repo.publish(j.key as CacheKey, j.debs, j.meta)).ok).toBe(true);
    const state = join(dir, 'apt', 'state');
    for (const d of ['lists/partial', 'cache/archives/partial']) mkdirSync(join(state, d), { recursive: true });
    writeFileSync(join(state, 'sources.list'), `${repo.sourcesLine()}\n`);
    writeFileSync(join(state, 'status'), '');
    const opts = [
      '-o', `Dir::Etc::sourcelist=${join(state, 'sources.list')}`, '-o', 'Dir::Etc::sourceparts=-',
      '-o', `Dir::State::Lists=${join(state, 'lists')}`, '-o', `Dir::Cache=${join(state, 'cache')}`,
      '-o', `Dir::State::status=${join(state, 'status')}`, '-o', 'APT::Sandbox::User=root',
    ];
    const apt = (cmd: string, args: string[]): string => {
      const r = spawnSync(cmd, [...opts, ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stdout}${r.stderr}`);
      expect(r.stderr).not.toMatch(/^(W|E):/m);
      return r.stdout;
    };
    apt('apt-get', ['update']);
    const shown = apt('apt-cache', ['show', `libdemotop-dev-${ARCH}-cross`]);
    expect(shown).toContain(`X-Stubforge-Cache-Key: ${keyOf('top')}\n`);
    expect(shown).toContain(`Depends: libdemobase-dev-${ARCH}-cross (= 1.0-1)\n`);
    const simulated = apt('apt-get', ['install', '-s', `libdemotop-dev-${ARCH}-cross`]);
    expect(simulated.match(/^Inst \S+/gm)?.sort()).toEqual([`Inst libdemobase-dev-${ARCH}-cross`, `Inst libdemotop-dev-${ARCH}-cross`]);
    expect(apt('apt-get', ['install', '--download-only', '-y', `libdemotop-dev-${ARCH}-cross`])).toMatch(/Download complete and in download only mode/);
  });
});
