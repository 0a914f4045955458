// Static only, on real bytes: objects, archives, shared objects and executables are made here with
// the real tools (musl-gcc, gcc -m32/-mx32, gcc -shared, GNU ar, llvm-ar, llvm-mc); .pc and .la
// files are the captured ones in test/fixtures/drivers.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArArchive } from '../../src/drivers/ar-archive.js';
import { readElfHeader } from '../../src/drivers/elf-header.js';
import {
  checkArchive, checkElf, checkFileName, checkPkgConfig, describeStaticViolation, type StaticExpectation,
} from '../../src/drivers/static-policy.js';
import { verifyOutput } from '../../src/executor/builders/verify-output.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/drivers');
const AMD64: StaticExpectation = {
  elf: { machine: 62, class: 64 }, prefix: '/usr/x86_64-linux-musl',
  buildPaths: ['/tmp/stubforge-capture/zlib/src', '/tmp/stubforge-capture/zlib/out'],
};
const dir = mkdtempSync(join(tmpdir(), 'stubforge-static-policy-'));
const hasLlvm = ((): boolean => {
  try {
    execFileSync('llvm-ar', ['--version'], { stdio: 'ignore' });
    execFileSync('llvm-mc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function run(cmd: string, args: readonly string[]): void {
  execFileSync(cmd, args, { cwd: dir, stdio: 'pipe' });
}

function bytes(name: string): Uint8Array {
  return readFileSync(join(dir, name));
}

const LONG = 'a_member_name_longer_than_fifteen.o';

beforeAll(() => {
  writeFileSync(join(dir, 'add.c'), 'int add(int a, int b) { return a + b; }\n');
  writeFileSync(join(dir, 'main.c'), 'int main(void) { return 0; }\n');
  run('musl-gcc', ['-c', '-o', 'add.o', 'add.c']);
  run('musl-gcc', ['-c', '-o', LONG, 'add.c']);
  try {
    run('gcc', ['-m32', '-c', '-o', 'i386.o', 'add.c']);
  } catch {
    // A gcc without i386 support: the same object rewritten as ELF32/i386 by binutils.
    run('objcopy', ['-O', 'elf32-i386', 'add.o', 'i386.o']);
  }
  run('gcc', ['-mx32', '-c', '-o', 'x32.o', 'add.c']);
  run('gcc', ['-shared', '-fPIC', '-o', 'libadd.so', 'add.c']);
  run('musl-gcc', ['-static', '-o', 'static-exe', 'main.c']);
  run('musl-gcc', ['-o', 'dynamic-exe', 'main.c']);
  run('ar', ['rcs', 'libgnu.a', 'add.o', LONG]);
  run('ar', ['rcs', 'libmixed.a', 'add.o', 'i386.o']);
  run('ar', ['rcs', 'libx32.a', 'x32.o']);
  run('ar', ['rcs', 'libwithso.a', 'add.o', 'libadd.so']);
  run('ar', ['rcT', 'libthin.a', 'add.o']);
  run('ar', ['rc', 'libtext.a', 'add.c']);
  const gnu = bytes('libgnu.a');
  writeFileSync(join(dir, 'libtruncated.a'), gnu.subarray(0, gnu.length - 100));
  if (hasLlvm) {
    run('llvm-ar', ['--format=bsd', 'rcs', 'libbsd.a', 'add.o', LONG]);
    writeFileSync(join(dir, 'ret.s'), 'ret\n');
    run('llvm-mc', ['-triple=aarch64-linux-gnu', '-filetype=obj', '-o', 'aarch64.o', 'ret.s']);
    writeFileSync(join(dir, 'nop.s'), 'nop\n');
    run('llvm-mc', ['-triple=powerpc64-linux-gnu', '-filetype=obj', '-o', 'ppc64be.o', 'nop.s']);
  }
});

afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const at = (file: string) => ({ file });

describe('ar archives', () => {
  it('reads GNU archives past the symbol table, with names from the // long-name table', () => {
    const members = parseArArchive(bytes('libgnu.a'));
    expect(members.ok && members.value.map((m) => m.name)).toEqual(['add.o', LONG]);
  });

  it.runIf(hasLlvm)('reads BSD archives: __.SYMDEF skipped, #1/ names taken from the data', () => {
    const members = parseArArchive(bytes('libbsd.a'));
    expect(members.ok && members.value.map((m) => m.name)).toEqual(['add.o', LONG]);
    expect(members.ok && members.value.every((m) => readElfHeader(m.data).ok)).toBe(true);
  });

  it('reports a truncated archive with the offset of the member that runs past the end', () => {
    const members = parseArArchive(bytes('libgnu.a'));
    const last = members.ok ? members.value.at(-1)?.offset : undefined;
    expect(parseArArchive(bytes('libtruncated.a'))).toEqual({ ok: false, error: { detail: expect.stringContaining('runs past the end') as unknown, offset: last } });
  });
});

describe('static libraries', () => {
  it.each([
    ['libgnu.a', []],
    ['libmixed.a', [{ reason: 'wrong-machine', member: 'i386.o', machine: 3, expected: 62 }, { reason: 'wrong-class', member: 'i386.o', elfClass: 32, expected: 64 }]],
    ['libx32.a', [{ reason: 'wrong-class', member: 'x32.o', elfClass: 32, expected: 64 }]],
    ['libwithso.a', [{ reason: 'shared-object', member: 'libadd.so', evidence: 'elf-type' }]],
    ['libthin.a', [{ reason: 'thin-archive' }]],
    ['libtext.a', [{ reason: 'not-an-object', member: 'add.c' }]],
    ['libtruncated.a', [{ reason: 'malformed-archive' }]],
  ])('%s: %j', (file, expected) => {
    const verdict = checkArchive(file, bytes(file), AMD64, at(file));
    expect(verdict.violations).toHaveLength(expected.length);
    expected.forEach((v, i) => { expect(verdict.violations[i]).toMatchObject({ file, ...v }); });
  });

  it('refuses an archive without members (`ar rc libempty.a` writes the magic alone)', () => {
    const empty = new TextEncoder().encode('!<arch>\n');
    expect(checkArchive('libxengnttab.a', empty, AMD64, at('libxengnttab.a'))).toEqual({ members: [], violations: [{ reason: 'empty-archive', file: 'libxengnttab.a', location: at('libxengnttab.a') }] });
  });

  it.runIf(hasLlvm)('checks BSD archive members like GNU ones', () => {
    expect(checkArchive('libbsd.a', bytes('libbsd.a'), AMD64, at('libbsd.a'))).toEqual({ members: ['add.o', LONG], violations: [] });
    const i386: StaticExpectation = { ...AMD64, elf: { machine: 3, class: 32 } };
    expect(checkArchive('libbsd.a', bytes('libbsd.a'), i386, at('libbsd.a')).violations.map((v) => v.reason))
      .toEqual(['wrong-machine', 'wrong-class', 'wrong-machine', 'wrong-class']);
  });
});

describe('stray ELF files', () => {
  it.each([
    ['add.o', []],
    ['static-exe', []],
    ['dynamic-exe', [{ reason: 'shared-object', evidence: 'elf-type' }]],
    ['libadd.so', [{ reason: 'shared-object', evidence: 'elf-type' }]],
    ['i386.o', [{ reason: 'wrong-machine', machine: 3 }, { reason: 'wrong-class', elfClass: 32 }]],
  ])('%s: %j', (file, expected) => {
    const found = checkElf(file, bytes(file), AMD64, at(file));
    expect(found).toHaveLength(expected.length);
    expected.forEach((v, i) => { expect(found[i]).toMatchObject({ file, ...v }); });
  });

  it.runIf(hasLlvm)('reads the machine in the byte order the file declares', () => {
    expect(readElfHeader(bytes('ppc64be.o'))).toMatchObject({ ok: true, value: { machine: 21, littleEndian: false, elfClass: 64, type: 1 } });
    expect(checkElf('aarch64.o', bytes('aarch64.o'), AMD64, at('aarch64.o'))).toMatchObject([{ reason: 'wrong-machine', machine: 183 }]);
  });
});

describe('names', () => {
  it.each([
    ['usr/x86_64-linux-musl/lib/libz.so', 'shared-object'],
    ['usr/x86_64-linux-musl/lib/libz.so.1', 'shared-object'],
    ['usr/x86_64-linux-musl/lib/libz.so.1.2.13', 'shared-object'],
    ['usr/x86_64-linux-musl/lib/libffi.la', 'libtool-archive'],
    ['usr/x86_64-linux-musl/lib/libz.a', undefined],
    ['usr/x86_64-linux-musl/share/doc/x.so.txt', undefined],
    ['run/app.sock', undefined],
  ])('%s → %s', (file, reason) => {
    expect(checkFileName(file, at(file))[0]?.reason).toBe(reason);
  });
});

describe('pkg-config files', () => {
  const pc = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
  it.each([
    ['zlib.pc', []],
    ['libffi.pc', []],
    ['zlib-destdir-in-prefix.pc', [{ reason: 'build-path-in-pc', line: 1, path: '/tmp/stubforge-capture/zlib/out' }]],
    ['zlib1g-dev-amd64.pc', [{ reason: 'wrong-prefix-in-pc', line: 1, found: '/usr', expected: '/usr/x86_64-linux-musl' }]],
    ['liblzma-dev-amd64.pc', [
      { reason: 'wrong-prefix-in-pc', line: 8, found: '/usr' },
      { reason: 'path-outside-prefix-in-pc', line: 9, path: '/usr' },
      { reason: 'path-outside-prefix-in-pc', line: 10, path: '/usr/lib/x86_64-linux-gnu' },
      { reason: 'path-outside-prefix-in-pc', line: 11, path: '/usr/include' },
    ]],
  ])('%s: %j', (file, expected) => {
    const found = checkPkgConfig(file, pc(file), AMD64, (line) => ({ file, line }));
    expect(found).toHaveLength(expected.length);
    expected.forEach((v, i) => { expect(found[i]).toMatchObject({ file, location: { file, line: v.line }, ...v }); });
  });

  it('accepts a relocatable prefix relative to the .pc file itself', () => {
    const text = pc('libffi.pc').replace('prefix=/usr/x86_64-linux-musl', 'prefix=${pcfiledir}/../..');
    expect(checkPkgConfig('libffi.pc', text, AMD64, (line) => ({ file: 'libffi.pc', line }))).toEqual([]);
  });

  it('flags a literal -L outside the prefix in Libs', () => {
    const text = pc('zlib.pc').replace('Libs: -L${libdir}', 'Libs: -L/usr/lib/x86_64-linux-gnu -L${libdir}');
    expect(checkPkgConfig('zlib.pc', text, AMD64, (line) => ({ file: 'zlib.pc', line }))).toMatchObject([
      { reason: 'path-outside-prefix-in-pc', line: 12, path: '/usr/lib/x86_64-linux-gnu' },
    ]);
  });
});

describe('verifyOutput over an output directory', () => {
  it('names every offending file and member, and checks the expected artefacts', async () => {
    const out = join(dir, 'out');
    const lib = join(out, 'usr/x86_64-linux-musl/lib');
    mkdirSync(join(lib, 'pkgconfig'), { recursive: true });
    mkdirSync(join(out, 'usr/x86_64-linux-musl/bin'), { recursive: true });
    copyFileSync(join(dir, 'libgnu.a'), join(lib, 'libz.a'));
    copyFileSync(join(dir, 'libmixed.a'), join(lib, 'libmixed.a'));
    copyFileSync(join(dir, 'libadd.so'), join(lib, 'libadd.so.1'));
    symlinkSync('libadd.so.1', join(lib, 'libadd.so'));
    copyFileSync(join(dir, 'static-exe'), join(out, 'usr/x86_64-linux-musl/bin/tool'));
    copyFileSync(join(FIXTURES, 'libffi.la'), join(lib, 'libffi.la'));
    copyFileSync(join(FIXTURES, 'zlib.pc'), join(lib, 'pkgconfig/zlib.pc'));
    copyFileSync(join(FIXTURES, 'zlib-destdir-in-prefix.pc'), join(lib, 'pkgconfig/zlib-bad.pc'));

    const report = await verifyOutput({
      outputDir: out, expect: AMD64,
      expectedArtefacts: ['usr/x86_64-linux-musl/lib/libz.a', 'usr/x86_64-linux-musl/include/zlib.h'],
    });
    if (!report.ok) throw new Error(report.error.detail);
    expect(report.value.archives).toBe(2);
    expect(report.value.objects).toBe(4 + 2); // two members each, plus the .so.1 and the executable
    expect(report.value.violations.map(describeStaticViolation)).toEqual([
      'usr/x86_64-linux-musl/lib/libadd.so: shared object (by its name); the output must be static only',
      'usr/x86_64-linux-musl/lib/libadd.so.1: shared object (by its name); the output must be static only',
      'usr/x86_64-linux-musl/lib/libadd.so.1: shared object (ELF type ET_DYN); the output must be static only',
      'usr/x86_64-linux-musl/lib/libffi.la: libtool archive left in the output',
      'usr/x86_64-linux-musl/lib/libmixed.a(i386.o): ELF machine 3, the arch needs 62',
      'usr/x86_64-linux-musl/lib/libmixed.a(i386.o): ELF32, the arch needs ELF64',
      'usr/x86_64-linux-musl/lib/pkgconfig/zlib-bad.pc:1: names the build path /tmp/stubforge-capture/zlib/out',
      'usr/x86_64-linux-musl/include/zlib.h: expected by the recipe, not installed',
    ]);
    expect(report.value.violations.find((v) => v.reason === 'build-path-in-pc')?.location)
      .toEqual({ file: join(lib, 'pkgconfig/zlib-bad.pc'), line: 1 });
  });

  it('answers output-unreadable for a directory that is not there', async () => {
    const missing = join(dir, 'no-such-output');
    expect(await verifyOutput({ outputDir: missing, expect: AMD64 })).toMatchObject({ ok: false, error: { reason: 'output-unreadable', path: missing } });
  });
});
