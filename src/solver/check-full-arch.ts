// check-archive for a full architecture (docs/solver.md, "A full architecture"): nothing is
// rebuilt, every build dependency is installed from the archive, so a source is buildable when
// each group of its Build-Depends and Build-Depends-Arch — reduced for the architecture and the
// given build profiles, as for a partial arch — has an alternative whose package can be installed
// (installability.ts). This is the question dose-builddebcheck answers, so its verdicts are an
// oracle for the relation handling the solver shares with it. Pure.
import type { ArchTable } from '../arch/dpkg-arch.js';
import type { ArchiveIndex, SourceRecord } from '../model/archive.js';
import type { AlternativeGroup } from '../model/relation.js';
import { ArchiveView, sourceLocation } from './archive-view.js';
import type { ArchiveCheck, SourceCheck, SourceStatus } from './check-archive.js';
import { Installability } from './installability.js';
import { reduceGroup } from './reduce-group.js';
import type { RelationField, RelationOrigin, SolveProblem } from './types.js';

export interface CheckFullArchInput {
  readonly archive: ArchiveIndex | ArchiveView;
  /** A Debian architecture dpkg's tables know, whose Packages index `archive` holds. */
  readonly arch: string;
  readonly table: ArchTable;
  /** Active build profiles (dose-builddebcheck's --deb-profiles). */
  readonly profiles: readonly string[];
  readonly only?: ReadonlySet<string>;
}

interface Pending {
  readonly record: SourceRecord;
  readonly groups: readonly { readonly origin: RelationOrigin; readonly group: AlternativeGroup }[];
  readonly problems: SolveProblem[];
}

/** Does the source build on this arch at all: an `all` word counts (its Build-Depends still apply). */
function buildsOn(record: SourceRecord, arch: string, table: ArchTable): boolean {
  return record.architecture.some((w) => w === 'all' || table.archIs(arch, w));
}

/** The newest record of each source name (an Extra-Source-Only one only when it is all there is). */
function newestSources(view: ArchiveView, only: ReadonlySet<string> | undefined): SourceRecord[] {
  const names = [...new Set(view.index.sources.map((s) => s.package))].filter((n) => only === undefined || only.has(n)).sort();
  return names.flatMap((name) => {
    const all = view.sources(name);
    const pick = all.find((s) => s.extraSourceOnly !== true) ?? all[0];
    return pick === undefined ? [] : [pick];
  });
}

export function checkFullArch(input: CheckFullArchInput): ArchiveCheck {
  const view = input.archive instanceof ArchiveView ? input.archive : new ArchiveView(input.archive);
  const install = new Installability(view, input.arch);
  const reduce = { hostArch: input.arch, buildArch: input.arch, profiles: input.profiles, table: input.table };
  const pending: Pending[] = [];
  const skipped: SourceCheck[] = [];
  for (const record of newestSources(view, input.only)) {
    if (!buildsOn(record, input.arch, input.table)) {
      skipped.push({ source: record.package, version: record.version, suite: record.suite, status: 'not-for-arch', targets: [], problems: [], blockedBy: [] });
      continue;
    }
    const groups: Pending['groups'][number][] = [];
    const problems: SolveProblem[] = [];
    const fields: [RelationField, string | undefined][] = [['Build-Depends', record.buildDepends], ['Build-Depends-Arch', record.buildDependsArch]];
    for (const [field, text] of fields) {
      if (text === undefined) continue;
      const location = { file: `${sourceLocation(record).file} ${field}` };
      const parsed = view.field(text, location);
      if (!parsed.ok) {
        problems.push({ reason: 'invalid-relation', origin: { source: record.package, field, text, location }, chain: [], message: parsed.error.message });
        continue;
      }
      for (const group of parsed.value) {
        const kept = reduceGroup(group, reduce).kept;
        if (kept.length === 0) continue;
        groups.push({ origin: { source: record.package, field, text: group.map((g) => g.text).join(' | '), location }, group: kept });
        install.add(kept);
      }
    }
    pending.push({ record, groups, problems });
  }
  // Every package reachable is known now: the fixpoint is computed once, on the first question.
  const checked: SourceCheck[] = pending.map(({ record, groups, problems }) => {
    for (const { origin, group } of groups) {
      const resolved = install.resolve(group);
      if (!resolved.ok) problems.push({ reason: 'unsatisfiable', origin, chain: [], attempts: resolved.attempts, offers: [] });
    }
    const status: SourceStatus = problems.length > 0 ? 'unsatisfiable' : 'ok';
    return { source: record.package, version: record.version, suite: record.suite, status, targets: [], problems, blockedBy: [] };
  });
  const sources = [...checked, ...skipped].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  const counts: Record<SourceStatus, number> = { ok: 0, unsatisfiable: 0, blocked: 0, 'not-for-arch': 0, 'arch-indep': 0 };
  for (const s of sources) counts[s.status]++;
  return { arch: input.arch, suites: view.index.suites.map((s) => s.suite), counts, sources };
}
