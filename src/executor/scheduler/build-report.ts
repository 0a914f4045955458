// The JSON report of one `stubforge build` (`--report FILE`), written whole when the run ends: what
// each node of the plan came to (cached, built, failed, skipped, not built) with its key, time and
// log. `batch` and `rebuild` run each target as a child `stubforge build` and read this file; the
// node events in the child's log are read only when a build died before writing it (SIGKILL, OOM),
// so that the batch report still says what had finished.
import { err, ok, type Result } from '../../model/result.js';
import type { NodeRecord } from '../batch/batch-report.js';
import { logFileOf, type NodeFailure, type RunReport } from './outcome.js';
import { describeError } from '../../io/describe-error.js';

export const BUILD_REPORT_FORMAT = 'stubforge-build-report 1';

export interface BuildReportNode extends NodeRecord {
  readonly version: string;
  readonly kind: 'library' | 'application';
  /** The sources of the plan this node builds on (for the report's critical path and its bound). */
  readonly depends?: readonly string[];
  /** Milliseconds from the run's start to the node's build slot being taken and let go (built or failed nodes). */
  readonly startMs?: number;
  readonly endMs?: number;
  /** Why a failed node failed, as the summary says it. */
  readonly failure?: string;
  /** Why a skipped or not-built node was not built. */
  readonly reason?: string;
}

export interface BuildReport {
  readonly format: typeof BUILD_REPORT_FORMAT;
  readonly target: string;
  readonly arch: string;
  /** The exit code the build ended with. */
  readonly exitCode: number;
  readonly interrupted: boolean;
  readonly makespanMs: number;
  /** Builds at a time (`--jobs`): total work over it is a lower bound of the makespan. */
  readonly jobs?: number;
  /** In plan order; nodes left out of the run (`--libraries-only`) are not here. */
  readonly nodes: readonly BuildReportNode[];
}

export interface BuildReportInput {
  readonly target: string;
  readonly arch: string;
  readonly exitCode: number;
  readonly jobs?: number;
  readonly run: RunReport;
  readonly describeFailure: (failure: NodeFailure) => string;
  readonly describeSkip: (outcome: RunReport['outcomes'][number]) => string | undefined;
}

export function buildReportOf(input: BuildReportInput): BuildReport {
  return {
    format: BUILD_REPORT_FORMAT, target: input.target, arch: input.arch, exitCode: input.exitCode,
    interrupted: input.run.interrupted, makespanMs: Math.round(input.run.makespanMs),
    ...(input.jobs === undefined ? {} : { jobs: input.jobs }),
    nodes: input.run.outcomes.map((o) => {
      const reason = input.describeSkip(o);
      const log = logFileOf(o);
      return {
        source: o.node.source, version: o.node.version, kind: o.node.kind, depends: o.node.depends, status: o.status,
        ...(o.key === undefined ? {} : { key: o.key }),
        ...(o.status === 'built' || o.status === 'failed' ? { durationMs: Math.round(o.durationMs) } : {}),
        ...(o.startMs === undefined || o.endMs === undefined ? {} : { startMs: Math.round(o.startMs), endMs: Math.round(o.endMs) }),
        ...(log === undefined ? {} : { log }),
        ...(o.status === 'failed' ? { failure: input.describeFailure(o.failure) } : {}),
        ...(reason === undefined ? {} : { reason }),
      };
    }),
  };
}

const STATUSES = new Set<string>(['built', 'cached', 'failed', 'skipped', 'not-built']);

/** A report read back; a file that is not one is an error naming it, never a guess. */
export function parseBuildReport(text: string, file: string): Result<BuildReport, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    return err(`${file}: not JSON: ${describeError(error)}`);
  }
  const report = value as Partial<BuildReport> | null;
  if (report === null || typeof report !== 'object' || report.format !== BUILD_REPORT_FORMAT) {
    return err(`${file}: not a ${BUILD_REPORT_FORMAT}`);
  }
  if (!Array.isArray(report.nodes)) return err(`${file}: no nodes`);
  for (const [i, node] of report.nodes.entries()) {
    const n = node as Partial<BuildReportNode> | null;
    if (n === null || typeof n.source !== 'string' || typeof n.status !== 'string' || !STATUSES.has(n.status)) {
      return err(`${file}: node ${i + 1} is not a node record`);
    }
  }
  return ok(report as BuildReport);
}
