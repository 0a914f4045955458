// `stubforge build` end to end on a small closure of real sources — zlib and pcre2 (whose test
// recipe links pcre2grep with zlib) from the configured mirror — built in the real engine, in the
// default build environment, into a repository of this test's own. Cold build, no-op rebuild,
// recipe changes, a failing build, a source the mirror lacks, a library shared by two targets, and
// two runs at once on one repository.
//
// The versions are not written down: zlib and pcre2 are pinned (with stubforge's own --pin) to the
// newest versions of bookworm that the mirror serves whole, read from the indices when the tests
// start (archive-versions.ts); the "mirror lacks" tests find a source in that state first and
// skip, saying why, when the archive has none.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command } from '../../src/cli/commands/build.js';
import type { CliContext } from '../../src/cli/command.js';
import { ExitCode } from '../../src/cli/exit-codes.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import { loadRecipes } from '../../src/recipe/recipe-loader.js';
import { ensureEngine } from './runtime-support.js';
import { escapeRegExp, newestLackingDebianPart, openTestArchive, requireServed, servedVersion, sourceLackingNewestDsc } from './archive-versions.js';

const ROOT = join(import.meta.dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/executor');
/** Indices and unpacked sources survive between test runs (every use re-verifies them). */
const SHARED_CACHE = join(tmpdir(), 'stubforge-test-cache');
// The arch folder is named: run from src/ (not dist/), the CLI's own project root is one level off.
const ARCH = ['--arch', 'musl-linux-amd64', '--arch-dir', join(ROOT, 'arch')];
const SUITE = 'bookworm';
const DEFAULT_SUITES = ['bookworm', 'bookworm-updates', 'bookworm-security'];
/** The newest zlib and pcre2 of bookworm that the mirror serves whole (beforeAll). */
let ZLIB = '';
let PCRE2 = '';
let ARGS: string[] = [];

let home = '';
let recipes = '';

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({ write(chunk: Buffer, _enc, done) { chunks.push(chunk.toString()); done(); } }),
    text: () => chunks.join(''),
  };
}

function env(): Record<string, string | undefined> {
  return { ...process.env, STUBFORGE_HOME: home, STUBFORGE_CACHE: SHARED_CACHE };
}

async function build(target: string, extra: readonly string[] = [], recipeDirs: readonly string[] = [recipes], log = silentLogger()): Promise<Run> {
  const out = collector();
  const err = collector();
  const ctx: CliContext = { env: env(), cwd: ROOT, stdout: out.stream, stderr: err.stream, isTTY: false, log };
  const code = await command.run([target, ...ARGS, ...recipeDirs.flatMap((d) => ['--recipe-dir', d]), ...extra], ctx);
  return { code, out: out.text(), err: err.text() };
}

/** The status column of the summary: source → `built in 4.1s`, `cached`, `FAILED ...`, `skipped`. */
function statuses(out: string): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^ {2}(zlib|pcre2) +\S+ +(built|cached|FAILED|skipped)/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) rows[m[1]] = m[2];
  }
  return rows;
}

function pool(): string[] {
  const dir = join(home, 'repo', 'pool');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

function debsOf(key: string): string[] {
  return readdirSync(join(home, 'repo', 'pool', key)).filter((f) => f.endsWith('.deb')).map((f) => join(home, 'repo', 'pool', key, f));
}

function field(deb: string, name: string): string {
  return execFileSync('dpkg-deb', ['--field', deb, name], { encoding: 'utf8' }).trim();
}

function touchRecipe(name: string, note: string): void {
  const path = join(recipes, name);
  writeFileSync(path, `${readFileSync(path, 'utf8')}# ${note}\n`);
}

beforeAll(async () => {
  ensureEngine();
  home = mkdtempSync(join(tmpdir(), 'stubforge-executor-'));
  recipes = join(home, 'recipes');
  cpSync(join(FIXTURES, 'recipes'), recipes, { recursive: true });
  const { archive, probe } = await openTestArchive([SUITE]);
  ZLIB = (await requireServed(archive, 'zlib', [SUITE], probe)).version;
  PCRE2 = (await requireServed(archive, 'pcre2', [SUITE], probe)).version;
  ARGS = [...ARCH, '--suite', SUITE, '--pin', `zlib=${ZLIB}`, '--pin', `pcre2=${PCRE2}`, '--jobs', '2'];
});

afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('stubforge build zlib → pcre2', () => {
  let firstKeys: string[] = [];

  it('builds both on a cold repository and publishes their -cross packages with provenance', async () => {
    const run = await build('pcre2');
    expect(run.code, run.out + run.err).toBe(ExitCode.ok);
    expect(statuses(run.out)).toEqual({ zlib: 'built', pcre2: 'built' });
    firstKeys = pool();
    expect(firstKeys).toHaveLength(2);
    const debs = firstKeys.flatMap(debsOf);
    const byName = new Map(debs.map((d) => [field(d, 'Package'), d]));
    expect([...byName.keys()].sort()).toEqual(['libpcre2-dev-musl-linux-amd64-cross', 'zlib1g-dev-musl-linux-amd64-cross']);
    const pcre2 = byName.get('libpcre2-dev-musl-linux-amd64-cross') ?? '';
    expect(field(pcre2, 'Architecture')).toBe('all');
    // A -cross package's version is its source's version without the epoch.
    expect(field(pcre2, 'Version')).toBe(PCRE2.replace(/^\d+:/, ''));
    expect(field(pcre2, 'Built-Using')).toBe(`pcre2 (= ${PCRE2})`);
    expect(field(pcre2, 'Depends')).toBe(`zlib1g-dev-musl-linux-amd64-cross (= ${ZLIB})`);
    expect(firstKeys).toContain(field(pcre2, 'X-Stubforge-Cache-Key'));
    const loaded = await loadRecipes([recipes]);
    expect(field(pcre2, 'X-Stubforge-Recipe-Sha256')).toBe(loaded.ok ? loaded.value.byName.get('pcre2')?.contentSha256 : 'unloadable');
    // pcre2grep was linked statically against the zlib the repository holds.
    const files = execFileSync('dpkg-deb', ['-c', pcre2], { encoding: 'utf8' });
    expect(files).toContain('./usr/x86_64-linux-musl/lib/libpcre2-8.a');
    expect(files).toContain('./usr/share/doc/libpcre2-dev-musl-linux-amd64-cross/copyright');
    const x = mkdtempSync(join(home, 'x-'));
    execFileSync('dpkg-deb', ['-x', pcre2, x]);
    const grep = join(x, 'usr/x86_64-linux-musl/bin/pcre2grep');
    expect(execFileSync('file', ['-b', grep], { encoding: 'utf8' })).toMatch(/statically linked/);
    const gz = join(x, 'words.gz');
    execFileSync('sh', ['-c', `printf 'static\\nshared\\n' | gzip > ${gz}`]);
    expect(execFileSync(grep, ['stat', gz], { encoding: 'utf8' })).toBe('static\n');
  });

  it('builds nothing the second time, says every node was cached, and reads no index', async () => {
    const logged = collector();
    const run = await build('pcre2', [], [recipes], createLogger({ level: 'debug', destination: logged.stream }));
    expect(run.code).toBe(ExitCode.ok);
    expect(statuses(run.out)).toEqual({ zlib: 'cached', pcre2: 'cached' });
    expect(run.out).toContain('nothing to build: every node was cached');
    expect(pool()).toEqual(firstKeys);
    // The plan came from the memo the first run wrote, and no node needed a source.
    const messages = logged.text().split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages).toContain('plan memo hit');
    expect(messages).not.toContain('index loaded');
  });

  it('rebuilds a changed recipe\'s node and its dependants, and only those', async () => {
    touchRecipe('zlib', 'changed by the test: zlib and what depends on it rebuild');
    const zlibChanged = await build('pcre2');
    expect(zlibChanged.code).toBe(ExitCode.ok);
    expect(statuses(zlibChanged.out)).toEqual({ zlib: 'built', pcre2: 'built' });
    expect(pool()).toHaveLength(4);

    touchRecipe('pcre2', 'changed by the test: pcre2 alone rebuilds');
    const pcre2Changed = await build('pcre2');
    expect(statuses(pcre2Changed.out)).toEqual({ zlib: 'cached', pcre2: 'built' });
    expect(pool()).toHaveLength(5);
  });

  it('builds a library needed by two targets once', async () => {
    const before = pool();
    const run = await build('zlib');
    expect(run.code).toBe(ExitCode.ok);
    expect(statuses(run.out)).toEqual({ zlib: 'cached' });
    expect(pool()).toEqual(before);
  });

  it('publishes nothing for a failing build, skips its dependants and keeps its log', async () => {
    const before = pool();
    const reportFile = join(home, 'failing.report.json');
    const run = await build('pcre2', ['--report', reportFile], [join(FIXTURES, 'failing'), recipes]);
    expect(run.code).toBe(ExitCode.failed);
    // The report says the same as the summary, for batch and rebuild to read.
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { format: string; exitCode: number; nodes: { source: string; status: string; failure?: string; reason?: string; log?: string }[] };
    expect(report).toMatchObject({ format: 'stubforge-build-report 1', target: 'pcre2', arch: 'musl-linux-amd64', exitCode: ExitCode.failed, interrupted: false });
    expect(report.nodes.map((n) => [n.source, n.status])).toEqual([['zlib', 'failed'], ['pcre2', 'skipped']]);
    expect(report.nodes[0]?.failure).toMatch(/build step failed with exit status 7/);
    expect(report.nodes[0]?.log).toMatch(/zlib\.log$/);
    expect(report.nodes[1]?.reason).toBe('needs zlib, which was not built');
    expect(statuses(run.out)).toEqual({ zlib: 'FAILED', pcre2: 'skipped' });
    expect(run.out).toMatch(new RegExp(`zlib ${escapeRegExp(ZLIB)}: in step \\d/\\d: 2: echo "this build fails on purpose" >&2; exit 7: zlib: build step failed with exit status 7`));
    expect(run.out).toContain('pcre2: needs zlib, which was not built');
    expect(pool()).toEqual(before);
    const log = /log: (\S+zlib\.log)/.exec(run.out)?.[1] ?? '';
    expect(readFileSync(log, 'utf8')).toContain('this build fails on purpose');
    expect(readdirSync(join(home, 'repo', '.staging'))).toEqual([]);
  });

  it('refuses a libz.a the build machine\'s gcc compiled, naming each object and its evidence, and publishes nothing', async () => {
    const before = pool();
    const run = await build('zlib', [], [join(FIXTURES, 'host-compiler'), recipes]);
    expect(run.code, run.out + run.err).toBe(ExitCode.failed);
    expect(statuses(run.out)).toEqual({ zlib: 'FAILED' });
    expect(run.out).toContain("objects not built by the arch's toolchain against its headers (nothing was published; output kept in ");
    // Each member of libz.a, by name, with the glibc headers its line table names.
    expect(run.out).toMatch(/usr\/x86_64-linux-musl\/lib\/libz\.a\(\w+\.o\): compiled against the build machine's headers, not the arch's: its DWARF line table, compile unit \S+\.c names \/usr\/include\//);
    expect(pool()).toEqual(before);
    const kept = /output kept in (\S+?)\):/.exec(run.out)?.[1] ?? '';
    expect(existsSync(join(kept, 'usr/x86_64-linux-musl/lib/libz.a'))).toBe(true);
  });

  it("stops with a clear error when the mirror lacks the newest version's .dsc, suggesting an explicit suite", async (test) => {
    // Default suites. The source is found at test time: the first of zlib, pcre2 (both have test
    // recipes) whose newest version's .dsc the mirror lacks while it serves an older one whole.
    const { archive, probe } = await openTestArchive(DEFAULT_SUITES);
    const lacking = await sourceLackingNewestDsc(archive, ['zlib', 'pcre2'], DEFAULT_SUITES, probe);
    if (!lacking.ok) return test.skip(lacking.skip);
    const { name, newest, dsc } = lacking;
    // Its dependency (zlib, when the source is pcre2) pinned to a version the mirror serves, so that
    // the run stops at the source under test and nowhere else.
    const pins: string[] = [];
    for (const other of ['zlib', 'pcre2'].filter((n) => n !== name)) {
      const served = await servedVersion(archive, other, DEFAULT_SUITES, probe);
      if (served.ok) pins.push('--pin', `${other}=${served.version}`);
    }
    const out = collector();
    const ctx: CliContext = { env: env(), cwd: ROOT, stdout: out.stream, stderr: collector().stream, isTTY: false, log: silentLogger() };
    const code = await command.run([name, ...ARCH, ...pins, '--recipe-dir', recipes], ctx);
    expect(code, out.text()).toBe(ExitCode.archive);
    const text = out.text();
    const v = escapeRegExp(newest.version);
    expect(text).toMatch(new RegExp(`${escapeRegExp(name)} ${v}: cannot get source .*the mirror does not serve ${escapeRegExp(dsc)} \\(tried \\S+/${escapeRegExp(newest.directory)}/${escapeRegExp(dsc)}\\)`));
    expect(text).toMatch(new RegExp(`choose it explicitly: --suite \\S+ \\(or --pin ${escapeRegExp(name)}=\\S+\\)`));
  });

  it('stops at a source whose Debian diff the mirror lacks, and builds it from its orig tarball alone only when told to', async (test) => {
    // pixman's newest bookworm version, checked first: its Debian part missing, its orig tarball served.
    const { archive, probe } = await openTestArchive([SUITE]);
    const lacking = await newestLackingDebianPart(archive, 'pixman', [SUITE], probe);
    if (!lacking.ok) return test.skip(lacking.skip);
    const missing = lacking.missing[0] ?? '';
    const shipped = join(ROOT, 'recipes');
    const refused = await build('pixman', [], [shipped]);
    expect(refused.code).toBe(ExitCode.archive);
    expect(refused.out).toMatch(new RegExp(`the mirror does not serve ${escapeRegExp(missing)} \\(tried \\S+/${escapeRegExp(lacking.record.directory)}/${escapeRegExp(missing)}\\)`));
    expect(refused.out).toContain('pass --allow-orig-only pixman');
    const before = pool();
    const allowed = await build('pixman', ['--allow-orig-only', 'pixman'], [shipped]);
    expect(allowed.code, allowed.out).toBe(ExitCode.ok);
    // The key pixman's packages were published under (the only new one, unless a build still running published too).
    const [deb] = pool().filter((k) => !before.includes(k)).flatMap(debsOf).filter((d) => field(d, 'X-Stubforge-Source') === 'pixman');
    expect(field(deb ?? '', 'Package')).toBe('libpixman-1-dev-musl-linux-amd64-cross');
    expect(field(deb ?? '', 'X-Stubforge-Note')).toMatch(/^built from the verified orig tarball alone .*--allow-orig-only$/);
    const x = mkdtempSync(join(home, 'x-'));
    execFileSync('dpkg-deb', ['-x', deb ?? '', x]);
    const copyright = readFileSync(join(x, 'usr/share/doc/libpixman-1-dev-musl-linux-amd64-cross/copyright'), 'utf8');
    expect(copyright).toContain("Upstream's COPYING follows.");
  });

  it('keeps the repository whole when two stubforge processes build the same keys at once', async () => {
    touchRecipe('pcre2', 'changed by the test: two processes race for the same key');
    const before = pool().length;
    const bin = join(ROOT, 'bin/stubforge.js');
    const argv = [bin, 'build', 'pcre2', ...ARGS, '--recipe-dir', recipes];
    const runs = await Promise.all([0, 1].map(() => new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(process.execPath, argv, { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      child.on('close', (code) => { resolve({ code, out }); });
    })));
    for (const r of runs) expect(r.code, r.out).toBe(0);
    expect(pool()).toHaveLength(before + 1);
    // The index lists every package of the pool once per name, and Release pins its exact bytes.
    const packages = readFileSync(join(home, 'repo', 'Packages'), 'utf8');
    const release = readFileSync(join(home, 'repo', 'Release'), 'utf8');
    const sha = createHash('sha256').update(packages).digest('hex');
    expect(release).toMatch(new RegExp(`^ ${sha} +${Buffer.byteLength(packages)} Packages$`, 'm'));
    for (const key of pool()) for (const deb of debsOf(key)) expect(field(deb, 'X-Stubforge-Cache-Key')).toBe(key);
    const after = await build('pcre2');
    expect(statuses(after.out)).toEqual({ zlib: 'cached', pcre2: 'cached' });
  });
});
