// The link trace and map parsers on real linker output (test/fixtures/link, captured by its
// capture.sh): GNU ld 2.40 through musl-gcc and gcc 12, and gold.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyLinkInput, normalizeLinkPath, parseLinkMap, parseLinkTrace, type LinkEvidence } from '../../src/bake/link-trace.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/link');
const read = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const STAGED_LIBZ = '/tmp/stubforge-link-capture/stage/usr/x86_64-linux-musl/lib/libz.a';
const STAGED_UNUSED = '/tmp/stubforge-link-capture/stage/usr/x86_64-linux-musl/lib/libunused.a';
const MUSL_LIBC = '/usr/lib/x86_64-linux-musl/libc.a';
const LIBGCC = '/usr/lib/gcc/x86_64-linux-gnu/12/libgcc.a';
const LIBGCC_EH = '/usr/lib/gcc/x86_64-linux-gnu/12/libgcc_eh.a';
const ZLIB_MEMBERS = ['crc32.o', 'zutil.o', 'compress.o', 'deflate.o', 'trees.o', 'adler32.o'];

function trace(name: string): LinkEvidence {
  const parsed = parseLinkTrace(read(name), { file: name });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

function map(name: string, cwd?: string): LinkEvidence {
  const parsed = parseLinkMap(read(name), cwd === undefined ? { file: name } : { file: name, cwd });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

const membersOf = (e: LinkEvidence): Record<string, readonly string[] | undefined> =>
  Object.fromEntries(e.archives.map((a) => [a.normalizedPath, a.members]));

describe('parseLinkTrace on GNU ld 2.40 output', () => {
  it('a single --trace lists every opened archive but says nothing about members', () => {
    const e = trace('musl-static.trace.txt');
    expect(e.memberDetail).toBe(false);
    expect(e.archives.map((a) => a.normalizedPath)).toEqual([STAGED_LIBZ, STAGED_UNUSED, LIBGCC, LIBGCC_EH, MUSL_LIBC]);
    expect(e.archives.every((a) => a.members === undefined)).toBe(true);
    expect(e.skipped).toEqual([]);
  });

  it('--trace twice names the members pulled, and shows archives opened without any', () => {
    const e = trace('musl-static.trace2.txt');
    expect(e.memberDetail).toBe(true);
    const members = membersOf(e);
    expect(members[STAGED_LIBZ]).toEqual(ZLIB_MEMBERS);
    expect(members[STAGED_UNUSED]).toEqual([]);
    expect(members[LIBGCC]).toEqual([]);
    expect(members[LIBGCC_EH]).toEqual([]);
    // free.lo is printed twice by ld (once per reference); it is one member.
    expect(members[MUSL_LIBC]).toHaveLength(44);
    expect(members[MUSL_LIBC]?.slice(0, 3)).toEqual(['__libc_start_main.lo', 'exit.lo', 'defsysinfo.lo']);
  });

  it('keeps the crt files and the program object as objects, and merges an archive opened twice', () => {
    const e = trace('musl-static.trace2.txt');
    expect(e.objects).toEqual([
      '/usr/lib/x86_64-linux-musl/Scrt1.o', '/usr/lib/x86_64-linux-musl/crti.o', '/usr/lib/gcc/x86_64-linux-gnu/12/crtbeginS.o',
      'zlib-hello.o', '/usr/lib/gcc/x86_64-linux-gnu/12/crtendS.o', '/usr/lib/x86_64-linux-musl/crtn.o',
    ]);
    expect(e.archives.filter((a) => a.normalizedPath === MUSL_LIBC)).toHaveLength(1);
    expect(e.archives.find((a) => a.normalizedPath === STAGED_LIBZ)?.location).toEqual({ file: 'musl-static.trace2.txt', line: 5 });
  });

  it('--verbose: members, the search misses, and the linker script skipped as one block, not dropped', () => {
    const e = trace('musl-static.verbose.txt');
    expect(e.memberDetail).toBe(true);
    expect(membersOf(e)[STAGED_LIBZ]).toEqual(ZLIB_MEMBERS);
    expect(e.failedOpens).toEqual(['/tmp/stubforge-link-capture/stage/usr/x86_64-linux-musl/lib/libc.a']);
    expect(e.skipped.filter((s) => s.why === 'linker-script')).toEqual([
      { line: 10, text: 'internal linker script (lines 10-261)', why: 'linker-script' },
    ]);
    expect(e.skipped.map((s) => s.text)).toContain('/usr/bin/ld: mode elf_x86_64');
  });

  it('gold prints archive(member) lines only for what it pulled', () => {
    const e = trace('musl-static-gold.trace.txt');
    expect(e.memberDetail).toBe(true);
    expect(e.archives.map((a) => a.normalizedPath)).toEqual([STAGED_LIBZ, MUSL_LIBC]);
    expect(membersOf(e)[STAGED_LIBZ]).toEqual(ZLIB_MEMBERS);
  });

  it('normalises gcc\'s lib/gcc/.../../../ paths: the build machine\'s own libz.a is recognisable', () => {
    const e = trace('gcc-host-zlib.trace2.txt');
    const libz = e.archives[0];
    expect(libz?.path).toBe('/usr/lib/gcc/x86_64-linux-gnu/12/../../../x86_64-linux-gnu/libz.a');
    expect(libz?.normalizedPath).toBe('/usr/lib/x86_64-linux-gnu/libz.a');
    expect(libz?.members).toEqual(ZLIB_MEMBERS);
    expect(membersOf(e)[LIBGCC]).toEqual(['unordtf2.o', 'letf2.o', 'sfp-exceptions.o']);
  });

  it('reads the -lNAME (path) form that ld printed before binutils 2.32 (line written here in that format)', () => {
    const e = parseLinkTrace('-lz (/usr/lib/libz.a)\n(/usr/lib/libz.a)crc32.o\n', { file: 'old-ld' });
    expect(e.ok && e.value.archives).toEqual([{ path: '/usr/lib/libz.a', normalizedPath: '/usr/lib/libz.a', members: ['crc32.o'], location: { file: 'old-ld', line: 1 } }]);
  });

  it('keeps lines of a build log that are not trace output, with their line numbers', () => {
    const log = 'zlib-hello.c:3:5: warning: unused variable\n/usr/lib/x86_64-linux-musl/crt1.o\n(/x/libz.a)crc32.o\n';
    const e = parseLinkTrace(log, { file: 'build.log' });
    expect(e.ok && e.value.skipped).toEqual([{ line: 1, text: 'zlib-hello.c:3:5: warning: unused variable', why: 'not-a-path' }]);
  });

  it('resolves relative paths against the link directory when it is given', () => {
    const e = parseLinkTrace('../lib/libz.a\n(../lib/libz.a)crc32.o\n', { file: 't', cwd: '/build/app' });
    expect(e.ok && e.value.archives[0]?.normalizedPath).toBe('/build/lib/libz.a');
  });

  it('answers no-link-inputs for output without any input line (the flags were not passed)', () => {
    const e = parseLinkTrace('collect2: error: ld returned 1 exit status\n', { file: 'build.log' });
    expect(e.ok ? undefined : e.error.reason).toBe('no-link-inputs');
  });
});

describe('parseLinkMap on GNU ld 2.40 maps', () => {
  it('takes members from "Archive member included ..." and every input from LOAD lines', () => {
    const e = map('musl-static.map');
    expect(e.format).toBe('map');
    expect(e.memberDetail).toBe(true);
    const members = membersOf(e);
    expect(members[STAGED_LIBZ]).toEqual(ZLIB_MEMBERS);
    expect(members[MUSL_LIBC]).toHaveLength(44);
    expect(members[STAGED_UNUSED]).toEqual([]);
    expect(members[LIBGCC_EH]).toEqual([]);
    expect(e.objects).toContain('zlib-hello.o');
  });

  it('reads entries whose referencing file shares the line (names shorter than 29 columns)', () => {
    const e = map('musl-short-path.map.head', '/tmp/stubforge-link-capture/src/short');
    expect(membersOf(e)['/tmp/stubforge-link-capture/src/short/libz.a']).toEqual(ZLIB_MEMBERS);
    expect(e.archives[0]?.path).toBe('libz.a');
    expect(e.objects).toContain('/tmp/stubforge-link-capture/src/zlib-hello.o');
  });

  it('refuses a file that is not a link map', () => {
    const e = parseLinkMap(read('musl-static.trace2.txt'), { file: 'musl-static.trace2.txt' });
    expect(e.ok ? undefined : e.error.reason).toBe('not-a-link-map');
  });
});

describe('link inputs', () => {
  it.each([
    ['/usr/lib/x86_64-linux-musl/libc.a', 'archive'],
    ['/lib/x86_64-linux-gnu/libc.so.6', 'shared'],
    ['/usr/lib/x86_64-linux-gnu/libz.so', 'shared'],
    ['/usr/lib/x86_64-linux-musl/Scrt1.o', 'object'],
    ['libc.lo', 'object'],
    ['/usr/lib/ldscripts/foo.x', 'other'],
  ] as const)('%s is a %s input', (path, kind) => {
    expect(classifyLinkInput(path)).toBe(kind);
  });

  it.each([
    ['/usr/lib/gcc/x86_64-linux-gnu/12/../../../x86_64-linux-gnu/libc.a', undefined, '/usr/lib/x86_64-linux-gnu/libc.a'],
    ['libz.a', '/build', '/build/libz.a'],
    ['./libz.a', undefined, 'libz.a'],
  ])('normalises %s (cwd %s) to %s', (path, cwd, expected) => {
    expect(normalizeLinkPath(path, cwd)).toBe(expected);
  });
});
