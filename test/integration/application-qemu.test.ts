// The deliverable, once in CI: the main job (docker/main-job.sh) from a fresh home — `stubforge
// build qemu-stubdom --arch musl-linux-amd64` on the default suites with the choices `stubforge
// served --target` prints (a --pin of the newest version the mirror serves whole where the newest
// is not; --allow-orig-only pixman while its Debian part is missing), read from the archive when
// the test starts; the versions it expects are the plan's with those choices, never written down.
// The library closure, then QEMU as a Xen
// device model, baked and packaged. Its .deb passes dpkg-deb, dpkg --root and lintian; the
// installed qemu-system-i386 runs on this machine and offers only the xen accelerator;
// Static-Built-Using names exactly what the link map proves; the application built again (its
// key removed from the repository, the closure left cached) gives the same bytes.
// About 11 minutes on 2 idle cores (closure ≈ 5, QEMU ≈ 3 twice).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRepo } from '../../src/cache/apt-repo.js';
import type { CacheKey } from '../../src/model/brand.js';
import { escapeRegExp, plannedVersions, servedChoices } from './archive-versions.js';
import { dpkgInstall, field, FIXTURE_RECIPES, ROOT, imageOf, imagePackageVersion, lintianErrors, packagesOf, run, sha256, stubforgeBuild, type BuildRun } from './application-support.js';
import { describeRepoError } from '../../src/cli/cache-messages.js';

const work = mkdtempSync(join(tmpdir(), 'stubforge-app-qemu-'));
const home = join(work, 'home');
const env = { home, cache: join(work, 'cache') };
const ARCH = ['--arch', 'musl-linux-amd64'];
/** The build's arguments: the target, the arch and the choices of `served` (beforeAll). */
let ARGS: string[] = [];
/** source → version in the plan of ARGS. */
let versions = new Map<string, string>();
const v = (source: string): string => versions.get(source) ?? `(${source} not in the plan)`;
let first: BuildRun;
let deb = '';
let dbgsym = '';

beforeAll(async () => {
  const run = { env: { ...process.env, STUBFORGE_HOME: home, STUBFORGE_CACHE: env.cache }, cwd: work,
    extra: ['--arch-dir', join(ROOT, 'arch'), '--recipe-dir', FIXTURE_RECIPES, '--recipe-dir', join(ROOT, 'recipes')] };
  const choices = await servedChoices('qemu-stubdom', ARCH, run, ['pixman']);
  ARGS = ['qemu-stubdom', ...ARCH, ...choices];
  versions = await plannedVersions('qemu-stubdom', [...ARCH, ...choices], run);
  first = await stubforgeBuild(ARGS, env);
  if (first.code === 0) ({ deb, dbgsym = '' } = packagesOf(first.stdout));
}, 3_600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface ArchiveRecord { path: string; kind: string; linked: string; members?: number }

describe('stubforge build qemu-stubdom --arch musl-linux-amd64 (the main job)', () => {
  it('builds the closure and the application, and names the .deb and what it embeds', () => {
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0);
    // The file name carries the version without its epoch.
    const file = `qemu-system-xen-stubdom_${v('qemu').replace(/^\d+:/, '')}~stubforge1_amd64.deb`;
    expect(first.stdout).toMatch(new RegExp(`^application package \\(built\\): \\S+/${escapeRegExp(file)}$`, 'm'));
  });

  it('names exactly the sources whose code the link map shows in the binary, at the versions built', () => {
    const musl = imagePackageVersion(imageOf(first.stdout), 'musl-dev');
    expect(field(deb, 'Static-Built-Using')).toBe(
      `glib2.0 (= ${v('glib2.0')}), musl (= ${musl}), pixman (= ${v('pixman')}), xen (= ${v('xen')}), zlib (= ${v('zlib')})`);
    expect(field(deb, 'Built-Using')).toBe(`glib2.0 (= ${v('glib2.0')}), xen (= ${v('xen')})`);
    expect(field(deb, 'Source')).toBe(`qemu (${v('qemu')})`);
  });

  it('records why pcre2 and libffi are not named: pcre2 was searched and nothing taken, libffi not searched', () => {
    const key = basename(dirname(deb));
    const record = JSON.parse(readFileSync(join(home, 'store', key, 'provenance.json'), 'utf8')) as { programs: { archives: ArchiveRecord[] }[]; compilerRuntime: { source: string }[] };
    const archives = record.programs[0]?.archives ?? [];
    expect(archives.find((a) => a.path.endsWith('/libpcre2-8.a'))).toMatchObject({ kind: 'closure', linked: 'no', members: 0 });
    expect(archives.some((a) => a.path.endsWith('/libffi.a'))).toBe(false);
    expect(archives.find((a) => a.path.endsWith('/libz.a'))).toMatchObject({ kind: 'closure', linked: 'yes' });
    expect(record.compilerRuntime.map((r) => r.source)).toEqual(['gcc-12']);
  });

  it('passes dpkg-deb, has no lintian error without an override, installs, and its qemu-system-i386 runs with xen only', () => {
    expect(run('dpkg-deb', ['--info', deb]).status).toBe(0);
    expect(run('dpkg-deb', ['--contents', deb]).stdout).toMatch(/^-rwxr-xr-x root\/root .* \.\/usr\/lib\/xen\/bin\/qemu-stubdom-i386$/m);
    const { errors, output } = lintianErrors(deb);
    expect(errors, output).toEqual([]);
    const root = join(work, 'root');
    const installed = dpkgInstall(deb, root);
    expect(installed.status, installed.stderr).toBe(0);
    const qemu = join(root, 'usr/lib/xen/bin/qemu-stubdom-i386');
    expect(run(qemu, ['--version']).stdout).toMatch(/^QEMU emulator version 7\.2\.\d+/);
    expect(run(qemu, ['-accel', 'help']).stdout).toBe('Accelerators supported in QEMU binary:\nxen\n');
    const launch = JSON.parse(readFileSync(join(root, 'usr/lib/qemu-system-xen-stubdom/launch.json'), 'utf8')) as { cmdline: string[]; files: string[] };
    expect(launch.cmdline.slice(0, 3)).toEqual(['qemu-system-i386', '-xen-domid', '${DOMID}']);
    expect(launch.files).toEqual(['/usr/share/qemu/keymaps/en-us']);
  });

  it('gives byte-identical packages when the application is built again', async () => {
    const repo = await openRepo(join(home, 'repo'));
    if (!repo.ok) throw new Error(describeRepoError(repo.error));
    const before = { deb: sha256(deb), dbgsym: sha256(dbgsym) };
    const removed = await repo.value.remove(basename(dirname(deb)) as CacheKey);
    expect(removed).toEqual({ ok: true, value: true });
    const again = await stubforgeBuild(ARGS, env);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toMatch(/6 cached/);
    const p = packagesOf(again.stdout);
    expect(p.status).toBe('built');
    expect({ deb: sha256(p.deb), dbgsym: sha256(p.dbgsym ?? '') }).toEqual(before);
  }, 3_600_000);
});
