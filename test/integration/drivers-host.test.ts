// The generated build specs really build: real Debian sources from the mirror (named in this
// machine's apt configuration), the real musl-tools toolchain, each step run with `sh -e` and the
// spec's environment on the host, then the static-only policy over what was installed.
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDeb822 } from '../../src/control/deb822.js';
import type { ArchToolchain, BuildSpec, DriverInput, RecipeBuildOptions } from '../../src/drivers/driver.js';
import { buildSpecFor } from '../../src/drivers/registry.js';
import { stepContext } from '../../src/drivers/environment.js';
import { describeStaticViolation, staticExpectation } from '../../src/drivers/static-policy.js';
import { verifyOutput } from '../../src/executor/builders/verify-output.js';
import { archToolchain } from '../unit/drivers-arches.js';
import { bookwormSource, fetchVerified, mirrorBase, POOL_CACHE, zlibUpstream, type PoolSource } from './bake-support.js';

const PREFIX = '/usr/x86_64-linux-musl';

/** arch/musl-linux-amd64, parsed by src/arch and mapped as the arch mapper does. */
const MUSL: ArchToolchain = archToolchain('musl-linux-amd64');

const PACKAGES = ['zlib', 'libffi', 'pixman'] as const;
/**
 * Each source's .dsc with its SHA-256 as bookworm's Sources index lists it (the .dsc then vouches
 * for its files), read from the index in beforeAll: the newest version the mirror serves whole
 * (pixman: whose .dsc and orig tarball it serves, as it lacks pixman's Debian part).
 */
const DSC = {} as Record<(typeof PACKAGES)[number], PoolSource & { readonly files: readonly string[] }>;

let work = '';
let mirror = '';

/** The .dsc and the files it lists (all, or only those `wanted` keeps), each verified. */
async function fetchSource(pkg: keyof typeof DSC, wanted: (file: string) => boolean = () => true): Promise<string> {
  const { dir, dsc, sha256: dscSha } = DSC[pkg];
  const dscPath = await fetchVerified(mirror, dir, dsc, dscSha);
  const parsed = parseDeb822(await readFile(dscPath, 'utf8'), { file: dscPath, signed: true });
  if (!parsed.ok) throw new Error(parsed.error.message);
  for (const line of parsed.value[0]?.getLines('Checksums-Sha256') ?? []) {
    const [hash = '', , name = ''] = line.split(/\s+/);
    if (wanted(name)) await fetchVerified(mirror, dir, name, hash);
  }
  return dscPath;
}

/** The tiny executor: each step with `sh -e`, its cwd and env over a minimal base (PATH, HOME). */
async function runSpec(spec: BuildSpec, logFile: string): Promise<void> {
  const log: string[] = [];
  for (const step of spec.steps) {
    await mkdir(step.cwd, { recursive: true });
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn('sh', ['-e', '-c', step.run], {
        cwd: step.cwd, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: work, ...step.env },
      });
      child.stdout.on('data', (d: Buffer) => log.push(d.toString()));
      child.stderr.on('data', (d: Buffer) => log.push(d.toString()));
      child.on('error', reject);
      child.on('close', (c) => { resolve(c ?? 1); });
    });
    await writeFile(logFile, log.join(''));
    if (code !== 0) throw new Error(`step ${step.name} exited ${code}; log ${logFile}:\n${log.join('').slice(-3000)}`);
  }
}

interface Built { readonly destDir: string; readonly input: DriverInput; readonly spec: BuildSpec }

async function build(name: string, srcDir: string, options: RecipeBuildOptions, depsPrefix: string, epoch?: number): Promise<Built> {
  const input: DriverInput = {
    arch: MUSL, source: { name, version: 'test', dir: srcDir }, buildDir: join(work, name, 'build'),
    prefix: PREFIX, destDir: join(work, name, 'out'), depsPrefix, jobs: 2, options,
    ...(epoch === undefined ? {} : { sourceDateEpoch: epoch }),
  };
  const spec = buildSpecFor(input, await readdir(srcDir));
  if (!spec.ok) throw new Error(JSON.stringify(spec.error));
  await runSpec(spec.value, join(work, `${name}.log`));
  return { destDir: input.destDir, input, spec: spec.value };
}

async function expectStaticOnly(built: Built): Promise<void> {
  const report = await verifyOutput({
    outputDir: built.destDir,
    expect: staticExpectation(built.input),
    expectedArtefacts: built.spec.expectedArtefacts,
  });
  if (!report.ok) throw new Error(report.error.detail);
  expect(report.value.violations.map(describeStaticViolation)).toEqual([]);
  expect(report.value.archives).toBeGreaterThan(0);
  expect(report.value.files.filter((f) => f.endsWith('.la'))).toEqual([]);
}

function unpackDsc(dscPath: string, name: string): string {
  const dest = join(work, name, 'src');
  // dpkg-source checks every file against the .dsc again and applies Debian's patches.
  execFileSync('dpkg-source', ['-x', dscPath, dest], { cwd: POOL_CACHE, stdio: 'pipe' });
  return dest;
}

function changelogEpoch(srcDir: string): number {
  return Number(execFileSync('dpkg-parsechangelog', ['-l', join(srcDir, 'debian/changelog'), '-STimestamp'], { encoding: 'utf8' }).trim());
}

beforeAll(async () => {
  mirror = await mirrorBase();
  work = await mkdtemp(join(tmpdir(), 'stubforge-drivers-host-'));
  await mkdir(join(work, 'empty-deps', PREFIX.slice(1)), { recursive: true });
  for (const pkg of PACKAGES) {
    DSC[pkg] = await bookwormSource(pkg, pkg === 'pixman' ? 'orig' : 'whole');
    await mkdir(join(work, pkg), { recursive: true });
  }
});

afterAll(async () => {
  if (work !== '') await rm(work, { recursive: true, force: true });
});

describe('generated specs build real Debian sources with musl-tools on the host', () => {
  let zlib: Built | undefined;

  it('builds zlib with the steps driver (its own configure) into a static-only output', async () => {
    const dsc = await fetchSource('zlib');
    const src = unpackDsc(dsc, 'zlib');
    // The steps of recipes/zlib, as the recipe loader hands them over.
    zlib = await build('zlib', src, {
      system: 'steps',
      steps: [
        { name: 'configure', run: 'CHOST="$STUBFORGE_HOST" ./configure --static --prefix="$STUBFORGE_PREFIX"' },
        { name: 'build', run: 'make -j"$STUBFORGE_JOBS" libz.a' },
        { name: 'install', run: 'make install DESTDIR="$DESTDIR"' },
      ],
      artefacts: ['lib/libz.a', 'include/zlib.h', 'include/zconf.h', 'lib/pkgconfig/zlib.pc'],
    }, join(work, 'empty-deps', PREFIX.slice(1)), changelogEpoch(src));
    await expectStaticOnly(zlib);
    expect(await readFile(join(zlib.destDir, PREFIX, 'lib/pkgconfig/zlib.pc'), 'utf8')).toContain(`prefix=${PREFIX}\n`);
  });

  it('lets a later build find the staged zlib through pkg-config and link it statically', async () => {
    if (zlib === undefined) throw new Error('zlib did not build');
    const depsPrefix = join(zlib.destDir, PREFIX);
    const ctx = stepContext({ ...zlib.input, source: { ...zlib.input.source, name: 'consumer' }, depsPrefix, options: { system: 'make' } });
    if (!ctx.ok) throw new Error(JSON.stringify(ctx.error));
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...ctx.value.env };
    const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'zlib'], { env, encoding: 'utf8' }).trim();
    expect(flags).toBe(`-I${depsPrefix}/include -L${depsPrefix}/lib -lz`);
    const dir = join(work, 'consumer');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'main.c'), '#include <stdio.h>\n#include <zlib.h>\nint main(void) { printf("zlib %s\\n", zlibVersion()); return 0; }\n');
    execFileSync('sh', ['-ec', '$CC $CPPFLAGS $CFLAGS -o main main.c $LDFLAGS $(pkg-config --libs zlib)'], { cwd: dir, env });
    expect(execFileSync(join(dir, 'main'), { encoding: 'utf8' })).toBe(`zlib ${zlibUpstream(DSC.zlib.version)}\n`);
    expect(execFileSync('file', ['-b', join(dir, 'main')], { encoding: 'utf8' })).toMatch(/statically linked/);
  });

  it('builds libffi with the autotools driver (config.sub refreshed, --host, static only)', async () => {
    const dsc = await fetchSource('libffi');
    const src = unpackDsc(dsc, 'libffi');
    const libffi = await build('libffi', src, {
      system: 'detect',
      configureArgs: ['--disable-docs', '--disable-multi-os-directory'],
      artefacts: ['lib/libffi.a', 'include/ffi.h', 'include/ffitarget.h', 'lib/pkgconfig/libffi.pc'],
    }, join(work, 'empty-deps', PREFIX.slice(1)), changelogEpoch(src));
    const log = await readFile(join(work, 'libffi.log'), 'utf8');
    expect(log).toMatch(/refreshed \.\/config\.sub/);
    expect(log).toMatch(/checking host system type\.\.\. x86_64-pc-linux-musl/);
    expect(libffi.spec.driver).toBe('autotools');
    await expectStaticOnly(libffi);
  });

  it('builds pixman with the meson driver from its verified orig tarball', async () => {
    // The mirror lacks pixman's Debian diff (docs/building.md, "Mirror gaps and explicit choices"):
    // the orig tarball named and checksummed by the .dsc is unpacked on its own.
    const orig = DSC.pixman.files.find((f) => /\.orig\.tar\.[a-z0-9]+$/.test(f));
    if (orig === undefined) throw new Error(`no orig tarball among ${DSC.pixman.files.join(', ')}`);
    await fetchSource('pixman', (f) => f === orig);
    const src = join(work, 'pixman', 'src');
    await mkdir(src, { recursive: true });
    execFileSync('tar', ['-xf', join(POOL_CACHE, orig), '-C', src, '--strip-components=1']);
    // The options of recipes/pixman, less -Ddemos: pixman 0.42.2's meson_options.txt has no such
    // option and meson stops at it ("Unknown options").
    const pixman = await build('pixman', src, {
      system: 'detect',
      mesonOptions: ['-Ddefault_library=static', '-Dtests=disabled', '-Dgtk=disabled', '-Dlibpng=disabled', '-Dopenmp=disabled'],
      artefacts: ['lib/libpixman-1.a', 'include/pixman-1/pixman.h', 'lib/pkgconfig/pixman-1.pc'],
    }, join(work, 'empty-deps', PREFIX.slice(1)));
    expect(pixman.spec.driver).toBe('meson');
    expect(await readFile(join(work, 'pixman.log'), 'utf8')).toMatch(/Host machine cpu family: x86_64/);
    await expectStaticOnly(pixman);
  });
});

// No small source package of the archive builds with plain make or CMake alone and is on the
// mirror, so these two are minimal projects written here; the toolchain and tools are real.
describe('the make and cmake drivers with musl-tools on the host', () => {
  const C_SOURCE = '#include <time.h>\n#include <linux/errqueue.h>\nint demo_origin(void) { return SO_EE_ORIGIN_ICMP; }\n';

  it('make: command-line tools override a Makefile that says CC = gcc; kernel headers come from the -isystem links', async () => {
    const src = join(work, 'make-demo', 'src');
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'demo.c'), C_SOURCE);
    await writeFile(join(src, 'Makefile'), [
      'CC = gcc', 'AR = false', 'prefix = /usr/local',
      'libdemo.a: demo.o', '\t$(AR) rcs $@ $^',
      'demo.o: demo.c', '\t$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<',
      'install: libdemo.a', '\tinstall -D -m 644 libdemo.a $(DESTDIR)$(prefix)/lib/libdemo.a', '',
    ].join('\n'));
    const built = await build('make-demo', src, { system: 'detect', artefacts: ['lib/libdemo.a'] }, join(work, 'empty-deps', PREFIX.slice(1)));
    expect(built.spec.driver).toBe('make');
    expect(await readFile(join(work, 'make-demo.log'), 'utf8')).toMatch(/^musl-gcc .*-isystem \S+kernel-headers/m);
    await expectStaticOnly(built);
  });

  it('cmake: the toolchain file cross-compiles a static library, installed under the prefix', async () => {
    const src = join(work, 'cmake-demo', 'src');
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'demo.c'), 'int demo(int x) { return 2 * x; }\n');
    await writeFile(join(src, 'CMakeLists.txt'), [
      'cmake_minimum_required(VERSION 3.13)', 'project(demo C)', 'add_library(demo demo.c)',
      'include(GNUInstallDirs)', 'install(TARGETS demo)', 'message(STATUS "cross=${CMAKE_CROSSCOMPILING} cc=${CMAKE_C_COMPILER}")', '',
    ].join('\n'));
    const built = await build('cmake-demo', src, { system: 'detect', artefacts: ['lib/libdemo.a'] }, join(work, 'empty-deps', PREFIX.slice(1)));
    expect(built.spec.driver).toBe('cmake');
    expect(await readFile(join(work, 'cmake-demo.log'), 'utf8')).toMatch(/cross=TRUE cc=\/usr\/bin\/musl-gcc/);
    await expectStaticOnly(built);
  });
});
