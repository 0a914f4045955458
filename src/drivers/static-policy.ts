// Static only, enforced: the rules a build's output must meet, as pure functions over a file's
// name and bytes. executor/builders/verify-output.ts walks the output directory and feeds them.
// - no shared objects: no `*.so` / `*.so.N` name, and no ELF of type ET_DYN (a PIE executable is
//   ET_DYN too: it needs a dynamic loader the partial arch does not have);
// - every ELF, stray or inside a `.a`, is of the arch's machine and class;
// - `.pc` files point into the staged prefix, never at the build tree or DESTDIR;
// - no libtool `.la` files (the drivers delete them, as Debian does; one left is a violation).
import type { SourceLocation } from '../model/location.js';
import type { DriverInput, ElfIdentity } from './driver.js';
import { ET_DYN, ET_EXEC, ET_REL, isElf, readElfHeader } from './elf-header.js';
import { isArArchive, isThinArchive, parseArArchive } from './ar-archive.js';
import { describeLinkViolation, type LinkViolation } from './link-policy.js';
import { joinPath } from './shell.js';

export interface StaticExpectation {
  readonly elf: ElfIdentity;
  /** The staged prefix every `.pc` must name (`/usr/x86_64-linux-musl`). */
  readonly prefix: string;
  /** Paths that must never appear in installed metadata: source dir, build dir, destDir. */
  readonly buildPaths: readonly string[];
}

/** What the output of the build `input` describes must satisfy (paths as the build saw them). */
export function staticExpectation(input: DriverInput): StaticExpectation {
  return { elf: input.arch.elf, prefix: input.prefix, buildPaths: [input.source.dir, input.buildDir, input.destDir] };
}

/** `file` is relative to the output directory; `location` is the file as read, with the line. */
export type StaticViolation =
  | { readonly reason: 'shared-object'; readonly file: string; readonly member?: string; readonly evidence: 'file-name' | 'elf-type'; readonly location: SourceLocation }
  | { readonly reason: 'wrong-machine'; readonly file: string; readonly member?: string; readonly machine: number; readonly expected: number; readonly location: SourceLocation }
  | { readonly reason: 'wrong-class'; readonly file: string; readonly member?: string; readonly elfClass: 32 | 64; readonly expected: 32 | 64; readonly location: SourceLocation }
  | { readonly reason: 'not-an-object'; readonly file: string; readonly member: string; readonly location: SourceLocation }
  | { readonly reason: 'malformed-elf'; readonly file: string; readonly member?: string; readonly detail: string; readonly location: SourceLocation }
  | { readonly reason: 'malformed-archive'; readonly file: string; readonly offset: number; readonly detail: string; readonly location: SourceLocation }
  | { readonly reason: 'thin-archive'; readonly file: string; readonly location: SourceLocation }
  | { readonly reason: 'empty-archive'; readonly file: string; readonly location: SourceLocation }
  | { readonly reason: 'build-path-in-pc'; readonly file: string; readonly line: number; readonly path: string; readonly location: SourceLocation }
  | { readonly reason: 'wrong-prefix-in-pc'; readonly file: string; readonly line: number; readonly found: string; readonly expected: string; readonly location: SourceLocation }
  | { readonly reason: 'path-outside-prefix-in-pc'; readonly file: string; readonly line: number; readonly path: string; readonly location: SourceLocation }
  | { readonly reason: 'libtool-archive'; readonly file: string; readonly location: SourceLocation }
  | { readonly reason: 'missing-artefact'; readonly file: string; readonly location: SourceLocation }
  | LinkViolation;

/** How the walker should read a file, from its name and first bytes. */
export type ContentNeed = 'archive' | 'elf' | 'pkg-config' | 'none';

/** `libz.so`, `libz.so.1`, `libz.so.1.2.13` — not `foo.sock` or `x.so.txt`. */
const SHARED_NAME = /\.so(\.\d+)*$/;

function baseName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

/** Violations visible from the name alone (also for symlinks, which are never read). */
export function checkFileName(file: string, location: SourceLocation): StaticViolation[] {
  const name = baseName(file);
  if (SHARED_NAME.test(name)) return [{ reason: 'shared-object', file, evidence: 'file-name', location }];
  if (name.endsWith('.la')) return [{ reason: 'libtool-archive', file, location }];
  return [];
}

export function contentNeed(file: string, head: Uint8Array): ContentNeed {
  if (isArArchive(head) || isThinArchive(head)) return 'archive';
  if (isElf(head)) return 'elf';
  return file.endsWith('.pc') ? 'pkg-config' : 'none';
}

/** File-level ELF checks (a stray object or executable in the output), or one `.a` member's. */
export function checkElf(file: string, bytes: Uint8Array, expect: StaticExpectation, location: SourceLocation, member?: string): StaticViolation[] {
  const header = readElfHeader(bytes);
  // The member, when the object is one of an archive's (absent, not undefined, for a plain file).
  const of = member === undefined ? {} : { member };
  if (!header.ok) return [{ reason: 'malformed-elf', file, ...of, detail: header.error, location }];
  const { type, machine, elfClass } = header.value;
  if (type === ET_DYN) return [{ reason: 'shared-object', file, ...of, evidence: 'elf-type', location }];
  const wanted = member === undefined ? [ET_REL, ET_EXEC] : [ET_REL];
  if (!wanted.includes(type)) return [{ reason: 'malformed-elf', file, ...of, detail: `unexpected ELF type ${type}`, location }];
  const found: StaticViolation[] = [];
  if (machine !== expect.elf.machine) found.push({ reason: 'wrong-machine', file, ...of, machine, expected: expect.elf.machine, location });
  if (elfClass !== expect.elf.class) found.push({ reason: 'wrong-class', file, ...of, elfClass, expected: expect.elf.class, location });
  return found;
}

export interface ArchiveVerdict {
  /** Names of the members examined, in archive order. */
  readonly members: readonly string[];
  readonly violations: readonly StaticViolation[];
}

/** Every member of a static library must be a relocatable object of the arch. */
export function checkArchive(file: string, bytes: Uint8Array, expect: StaticExpectation, location: SourceLocation): ArchiveVerdict {
  if (isThinArchive(bytes)) return { members: [], violations: [{ reason: 'thin-archive', file, location }] };
  const members = parseArArchive(bytes);
  if (!members.ok) {
    return { members: [], violations: [{ reason: 'malformed-archive', file, offset: members.error.offset, detail: members.error.detail, location }] };
  }
  // Nothing was compiled into it (Xen's libxengnttab.a for an OS without a back end): a library
  // that links and then leaves every symbol undefined.
  if (members.value.length === 0) return { members: [], violations: [{ reason: 'empty-archive', file, location }] };
  return {
    members: members.value.map((m) => m.name),
    violations: members.value.flatMap((m) => isElf(m.data)
      ? checkElf(file, m.data, expect, location, m.name)
      : [{ reason: 'not-an-object' as const, file, member: m.name, location }]),
  };
}

function normalise(path: string): string {
  return joinPath(path);
}

function underPrefix(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * A `.pc` file: `prefix=` must be the staged prefix; no line may name a build path; literal
 * absolute paths (variable values, -I/-L) must lie under the prefix — a `-L/usr/lib/...` would
 * pull the build machine's libraries into every consumer.
 */
export function checkPkgConfig(file: string, text: string, expect: StaticExpectation, at: (line: number) => SourceLocation): StaticViolation[] {
  const prefix = normalise(expect.prefix);
  // A build path that is the prefix or contains it (DESTDIR `/`) cannot be told apart: skip it.
  const buildPaths = expect.buildPaths.map(normalise).filter((p) => p !== '/' && !underPrefix(prefix, p) && !underPrefix(p, prefix));
  const found: StaticViolation[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) return;
    const buildPath = buildPaths.find((p) => content.includes(p));
    if (buildPath !== undefined) {
      found.push({ reason: 'build-path-in-pc', file, line, path: buildPath, location: at(line) });
      return;
    }
    const variable = /^([A-Za-z0-9_.]+)\s*=\s*(.*)$/.exec(content);
    if (variable !== null) {
      const [, name = '', value = ''] = variable;
      // A relocatable file (`prefix=${pcfiledir}/../..`, meson's pkgconfig.relocatable) is right
      // wherever the package installs it.
      if (name === 'prefix' && normalise(value) !== prefix && !value.startsWith('${pcfiledir}')) {
        found.push({ reason: 'wrong-prefix-in-pc', file, line, found: value, expected: prefix, location: at(line) });
      } else if (name !== 'prefix' && value.startsWith('/') && !underPrefix(normalise(value.split(/\s/)[0] ?? value), prefix)) {
        found.push({ reason: 'path-outside-prefix-in-pc', file, line, path: value, location: at(line) });
      }
      return;
    }
    const field = /^(Cflags|Cflags\.private|Libs|Libs\.private)\s*:(.*)$/i.exec(content);
    const outside = (field?.[2] ?? '').split(/\s+/)
      .map((word) => /^-[IL](\/.*)$/.exec(word)?.[1])
      .find((path) => path !== undefined && !underPrefix(normalise(path), prefix));
    if (outside !== undefined) found.push({ reason: 'path-outside-prefix-in-pc', file, line, path: outside, location: at(line) });
  });
  return found;
}

export function describeStaticViolation(v: StaticViolation): string {
  const where = 'member' in v ? `${v.file}(${v.member})` : v.file;
  switch (v.reason) {
    case 'shared-object':
      return `${where}: shared object (${v.evidence === 'file-name' ? 'by its name' : 'ELF type ET_DYN'}); the output must be static only`;
    case 'wrong-machine':
      return `${where}: ELF machine ${v.machine}, the arch needs ${v.expected}`;
    case 'wrong-class':
      return `${where}: ELF${v.elfClass}, the arch needs ELF${v.expected}`;
    case 'not-an-object':
      return `${where}: archive member is not an ELF object`;
    case 'malformed-elf':
      return `${where}: ${v.detail}`;
    case 'malformed-archive':
      return `${v.file}: malformed ar archive at byte ${v.offset}: ${v.detail}`;
    case 'thin-archive':
      return `${v.file}: thin archive (its members stay in the build tree)`;
    case 'empty-archive':
      return `${v.file}: empty archive (no object was built into it)`;
    case 'build-path-in-pc':
      return `${v.file}:${v.line}: names the build path ${v.path}`;
    case 'wrong-prefix-in-pc':
      return `${v.file}:${v.line}: prefix=${v.found}, expected ${v.expected}`;
    case 'path-outside-prefix-in-pc':
      return `${v.file}:${v.line}: ${v.path} is outside the staged prefix`;
    case 'libtool-archive':
      return `${v.file}: libtool archive left in the output`;
    case 'missing-artefact':
      return `${v.file}: expected by the recipe, not installed`;
    default:
      return describeLinkViolation(v);
  }
}
