// What `rebuild` shows (pure): the plan before it builds (what an update makes stale, why, and
// what must be a cache hit), and afterwards the proof: every node of each build either rebuilt
// because it is in the affected set, or a cache hit; anything else is named.
import type { NodeRecord } from '../../executor/batch/batch-report.js';
import type { KnownVersion } from '../../deb/app-version.js';
import type { AffectedSet } from '../../plan/affected.js';
import type { PinnedSource, RebuildTargetInputs } from '../../plan/rebuild-inputs.js';

/** A pinned source of a rebuild and the suite its version is read from. */
export interface LocatedSource extends PinnedSource {
  readonly suite?: string;
}

export interface PlannedTarget {
  readonly arch: string;
  readonly target: string;
  readonly kind: 'application' | 'library';
  /** The recorded build with the updates in place (suites, pins, orig-only choices). */
  readonly inputs: RebuildTargetInputs;
  readonly located: readonly LocatedSource[];
  /** For an application: the version and changelog stanza of its rebuilt .deb. */
  readonly application?: {
    readonly package: string; readonly oldVersion: string; readonly newVersion: string; readonly changelog: string;
    /** The highest version known before, which the new one sorts after. */
    readonly after?: KnownVersion;
  };
}

/** The options of the target's `stubforge build`, after the target: what the dry run shows and `--yes` runs. */
export function buildArguments(t: PlannedTarget): string[] {
  return [
    '--arch', t.arch, ...(t.kind === 'library' ? ['--libraries-only'] : []),
    ...t.inputs.suites.flatMap((s) => ['--suite', s]),
    ...t.inputs.origOnly.flatMap((s) => ['--allow-orig-only', s]),
    ...t.inputs.sources.flatMap((s) => ['--pin', `${s.source}=${s.version}`]),
  ];
}

function formatSources(t: PlannedTarget): string[] {
  const updateSuites = new Set(t.inputs.suites.filter((s) => t.located.some((l) => l.update !== undefined && l.suite === s)));
  const suites = t.inputs.suites.map((s) => `${s}${updateSuites.has(s) ? ' (the update)' : ''}`).join(', ');
  const out = [`    suites: ${suites}${t.inputs.suitesFrom === 'default' ? '  (none recorded: the default suites)' : ''}`];
  const width = Math.max(...t.located.map((l) => l.source.length));
  const vwidth = Math.max(...t.located.map((l) => l.version.length));
  for (const l of t.located) {
    const how = l.update === undefined ? 'as recorded' : `the update${l.update.from.length === 0 ? '' : `, was ${l.update.from.join(', ')}`}`;
    out.push(`    ${l.source.padEnd(width)}  ${l.version.padEnd(vwidth)}  from ${l.suite ?? '?'}, ${how}`);
  }
  return out;
}

export function formatAffected(set: AffectedSet, targets: readonly PlannedTarget[]): string {
  const out: string[] = [];
  out.push(`update: ${set.updates.map((u) => `${u.source} → ${u.version}`).join(', ')}`);
  for (const a of set.alreadyCurrent) out.push(`  ${a.update.source} ${a.update.version} is already what every build uses`);
  out.push('', `affected libraries (${set.libraries.length}), dependencies first:`);
  for (const a of set.libraries) {
    const why = a.because.kind === 'updated'
      ? `updated ${a.because.from} → ${a.because.to}`
      : `built against ${a.because.package} (${a.because.on})`;
    out.push(`  ${a.library.arch}  ${a.library.source} ${a.library.sourceVersion}  key ${a.library.key.slice(0, 12)}  ${why}`);
  }
  if (set.libraries.length === 0) out.push('  none');
  out.push('', `affected applications (${set.applications.length}):`);
  for (const a of set.applications) {
    out.push(`  ${a.application.arch}  ${a.application.package} ${a.application.version}  embeds ${a.because.map((b) => `${b.source} ${b.version}`).join(', ')}`);
  }
  if (set.applications.length === 0) out.push('  none recorded in the output repository');
  out.push('', `expected cache hits (${set.unaffected.length}): ${set.unaffected.map((l) => `${l.arch}/${l.source}`).join(', ') || 'none'}`);
  out.push('', 'builds:');
  for (const t of targets) {
    out.push(`  stubforge build ${t.target} ${buildArguments(t).join(' ')}`);
    out.push(...formatSources(t));
    if (t.application !== undefined) {
      const after = t.application.after === undefined ? '' : `  (sorts after ${t.application.after.version}: ${t.application.after.where})`;
      out.push(`    ${t.application.package}: ${t.application.oldVersion} → ${t.application.newVersion}${after}`);
      out.push(...t.application.changelog.trimEnd().split('\n').map((l) => `    | ${l}`));
    }
  }
  return `${out.join('\n')}\n`;
}

export interface RebuildCheck {
  readonly rebuilt: readonly string[];
  readonly cacheHits: readonly string[];
  /** Built although outside the affected set: the promise "exactly that set" did not hold. */
  readonly unexpected: readonly string[];
  /** In the affected set and in the build's plan, yet not rebuilt (a cache hit of the new key made earlier is fine). */
  readonly notRebuilt: readonly string[];
}

/** Compare what one build did with the affected set of its arch. */
export function checkRebuild(set: AffectedSet, arch: string, nodes: readonly NodeRecord[]): RebuildCheck {
  const affected = new Set(set.libraries.filter((a) => a.library.arch === arch).map((a) => a.library.source));
  const rebuilt: string[] = [];
  const cacheHits: string[] = [];
  const unexpected: string[] = [];
  const notRebuilt: string[] = [];
  for (const n of nodes) {
    if (n.status === 'built') {
      rebuilt.push(n.source);
      if (!affected.has(n.source) && !isApplicationOf(set, arch, n.source)) unexpected.push(n.source);
    } else if (n.status === 'cached') {
      cacheHits.push(n.source);
      if (affected.has(n.source)) notRebuilt.push(n.source);
    }
  }
  return { rebuilt, cacheHits, unexpected, notRebuilt };
}

function isApplicationOf(set: AffectedSet, arch: string, source: string): boolean {
  return set.applications.some((a) => a.application.arch === arch && (a.application.source === source || a.application.target === source));
}

export function formatCheck(target: PlannedTarget, check: RebuildCheck): string {
  const lines = [
    `${target.target} on ${target.arch}: rebuilt ${check.rebuilt.join(', ') || 'nothing'}; cache hits ${check.cacheHits.join(', ') || 'none'}`,
  ];
  if (check.unexpected.length > 0) lines.push(`  REBUILT OUTSIDE THE AFFECTED SET: ${check.unexpected.join(', ')} (their keys changed for another reason: build image, recipe or arch file)`);
  if (check.notRebuilt.length > 0) lines.push(`  already in the cache with the update: ${check.notRebuilt.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
