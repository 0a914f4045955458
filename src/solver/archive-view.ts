// Lookups over the compact ArchiveIndex the solver needs: binaries and sources by name (newest
// version first, then suite order), providers of a virtual name, parsed versions and relation
// fields, each computed once. Pure; built lazily so a plan that looks at fifty names does not pay
// for indexing sixty thousand providers.
import { parseRelations } from '../control/relation.js';
import type { ArchiveIndex, BinaryRecord, SourceRecord } from '../model/archive.js';
import type { SourceLocation } from '../model/location.js';
import type { RelationError, RelationList, VersionConstraint } from '../model/relation.js';
import type { Result } from '../model/result.js';
import { compareVersions, orderingSatisfies, parseVersion, type DebVersion } from '../version/index.js';

export interface Provider {
  readonly record: BinaryRecord;
  /** The provided version (`Provides: foo (= 1.2)`), absent for an unversioned provide. */
  readonly version?: string;
}

function groupBy<R extends { readonly package: string }>(records: readonly R[]): Map<string, R[]> {
  const map = new Map<string, R[]>();
  for (const r of records) {
    const list = map.get(r.package);
    if (list === undefined) map.set(r.package, [r]);
    else list.push(r);
  }
  return map;
}

export class ArchiveView {
  private binariesByName: Map<string, BinaryRecord[]> | undefined;
  private sourcesByName: Map<string, SourceRecord[]> | undefined;
  private providersByName: Map<string, Provider[]> | undefined;
  private readonly versions = new Map<string, DebVersion | null>();
  private readonly parsedFields = new Map<string, RelationList>();
  private readonly suiteRank: Map<string, number>;
  /** Versions found invalid while sorting, reported once by the solver. */
  readonly invalidVersions: { name: string; version: string; suite: string }[] = [];
  /** Binary records whose Provides field does not parse. */
  readonly invalidProvides: BinaryRecord[] = [];
  private readonly sortedNames = new Set<string>();
  private readonly memos = new Map<string, unknown>();

  constructor(readonly index: ArchiveIndex) {
    this.suiteRank = new Map(index.suites.map((s, i) => [s.suite, i]));
  }

  /** Parsed version, undefined when the text is not a valid Debian version. */
  version(text: string): DebVersion | undefined {
    let v = this.versions.get(text);
    if (v === undefined) {
      const parsed = parseVersion(text);
      v = parsed.ok ? parsed.value : null;
      this.versions.set(text, v);
    }
    return v ?? undefined;
  }

  /** Newest first; equal versions in configured suite order; invalid versions last. */
  compareNewestFirst(a: { version: string; suite: string }, b: { version: string; suite: string }): number {
    const va = this.version(a.version);
    const vb = this.version(b.version);
    if (va !== undefined && vb !== undefined) {
      const c = compareVersions(vb, va);
      if (c !== 0) return c;
    } else if (va !== vb) {
      return va === undefined ? 1 : -1;
    }
    return (this.suiteRank.get(a.suite) ?? Infinity) - (this.suiteRank.get(b.suite) ?? Infinity);
  }

  /** Whether `version` meets `constraint` (no constraint: always); an invalid version never does. */
  satisfies(version: string, constraint: VersionConstraint | undefined): boolean {
    if (constraint === undefined) return true;
    const have = this.version(version);
    const want = this.version(constraint.version);
    if (have === undefined || want === undefined) return false;
    return orderingSatisfies(compareVersions(have, want), constraint.op);
  }

  private sorted<R extends { version: string; suite: string; package: string }>(map: Map<string, R[]>, kind: string, name: string): readonly R[] {
    const list = map.get(name);
    if (list === undefined) return [];
    const key = `${kind}\0${name}`;
    if (!this.sortedNames.has(key)) {
      for (const r of list) {
        if (this.version(r.version) === undefined) this.invalidVersions.push({ name: r.package, version: r.version, suite: r.suite });
      }
      list.sort((a, b) => this.compareNewestFirst(a, b));
      this.sortedNames.add(key);
    }
    return list;
  }

  /** Binary packages named `name`, newest first. */
  binaries(name: string): readonly BinaryRecord[] {
    this.binariesByName ??= groupBy(this.index.binaries);
    return this.sorted(this.binariesByName, 'binary', name);
  }

  /** Source packages named `name`, newest first. */
  sources(name: string): readonly SourceRecord[] {
    this.sourcesByName ??= groupBy(this.index.sources);
    return this.sorted(this.sourcesByName, 'source', name);
  }

  source(name: string, version: string): SourceRecord | undefined {
    return this.sources(name).find((s) => s.version === version);
  }

  /** Real packages that provide `name` (newest first). Built on first use. */
  providers(name: string): readonly Provider[] {
    this.providersByName ??= this.buildProviders();
    const list = this.providersByName.get(name);
    if (list === undefined) return [];
    if (!this.sortedNames.has(`provider\0${name}`)) {
      list.sort((a, b) => this.compareNewestFirst(a.record, b.record));
      this.sortedNames.add(`provider\0${name}`);
    }
    return list;
  }

  private buildProviders(): Map<string, Provider[]> {
    const map = new Map<string, Provider[]>();
    const add = (name: string, entry: Provider): void => {
      const list = map.get(name);
      if (list === undefined) map.set(name, [entry]);
      else list.push(entry);
    };
    for (const record of this.index.binaries) {
      if (record.provides === undefined) continue;
      const simple = splitProvides(record.provides);
      if (simple !== undefined) {
        for (const p of simple) add(p.name, p.version === undefined ? { record } : { record, version: p.version });
        continue;
      }
      // Anything beyond `name [(= version)], ...` goes through the full relation parser.
      const parsed = this.field(record.provides, binaryLocation(record));
      if (!parsed.ok) {
        // A malformed Provides cannot satisfy anything; the record is kept for the report.
        this.invalidProvides.push(record);
        continue;
      }
      for (const group of parsed.value) {
        for (const rel of group) add(rel.name, rel.version?.op === '=' ? { record, version: rel.version.version } : { record });
      }
    }
    return map;
  }

  /**
   * A value computed once per view under `key` (e.g. the candidates of one relation): a whole-archive
   * check asks the same questions tens of thousands of times.
   */
  memo<T>(key: string, compute: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const value = compute();
    this.memos.set(key, value);
    return value;
  }

  /** Parse a relation field; successful parses are shared between records with the same text. */
  field(text: string, location: SourceLocation): Result<RelationList, RelationError> {
    const cached = this.parsedFields.get(text);
    if (cached !== undefined) return { ok: true, value: cached };
    const parsed = parseRelations(text, location);
    if (parsed.ok) this.parsedFields.set(text, parsed.value);
    return parsed;
  }
}

const PROVIDE_RE = /^([a-z0-9][a-z0-9.+-]*)(?:\s*\(=\s*([^()\s]+)\s*\))?$/;

/**
 * The common shape of a Provides field, `name [(= version)], ...`, split without the full parser
 * (sixty thousand records at every cold solve). Undefined when anything else appears, e.g. an
 * architecture qualifier, so that the relation parser and its diagnostics handle it.
 */
function splitProvides(text: string): { name: string; version?: string }[] | undefined {
  const out: { name: string; version?: string }[] = [];
  for (const part of text.split(',')) {
    const m = PROVIDE_RE.exec(part.trim());
    if (m === null) return undefined;
    const name = m[1] ?? '';
    const version = m[2];
    out.push(version === undefined ? { name } : { name, version });
  }
  return out;
}

/** Label used as the location of index records (the compact index keeps no line numbers). */
export function sourceLocation(record: SourceRecord): SourceLocation {
  return { file: `Sources(${record.suite}/${record.component}) ${record.package} ${record.version}` };
}

export function binaryLocation(record: BinaryRecord): SourceLocation {
  return { file: `Packages(${record.suite}/${record.architecture}) ${record.package} ${record.version}` };
}
