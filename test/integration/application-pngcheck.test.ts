// The application stage end to end on a small real application, for CI time: Debian's pngcheck
// (test/fixtures/recipes/pngcheck-static) built against the rebuilt zlib for musl-linux-amd64 by
// `stubforge build`, on the configured mirror and the real Docker engine. Its .deb is judged by
// dpkg-deb, dpkg --root and lintian; the installed program runs; Static-Built-Using names exactly
// what the link map proves; a second build in another home gives the same bytes; a third in the
// same home is a cache hit.
//
// bookworm is read, each source pinned where its newest version is not served whole (the choices
// `stubforge served --target` prints), and the versions expected are the plan's with those
// choices: read from the archive when the test starts, never written down.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeRegExp, plannedVersions, servedChoices } from './archive-versions.js';
import {
  dpkgInstall, field, FIXTURE_RECIPES, ROOT, imageOf, imagePackageVersion, lintianErrors, packagesOf, run, sha256, stubforgeBuild, type BuildRun,
} from './application-support.js';

const work = mkdtempSync(join(tmpdir(), 'stubforge-app-pngcheck-'));
const cache = join(work, 'cache');
const SUITE = ['--arch', 'musl-linux-amd64', '--suite', 'bookworm'];
let ARGS: string[] = [];
let ZLIB = '';
let PNGCHECK = '';
let first: BuildRun;
let deb = '';
let dbgsym = '';

beforeAll(async () => {
  const commandEnv = { env: { ...process.env, STUBFORGE_HOME: join(work, 'one'), STUBFORGE_CACHE: cache }, cwd: work,
    extra: ['--arch-dir', join(ROOT, 'arch'), '--recipe-dir', FIXTURE_RECIPES, '--recipe-dir', join(ROOT, 'recipes')] };
  const choices = await servedChoices('pngcheck-static', SUITE, commandEnv);
  ARGS = ['pngcheck-static', ...SUITE, ...choices];
  const versions = await plannedVersions('pngcheck-static', [...SUITE, ...choices], commandEnv);
  ZLIB = versions.get('zlib') ?? '(zlib not in the plan)';
  PNGCHECK = versions.get('pngcheck') ?? '(pngcheck not in the plan)';
  first = await stubforgeBuild(ARGS, { home: join(work, 'one'), cache });
  if (first.code === 0) {
    const p = packagesOf(first.stdout);
    deb = p.deb;
    dbgsym = p.dbgsym ?? '';
  }
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('stubforge build pngcheck-static --arch musl-linux-amd64', () => {
  it('builds zlib and then the application, and ends by naming the .deb and what it embeds', () => {
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0);
    expect(first.stdout).toMatch(/^application package \(built\): \S+\/pngcheck-static_3\.0\.3-1~stubforge1_amd64\.deb$/m);
    expect(first.stdout).toMatch(new RegExp(`^ {2}embeds \\(Static-Built-Using\\): musl \\(= \\S+\\), zlib \\(= ${escapeRegExp(ZLIB)}\\)$`, 'm'));
    expect(dbgsym).toMatch(/pngcheck-static-dbgsym_3\.0\.3-1~stubforge1_amd64\.deb$/);
  });

  it('is a .deb dpkg-deb reads: control fields, contents', () => {
    const info = run('dpkg-deb', ['--info', deb]);
    expect(info.status, info.stderr).toBe(0);
    expect(field(deb, 'Package')).toBe('pngcheck-static');
    expect(field(deb, 'Source')).toBe(`pngcheck (${PNGCHECK})`);
    expect(field(deb, 'Architecture')).toBe('amd64');
    expect(field(deb, 'X-Stubforge-Arch')).toBe('musl-linux-amd64');
    const contents = run('dpkg-deb', ['--contents', deb]);
    expect(contents.status).toBe(0);
    for (const path of ['./usr/bin/pngcheck', './usr/lib/pngcheck-static/launch.json', './usr/lib/pngcheck-static/root/data/openlogo-nd-100.png',
      './usr/share/doc/pngcheck-static/copyright', './usr/share/doc/pngcheck-static/pngcheck-static.spdx.json', './usr/share/lintian/overrides/pngcheck-static']) {
      expect(contents.stdout).toContain(path);
    }
    expect(contents.stdout).toMatch(/^-rwxr-xr-x root\/root .* \.\/usr\/bin\/pngcheck$/m);
  });

  it('names in Static-Built-Using exactly zlib and the build image\'s musl, and nothing in Built-Using', () => {
    const musl = imagePackageVersion(imageOf(first.stdout), 'musl-dev');
    expect(musl).toMatch(/^\d/);
    expect(field(deb, 'Static-Built-Using')).toBe(`musl (= ${musl}), zlib (= ${ZLIB})`);
    expect(field(deb, 'Built-Using')).toBe('');
  });

  it('installs with dpkg --root, and the installed program runs with its launch files', () => {
    const root = join(work, 'root');
    const installed = dpkgInstall(deb, root);
    expect(installed.status, installed.stderr).toBe(0);
    const launch = JSON.parse(readFileSync(join(root, 'usr/lib/pngcheck-static/launch.json'), 'utf8')) as { executable: string; cmdline: string[]; env: Record<string, string>; root: string };
    expect(launch).toMatchObject({ executable: '/usr/bin/pngcheck', cmdline: ['pngcheck', '-v', '/data/openlogo-nd-100.png'], env: { LC_ALL: 'C' }, root: '/usr/lib/pngcheck-static/root' });
    const png = join(root, launch.root, 'data/openlogo-nd-100.png');
    const ran = spawnSync(join(root, launch.executable), ['-v', png], { encoding: 'utf8', env: launch.env });
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toContain('zlib: deflated, 16K window, maximum compression');
    expect(ran.stdout).toMatch(/No errors detected in .*openlogo-nd-100\.png/);
    expect(run('file', [join(root, 'usr/bin/pngcheck')]).stdout).toMatch(/statically linked.*stripped/);
  });

  it('has no lintian error that lacks an override', () => {
    const { errors, output } = lintianErrors(deb);
    expect(errors, output).toEqual([]);
  });

  it('ships the copyright files of zlib and musl and an SPDX document naming them', () => {
    const root = join(work, 'x');
    expect(run('dpkg-deb', ['-x', deb, root]).status).toBe(0);
    const doc = join(root, 'usr/share/doc/pngcheck-static');
    const copyright = readFileSync(join(doc, 'copyright'), 'utf8');
    expect(copyright).toMatch(new RegExp(`^zlib ${escapeRegExp(ZLIB)} \\(statically linked: rebuilt by stubforge from the Debian source\\)$`, 'm'));
    expect(copyright).toContain('Upstream-Name: zlib');
    expect(copyright).toContain('Upstream-Name: musl');
    expect(copyright).toContain('Upstream-Name: pngcheck');
    const spdx = JSON.parse(readFileSync(join(doc, 'pngcheck-static.spdx.json'), 'utf8')) as { spdxVersion: string; packages: { name: string; versionInfo?: string; licenseDeclared: string }[] };
    expect(spdx.spdxVersion).toBe('SPDX-2.3');
    expect(spdx.packages.find((p) => p.name === 'zlib')).toMatchObject({ versionInfo: ZLIB, licenseDeclared: 'Zlib' });
    expect(spdx.packages.find((p) => p.name === 'musl')?.licenseDeclared).toBe('MIT');
  });

  it('puts the debug file, named by the program\'s build-id, in the -dbgsym package', () => {
    const root = join(work, 'dbg');
    expect(run('dpkg-deb', ['-x', deb, root]).status).toBe(0);
    const id = /Build ID: ([0-9a-f]+)/.exec(run('readelf', ['-n', join(root, 'usr/bin/pngcheck')]).stdout)?.[1] ?? '';
    expect(id).toMatch(/^[0-9a-f]{40}$/);
    expect(field(dbgsym, 'Build-Ids')).toBe(id);
    expect(run('dpkg-deb', ['--contents', dbgsym]).stdout).toContain(`./usr/lib/debug/.build-id/${id.slice(0, 2)}/${id.slice(2)}.debug`);
    expect(run('readelf', ['--string-dump=.gnu_debuglink', join(root, 'usr/bin/pngcheck')]).stdout).toContain(`${id.slice(2)}.debug`);
  });

  it('gives byte-identical packages when built again from the same inputs in another home', async () => {
    const again = await stubforgeBuild(ARGS, { home: join(work, 'two'), cache });
    expect(again.code, again.stdout).toBe(0);
    const p = packagesOf(again.stdout);
    expect(p.status).toBe('built');
    expect(p.deb).not.toBe(deb);
    expect(sha256(p.deb)).toBe(sha256(deb));
    expect(sha256(p.dbgsym ?? '')).toBe(sha256(dbgsym));
  }, 900_000);

  it('finds the package in the cache when nothing changed', async () => {
    const third = await stubforgeBuild(ARGS, { home: join(work, 'one'), cache });
    expect(third.code, third.stdout).toBe(0);
    expect(packagesOf(third.stdout)).toMatchObject({ status: 'cached', deb });
    expect(readdirSync(join(work, 'one/store')).length).toBeGreaterThan(0);
  }, 900_000);
});
