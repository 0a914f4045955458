// The debian driver's collect step, run by sh over a debian/tmp laid out as the packaging installs
// it, with real .install lists (test/fixtures/debian-rules/) and Debian's own liblzma .pc file: what
// a -dev package ships lands in the cross layout, the .pc is rewritten for the prefix, shared
// objects and documentation stay out, and each package's files are listed for the executor.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLAIMS_DIR_NAME, collectScript } from '../../src/drivers/debian/collect-script.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const MA = 'x86_64-linux-musl';
const PREFIX = `/usr/${MA}`;
let dir = '';

function file(path: string, content = 'x'): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), content);
}

function collect(packages: string[]): string {
  const script = collectScript({
    packages, stageDir: join(dir, 'stage'), destPrefix: join(dir, 'out', PREFIX), prefix: PREFIX, claimsDir: join(dir, 'out', CLAIMS_DIR_NAME),
  });
  return execFileSync('sh', ['-e', '-c', script], { cwd: join(dir, 'src'), env: { ...process.env, DEB_HOST_MULTIARCH: MA }, encoding: 'utf8' });
}

function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel === '' ? name.name : `${rel}/${name.name}`;
      if (name.isDirectory()) walk(path);
      else out.push(path);
    }
  };
  walk('');
  return out.sort();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stubforge-collect-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('collect step of the debian driver', () => {
  it('takes what libexpat1-dev lists from debian/tmp into /usr/<triplet>, without the .so', () => {
    copyFileSync(join(FIXTURES, 'debian-rules', 'expat_2.5.0-1+deb12u2.libexpat1-dev.install'), join(dir, 'libexpat1-dev.install'));
    file('src/debian/libexpat1-dev.install', readFileSync(join(dir, 'libexpat1-dev.install'), 'utf8'));
    file('src/debian/tmp/usr/include/expat.h');
    file(`src/debian/tmp/usr/include/${MA}/expat_config.h`);
    file(`src/debian/tmp/usr/lib/${MA}/libexpat.a`);
    file(`src/debian/tmp/usr/lib/${MA}/cmake/expat-2.5.0/expat-config.cmake`);
    symlinkSync(`/lib/${MA}/libexpat.so.1`, join(dir, `src/debian/tmp/usr/lib/${MA}/libexpat.so`));
    file(`src/debian/tmp/usr/lib/${MA}/pkgconfig/expat.pc`, `prefix=/usr\nexec_prefix=\${prefix}\nlibdir=\${exec_prefix}/lib/${MA}\nincludedir=\${prefix}/include\nLibs: -L\${libdir} -lexpat\n`);
    file('src/expat/doc/reference.html');
    file('src/expat/conftools/expat.m4');
    collect(['libexpat1-dev']);
    expect(tree(join(dir, 'out'))).toEqual([
      `${CLAIMS_DIR_NAME}/libexpat1-dev`,
      `usr/${MA}/include/expat.h`, `usr/${MA}/include/expat_config.h`,
      `usr/${MA}/lib/libexpat.a`, `usr/${MA}/lib/pkgconfig/expat.pc`,
    ]);
    expect(readFileSync(join(dir, 'out', PREFIX, 'lib/pkgconfig/expat.pc'), 'utf8')).toBe(
      `prefix=${PREFIX}\nexec_prefix=\${prefix}\nlibdir=\${exec_prefix}/lib\nincludedir=\${prefix}/include\nLibs: -L\${libdir} -lexpat\n`);
    expect(readFileSync(join(dir, 'out', CLAIMS_DIR_NAME, 'libexpat1-dev'), 'utf8').split('\n').filter((l) => l !== '').sort())
      .toEqual(['include/expat.h', 'include/expat_config.h', 'lib/libexpat.a', 'lib/pkgconfig/expat.pc']);
  });

  it("reads .install paths written with debian/tmp/ (pcre2's) and rewrites a .pc with literal paths (liblzma's)", () => {
    file('src/debian/libpcre2-dev.install', readFileSync(join(FIXTURES, 'debian-rules', 'pcre2_10.42-1.libpcre2-dev.install'), 'utf8'));
    file('src/debian/tmp/usr/include/pcre2.h');
    file(`src/debian/tmp/usr/lib/${MA}/libpcre2-8.a`);
    file('src/debian/tmp/usr/bin/pcre2-config');
    const lzma = readFileSync(join(FIXTURES, 'drivers', 'liblzma-dev-amd64.pc'), 'utf8').replaceAll('x86_64-linux-gnu', MA);
    file(`src/debian/tmp/usr/lib/${MA}/pkgconfig/libpcre2-8.pc`, lzma);
    collect(['libpcre2-dev']);
    expect(tree(join(dir, 'out', PREFIX))).toEqual(['include/pcre2.h', 'lib/libpcre2-8.a', 'lib/pkgconfig/libpcre2-8.pc']);
    const pc = readFileSync(join(dir, 'out', PREFIX, 'lib/pkgconfig/libpcre2-8.pc'), 'utf8');
    expect(pc).toContain(`prefix=${PREFIX}\nexec_prefix=${PREFIX}\nlibdir=${PREFIX}/lib\nincludedir=${PREFIX}/include\n`);
  });

  it("expands ${DEB_HOST_MULTIARCH} in .install lines as debhelper 13 does (ncurses'), and needs no C++-only file", () => {
    file('src/debian/libncurses-dev.install', readFileSync(join(FIXTURES, 'debian-rules', 'ncurses_6.4-4.libncurses-dev.install'), 'utf8'));
    // libtinfo-dev has no list: it would take whatever libncurses-dev did not.
    file('src/debian/libtermcap.so', 'INPUT(-ltinfo)\n');
    file('src/debian/tmp/usr/include/curses.h');
    file('src/debian/tmp/usr/include/ncursesw/curses.h');
    // What ncurses 6.4-4 installs for musl-linux-amd64 without its C++ binding: no libncurses++w.a.
    for (const lib of ['ncurses', 'ncursesw', 'tinfo', 'panelw']) {
      file(`src/debian/tmp/usr/lib/${MA}/lib${lib}.a`);
      file(`src/debian/tmp/usr/lib/${MA}/pkgconfig/${lib}.pc`, `prefix=/usr\nlibdir=/usr/lib/${MA}\nLibs: -l${lib}\n`);
    }
    const log = collect(['libncurses-dev', 'libtinfo-dev']);
    expect(log).not.toContain('were not installed');
    const claims = (pkg: string) => readFileSync(join(dir, 'out', CLAIMS_DIR_NAME, pkg), 'utf8').split('\n').filter((l) => l !== '').sort();
    expect(claims('libncurses-dev')).toEqual([
      'include/curses.h', 'include/ncursesw/curses.h',
      'lib/libncurses.a', 'lib/libncursesw.a', 'lib/libpanelw.a', 'lib/libtinfo.a',
      'lib/pkgconfig/ncurses.pc', 'lib/pkgconfig/ncursesw.pc', 'lib/pkgconfig/panelw.pc', 'lib/pkgconfig/tinfo.pc',
    ]);
    expect(claims('libtinfo-dev')).toEqual([]);
    expect(readFileSync(join(dir, 'out', PREFIX, 'lib/pkgconfig/ncursesw.pc'), 'utf8')).toBe(`prefix=${PREFIX}\nlibdir=${PREFIX}/lib\nLibs: -lncursesw\n`);
  });

  it("rewrites a .pc whose variables have blanks around '=' (libicu-dev's icu-uc.pc)", () => {
    file('src/debian/libicu-dev.install', 'usr/lib/*/pkgconfig/*.pc\n');
    const icu = readFileSync(join(FIXTURES, 'drivers', 'icu-uc-dev-amd64.pc'), 'utf8').replaceAll('x86_64-linux-gnu', MA);
    file(`src/debian/tmp/usr/lib/${MA}/pkgconfig/icu-uc.pc`, icu);
    collect(['libicu-dev']);
    const pc = readFileSync(join(dir, 'out', PREFIX, 'lib/pkgconfig/icu-uc.pc'), 'utf8');
    expect(pc).toContain(`prefix = ${PREFIX}\nexec_prefix = \${prefix}\n`);
    expect(pc).toContain('libdir = ${prefix}/lib\n');
  });

  /** What a collect that must fail printed (it throws with its output). */
  function failedCollectOutput(packages: readonly string[]): string {
    try {
      collect([...packages]);
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      return `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
    throw new Error(`collecting ${packages.join(', ')} did not fail`);
  }

  it('fails naming the missing files when the install stage failed and left a listed header out', () => {
    file('src/debian/libfoo-dev.install', 'usr/include/foo.h\nusr/lib/*/libfoo.a\nusr/lib/*/libfoo.so\n');
    file(`src/debian/tmp/usr/lib/${MA}/libfoo.a`);
    // The install step marks its failure beside the collect step's stage folder.
    file('install-failed', '');
    const output = failedCollectOutput(['libfoo-dev']);
    expect(output).toContain('libfoo-dev: usr/include/foo.h');
    expect(output).toContain('the install stage failed and left these out');
    // The .so the static-only build did not make is not asked for.
    expect(output).not.toContain('libfoo.so');
    expect(output).not.toContain('C++');
  });

  it('says so when a build that went without C++ then misses a listed file', () => {
    file('src/debian/libfoo-dev.install', 'usr/include/foo.h\nusr/lib/*/libfoo++.a\n');
    file('src/debian/tmp/usr/include/foo.h');
    file('install-failed', '');
    file('cxx-refused', '-c foo.cc\n');
    const output = failedCollectOutput(['libfoo-dev']);
    expect(output).toContain('libfoo-dev: usr/lib/*/libfoo++.a');
    expect(output).toContain('the build also went without C++ (the arch has no C++ compiler)');
  });
});
