// In-memory index builders for small, made-up solver cases (one rule per test). These records are
// synthetic and named so (`app`, `liba`, ...); the real-archive cases use test/fixtures/solver.
import type { ArchiveIndex, BinaryRecord, SourceRecord } from '../../src/model/archive.js';

export interface SourceSpec {
  readonly version?: string;
  readonly suite?: string;
  readonly bd?: string;
  readonly bdArch?: string;
  readonly bdIndep?: string;
  readonly arch?: string;
  readonly binaries?: readonly string[];
  /** Package-List profile formulas, `<binary> <formula>` lines (SourceRecord.binaryProfiles). */
  readonly binaryProfiles?: string;
}

export function src(name: string, spec: SourceSpec = {}): SourceRecord {
  return {
    package: name, version: spec.version ?? '1.0-1', suite: spec.suite ?? 'stable', component: 'main',
    binaries: spec.binaries ?? [name], architecture: (spec.arch ?? 'any').split(' '), format: '3.0 (quilt)',
    directory: `pool/main/${name.charAt(0)}/${name}`, files: [],
    ...(spec.bd === undefined ? {} : { buildDepends: spec.bd }),
    ...(spec.bdArch === undefined ? {} : { buildDependsArch: spec.bdArch }),
    ...(spec.bdIndep === undefined ? {} : { buildDependsIndep: spec.bdIndep }),
    ...(spec.binaryProfiles === undefined ? {} : { binaryProfiles: spec.binaryProfiles }),
  };
}

export interface BinarySpec {
  readonly version?: string;
  readonly suite?: string;
  readonly source?: string;
  readonly sourceVersion?: string;
  readonly ma?: 'same' | 'foreign' | 'allowed';
  readonly arch?: string;
  readonly depends?: string;
  readonly provides?: string;
}

export function bin(name: string, spec: BinarySpec = {}): BinaryRecord {
  const version = spec.version ?? '1.0-1';
  return {
    package: name, version, suite: spec.suite ?? 'stable', architecture: spec.arch ?? 'amd64',
    source: spec.source ?? name, sourceVersion: spec.sourceVersion ?? version,
    ...(spec.ma === undefined ? {} : { multiArch: spec.ma }),
    ...(spec.depends === undefined ? {} : { depends: spec.depends }),
    ...(spec.provides === undefined ? {} : { provides: spec.provides }),
  };
}

/** A `-dev` library: its source and its Multi-Arch: same binary. */
export function lib(source: string, spec: { version?: string; suite?: string; bd?: string; depends?: string; provides?: string } = {}): [SourceRecord, BinaryRecord] {
  const dev = `${source}-dev`;
  return [
    src(source, { binaries: [dev], ...spec }),
    bin(dev, { source, ma: 'same', ...spec }),
  ];
}

/** A Multi-Arch: foreign tool and its source. */
export function tool(name: string, spec: { version?: string; suite?: string } = {}): [SourceRecord, BinaryRecord] {
  return [src(name, spec), bin(name, { ma: 'foreign', ...spec })];
}

export function index(records: readonly (SourceRecord | BinaryRecord | readonly (SourceRecord | BinaryRecord)[])[], suites = ['stable']): ArchiveIndex {
  const flat = records.flat();
  return {
    suites: suites.map((suite) => ({ suite, component: 'main', mirror: 'http://mirror.invalid/debian' })),
    sources: flat.filter((r): r is SourceRecord => 'binaries' in r),
    binaries: flat.filter((r): r is BinaryRecord => !('binaries' in r)),
  };
}
