// Toolchain provenance: every object a `-cross` package ships, and every object linked into an
// application, must have been compiled by the arch's toolchain against the arch's headers. Two
// pieces of evidence are read from the object itself, so they hold whatever ran the compiler:
// - the DWARF line table lists every header that contributed code or a declaration to the
//   object. A header under the build machine's /usr/include (glibc's `bits/types.h`, `stdio.h`)
//   means it was not compiled against the arch's C library. Only the arch's own directories
//   there (`/usr/include/x86_64-linux-musl`, the kernel headers the arch exposes) are allowed.
// - undefined references that only glibc's headers make a compiler emit: `__isoc99_sscanf` (the
//   C99 scanf redirect), `__*_chk` and `__open_2` (_FORTIFY_SOURCE), `_IO_getc`, `__xstat` —
//   except the `__*_chk` functions NetBSD's libc (rumprun's) defines and its own headers emit.
// The compiler's identity string (DW_AT_producer, `.comment`) cannot tell these apart: musl-gcc
// and rumprun's wrappers run the build machine's gcc with other specs, so the producer is the same.
// Pure: executor/builders/verify-provenance.ts reads the files.
import type { SourceLocation } from '../model/location.js';
import type { ArchToolchain } from './driver.js';
import { readLineTables } from './dwarf-line.js';
import { readElfFile, readSymbols, relocatedSection, type ElfFile } from './elf-sections.js';
import { ET_EXEC, ET_REL } from './elf-header.js';

export interface ProvenanceExpectation {
  /** Header trees of the build machine: an object that read a file below one was compiled against it. */
  readonly foreignHeaderRoots: readonly string[];
  /** Directories below those roots that belong to the arch (its C library's headers, its kernel headers). */
  readonly allowedHeaderDirs: readonly string[];
  /** The arch's C library is not glibc, so a glibc-only reference is wrong. */
  readonly glibcOnlySymbolsForeign: boolean;
  /** Names of the glibc-only list that the arch's C library defines itself (its own headers emit them). */
  readonly ownLibcSymbols: readonly string[];
}

/**
 * NetBSD's libc has its own _FORTIFY_SOURCE (lib/libc/ssp, declared by <ssp/*.h>), so its headers
 * emit these `__*_chk` calls too and its libc.a defines them: the list is `nm` of a rumprun tree's
 * libc.a (rumprun master of 2020-05), every `T __*_chk`.
 */
const NETBSD_SSP = ['__fgets_chk', '__gets_chk', '__memcpy_chk', '__memmove_chk', '__memset_chk', '__snprintf_chk', '__sprintf_chk',
  '__stpcpy_chk', '__stpncpy_chk', '__strcat_chk', '__strcpy_chk', '__strncat_chk', '__strncpy_chk', '__vsnprintf_chk', '__vsprintf_chk'];

/** The expectation of the arch's toolchain, as mapped for one build image. */
export function provenanceExpectation(arch: Pick<ArchToolchain, 'triplet' | 'kernelHeaders'>): ProvenanceExpectation {
  return {
    foreignHeaderRoots: ['/usr/include'],
    allowedHeaderDirs: [`/usr/include/${arch.triplet}`, ...(arch.kernelHeaders ?? [])],
    glibcOnlySymbolsForeign: !/-gnu[a-z0-9_]*$/.test(arch.triplet),
    ownLibcSymbols: /-netbsd[a-z0-9_.]*$/.test(arch.triplet) ? NETBSD_SSP : [],
  };
}

/** Headers named in a violation before "(+N more)". */
export const HEADERS_SHOWN = 3;

/** `file` is relative to the output directory; `member` an archive member; `unit` a compile unit's source. */
export type ProvenanceViolation =
  | { readonly reason: 'foreign-headers'; readonly file: string; readonly member?: string; readonly unit?: string; readonly headers: readonly string[]; readonly count: number; readonly location: SourceLocation }
  | { readonly reason: 'glibc-only-symbols'; readonly file: string; readonly member?: string; readonly symbols: readonly string[]; readonly location: SourceLocation }
  | { readonly reason: 'no-line-table'; readonly file: string; readonly member?: string; readonly location: SourceLocation }
  | { readonly reason: 'unreadable-debug-info'; readonly file: string; readonly member?: string; readonly detail: string; readonly location: SourceLocation };

/** Names of glibc's ABI that other C libraries' headers never make a compiler reference (NetBSD's `__*_chk`: NETBSD_SSP). */
const GLIBC_ONLY = [
  /^__isoc(99|23)_\w+$/, /^__\w+_chk$/, /^__(open|open64|openat|openat64|mq_open)_2$/, /^_IO_(getc|putc)$/,
  /^__(f|l)?xstat(at)?(64)?$/, /^__xmknod(at)?$/, /^__libc_single_threaded$/, /^gnu_get_libc_(version|release)$/,
];

export function isGlibcOnlySymbol(name: string): boolean {
  return GLIBC_ONLY.some((re) => re.test(name));
}

function under(path: string, dir: string): boolean {
  const d = dir.replace(/\/+$/, '');
  return path === d || path.startsWith(`${d}/`);
}

/** Removes `.` and `x/..` steps, so `/usr/include/../include/stdio.h` is seen for what it is. */
function normalise(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `${path.startsWith('/') ? '/' : ''}${out.join('/')}`;
}

export function isForeignHeader(path: string, expect: ProvenanceExpectation): boolean {
  if (!path.startsWith('/')) return false;
  const p = normalise(path);
  return expect.foreignHeaderRoots.some((root) => under(p, root)) && !expect.allowedHeaderDirs.some((dir) => under(p, dir));
}

function headerViolations(elf: ElfFile, file: string, member: string | undefined, expect: ProvenanceExpectation, location: SourceLocation): ProvenanceViolation[] {
  const at = { file, ...(member === undefined ? {} : { member }), location };
  const line = relocatedSection(elf, '.debug_line');
  const str = relocatedSection(elf, '.debug_str');
  const lineStr = relocatedSection(elf, '.debug_line_str');
  for (const r of [line, str, lineStr]) if (!r.ok) return [{ reason: 'unreadable-debug-info', ...at, detail: r.error }];
  if (!line.ok || line.value === undefined || line.value.length === 0) return [{ reason: 'no-line-table', ...at }];
  const units = readLineTables(line.value, elf.littleEndian, {
    ...(str.ok && str.value !== undefined ? { str: str.value } : {}),
    ...(lineStr.ok && lineStr.value !== undefined ? { lineStr: lineStr.value } : {}),
  });
  if (!units.ok) return [{ reason: 'unreadable-debug-info', ...at, detail: units.error }];
  // An object has one unit; a linked program one per object it was linked from.
  return units.value.flatMap((unit) => {
    const foreign = [...new Set(unit.files.filter((f) => isForeignHeader(f, expect)).map(normalise))];
    if (foreign.length === 0) return [];
    return [{
      reason: 'foreign-headers' as const, ...at, ...(unit.primaryFile === undefined ? {} : { unit: unit.primaryFile }),
      headers: foreign.slice(0, HEADERS_SHOWN), count: foreign.length,
    }];
  });
}

/**
 * The provenance of one ELF file: a relocatable object (an archive member or a stray `.o`), or a
 * linked program, whose compile units are each checked (the symbol rule does not apply to a
 * program: musl defines its glibc compatibility names beside the real ones, so they are linked in
 * with them).
 */
export function checkObjectProvenance(
  file: string, bytes: Uint8Array, expect: ProvenanceExpectation, location: SourceLocation, member?: string,
  definedAlongside: ReadonlySet<string> = new Set(),
): ProvenanceViolation[] {
  const at = { file, ...(member === undefined ? {} : { member }), location };
  const elf = readElfFile(bytes);
  if (!elf.ok) return [{ reason: 'unreadable-debug-info', ...at, detail: elf.error }];
  if (elf.value.type !== ET_REL && elf.value.type !== ET_EXEC) return [];
  const found = headerViolations(elf.value, file, member, expect, location);
  if (elf.value.type === ET_REL && expect.glibcOnlySymbolsForeign) {
    const symbols = readSymbols(elf.value);
    if (!symbols.ok) return [...found, { reason: 'unreadable-debug-info', ...at, detail: symbols.error }];
    const glibc = symbols.value.filter((s) => s.undefined && s.binding !== 0 && isGlibcOnlySymbol(s.name) &&
      !expect.ownLibcSymbols.includes(s.name) && !definedAlongside.has(s.name)).map((s) => s.name);
    if (glibc.length > 0) found.push({ reason: 'glibc-only-symbols', ...at, symbols: [...new Set(glibc)].sort() });
  }
  return found;
}

/**
 * The global names a relocatable object defines. A name of the glibc-only list that another
 * member of the same archive defines is the library's own (db5.3's `__dbh_am_chk` matches
 * `__*_chk`), not a reference glibc's headers made.
 */
export function definedGlobalSymbols(bytes: Uint8Array): string[] {
  const elf = readElfFile(bytes);
  if (!elf.ok || elf.value.type !== ET_REL) return [];
  const symbols = readSymbols(elf.value);
  return symbols.ok ? symbols.value.filter((s) => !s.undefined && s.binding !== 0).map((s) => s.name) : [];
}

export function describeProvenanceViolation(v: ProvenanceViolation): string {
  const where = v.member === undefined ? v.file : `${v.file}(${v.member})`;
  switch (v.reason) {
    case 'foreign-headers': {
      const more = v.count > v.headers.length ? ` (+${v.count - v.headers.length} more)` : '';
      const unit = v.unit === undefined ? '' : `, compile unit ${v.unit}`;
      return `${where}: compiled against the build machine's headers, not the arch's: its DWARF line table${unit} names ${v.headers.join(', ')}${more}`;
    }
    case 'glibc-only-symbols':
      return `${where}: references ${v.symbols.join(', ')}, which only glibc's headers make a compiler emit: compiled against glibc`;
    case 'no-line-table':
      return `${where}: no DWARF line table, so the headers it was compiled against cannot be shown (the arch's CFLAGS carry -g for this)`;
    case 'unreadable-debug-info':
      return `${where}: cannot read its provenance: ${v.detail}`;
  }
}
