// Sources / Packages paragraphs → the compact records the solver reads (model/archive.ts).
// A paragraph that lacks a required field, or whose checksum list is malformed, becomes a
// diagnostic naming the index and the line; it is never dropped without one.
import type { BinaryRecord, FileChecksum, SourceRecord } from '../model/archive.js';
import type { ControlError } from '../control/deb822.js';
import type { SourceLocation } from '../model/location.js';
import type { Result } from '../model/result.js';
import { ok } from '../model/result.js';
import { scanIndex, type ScannedParagraph } from './index-scan.js';

export interface IndexDiagnostic {
  readonly reason: 'missing-field' | 'malformed-field';
  readonly message: string;
  readonly field: string;
  /** The paragraph's Package, when it has one. */
  readonly package?: string;
  readonly location: SourceLocation;
}

export interface ParsedIndex<R> {
  readonly records: R[];
  readonly diagnostics: IndexDiagnostic[];
}

export interface IndexLabel {
  /** URL or label used in diagnostics. */
  readonly file: string;
  readonly suite: string;
  readonly component: string;
}

const SOURCE_FIELDS = [
  'Package', 'Version', 'Binary', 'Architecture', 'Format', 'Directory', 'Checksums-Sha256',
  'Build-Depends', 'Build-Depends-Arch', 'Build-Depends-Indep',
  'Build-Conflicts', 'Build-Conflicts-Arch', 'Build-Conflicts-Indep', 'Extra-Source-Only', 'Package-List',
] as const;
const S = Object.fromEntries(SOURCE_FIELDS.map((f, i) => [f, i])) as Record<(typeof SOURCE_FIELDS)[number], number>;
const SOURCE_REQUIRED = ['Package', 'Version', 'Binary', 'Architecture', 'Format', 'Directory', 'Checksums-Sha256'] as const;

const BINARY_FIELDS = [
  'Package', 'Version', 'Architecture', 'Source', 'Multi-Arch', 'Depends', 'Pre-Depends',
  'Provides', 'Essential', 'Filename',
] as const;
const B = Object.fromEntries(BINARY_FIELDS.map((f, i) => [f, i])) as Record<(typeof BINARY_FIELDS)[number], number>;
const BINARY_REQUIRED = ['Package', 'Version', 'Architecture'] as const;

const SHA256_LINE = /^([0-9a-f]{64}) +(\d+) +(\S+)$/;
const MULTI_ARCH = new Set(['same', 'foreign', 'allowed', 'no']);
const SOURCE_FIELD = /^(\S+)(?:\s+\((\S+)\))?$/;

/** One collector per parse: knows where it is, for diagnostics. */
class Collector {
  readonly diagnostics: IndexDiagnostic[] = [];
  constructor(private readonly file: string, private readonly names: readonly string[]) {}

  missing(p: ScannedParagraph, required: readonly string[], index: Record<string, number>): boolean {
    let complete = true;
    for (const name of required) {
      if (p.values[index[name] ?? -1] !== undefined) continue;
      this.report(p, 'missing-field', name, p.line, `paragraph lacks required field ${name}`);
      complete = false;
    }
    return !complete;
  }

  report(p: ScannedParagraph, reason: IndexDiagnostic['reason'], field: string, line: number, message: string): void {
    const pkg = p.values[this.names.indexOf('Package')];
    this.diagnostics.push({
      reason, field, message, location: { file: this.file, line },
      ...(pkg === undefined ? {} : { package: pkg }),
    });
  }
}

function folded(value: string | undefined): string | undefined {
  if (value === undefined || !value.includes('\n')) return value;
  return value.replace(/\s*\n\s*/g, ' ').trim();
}

function words(value: string): string[] {
  return value.split(/\s+/).filter((w) => w.length > 0);
}

/** A file name from an index goes into a path and a URL: one plain path component only. */
function isPlainFileName(name: string): boolean {
  return !name.includes('/') && !name.startsWith('.') && name.length > 0;
}

function parseChecksums(p: ScannedParagraph, c: Collector): FileChecksum[] | undefined {
  const value = p.values[S['Checksums-Sha256']] ?? '';
  const fieldLine = p.lines[S['Checksums-Sha256']] ?? 0;
  const files: FileChecksum[] = [];
  const lines = value.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i] ?? '';
    if (text === '') continue;
    const m = SHA256_LINE.exec(text);
    if (m === null || !isPlainFileName(m[3] ?? '')) {
      c.report(p, 'malformed-field', 'Checksums-Sha256', fieldLine + i, `bad checksum line "${text.slice(0, 100)}"`);
      return undefined;
    }
    files.push({ sha256: m[1] ?? '', size: Number(m[2]), name: m[3] ?? '' });
  }
  if (!files.some((f) => f.name.endsWith('.dsc'))) {
    c.report(p, 'malformed-field', 'Checksums-Sha256', fieldLine, 'checksum list names no .dsc');
    return undefined;
  }
  return files;
}

/**
 * The `Package-List` lines that carry a `profile=` formula, reduced to `<binary> <formula>`
 * (the solver needs only them: which binaries a profile stops building).
 */
function profiledBinaries(packageList: string | undefined): string | undefined {
  if (packageList === undefined || !packageList.includes('profile=')) return undefined;
  const out: string[] = [];
  for (const line of packageList.split('\n')) {
    const formula = /(?:^|\s)profile=(\S+)/.exec(line)?.[1];
    const binary = line.trim().split(/\s+/)[0];
    if (formula !== undefined && binary !== undefined && binary !== '') out.push(`${binary} ${formula}`);
  }
  return out.length === 0 ? undefined : out.join('\n');
}

function toSourceRecord(p: ScannedParagraph, label: IndexLabel, c: Collector): SourceRecord | undefined {
  if (c.missing(p, SOURCE_REQUIRED, S)) return undefined;
  const files = parseChecksums(p, c);
  if (files === undefined) return undefined;
  const v = p.values;
  const binaries = (folded(v[S.Binary]) ?? '').split(',').map((b) => b.trim()).filter((b) => b !== '');
  const record: {
    -readonly [K in keyof SourceRecord]: SourceRecord[K];
  } = {
    package: v[S.Package] ?? '',
    version: v[S.Version] ?? '',
    suite: label.suite,
    component: label.component,
    binaries,
    architecture: words(v[S.Architecture] ?? ''),
    format: v[S.Format] ?? '',
    directory: v[S.Directory] ?? '',
    files,
  };
  const optional = [
    ['buildDepends', 'Build-Depends'], ['buildDependsArch', 'Build-Depends-Arch'],
    ['buildDependsIndep', 'Build-Depends-Indep'], ['buildConflicts', 'Build-Conflicts'],
    ['buildConflictsArch', 'Build-Conflicts-Arch'], ['buildConflictsIndep', 'Build-Conflicts-Indep'],
  ] as const;
  for (const [key, field] of optional) {
    const value = folded(v[S[field]]);
    if (value !== undefined) record[key] = value;
  }
  const binaryProfiles = profiledBinaries(v[S['Package-List']]);
  if (binaryProfiles !== undefined) record.binaryProfiles = binaryProfiles;
  if (v[S['Extra-Source-Only']] === 'yes') record.extraSourceOnly = true;
  return record;
}

function toBinaryRecord(p: ScannedParagraph, label: IndexLabel, c: Collector): BinaryRecord | undefined {
  if (c.missing(p, BINARY_REQUIRED, B)) return undefined;
  const v = p.values;
  const name = v[B.Package] ?? '';
  const version = v[B.Version] ?? '';
  let source = name;
  let sourceVersion = version;
  const sourceField = v[B.Source];
  if (sourceField !== undefined) {
    const m = SOURCE_FIELD.exec(sourceField);
    if (m === null) {
      c.report(p, 'malformed-field', 'Source', p.lines[B.Source] ?? p.line, `bad Source field "${sourceField}"`);
      return undefined;
    }
    source = m[1] ?? name;
    sourceVersion = m[2] ?? version;
  }
  const record: { -readonly [K in keyof BinaryRecord]: BinaryRecord[K] } = {
    package: name, version, suite: label.suite, architecture: v[B.Architecture] ?? '', source, sourceVersion,
  };
  const multiArch = v[B['Multi-Arch']];
  if (multiArch !== undefined) {
    if (!MULTI_ARCH.has(multiArch)) {
      c.report(p, 'malformed-field', 'Multi-Arch', p.lines[B['Multi-Arch']] ?? p.line, `bad Multi-Arch "${multiArch}"`);
      return undefined;
    }
    record.multiArch = multiArch as NonNullable<BinaryRecord['multiArch']>;
  }
  const depends = folded(v[B.Depends]);
  if (depends !== undefined) record.depends = depends;
  const preDepends = folded(v[B['Pre-Depends']]);
  if (preDepends !== undefined) record.preDepends = preDepends;
  const provides = folded(v[B.Provides]);
  if (provides !== undefined) record.provides = provides;
  if (v[B.Essential] === 'yes') record.essential = true;
  const filename = v[B.Filename];
  if (filename !== undefined) record.filename = filename;
  return record;
}

/** Parse a whole `Sources` index. A malformed line is the error; a bad paragraph a diagnostic. */
export function parseSourcesIndex(text: string, label: IndexLabel): Result<ParsedIndex<SourceRecord>, ControlError> {
  const c = new Collector(label.file, SOURCE_FIELDS);
  const records: SourceRecord[] = [];
  const scanned = scanIndex(text, { file: label.file, keep: SOURCE_FIELDS }, (p) => {
    const record = toSourceRecord(p, label, c);
    if (record !== undefined) records.push(record);
  });
  if (!scanned.ok) return scanned;
  return ok({ records, diagnostics: c.diagnostics });
}

/** Parse a whole `Packages` index, as parseSourcesIndex. */
export function parsePackagesIndex(text: string, label: IndexLabel): Result<ParsedIndex<BinaryRecord>, ControlError> {
  const c = new Collector(label.file, BINARY_FIELDS);
  const records: BinaryRecord[] = [];
  const scanned = scanIndex(text, { file: label.file, keep: BINARY_FIELDS }, (p) => {
    const record = toBinaryRecord(p, label, c);
    if (record !== undefined) records.push(record);
  });
  if (!scanned.ok) return scanned;
  return ok({ records, diagnostics: c.diagnostics });
}
