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

/**
 * Records by name, sorted per name when first asked. Up to `scanLimit` names are answered by a
 * scan (a plan asks for a few sources and a few virtual names: scanning 35,000 sources costs
 * about 0.6 ms a name, indexing them 20-40 ms); past that, the index is built once. The index is a
 * chain through the record array (first position per name, next position per record) rather than
 * one array per name: fewer allocations in a heap that holds the whole archive.
 */
class NameIndex<T> {
  private heads: Map<string, number> | undefined;
  private next: Int32Array = new Int32Array(0);
  private items: readonly T[] = [];
  private readonly answered = new Map<string, readonly T[]>();

  constructor(
    private readonly records: () => readonly T[],
    private readonly nameOf: (record: T) => string,
    private readonly sort: (list: T[]) => void,
    private readonly scan?: { readonly limit: number; readonly find: (name: string) => T[] },
  ) {}

  private build(): Map<string, number> {
    const items = this.records();
    const heads = new Map<string, number>();
    const next = new Int32Array(items.length);
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i];
      if (item === undefined) continue;
      const name = this.nameOf(item);
      next[i] = heads.get(name) ?? -1;
      heads.set(name, i);
    }
    this.items = items;
    this.next = next;
    return heads;
  }

  get(name: string): readonly T[] {
    const known = this.answered.get(name);
    if (known !== undefined) return known;
    let list: T[];
    if (this.heads === undefined && this.scan !== undefined && this.answered.size < this.scan.limit) {
      list = this.scan.find(name);
    } else {
      this.heads ??= this.build();
      list = [];
      for (let i = this.heads.get(name) ?? -1; i >= 0; i = this.next[i] ?? -1) {
        const item = this.items[i];
        if (item !== undefined) list.push(item);
      }
    }
    this.sort(list);
    this.answered.set(name, list);
    return list;
  }
}

/** One name of one Provides field. */
interface Provided extends Provider {
  readonly name: string;
}

export class ArchiveView {
  private readonly binaryIndex: NameIndex<BinaryRecord>;
  private readonly sourceIndex: NameIndex<SourceRecord>;
  private readonly providerIndex: NameIndex<Provided>;
  private readonly versions = new Map<string, DebVersion | null>();
  private readonly parsedFields = new Map<string, RelationList>();
  private readonly suiteRank: Map<string, number>;
  /** Versions found invalid while sorting, reported once by the solver. */
  readonly invalidVersions: { name: string; version: string; suite: string }[] = [];
  /** Binary records whose Provides field does not parse (they provide nothing). */
  readonly invalidProvides = new Set<BinaryRecord>();
  private readonly memos = new Map<string, unknown>();
  private withProvides: BinaryRecord[] | undefined;

  constructor(readonly index: ArchiveIndex) {
    this.suiteRank = new Map(index.suites.map((s, i) => [s.suite, i]));
    const newestFirst = (list: { readonly version: string; readonly suite: string; readonly package: string }[]): void => {
      for (const r of list) {
        if (this.version(r.version) === undefined) this.invalidVersions.push({ name: r.package, version: r.version, suite: r.suite });
      }
      list.sort((a, b) => this.compareNewestFirst(a, b));
    };
    this.binaryIndex = new NameIndex(() => index.binaries, (r) => r.package, newestFirst);
    this.sourceIndex = new NameIndex(() => index.sources, (r) => r.package, newestFirst, {
      limit: 32, find: (name) => index.sources.filter((r) => r.package === name),
    });
    this.providerIndex = new NameIndex(() => this.provided(), (p) => p.name, (list) => list.sort((a, b) => this.compareNewestFirst(a.record, b.record)), {
      limit: 32, find: (name) => this.scanProvided(name),
    });
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

  /** Binary packages named `name`, newest first. */
  binaries(name: string): readonly BinaryRecord[] {
    return this.binaryIndex.get(name);
  }

  /** Source packages named `name`, newest first. */
  sources(name: string): readonly SourceRecord[] {
    return this.sourceIndex.get(name);
  }

  source(name: string, version: string): SourceRecord | undefined {
    return this.sources(name).find((s) => s.version === version);
  }

  /** Real packages that provide `name`, newest first. */
  providers(name: string): readonly Provider[] {
    return this.providerIndex.get(name);
  }

  /** What one record's Provides field provides; a malformed field provides nothing (recorded). */
  private providedBy(record: BinaryRecord): { name: string; version?: string }[] {
    const text = record.provides ?? '';
    const simple = splitProvides(text);
    if (simple !== undefined) return simple;
    // Anything beyond `name [(= version)], ...` goes through the full relation parser.
    const parsed = this.field(text, binaryLocation(record));
    if (!parsed.ok) {
      this.invalidProvides.add(record);
      return [];
    }
    return parsed.value.flat().map((rel) => (rel.version?.op === '=' ? { name: rel.name, version: rel.version.version } : { name: rel.name }));
  }

  /** Providers of one name, by a substring scan of the Provides fields (then an exact split). */
  private scanProvided(name: string): Provided[] {
    this.withProvides ??= this.index.binaries.filter((r) => r.provides !== undefined);
    const out: Provided[] = [];
    for (const record of this.withProvides) {
      if (record.provides?.includes(name) !== true) continue;
      for (const p of this.providedBy(record)) {
        if (p.name === name) out.push(p.version === undefined ? { name, record } : { name, record, version: p.version });
      }
    }
    return out;
  }

  /** Every name every binary provides, in one flat list. */
  private provided(): Provided[] {
    const out: Provided[] = [];
    for (const record of this.index.binaries) {
      if (record.provides === undefined) continue;
      for (const p of this.providedBy(record)) out.push(p.version === undefined ? { name: p.name, record } : { name: p.name, record, version: p.version });
    }
    return out;
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

const NAME_RE = /^[a-z0-9][a-z0-9.+-]*$/;
const VERSION_RE = /^\(\s*=\s*([^()\s]+)\s*\)$/;

/**
 * The common shape of a Provides field, `name [(= version)], ...`, split without the full parser
 * (ten thousand fields at every solve; measured three times faster than one regular expression
 * per entry). Undefined when anything else appears, e.g. an architecture qualifier, so that the
 * relation parser and its diagnostics handle it.
 */
function splitProvides(text: string): { name: string; version?: string }[] | undefined {
  const out: { name: string; version?: string }[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    let end = 0;
    while (end < part.length && part.charCodeAt(end) !== 32 && part.charCodeAt(end) !== 40) end++;
    const name = part.slice(0, end);
    if (end === part.length) {
      if (!NAME_RE.test(name)) return undefined;
      out.push({ name });
      continue;
    }
    const version = VERSION_RE.exec(part.slice(end).trim())?.[1];
    if (version === undefined || !NAME_RE.test(name)) return undefined;
    out.push({ name, version });
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
