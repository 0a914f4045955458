// The on-disk form of a parsed index: one JSON header line, then every record field as a string
// separated by NUL, read back with a single String#split. Measured on bookworm main Sources +
// amd64 Packages (bench/index-parse.ts): JSON.parse of the records ~275 ms, v8.deserialize
// ~430 ms, this ~200 ms (most of it the split and string allocation). Fields of an index never
// hold NUL; should one ever hold NUL or the "absent" marker, the body is written as JSON instead.
import { isAscii } from 'node:buffer';
import type { BinaryRecord, FileChecksum, SourceRecord } from '../model/archive.js';
import { err, ok, type Result } from '../model/result.js';
import type { IndexDiagnostic } from './index-records.js';

export const INDEX_FORMAT = 'stubforge-index';
/** Bump when the records or this encoding change: old cache files then read as misses. */
export const INDEX_FORMAT_VERSION = 1;

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
  readonly encoding: 'nul' | 'json';
  /** Body is pure ASCII: read it as latin1, a plain copy, instead of decoding UTF-8. */
  readonly ascii: boolean;
  readonly suite: string;
  readonly component: string;
  readonly sources: number;
  readonly binaries: number;
  readonly diagnostics: readonly IndexDiagnostic[];
  readonly notes: readonly string[];
}

const SEP = '\0';
const ABSENT = '\x01';

/** Collects fields; remembers whether every value can go into the NUL form unambiguously. */
class Writer {
  readonly fields: string[] = [];
  nulSafe = true;
  value(v: string): void {
    if (v === ABSENT || v.includes(SEP)) this.nulSafe = false;
    this.fields.push(v);
  }
  optional(v: string | undefined): void {
    if (v === undefined) this.fields.push(ABSENT);
    else this.value(v);
  }
  list(values: readonly string[]): void {
    this.fields.push(String(values.length));
    for (const v of values) this.value(v);
  }
}

function writeSource(w: Writer, r: SourceRecord): void {
  w.value(r.package);
  w.value(r.version);
  w.list(r.binaries);
  w.list(r.architecture);
  w.value(r.format);
  w.value(r.directory);
  w.fields.push(String(r.files.length));
  for (const f of r.files) {
    w.value(f.sha256);
    w.fields.push(String(f.size));
    w.value(f.name);
  }
  w.optional(r.buildDepends);
  w.optional(r.buildDependsArch);
  w.optional(r.buildDependsIndep);
  w.optional(r.buildConflicts);
  w.optional(r.buildConflictsArch);
  w.optional(r.buildConflictsIndep);
  w.fields.push(r.extraSourceOnly === true ? '1' : '');
}

function writeBinary(w: Writer, r: BinaryRecord): void {
  w.value(r.package);
  w.value(r.version);
  w.value(r.architecture);
  w.optional(r.source === r.package ? undefined : r.source);
  w.optional(r.sourceVersion === r.version ? undefined : r.sourceVersion);
  w.optional(r.multiArch);
  w.optional(r.depends);
  w.optional(r.preDepends);
  w.optional(r.provides);
  w.fields.push(r.essential === true ? '1' : '');
  w.optional(r.filename);
}

export function encodeIndex(payload: IndexPayload): Buffer {
  const w = new Writer();
  for (const r of payload.sources) writeSource(w, r);
  for (const r of payload.binaries) writeBinary(w, r);
  const body = Buffer.from(w.nulSafe ? w.fields.join(SEP) : JSON.stringify({ sources: payload.sources, binaries: payload.binaries }));
  const header: Header = {
    format: INDEX_FORMAT, version: INDEX_FORMAT_VERSION, encoding: w.nulSafe ? 'nul' : 'json',
    ascii: isAscii(body), suite: payload.suite, component: payload.component,
    sources: payload.sources.length, binaries: payload.binaries.length, diagnostics: payload.diagnostics, notes: payload.notes,
  };
  return Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), body]);
}

/** Reads fields in order; any shortfall or bad number makes the whole file a miss. */
class Reader {
  private i = 0;
  constructor(private readonly f: readonly string[]) {}
  next(): string {
    const value = this.f[this.i++];
    if (value === undefined) throw new RangeError('index cache file is truncated');
    return value;
  }
  optional(): string | undefined {
    const value = this.next();
    return value === ABSENT ? undefined : value;
  }
  count(): number {
    const n = Number(this.next());
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('index cache file has a bad count');
    return n;
  }
  list(): string[] {
    const n = this.count();
    const out: string[] = new Array<string>(n);
    for (let k = 0; k < n; k++) out[k] = this.next();
    return out;
  }
  get done(): boolean {
    return this.i === this.f.length;
  }
}

function readSource(r: Reader, suite: string, component: string): SourceRecord {
  const pkg = r.next();
  const version = r.next();
  const binaries = r.list();
  const architecture = r.list();
  const format = r.next();
  const directory = r.next();
  const n = r.count();
  const files: FileChecksum[] = new Array<FileChecksum>(n);
  for (let k = 0; k < n; k++) {
    const sha256 = r.next();
    const size = Number(r.next());
    files[k] = { sha256, size, name: r.next() };
  }
  const record: { -readonly [K in keyof SourceRecord]: SourceRecord[K] } = {
    package: pkg, version, suite, component, binaries, architecture, format, directory, files,
  };
  const keys = ['buildDepends', 'buildDependsArch', 'buildDependsIndep', 'buildConflicts', 'buildConflictsArch', 'buildConflictsIndep'] as const;
  for (const key of keys) {
    const value = r.optional();
    if (value !== undefined) record[key] = value;
  }
  if (r.next() === '1') record.extraSourceOnly = true;
  return record;
}

function readBinary(r: Reader, suite: string): BinaryRecord {
  const pkg = r.next();
  const version = r.next();
  const architecture = r.next();
  const record: { -readonly [K in keyof BinaryRecord]: BinaryRecord[K] } = {
    package: pkg, version, suite, architecture, source: r.optional() ?? pkg, sourceVersion: r.optional() ?? version,
  };
  const multiArch = r.optional();
  if (multiArch !== undefined) record.multiArch = multiArch as NonNullable<BinaryRecord['multiArch']>;
  const depends = r.optional();
  if (depends !== undefined) record.depends = depends;
  const preDepends = r.optional();
  if (preDepends !== undefined) record.preDepends = preDepends;
  const provides = r.optional();
  if (provides !== undefined) record.provides = provides;
  if (r.next() === '1') record.essential = true;
  const filename = r.optional();
  if (filename !== undefined) record.filename = filename;
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
    return err(`format ${header.format} v${String(header.version)}, expected ${INDEX_FORMAT} v${INDEX_FORMAT_VERSION}`);
  }
  const body = data.toString(header.ascii ? 'latin1' : 'utf8', newline + 1);
  const base = { suite: header.suite, component: header.component, diagnostics: header.diagnostics, notes: header.notes };
  try {
    if (header.encoding === 'json') {
      const parsed = JSON.parse(body) as { sources: SourceRecord[]; binaries: BinaryRecord[] };
      return ok({ ...base, sources: parsed.sources, binaries: parsed.binaries });
    }
    const empty = header.sources + header.binaries === 0;
    const reader = new Reader(empty ? [] : body.split(SEP));
    const sources: SourceRecord[] = new Array<SourceRecord>(header.sources);
    for (let k = 0; k < header.sources; k++) sources[k] = readSource(reader, header.suite, header.component);
    const binaries: BinaryRecord[] = new Array<BinaryRecord>(header.binaries);
    for (let k = 0; k < header.binaries; k++) binaries[k] = readBinary(reader, header.suite);
    if (!reader.done) return err('index cache file has trailing fields');
    return ok({ ...base, sources, binaries });
  } catch (error: unknown) {
    return err(error instanceof Error ? error.message : String(error));
  }
}
