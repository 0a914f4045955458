// The final account of a build run, as a person reads it after the progress lines: counts, one row
// per node (status, time, key), the critical path estimated by the plan beside the one this run
// measured, what failed (with its message and log), what was skipped because of what, and where
// the repository and the logs are. Pure: failure messages come from the caller (cli/ owns them).
import { formatDuration } from '../../log/progress.js';
import type { BuildPlan } from '../../plan/plan.js';
import { logFileOf, type NodeFailure, type NodeOutcome, type RunReport, type SkipReason } from './outcome.js';

export interface SummaryOptions {
  readonly repoDir: string;
  readonly logDir: string;
  readonly describeFailure: (failure: NodeFailure) => string;
  /** Applications left out on purpose (`--libraries-only`). */
  readonly librariesOnly: boolean;
}

export interface MeasuredPath {
  readonly sources: readonly string[];
  readonly ms: number;
}

/**
 * The longest chain of this run's build times through the plan's dependencies (a cached node
 * counts 0): the part of the makespan no number of slots could have shortened.
 */
export function measuredCriticalPath(plan: BuildPlan, outcomes: readonly NodeOutcome[]): MeasuredPath {
  const took = new Map(outcomes.map((o) => [o.node.source, o.status === 'built' || o.status === 'failed' ? o.durationMs : 0]));
  const best = new Map<string, MeasuredPath>();
  for (const node of plan.nodes) {
    if (!took.has(node.source)) continue;
    const before = node.depends.map((d) => best.get(d)).filter((p): p is MeasuredPath => p !== undefined)
      .sort((a, b) => b.ms - a.ms)[0];
    const own = took.get(node.source) ?? 0;
    best.set(node.source, { sources: [...(before?.sources ?? []), node.source], ms: (before?.ms ?? 0) + own });
  }
  return [...best.values()].sort((a, b) => b.ms - a.ms)[0] ?? { sources: [], ms: 0 };
}

export function describeSkip(because: SkipReason): string {
  switch (because.kind) {
    case 'dependency':
      return `needs ${because.failed}, which was not built`;
    case 'stopped':
      return `not started: the run stopped after ${because.after} failed (--keep-going builds independent work)`;
    case 'interrupted':
      return 'not started: interrupted';
  }
}

function shortKey(o: NodeOutcome): string {
  return o.key === undefined ? '' : o.key.slice(0, 12);
}

function statusText(o: NodeOutcome): string {
  switch (o.status) {
    case 'built':
      return `built in ${formatDuration(o.durationMs)}`;
    case 'cached':
      return 'cached';
    case 'failed':
      return `FAILED after ${formatDuration(o.durationMs)}`;
    case 'skipped':
      return 'skipped';
    case 'not-built':
      return `not built: ${o.notBuilt}`;
  }
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

export function formatSummary(plan: BuildPlan, report: RunReport, options: SummaryOptions): string {
  const count = (status: NodeOutcome['status']): number => report.outcomes.filter((o) => o.status === status).length;
  const built = count('built');
  const cached = count('cached');
  const failed = count('failed');
  const skipped = count('skipped');
  const notBuilt = count('not-built');
  const total = report.outcomes.length;
  const out: string[] = [];
  const head = `${plan.target} on ${plan.arch}: ${total} node(s): ${built} built, ${cached} cached, ${failed} failed, ${skipped} skipped` +
    `${notBuilt === 0 ? '' : `, ${notBuilt} not built`} in ${formatDuration(report.makespanMs)}`;
  out.push(report.interrupted ? `INTERRUPTED: ${head}` : head);
  if (total > 0 && cached === total) out.push('nothing to build: every node was cached');
  out.push('');
  out.push(...table([
    ['source', 'version', 'status', 'key', 'log'],
    ...report.outcomes.map((o) => [o.node.source, o.node.version, statusText(o), shortKey(o), logFileOf(o) ?? '']),
  ]).map((l) => `  ${l}`));
  for (const node of report.excluded) {
    out.push(`  ${node.source} (${node.kind}): not part of this run${options.librariesOnly ? ' (--libraries-only)' : ''}`);
  }
  out.push('');
  const estimated = plan.criticalPath;
  out.push(`critical path, estimated: ${estimated.sources.join(' → ')} (${estimated.seconds} s)`);
  const measured = measuredCriticalPath(plan, report.outcomes);
  if (measured.ms > 0) out.push(`critical path, this run: ${measured.sources.join(' → ')} (${formatDuration(measured.ms)} of ${formatDuration(report.makespanMs)} elapsed)`);

  const failures = report.outcomes.filter((o) => o.status === 'failed');
  if (failures.length > 0) {
    out.push('', 'failed:');
    for (const o of failures) {
      const text = options.describeFailure(o.failure);
      out.push(`  ${o.node.source} ${o.node.version}: ${text.split('\n').join('\n    ')}`);
      if (o.logFile !== undefined) out.push(`    log: ${o.logFile}`);
    }
  }
  const skips = report.outcomes.filter((o) => o.status === 'skipped');
  if (skips.length > 0) {
    out.push('', 'skipped:');
    for (const o of skips) out.push(`  ${o.node.source}: ${describeSkip(o.because)}`);
  }
  const apps = report.outcomes.filter((o) => o.status === 'not-built');
  if (apps.length > 0) {
    out.push('', `not built: ${apps.map((o) => o.node.source).join(', ')}: ${apps[0]?.notBuilt ?? ''}; --libraries-only builds the libraries alone`);
  }
  const logged = report.outcomes.some((o) => logFileOf(o) !== undefined);
  out.push('', `repository: ${options.repoDir}`, logged ? `logs: ${options.logDir}` : 'logs: none (no build ran)');
  return `${out.join('\n')}\n`;
}
