// Source lookup by name: the newest version by dpkg order, across suites or in one suite. Pure.
import type { SourceRecord } from '../model/archive.js';
import { err, ok, type Result } from '../model/result.js';
import { compareVersionStrings, type VersionError } from '../version/index.js';

export type FindSourceError =
  | { readonly reason: 'source-not-found'; readonly name: string; readonly suite?: string }
  | VersionError;

export type SourceFinder = (name: string, suite?: string) => Result<SourceRecord, FindSourceError>;

function newest(records: readonly SourceRecord[]): Result<SourceRecord | undefined, VersionError> {
  let best: SourceRecord | undefined;
  for (const record of records) {
    if (best === undefined) {
      best = record;
      continue;
    }
    const order = compareVersionStrings(record.version, best.version);
    if (!order.ok) return err({ ...order.error, location: { file: `Sources(${record.suite}/${record.component})` } });
    // Ties keep the earlier record: suites are searched in the configured order.
    if (order.value > 0) best = record;
  }
  return ok(best);
}

/** Index `sources` by name once; the finder answers each lookup from that map. */
export function createSourceFinder(sources: readonly SourceRecord[]): SourceFinder {
  const byName = new Map<string, SourceRecord[]>();
  for (const r of sources) {
    const list = byName.get(r.package);
    if (list === undefined) byName.set(r.package, [r]);
    else list.push(r);
  }
  return (name, suite) => {
    const all = (byName.get(name) ?? []).filter((r) => suite === undefined || r.suite === suite);
    // Extra-Source-Only entries stay in the archive for Built-Using only; they are a last resort.
    const current = all.filter((r) => r.extraSourceOnly !== true);
    const found = newest(current.length > 0 ? current : all);
    if (!found.ok) return found;
    if (found.value === undefined) return err({ reason: 'source-not-found', name, ...(suite === undefined ? {} : { suite }) });
    return ok(found.value);
  };
}
