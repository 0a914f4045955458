// What the linker really used (pure). Two kinds of evidence, both from GNU ld as Debian ships it
// (binutils 2.40) and gold:
// - the trace on the link's output (`-Wl,--trace` once or twice, or `-Wl,--verbose`): one input
//   per line — `/path/libz.a` when an archive is opened, `(/path/libz.a)crc32.o` for a member
//   pulled (ld ≥ 2.32 prints members only with `-t -t` or `--verbose`), `/path/libz.a(crc32.o)`
//   (gold), `-lz (/path/libz.a)` (ld before 2.32), `attempt to open P succeeded|failed`
//   (`--verbose`);
// - the link map (`-Wl,-Map=<file>`): the "Archive member included to satisfy reference by file
//   (symbol)" section names every member pulled, the `LOAD` lines every input.
// Since binutils 2.32 an archive line alone only means "opened": the linker searched it, maybe
// pulled nothing (libgcc_eh.a in a musl link). Only member lines prove code went into the
// binary, so the result keeps both and says whether member detail was present. (A thin archive's
// members are printed as plain object paths; the static-only policy keeps thin archives out of
// every -cross package.)
import { posix } from 'node:path';
import type { SourceLocation } from '../model/location.js';
import { err, ok, type Result } from '../model/result.js';

export type LinkInputKind = 'archive' | 'object' | 'shared' | 'other';

export interface LinkedArchive {
  /** As the linker printed it (may hold `..`, may be relative to the link's directory). */
  readonly path: string;
  /** Lexically normalised; absolute when the path was, or when a `cwd` was given. */
  readonly normalizedPath: string;
  /**
   * Members pulled, in link order, each once. `undefined` when the evidence carries no member
   * detail (a single `--trace` with ld ≥ 2.32): opened, but whether anything was pulled is unknown.
   */
  readonly members: readonly string[] | undefined;
  /** Where the archive is first mentioned. */
  readonly location: SourceLocation;
}

/** A line of the input that is not trace output (compiler warnings, ld's banner), kept, not dropped. */
export interface SkippedLine {
  readonly line: number;
  readonly text: string;
  readonly why: 'not-a-path' | 'linker-script' | 'map-section';
}

export interface LinkEvidence {
  readonly format: 'trace' | 'map';
  /** Whether members were reported: without it every opened archive counts as possibly linked. */
  readonly memberDetail: boolean;
  /** In the order first seen; one entry per normalised path. */
  readonly archives: readonly LinkedArchive[];
  /** Object files given to the link (crt files, the program's own objects). */
  readonly objects: readonly string[];
  /** Shared objects: a static link must have none; the caller decides what that means. */
  readonly sharedObjects: readonly string[];
  /** `--verbose` search misses (`attempt to open P failed`): where the linker looked first. */
  readonly failedOpens: readonly string[];
  readonly skipped: readonly SkippedLine[];
}

export type LinkTraceError =
  | { readonly reason: 'no-link-inputs'; readonly detail: string; readonly location: SourceLocation }
  | { readonly reason: 'not-a-link-map'; readonly detail: string; readonly location: SourceLocation };

export interface ParseOptions {
  /** The file the text came from, for locations. */
  readonly file: string;
  /** The directory the link ran in: relative paths are resolved against it. */
  readonly cwd?: string;
}

/** Flags that make the linker print member detail (add to LDFLAGS of the application link). */
export const LINK_TRACE_FLAGS: readonly string[] = ['-Wl,--trace', '-Wl,--trace'];

export function linkMapFlag(mapFile: string): string {
  return `-Wl,-Map=${mapFile}`;
}

const SHARED_NAME = /\.so(\.\d+)*$/;
const OBJECT_NAME = /\.(o|lo|obj)$/;

export function classifyLinkInput(path: string): LinkInputKind {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (name.endsWith('.a')) return 'archive';
  if (SHARED_NAME.test(name)) return 'shared';
  if (OBJECT_NAME.test(name)) return 'object';
  return 'other';
}

export function normalizeLinkPath(path: string, cwd?: string): string {
  if (path.startsWith('/')) return posix.normalize(path);
  return cwd === undefined ? posix.normalize(path) : posix.normalize(posix.join(cwd, path));
}

/** Accumulates inputs in first-seen order, merging repeated mentions of one archive. */
class InputCollector {
  private readonly archives = new Map<string, { path: string; members: string[]; location: SourceLocation }>();
  private readonly objects = new Set<string>();
  private readonly shared = new Set<string>();
  private readonly failed = new Set<string>();
  memberDetail = false;

  constructor(private readonly options: ParseOptions) {}

  input(path: string, line: number): void {
    const normalized = normalizeLinkPath(path, this.options.cwd);
    switch (classifyLinkInput(path)) {
      case 'archive':
        this.archive(path, line);
        return;
      case 'shared':
        this.shared.add(normalized);
        return;
      case 'object':
      case 'other':
        this.objects.add(normalized);
        return;
    }
  }

  member(archivePath: string, member: string, line: number): void {
    this.memberDetail = true;
    const entry = this.archive(archivePath, line);
    if (!entry.members.includes(member)) entry.members.push(member);
  }

  failedOpen(path: string): void {
    this.failed.add(normalizeLinkPath(path, this.options.cwd));
  }

  private archive(path: string, line: number): { path: string; members: string[]; location: SourceLocation } {
    const normalized = normalizeLinkPath(path, this.options.cwd);
    let entry = this.archives.get(normalized);
    if (entry === undefined) {
      entry = { path, members: [], location: { file: this.options.file, line } };
      this.archives.set(normalized, entry);
    }
    return entry;
  }

  result(format: 'trace' | 'map', skipped: readonly SkippedLine[]): LinkEvidence {
    const memberDetail = this.memberDetail || format === 'map';
    return {
      format,
      memberDetail,
      archives: [...this.archives.entries()].map(([normalizedPath, a]) => ({
        path: a.path, normalizedPath, location: a.location, members: memberDetail ? a.members : undefined,
      })),
      objects: [...this.objects],
      sharedObjects: [...this.shared],
      failedOpens: [...this.failed],
      skipped,
    };
  }

  get inputCount(): number {
    return this.archives.size + this.objects.size + this.shared.size;
  }
}

// GNU ld: `(archive)member`. The archive part is everything up to the last `)` that is followed
// by a member name without `/` (members are base names in a normal archive).
const GNU_MEMBER = /^\((.+)\)([^/()]+)$/;
// gold and lld: `archive(member)`.
const SUFFIX_MEMBER = /^(.+\.a)\(([^()]+)\)$/;
// ld before 2.32, for inputs found through -l: `-lz (/usr/lib/libz.a)`.
const DASH_L = /^-l\S+ \((.+)\)$/;
const ATTEMPT = /^attempt to open (.+) (succeeded|failed)$/;
const SCRIPT_RULE = /^={20,}$/;

/**
 * The trace printed by `-Wl,--trace` (once or twice) or `-Wl,--verbose`, possibly mixed with the
 * rest of a build log. Lines that are not trace output are kept in `skipped`; `--verbose`'s
 * internal linker script is skipped as one block.
 */
export function parseLinkTrace(text: string, options: ParseOptions): Result<LinkEvidence, LinkTraceError> {
  const collector = new InputCollector(options);
  const skipped: SkippedLine[] = [];
  const lines = text.split('\n');
  let scriptStart: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const lineNo = i + 1;
    const line = raw.replace(/\r$/, '');
    if (scriptStart !== undefined) {
      if (SCRIPT_RULE.test(line)) {
        skipped.push({ line: scriptStart, text: `internal linker script (lines ${scriptStart}-${lineNo})`, why: 'linker-script' });
        scriptStart = undefined;
      }
      continue;
    }
    if (SCRIPT_RULE.test(line) && /^using internal linker script:$/.test(lines[i - 1] ?? '')) {
      scriptStart = lineNo;
      continue;
    }
    if (line === '') continue;
    const attempt = ATTEMPT.exec(line);
    if (attempt !== null) {
      // A success is followed by the input's own line; only misses carry information here.
      if (attempt[2] === 'failed') collector.failedOpen(attempt[1] ?? '');
      continue;
    }
    const gnuMember = GNU_MEMBER.exec(line);
    if (gnuMember !== null) {
      collector.member(gnuMember[1] ?? '', gnuMember[2] ?? '', lineNo);
      continue;
    }
    const dashL = DASH_L.exec(line);
    if (dashL !== null) {
      collector.input(dashL[1] ?? '', lineNo);
      continue;
    }
    if (/\s/.test(line)) {
      skipped.push({ line: lineNo, text: line, why: 'not-a-path' });
      continue;
    }
    const suffixMember = SUFFIX_MEMBER.exec(line);
    if (suffixMember !== null) {
      collector.member(suffixMember[1] ?? '', suffixMember[2] ?? '', lineNo);
      continue;
    }
    collector.input(line, lineNo);
  }
  if (scriptStart !== undefined) {
    skipped.push({ line: scriptStart, text: 'internal linker script (unterminated)', why: 'linker-script' });
  }
  if (collector.inputCount === 0) {
    return err({
      reason: 'no-link-inputs',
      detail: 'no linker input lines found: was the link run with -Wl,--trace -Wl,--trace (or -Wl,--verbose)?',
      location: { file: options.file },
    });
  }
  return ok(collector.result('trace', skipped));
}

const MEMBERS_HEADER = 'Archive member included to satisfy reference by file (symbol)';
const MEMORY_MAP_HEADER = 'Linker script and memory map';
/** ld pads the member name to column 30 and puts the referencing file there when it fits. */
const REFERENCE_COLUMN = 30;

type MapSection = 'before' | 'members' | 'other' | 'memory-map';

/**
 * A GNU ld link map. Reads the members section and the `LOAD` lines of the memory map; the other
 * sections (discarded sections, memory configuration, the layout) are not link inputs.
 */
export function parseLinkMap(text: string, options: ParseOptions): Result<LinkEvidence, LinkTraceError> {
  const collector = new InputCollector(options);
  const lines = text.split('\n');
  let section: MapSection = 'before';
  let sawMemoryMap = false;
  let entries = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    const lineNo = i + 1;
    if (line === MEMBERS_HEADER) { section = 'members'; continue; }
    if (line === MEMORY_MAP_HEADER) { section = 'memory-map'; sawMemoryMap = true; continue; }
    if (section === 'members') {
      // The section is the header, a blank line, the entries, and a blank line.
      if (line === '') {
        if (entries > 0) section = 'other';
        continue;
      }
      if (/^\s/.test(line)) continue; // the referencing file and symbol of the entry above
      entries++;
      const head = memberEntryHead(line);
      const member = SUFFIX_MEMBER.exec(head) ?? /^(.+)\(([^()]+)\)$/.exec(head);
      // ld prints a bare file name for an input that is not an archive member (a thin archive's).
      if (member === null) collector.input(head, lineNo);
      else collector.member(member[1] ?? '', member[2] ?? '', lineNo);
      continue;
    }
    if (section === 'memory-map') {
      const load = /^LOAD (.+)$/.exec(line);
      if (load !== null) collector.input(load[1] ?? '', lineNo);
    }
  }
  if (!sawMemoryMap) {
    return err({ reason: 'not-a-link-map', detail: `no "${MEMORY_MAP_HEADER}" section`, location: { file: options.file } });
  }
  if (collector.inputCount === 0) {
    return err({ reason: 'no-link-inputs', detail: 'the map has no LOAD lines', location: { file: options.file } });
  }
  return ok(collector.result('map', []));
}

/** The entry part of a members-section line: ld pads names under 29 columns to column 30. */
function memberEntryHead(line: string): string {
  const sameLine = line.length > REFERENCE_COLUMN && line[REFERENCE_COLUMN - 2] === ' ' && line[REFERENCE_COLUMN - 1] === ' ';
  return sameLine ? line.slice(0, REFERENCE_COLUMN).trimEnd() : line.trimEnd();
}

export function describeLinkTraceError(error: LinkTraceError): string {
  switch (error.reason) {
    case 'no-link-inputs':
      return `${error.location.file}: ${error.detail}`;
    case 'not-a-link-map':
      return `${error.location.file}: not a GNU ld link map (${error.detail})`;
  }
}
