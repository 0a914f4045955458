// Toolchain provenance on real bytes: objects and archives are compiled here with the real tools —
// musl-gcc (the musl arch's compiler) and the build machine's gcc against glibc's headers, the
// mistake the check exists for — laid out as a build's output, and walked as the executor walks it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLineTables } from '../../src/drivers/dwarf-line.js';
import { readElfFile, relocatedSection } from '../../src/drivers/elf-sections.js';
import {
  checkObjectProvenance, describeProvenanceViolation, isForeignHeader, isGlibcOnlySymbol, provenanceExpectation,
} from '../../src/drivers/toolchain-provenance.js';
import { verifyProvenance } from '../../src/executor/builders/verify-provenance.js';
import { describeNodeFailure } from '../../src/cli/commands/build-failures.js';
import { exitCodeOfNodeFailure } from '../../src/cli/exit-codes.js';
import { describeApplicationError } from '../../src/cli/application-messages.js';

const dir = mkdtempSync(join(tmpdir(), 'stubforge-provenance-'));
const MULTIARCH = execFileSync('gcc', ['-dumpmachine'], { encoding: 'utf8' }).trim();
const KERNEL = ['/usr/include/linux', `/usr/include/${MULTIARCH}/asm`, '/usr/include/asm-generic'];
const MUSL = provenanceExpectation({ triplet: 'x86_64-linux-musl', kernelHeaders: KERNEL });
const loc = { file: 'out' };

function run(cmd: string, args: readonly string[]): void {
  execFileSync(cmd, args, { cwd: dir, stdio: 'pipe' });
}

const bytes = (name: string): Uint8Array => readFileSync(join(dir, name));

// What Xen's libxenstore does: sscanf, which glibc's <stdio.h> redirects to __isoc99_sscanf.
const PARSE_C = '#include <stdio.h>\n#include <string.h>\n' +
  'int parse(const char *s, char *out) { int n = 0; sscanf(s, "%d", &n); sprintf(out, "%d", n); return n; }\n';
// A kernel header, reached the way the drivers expose them to musl-gcc (a folder of symlinks).
const KERNEL_C = '#include <stdint.h>\n#include <linux/types.h>\n__u32 widen(uint16_t x) { return x; }\n';

beforeAll(() => {
  writeFileSync(join(dir, 'parse.c'), PARSE_C);
  writeFileSync(join(dir, 'kernel.c'), KERNEL_C);
  writeFileSync(join(dir, 'main.c'), 'int parse(const char *, char *);\nint main(void) { char b[16]; return parse("1", b); }\n');
  mkdirSync(join(dir, 'kernel-headers'));
  for (const h of KERNEL) symlinkSync(h, join(dir, 'kernel-headers', h.slice(h.lastIndexOf('/') + 1)));
  run('musl-gcc', ['-O2', '-g', '-c', '-o', 'parse-musl.o', 'parse.c']);
  run('musl-gcc', ['-O2', '-g', '-isystem', 'kernel-headers', '-c', '-o', 'kernel-musl.o', 'kernel.c']);
  run('gcc', ['-O2', '-g', '-I/deps/usr/x86_64-linux-musl/include', '-c', '-o', 'parse-gcc.o', 'parse.c']);
  run('gcc', ['-O2', '-g', '-D_FORTIFY_SOURCE=2', '-c', '-o', 'parse-fortify.o', 'parse.c']);
  run('gcc', ['-O2', '-gdwarf-4', '-c', '-o', 'parse-dwarf4.o', 'parse.c']);
  run('musl-gcc', ['-O2', '-c', '-o', 'parse-nodebug.o', 'parse.c']);
  run('musl-gcc', ['-O2', '-g', '-c', '-o', 'main-musl.o', 'main.c']);
  // A program linked by musl-gcc from one object the build machine's gcc compiled: it links (musl
  // exports glibc's __isoc99 names) and runs, which is why the mistake goes unnoticed.
  run('musl-gcc', ['-static', '-o', 'mixed-program', 'main-musl.o', 'parse-gcc.o']);
  run('musl-gcc', ['-static', '-o', 'musl-program', 'main-musl.o', 'parse-musl.o']);
  mkdirSync(join(dir, 'out-good/usr/x86_64-linux-musl/lib'), { recursive: true });
  mkdirSync(join(dir, 'out-bad/usr/x86_64-linux-musl/lib'), { recursive: true });
  run('ar', ['rcs', 'out-good/usr/x86_64-linux-musl/lib/libparse.a', 'parse-musl.o', 'kernel-musl.o']);
  run('ar', ['rcs', 'out-bad/usr/x86_64-linux-musl/lib/libparse.a', 'kernel-musl.o', 'parse-gcc.o']);
  // Berkeley DB (db5.3) names an internal function __dbh_am_chk, which matches glibc's __*_chk.
  writeFileSync(join(dir, 'am.c'), 'int __dbh_am_chk(void *dbp, unsigned flags) { return dbp == 0 || flags != 0; }\n');
  writeFileSync(join(dir, 'open.c'), 'int __dbh_am_chk(void *, unsigned);\nint db_open(void *dbp) { return __dbh_am_chk(dbp, 0); }\n');
  run('musl-gcc', ['-O2', '-g', '-c', '-o', 'am.o', 'am.c']);
  run('musl-gcc', ['-O2', '-g', '-c', '-o', 'open.o', 'open.c']);
  mkdirSync(join(dir, 'out-own/usr/x86_64-linux-musl/lib'), { recursive: true });
  run('ar', ['rcs', 'out-own/usr/x86_64-linux-musl/lib/libdb.a', 'open.o', 'am.o']);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('reading the evidence', () => {
  it('reads the line table of a relocatable object through its relocations (DWARF 5)', () => {
    const elf = readElfFile(bytes('parse-gcc.o'));
    expect(elf.ok).toBe(true);
    if (!elf.ok) return;
    const line = relocatedSection(elf.value, '.debug_line');
    const lineStr = relocatedSection(elf.value, '.debug_line_str');
    if (!line.ok || !lineStr.ok || line.value === undefined || lineStr.value === undefined) throw new Error('no line table');
    const units = readLineTables(line.value, true, { lineStr: lineStr.value });
    expect(units.ok && units.value.length).toBe(1);
    const [unit] = units.ok ? units.value : [];
    expect(unit?.version).toBe(5);
    expect(unit?.compDir).toBe(dir);
    expect(unit?.primaryFile).toMatch(/parse\.c$/);
    expect(unit?.files).toContain('/usr/include/stdio.h');
  });

  it('reads a DWARF 4 line table too', () => {
    const violations = checkObjectProvenance('x.o', bytes('parse-dwarf4.o'), MUSL, loc);
    expect(violations.find((v) => v.reason === 'foreign-headers')).toMatchObject({ headers: expect.arrayContaining(['/usr/include/stdio.h']) as unknown });
  });

  it('tells the arch\'s headers from the build machine\'s', () => {
    expect(isForeignHeader('/usr/include/stdio.h', MUSL)).toBe(true);
    expect(isForeignHeader(`/usr/include/${MULTIARCH}/bits/types.h`, MUSL)).toBe(true);
    expect(isForeignHeader('/usr/include/glib-2.0/glib.h', MUSL)).toBe(true);
    expect(isForeignHeader('/usr/include/x86_64-linux-musl/stdio.h', MUSL)).toBe(false);
    expect(isForeignHeader('/usr/include/x86_64-linux-musl/../stdio.h', MUSL)).toBe(true);
    expect(isForeignHeader(`/usr/include/${MULTIARCH}/asm/types.h`, MUSL)).toBe(false);
    expect(isForeignHeader('/usr/include/linux/types.h', MUSL)).toBe(false);
    expect(isForeignHeader('/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h', MUSL)).toBe(false);
    expect(isForeignHeader('/deps/usr/x86_64-linux-musl/include/zlib.h', MUSL)).toBe(false);
    expect(isForeignHeader('src/parse.c', MUSL)).toBe(false);
  });

  it('names glibc-only symbols and nothing musl has itself', () => {
    for (const s of ['__isoc99_sscanf', '__sprintf_chk', '__memcpy_chk', '__open_2', '_IO_getc', '__fxstat64', '__libc_single_threaded']) {
      expect(isGlibcOnlySymbol(s), s).toBe(true);
    }
    for (const s of ['sscanf', '__stack_chk_fail', '__errno_location', '__ctype_b_loc', '__assert_fail', 'memcpy']) {
      expect(isGlibcOnlySymbol(s), s).toBe(false);
    }
    expect(provenanceExpectation({ triplet: 'x86_64-linux-gnu' }).glibcOnlySymbolsForeign).toBe(false);
    expect(provenanceExpectation({ triplet: 'x86_64-rumprun-netbsd' }).glibcOnlySymbolsForeign).toBe(true);
  });

  it("takes NetBSD's own _FORTIFY_SOURCE functions (rumprun's libc defines them) for the arch's, and nothing else", () => {
    const netbsd = provenanceExpectation({ triplet: 'x86_64-rumprun-netbsd' });
    expect(netbsd.ownLibcSymbols).toContain('__memcpy_chk');
    expect(netbsd.ownLibcSymbols).toContain('__fgets_chk');
    expect(netbsd.ownLibcSymbols).not.toContain('__isoc99_sscanf');
    expect(netbsd.ownLibcSymbols).not.toContain('__read_chk');
    expect(MUSL.ownLibcSymbols).toEqual([]);
  });
});

describe('checkObjectProvenance', () => {
  it('passes objects musl-gcc compiled, kernel headers included', () => {
    expect(checkObjectProvenance('a', bytes('parse-musl.o'), MUSL, loc)).toEqual([]);
    expect(checkObjectProvenance('a', bytes('kernel-musl.o'), MUSL, loc)).toEqual([]);
  });

  it('fails an object the build machine\'s gcc compiled, naming headers and symbols', () => {
    const found = checkObjectProvenance('lib/libxenstore.a', bytes('parse-gcc.o'), MUSL, loc, 'xs.o');
    expect(found.map((v) => v.reason).sort()).toEqual(['foreign-headers', 'glibc-only-symbols']);
    const text = found.map(describeProvenanceViolation).join('\n');
    expect(text).toContain('lib/libxenstore.a(xs.o): compiled against the build machine\'s headers');
    expect(text).toMatch(/\/usr\/include\/[^ ]*\.h/);
    expect(text).toContain('lib/libxenstore.a(xs.o): references __isoc99_sscanf, which only glibc\'s headers make a compiler emit');
  });

  it('names the fortify references of a _FORTIFY_SOURCE build', () => {
    const found = checkObjectProvenance('x', bytes('parse-fortify.o'), MUSL, loc);
    expect(found.find((v) => v.reason === 'glibc-only-symbols')).toMatchObject({ symbols: ['__isoc99_sscanf', '__sprintf_chk'] });
  });

  it('refuses an object without a line table: its headers cannot be shown', () => {
    expect(checkObjectProvenance('x', bytes('parse-nodebug.o'), MUSL, loc).map((v) => v.reason)).toEqual(['no-line-table']);
  });

  it('checks a linked program compile unit by compile unit', () => {
    expect(checkObjectProvenance('bin/p', bytes('musl-program'), MUSL, loc)).toEqual([]);
    const found = checkObjectProvenance('bin/p', bytes('mixed-program'), MUSL, loc);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ reason: 'foreign-headers', unit: expect.stringMatching(/parse\.c$/) as unknown });
    expect(describeProvenanceViolation(found[0]!)).toMatch(/^bin\/p: compiled against the build machine's headers, not the arch's: its DWARF line table, compile unit .*parse\.c names /);
  });
});

describe('verifyProvenance', () => {
  it('passes an output whose every member musl-gcc compiled', async () => {
    const report = await verifyProvenance({ dir: join(dir, 'out-good'), expect: MUSL });
    expect(report.ok && report.value).toEqual({ violations: [], objects: 2 });
  });

  it('takes a __*_chk name another member of the archive defines for the library\'s own (db5.3)', async () => {
    expect(checkObjectProvenance('open.o', bytes('open.o'), MUSL, loc)).toMatchObject([{ reason: 'glibc-only-symbols', symbols: ['__dbh_am_chk'] }]);
    const report = await verifyProvenance({ dir: join(dir, 'out-own'), expect: MUSL });
    expect(report.ok && report.value).toEqual({ violations: [], objects: 2 });
  });

  it('fails an archive with one member the host compiler built, naming that member only', async () => {
    const report = await verifyProvenance({ dir: join(dir, 'out-bad'), expect: MUSL });
    if (!report.ok) throw new Error(report.error.detail);
    expect(report.value.objects).toBe(2);
    expect(new Set(report.value.violations.map((v) => `${v.file}(${v.member ?? ''})`))).toEqual(new Set(['usr/x86_64-linux-musl/lib/libparse.a(parse-gcc.o)']));
  });
});

describe('the failure of a node', () => {
  it('names each object and its evidence, says nothing was published, and exits 1', async () => {
    const report = await verifyProvenance({ dir: join(dir, 'out-bad'), expect: MUSL });
    if (!report.ok) throw new Error(report.error.detail);
    const failure = { reason: 'toolchain-provenance' as const, violations: report.value.violations, outputDir: '/state/work/run/xen/out', logFile: 'xen.log' };
    const text = describeNodeFailure(failure);
    expect(text.split('\n')[0]).toBe("objects not built by the arch's toolchain against its headers (nothing was published; output kept in /state/work/run/xen/out):");
    expect(text).toContain('  usr/x86_64-linux-musl/lib/libparse.a(parse-gcc.o): references __isoc99_sscanf');
    expect(text).toContain('  usr/x86_64-linux-musl/lib/libparse.a(parse-gcc.o): compiled against the build machine\'s headers');
    expect(exitCodeOfNodeFailure(failure)).toBe(1);
  });
});

describe('the failure of an application', () => {
  it('names the program and the compile unit the link took from the build machine\'s compiler', () => {
    const violations = checkObjectProvenance('usr/lib/xen/bin/qemu-stubdom-i386', bytes('mixed-program'), MUSL, loc);
    const text = describeApplicationError({ reason: 'toolchain-provenance', violations, location: { file: 'recipes/qemu-stubdom/recipe' } });
    expect(text).toMatch(/^recipes\/qemu-stubdom\/recipe: linked from objects not built by the arch's toolchain against its headers \(nothing was published\):\n {2}usr\/lib\/xen\/bin\/qemu-stubdom-i386: compiled against the build machine's headers, not the arch's: its DWARF line table, compile unit \S*parse\.c names /);
  });
});
