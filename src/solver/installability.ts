// Which binary packages of the archive can be installed on a full architecture, as far as their
// dependencies go: a package is installable when every group of its Pre-Depends and Depends has an
// alternative with an installable candidate. Computed as the greatest fixpoint over the packages
// reachable from the relations asked about (a dependency cycle is installable, as it is for dpkg),
// so that a package that cannot be installed is found however deep the missing piece is.
// Conflicts and Breaks are not evaluated (docs/solver.md, "A full architecture"). Pure.
import type { BinaryRecord } from '../model/archive.js';
import type { AlternativeGroup, Relation } from '../model/relation.js';
import { binaryLocation, type ArchiveView } from './archive-view.js';
import { satisfyingCandidates } from './roles.js';
import type { Attempt } from './types.js';

/** Why one package cannot be installed: the group of its Depends that nothing satisfies. */
export interface Uninstallable {
  readonly field: 'Depends' | 'Pre-Depends';
  readonly text: string;
  readonly attempts: readonly Attempt[];
}

interface Entry {
  readonly groups: readonly { readonly field: 'Depends' | 'Pre-Depends'; readonly group: AlternativeGroup; readonly candidates: readonly BinaryRecord[][] }[];
  broken?: Uninstallable;
}

export class Installability {
  private readonly entries = new Map<BinaryRecord, Entry>();
  /** By relation object: parsed fields are shared between records with the same text, so are these. */
  private readonly byRelation = new WeakMap<Relation, BinaryRecord[]>();
  private settled = true;

  /** `arch`: the architecture installed for (the Packages index's); `all` packages count as it. */
  constructor(private readonly view: ArchiveView, private readonly arch: string) {}

  /**
   * Candidates of one relation, dpkg's way on a single architecture: no qualifier or `:native`,
   * any package of the name (or provider); `:any`, only one whose Multi-Arch is `allowed`;
   * `:<arch>`, one of that architecture.
   */
  candidates(rel: Relation): BinaryRecord[] {
    const known = this.byRelation.get(rel);
    if (known !== undefined) return known;
    const q = rel.archQualifier;
    const found = satisfyingCandidates(rel, this.view)
      .filter((c) => q === undefined || q === 'native' ||
        (q === 'any' ? c.record.multiArch === 'allowed' : c.record.architecture === q || (c.record.architecture === 'all' && q === this.arch)))
      .map((c) => c.record);
    this.byRelation.set(rel, found);
    return found;
  }

  /** Note the packages a group could use, and everything they depend on, for `settle`. */
  add(group: AlternativeGroup): void {
    const stack: BinaryRecord[] = group.flatMap((rel) => this.candidates(rel));
    for (let record = stack.pop(); record !== undefined; record = stack.pop()) {
      if (this.entries.has(record)) continue;
      const entry = this.entryOf(record);
      this.settled = false;
      for (const g of entry.groups) for (const list of g.candidates) for (const c of list) if (!this.entries.has(c)) stack.push(c);
    }
  }

  private entryOf(record: BinaryRecord): Entry {
    const groups: Entry['groups'][number][] = [];
    const fields = [['Pre-Depends', record.preDepends], ['Depends', record.depends]] as const;
    for (const [field, text] of fields) {
      if (text === undefined) continue;
      const parsed = this.view.field(text, binaryLocation(record));
      // An unparsable field cannot be installed: one group that nothing satisfies stands for it.
      const list = parsed.ok ? parsed.value : [[{ name: text, text }]];
      for (const group of list) groups.push({ field, group, candidates: parsed.ok ? group.map((rel) => this.candidates(rel)) : [[]] });
    }
    const entry: Entry = { groups };
    this.entries.set(record, entry);
    return entry;
  }

  /** Mark every package with a group that no installable candidate satisfies, until nothing changes. */
  private settle(): void {
    if (this.settled) return;
    for (let changed = true; changed;) {
      changed = false;
      for (const [record, entry] of this.entries) {
        if (entry.broken !== undefined) continue;
        const failing = entry.groups.find((g) => !g.candidates.some((list) => list.some((c) => this.entries.get(c)?.broken === undefined)));
        if (failing === undefined) continue;
        entry.broken = { field: failing.field, text: failing.group.map((r) => r.text).join(' | '), attempts: this.attempts(failing.group, record) };
        changed = true;
      }
    }
    this.settled = true;
  }

  /** Why a package cannot be installed; undefined when it can (or was never added). */
  broken(record: BinaryRecord): Uninstallable | undefined {
    this.settle();
    return this.entries.get(record)?.broken;
  }

  /** The first installable candidate of a group, or every alternative tried and why it failed. */
  resolve(group: AlternativeGroup): { readonly ok: true; readonly binary: BinaryRecord } | { readonly ok: false; readonly attempts: readonly Attempt[] } {
    this.add(group);
    this.settle();
    for (const rel of group) {
      const found = this.candidates(rel).find((c) => this.entries.get(c)?.broken === undefined);
      if (found !== undefined) return { ok: true, binary: found };
    }
    return { ok: false, attempts: this.attempts(group) };
  }

  private attempts(group: AlternativeGroup, of?: BinaryRecord): Attempt[] {
    return group.map((rel): Attempt => {
      const candidates = this.candidates(rel);
      if (candidates.length === 0) {
        const any = this.view.binaries(rel.name).length + this.view.providers(rel.name).length > 0;
        const qualified = rel.archQualifier !== undefined && satisfyingCandidates(rel, this.view).length > 0;
        const detail = qualified ? `no package of that name can satisfy the :${rel.archQualifier ?? ''} qualifier (Multi-Arch)`
          : any ? `no version in the suites satisfies ${rel.text}` : `no package ${rel.name} in the suites, and nothing provides it`;
        return { relation: rel.text, outcome: any ? 'version-mismatch' : 'no-package', detail };
      }
      const why = candidates.map((c) => {
        const b = this.entries.get(c)?.broken;
        return b === undefined || c === of ? `${c.package} ${c.version}` : `${c.package} ${c.version} (${b.field}: ${b.text})`;
      });
      return { relation: rel.text, outcome: 'uninstallable', detail: `cannot be installed: ${why.join('; ')}` };
    });
  }
}
