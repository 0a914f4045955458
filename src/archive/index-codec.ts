// The on-disk form of a parsed index, built for load speed: a warm run allocates little besides
// the strings the records hold. Layout:
//
//   <JSON header>\n <strings: NUL-separated> <padding> <numbers: Float64, platform byte order>
//
// Strings are read back with one String#split. Everything that is not a string of its own goes
// into the numbers section instead of allocating a string to parse: counts, file sizes, bit masks
// of the optional fields present, and indices into a dictionary (in the header) of the few
// values that repeat thousands of times (architectures, formats, Multi-Arch). Measured on bookworm
// main Sources + amd64 Packages (bench/README.md): JSON.parse and v8.deserialize of the same
// records are slower; most of what remains is allocating ~1M strings and the GC that follows.
// Fields of an index never hold NUL; should one ever, the body is written as JSON instead.
import { isAscii } from 'node:buffer';
import { endianness } from 'node:os';
import type { BinaryRecord, FileChecksum, SourceRecord } from '../model/archive.js';
import { err, ok, type Result } from '../model/result.js';
import type { IndexDiagnostic } from './index-records.js';
import { describeError } from '../io/describe-error.js';

export const INDEX_FORMAT = 'stubforge-index';
/** Bump when the records or this encoding change: old cache files then read as misses. */
export const INDEX_FORMAT_VERSION = 3;

export interface IndexPayload {
  readonly suite: string;
  readonly component: string;
  readonly sources: readonly SourceRecord[];
  readonly binaries: readonly BinaryRecord[];
  readonly diagnostics: readonly IndexDiagnostic[];
  /** What the log said when it was built (e.g. an index the InRelease does not list). */
  readonly notes: readonly string[];
}

interface Header {
  readonly format: string;
  readonly version: number;
  readonly encoding: 'compact' | 'json';
  readonly endianness: 'LE' | 'BE';
  /** Strings section is pure ASCII: read it as latin1 (a copy) instead of decoding UTF-8. */
  readonly ascii: boolean;
  readonly suite: string;
  readonly component: string;
  readonly sources: number;
  readonly binaries: number;
  readonly dictionary: readonly string[];
  readonly strings: number;
  readonly stringBytes: number;
  readonly numbers: number;
  readonly diagnostics: readonly IndexDiagnostic[];
  readonly notes: readonly string[];
}

const SEP = '\0';
const SOURCE_OPTIONAL = ['buildDepends', 'buildDependsArch', 'buildDependsIndep', 'buildConflicts', 'buildConflictsArch', 'buildConflictsIndep', 'binaryProfiles'] as const;
const EXTRA_SOURCE_ONLY = 1 << SOURCE_OPTIONAL.length;
const BINARY_OPTIONAL = ['depends', 'preDepends', 'provides', 'filename'] as const;
const B_SOURCE = 1 << 4;
const B_SOURCE_VERSION = 1 << 5;
const B_MULTI_ARCH = 1 << 6;
const B_ESSENTIAL = 1 << 7;

class Writer {
  readonly strings: string[] = [];
  readonly numbers: number[] = [];
  readonly dictionary: string[] = [];
  private readonly dictIndex = new Map<string, number>();
  text(v: string): void {
    this.strings.push(v);
  }
  word(v: string): void {
    let index = this.dictIndex.get(v);
    if (index === undefined) {
      index = this.dictionary.length;
      this.dictionary.push(v);
      this.dictIndex.set(v, index);
    }
    this.numbers.push(index);
  }
}

function writeSource(w: Writer, r: SourceRecord): void {
  w.text(r.package);
  w.text(r.version);
  w.numbers.push(r.binaries.length);
  for (const b of r.binaries) w.text(b);
  w.numbers.push(r.architecture.length);
  for (const a of r.architecture) w.word(a);
  w.word(r.format);
  w.text(r.directory);
  w.numbers.push(r.files.length);
  for (const f of r.files) {
    w.numbers.push(f.size);
    w.text(f.sha256);
    w.text(f.name);
  }
  let mask = r.extraSourceOnly === true ? EXTRA_SOURCE_ONLY : 0;
  for (let bit = 0; bit < SOURCE_OPTIONAL.length; bit++) {
    if (r[SOURCE_OPTIONAL[bit] ?? 'buildDepends'] !== undefined) mask |= 1 << bit;
  }
  w.numbers.push(mask);
  for (let bit = 0; bit < SOURCE_OPTIONAL.length; bit++) {
    const value = r[SOURCE_OPTIONAL[bit] ?? 'buildDepends'];
    if (value !== undefined) w.text(value);
  }
}

function writeBinary(w: Writer, r: BinaryRecord): void {
  w.text(r.package);
  w.text(r.version);
  w.word(r.architecture);
  let mask = 0;
  for (let bit = 0; bit < BINARY_OPTIONAL.length; bit++) {
    if (r[BINARY_OPTIONAL[bit] ?? 'depends'] !== undefined) mask |= 1 << bit;
  }
  if (r.source !== r.package) mask |= B_SOURCE;
  if (r.sourceVersion !== r.version) mask |= B_SOURCE_VERSION;
  if (r.multiArch !== undefined) mask |= B_MULTI_ARCH;
  if (r.essential === true) mask |= B_ESSENTIAL;
  w.numbers.push(mask);
  if (r.multiArch !== undefined) w.word(r.multiArch);
  if (r.source !== r.package) w.text(r.source);
  if (r.sourceVersion !== r.version) w.text(r.sourceVersion);
  for (let bit = 0; bit < BINARY_OPTIONAL.length; bit++) {
    const value = r[BINARY_OPTIONAL[bit] ?? 'depends'];
    if (value !== undefined) w.text(value);
  }
}

/** NULs in the joined text: one fewer than the strings, unless a value holds one itself. */
function countSeparators(text: string): number {
  let count = 0;
  for (let at = text.indexOf(SEP); at !== -1; at = text.indexOf(SEP, at + 1)) count++;
  return count;
}

export function encodeIndex(payload: IndexPayload): Buffer {
  const w = new Writer();
  for (const r of payload.sources) writeSource(w, r);
  for (const r of payload.binaries) writeBinary(w, r);
  const joined = w.strings.join(SEP);
  const compact = countSeparators(joined) === Math.max(0, w.strings.length - 1);
  const strings = Buffer.from(compact ? joined : JSON.stringify({ sources: payload.sources, binaries: payload.binaries }));
  const numbers = Buffer.from(new Float64Array(compact ? w.numbers : []).buffer);
  const header: Header = {
    format: INDEX_FORMAT, version: INDEX_FORMAT_VERSION, encoding: compact ? 'compact' : 'json',
    endianness: endianness(), ascii: isAscii(strings), suite: payload.suite, component: payload.component,
    sources: payload.sources.length, binaries: payload.binaries.length, dictionary: compact ? w.dictionary : [],
    strings: compact ? w.strings.length : 0, stringBytes: strings.length, numbers: compact ? w.numbers.length : 0,
    diagnostics: payload.diagnostics, notes: payload.notes,
  };
  const padding = Buffer.alloc((8 - (strings.length % 8)) % 8);
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), strings, padding, numbers]);
}

/** Reads both sections in order; any shortfall or out-of-range number makes the file a miss. */
class Reader {
  private s = 0;
  private n = 0;
  constructor(
    private readonly strings: readonly string[],
    private readonly numbers: Float64Array,
    private readonly dictionary: readonly string[],
  ) {}
  text(): string {
    const value = this.strings[this.s++];
    if (value === undefined) throw new RangeError('index cache file has too few strings');
    return value;
  }
  number(): number {
    const value = this.numbers[this.n++];
    if (value === undefined || !Number.isSafeInteger(value) || value < 0) throw new RangeError('index cache file has a bad number');
    return value;
  }
  word(): string {
    const value = this.dictionary[this.number()];
    if (value === undefined) throw new RangeError('index cache file has a bad dictionary index');
    return value;
  }
  get done(): boolean {
    return this.s === this.strings.length && this.n === this.numbers.length;
  }
}

function readSource(r: Reader, suite: string, component: string): SourceRecord {
  const pkg = r.text();
  const version = r.text();
  const binaries: string[] = new Array<string>(r.number());
  for (let k = 0; k < binaries.length; k++) binaries[k] = r.text();
  const architecture: string[] = new Array<string>(r.number());
  for (let k = 0; k < architecture.length; k++) architecture[k] = r.word();
  const format = r.word();
  const directory = r.text();
  const files: FileChecksum[] = new Array<FileChecksum>(r.number());
  for (let k = 0; k < files.length; k++) {
    const size = r.number();
    const sha256 = r.text();
    files[k] = { sha256, size, name: r.text() };
  }
  const record: { -readonly [K in keyof SourceRecord]: SourceRecord[K] } = {
    package: pkg, version, suite, component, binaries, architecture, format, directory, files,
  };
  const mask = r.number();
  for (let bit = 0; bit < SOURCE_OPTIONAL.length; bit++) {
    if ((mask & (1 << bit)) !== 0) record[SOURCE_OPTIONAL[bit] ?? 'buildDepends'] = r.text();
  }
  if ((mask & EXTRA_SOURCE_ONLY) !== 0) record.extraSourceOnly = true;
  return record;
}

function readBinary(r: Reader, suite: string): BinaryRecord {
  const pkg = r.text();
  const version = r.text();
  const architecture = r.word();
  const mask = r.number();
  const multiArch = (mask & B_MULTI_ARCH) !== 0 ? r.word() : undefined;
  const source = (mask & B_SOURCE) !== 0 ? r.text() : pkg;
  const sourceVersion = (mask & B_SOURCE_VERSION) !== 0 ? r.text() : version;
  const record: { -readonly [K in keyof BinaryRecord]: BinaryRecord[K] } = { package: pkg, version, suite, architecture, source, sourceVersion };
  if (multiArch !== undefined) record.multiArch = multiArch as NonNullable<BinaryRecord['multiArch']>;
  // Same key order as index-records.ts builds: records then share one hidden class per shape.
  if ((mask & 1) !== 0) record.depends = r.text();
  if ((mask & 2) !== 0) record.preDepends = r.text();
  if ((mask & 4) !== 0) record.provides = r.text();
  if ((mask & B_ESSENTIAL) !== 0) record.essential = true;
  if ((mask & 8) !== 0) record.filename = r.text();
  return record;
}

/** Decode a cache file; the error says why it cannot be used (it is then a cache miss). */
export function decodeIndex(data: Buffer): Result<IndexPayload, string> {
  const newline = data.indexOf(10);
  if (newline === -1) return err('no header line');
  let header: Header;
  try {
    header = JSON.parse(data.toString('utf8', 0, newline)) as Header;
  } catch {
    return err('header is not JSON');
  }
  if (header.format !== INDEX_FORMAT || header.version !== INDEX_FORMAT_VERSION) {
    return err(`format ${header.format} v${header.version}, expected ${INDEX_FORMAT} v${INDEX_FORMAT_VERSION}`);
  }
  if (header.endianness !== endianness()) return err(`written on a ${header.endianness} machine`);
  const start = newline + 1;
  const numbersStart = start + header.stringBytes + ((8 - (header.stringBytes % 8)) % 8);
  if (numbersStart + header.numbers * 8 !== data.length) return err('index cache file has the wrong length');
  const text = data.toString(header.ascii ? 'latin1' : 'utf8', start, start + header.stringBytes);
  const base = { suite: header.suite, component: header.component, diagnostics: header.diagnostics, notes: header.notes };
  try {
    if (header.encoding === 'json') {
      const parsed = JSON.parse(text) as { sources: SourceRecord[]; binaries: BinaryRecord[] };
      return ok({ ...base, sources: parsed.sources, binaries: parsed.binaries });
    }
    const strings = header.strings === 0 ? [] : text.split(SEP);
    // A copy, so the numbers are 8-byte aligned whatever the header's length.
    const numbers = new Float64Array(data.buffer.slice(data.byteOffset + numbersStart, data.byteOffset + data.length));
    const reader = new Reader(strings, numbers, header.dictionary);
    const sources: SourceRecord[] = new Array<SourceRecord>(header.sources);
    for (let k = 0; k < header.sources; k++) sources[k] = readSource(reader, header.suite, header.component);
    const binaries: BinaryRecord[] = new Array<BinaryRecord>(header.binaries);
    for (let k = 0; k < header.binaries; k++) binaries[k] = readBinary(reader, header.suite);
    if (!reader.done) return err('index cache file has trailing data');
    return ok({ ...base, sources, binaries });
  } catch (error: unknown) {
    return err(describeError(error));
  }
}
