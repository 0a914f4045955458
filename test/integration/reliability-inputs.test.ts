// Bad input and hostile trees, without the engine (docs/reliability.md): command lines and files a
// clumsy user gives, source trees an attacker ships (links out of the tree, `..`, absolute names,
// device nodes, fifos), and the host failing under stubforge (a read-only home, a full disk); the
// verdicts on build outputs that link to the host are pure (test/unit/link-policy.test.ts). Each case asserts the exit code and that the message names what
// is wrong and where. The commands run as the user runs them: bin/stubforge.js in a child process.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { copyrightOf, untarArgs, type SourceTree } from '../../src/executor/builders/source-tree.js';
import { findSpecialFiles, readTreeFile } from '../../src/executor/builders/tree-files.js';
import { StepLogFile } from '../../src/runtime/step-log.js';
import type { SourceRecord } from '../../src/model/archive.js';

const ROOT = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'stubforge-reliability-inputs-'));
const mounts: string[] = [];

afterAll(() => {
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
  rmSync(work, { recursive: true, force: true });
});

interface Run { code: number | null; stdout: string; stderr: string }

function stubforge(args: readonly string[], env: Record<string, string> = {}): Run {
  const home = env.STUBFORGE_HOME ?? join(work, 'home');
  const ran = spawnSync(process.execPath, [join(ROOT, 'bin/stubforge.js'), ...args], {
    // No engine: nothing here may reach one, and a command that tried would fail, not hang.
    env: { ...process.env, STUBFORGE_HOME: home, DOCKER_HOST: `unix://${join(work, 'no-engine.sock')}`, ...env },
    cwd: work, encoding: 'utf8', timeout: 300_000,
  });
  return { code: ran.status, stdout: ran.stdout, stderr: ran.stderr };
}

/** Mount a tmpfs (read-only when asked) at a fresh folder; undefined when this machine cannot. */
function tmpfs(name: string, options: string): string | undefined {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  const ran = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  if (ran.status !== 0) return undefined;
  mounts.push(dir);
  return dir;
}

const canMount = ((): boolean => {
  const probe = tmpfs('probe', 'size=64k');
  return probe !== undefined;
})();

describe('command line: exit 2 with the option and the value named', () => {
  it.each([
    [['plan', 'zlib', '--suite', '../x'], /--suite "\.\.\/x": not a suite name/],
    [['plan', 'zlib', '--suite', 'bookworm/../../etc'], /--suite "bookworm\/\.\.\/\.\.\/etc": not a suite name/],
    [['plan', 'zlib', '--suite', 'a b'], /--suite "a b": not a suite name/],
    [['why', 'zlib', 'zlib', '--suite', '../x'], /not a suite name/],
    [['plan', 'zlib', '--recipe-dir', '/nonexistent/recipes'], /--recipe-dir \/nonexistent\/recipes: no such directory/],
    [['plan', 'zlib', '--arch-dir', '/nonexistent/arch'], /--arch-dir \/nonexistent\/arch: no such directory/],
    [['plan', 'zlib', '--recipe-dir', join(ROOT, 'recipes/zlib')], /--recipe-dir .*recipes\/zlib: .* is not a directory/],
    [['plan', 'zlib', '--arch', 'nosuch-arch'], /no arch file "nosuch-arch"/],
    [['plan', 'zlib', '--pin', 'zlib'], /--pin zlib: expected SOURCE=VERSION/],
    [['build', 'zlib', '--jobs', '0'], /--jobs 0: expected a positive integer/],
    [['build', 'zlib', '--timeout=-1'], /--timeout -1: expected minutes > 0/],
    [['build', 'zlib', '--pids-limit', '3'], /--pids-limit 3: expected an integer of at least 16/],
    [['build', 'zlib', '--cpu-shares', 'lots'], /--cpu-shares lots: expected an integer from 2 to 262144/],
    [['build', 'zlib', '--scratch-limit', '0'], /--scratch-limit 0: expected GiB > 0/],
    [['plan', 'zlib', '--no-such-option'], /Unknown option '--no-such-option'/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['cache', 'frobnicate'], /usage: stubforge cache verify/],
    [['query', 'embeds'], /usage: stubforge query embeds/],
  ])('%j', (args, message) => {
    const r = stubforge(args);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('recipe and arch files: exit 2 naming the file (and line)', () => {
  const recipes = join(work, 'bad-recipes');
  const arches = join(work, 'bad-arches');
  mkdirSync(recipes, { recursive: true });
  mkdirSync(arches, { recursive: true });

  it.each([
    ['an unreadable Format-Version', 'Format-Version: 9.0\nSource: zlib\n', /bad-recipes\/zlib/],
    ['a field no recipe has', 'Format-Version: 1.0\nSource: zlib\nBuild-Systemm: steps\n', /bad-recipes\/zlib:3/],
    ['bytes that are no deb822', '\u0000\u0001\u0002 not a recipe\n::::\n', /bad-recipes\/zlib/],
    ['a Source that is not its file name', 'Format-Version: 1.0\nSource: notzlib\n', /bad-recipes\/zlib/],
  ])('a recipe with %s', (_what, text, where) => {
    writeFileSync(join(recipes, 'zlib'), text);
    const r = stubforge(['plan', 'zlib', '--recipe-dir', recipes]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(where);
  });

  it('an arch file without its GNU triplet', () => {
    const text = readFileSync(join(ROOT, 'arch/musl-linux-amd64'), 'utf8').replace(/^GNU-Triplet:.*\n/m, '');
    writeFileSync(join(arches, 'musl-linux-amd64'), text);
    const r = stubforge(['plan', 'zlib', '--arch-dir', arches]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-arches\/musl-linux-amd64/);
    expect(r.stderr).toMatch(/GNU-Triplet/);
  });
});

const record = { package: 'hostile', version: '1.0-1' } as SourceRecord;
const orig = (dir: string): SourceTree => ({ dir, record, note: 'built from the orig tarball alone (test)' });

describe('hostile source trees: no host file is ever read into a package', () => {
  const tree = (name: string): string => {
    const dir = join(work, 'trees', name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };

  it('refuses COPYING -> an absolute host path, naming the link', async () => {
    const dir = tree('absolute');
    symlinkSync('/etc/hostname', join(dir, 'COPYING'));
    const got = await copyrightOf(orig(dir));
    expect(got.ok).toBe(false);
    if (!got.ok) {
      expect(got.error.file).toBe(join(dir, 'COPYING'));
      expect(got.error.message).toMatch(/symlink to \/etc\/hostname, outside the tree/);
    }
  });

  it('refuses COPYING -> ../../.. climbing out of the tree', async () => {
    const dir = tree('climbing');
    writeFileSync(join(work, 'trees', 'secret'), 'host secret\n');
    symlinkSync('../secret', join(dir, 'COPYING'));
    const got = await copyrightOf(orig(dir));
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.error.message).toMatch(/climbs above/);
  });

  it('refuses debian/ being a link to a host folder', async () => {
    const dir = tree('debian-dir');
    mkdirSync('/tmp/stubforge-fake-debian', { recursive: true });
    writeFileSync('/tmp/stubforge-fake-debian/copyright', 'host copy\n');
    symlinkSync('/tmp/stubforge-fake-debian', join(dir, 'debian'));
    const got = await copyrightOf({ dir, record });
    rmSync('/tmp/stubforge-fake-debian', { recursive: true, force: true });
    expect(got.ok).toBe(false);
  });

  it('refuses a licence file that is a fifo, without waiting for a writer', async () => {
    const dir = tree('fifo');
    execFileSync('mkfifo', [join(dir, 'COPYING')]);
    const got = await copyrightOf(orig(dir));
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.error.message).toMatch(/a fifo, not a regular file/);
  });

  it('follows a link that stays inside the tree', async () => {
    const dir = tree('inside');
    mkdirSync(join(dir, 'doc'));
    writeFileSync(join(dir, 'doc', 'LICENSE'), 'MIT licence text\n');
    symlinkSync('doc/LICENSE', join(dir, 'COPYING'));
    const got = await copyrightOf(orig(dir));
    expect(got.ok && got.value).toMatch(/Upstream's COPYING follows\.\n\nMIT licence text/);
  });

  it('refuses a link loop', async () => {
    const dir = tree('loop');
    symlinkSync('b', join(dir, 'a'));
    symlinkSync('a', join(dir, 'b'));
    expect(await readTreeFile(dir, 'a')).toMatchObject({ ok: false, error: { reason: 'link-loop' } });
  });

  it('unpacks a tarball with `..` and absolute member names inside its folder only', () => {
    const src = tree('tar-src');
    writeFileSync(join(src, 'evil'), 'x\n');
    const tarball = join(work, 'evil.tar');
    // --transform writes the hostile names into the archive.
    execFileSync('tar', ['-cf', tarball, '-C', src, '--transform', 's,^evil$,../../escaped-by-dotdot,', 'evil']);
    execFileSync('tar', ['-rf', tarball, '-C', src, '--absolute-names', '--transform', 's,^evil$,/tmp/stubforge-escaped-absolute,', 'evil']);
    const into = tree('tar-into');
    spawnSync('tar', untarArgs(tarball, into));
    expect(existsSync(join(into, '..', '..', 'escaped-by-dotdot'))).toBe(false);
    expect(existsSync('/tmp/stubforge-escaped-absolute')).toBe(false);
  });

  it('finds the device node and fifo a tarball made (tar runs as root)', async () => {
    const src = tree('dev-src');
    const made = spawnSync('mknod', [join(src, 'disk'), 'b', '7', '200']);
    execFileSync('mkfifo', [join(src, 'pipe')]);
    writeFileSync(join(src, 'README'), 'fine\n');
    const tarball = join(work, 'dev.tar');
    execFileSync('tar', ['-cf', tarball, '-C', src, '.']);
    const into = tree('dev-into');
    spawnSync('tar', untarArgs(tarball, into));
    const found = await findSpecialFiles(into);
    expect(found).toContainEqual({ file: 'pipe', kind: 'a fifo' });
    if (made.status === 0) expect(found).toContainEqual({ file: 'disk', kind: 'a block device' });
  });

  it('does not keep setuid bits from a tarball', () => {
    const src = tree('suid-src');
    writeFileSync(join(src, 'tool'), '#!/bin/sh\n');
    execFileSync('chmod', ['4755', join(src, 'tool')]);
    const tarball = join(work, 'suid.tar');
    execFileSync('tar', ['-cf', tarball, '-C', src, 'tool']);
    const into = tree('suid-into');
    spawnSync('tar', untarArgs(tarball, into));
    expect(execFileSync('stat', ['-c', '%a', join(into, 'tool')], { encoding: 'utf8' }).trim()).not.toMatch(/^4/);
  });
});

describe('host faults: exit 6 with the path, never a stack trace', () => {
  it.skipIf(!canMount)('a read-only STUBFORGE_HOME', () => {
    const home = tmpfs('ro-home', 'size=1m,ro');
    const r = stubforge(['plan', 'zlib', '--suite', 'bookworm'], { STUBFORGE_HOME: home ?? '' });
    expect(r.stderr).toMatch(new RegExp(`${home ?? ''}/\\S+: the file system is read-only \\[EROFS\\]`));
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(6);
  });

  it.skipIf(!canMount)('a STUBFORGE_HOME on a full disk', () => {
    const home = tmpfs('full-home', 'size=64k');
    const r = stubforge(['plan', 'zlib', '--suite', 'bookworm'], { STUBFORGE_HOME: home ?? '' });
    expect(r.stderr).toMatch(new RegExp(`${home ?? ''}/\\S+: no space left on the device \\[ENOSPC\\]`));
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.code).toBe(6);
  });

  it.skipIf(!canMount)('a step log on a full disk becomes the step\'s failure, not a throw', () => {
    const dir = tmpfs('full-log', 'size=16k');
    const log = StepLogFile.open(join(dir ?? '', 'step.log'));
    const failures: string[] = [];
    log.onFailure((e) => failures.push(e.code ?? ''));
    for (let i = 0; i < 2000; i += 1) log.line('stdout', 'x'.repeat(100));
    log.close();
    expect(log.failure?.code).toBe('ENOSPC');
    expect(failures).toEqual(['ENOSPC']);
  });
});
