// The JSON report of a batch run, written whole after every change of state (write to a temporary
// file, fsync, rename, fsync the folder), so a CI system archiving it at any moment — or a machine
// losing power — finds the previous complete report or the next one, never half of one. It is
// also what `--resume` starts from.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../io/atomic-file.js';
import type { SourceLocation } from '../../model/location.js';
import { err, ok, type Result } from '../../model/result.js';
import type { BatchEntry } from './batch-file.js';
import { describeError } from '../../io/describe-error.js';
import { isErrno } from '../../io/errno.js';

export const BATCH_REPORT_FORMAT = 'stubforge-batch-report 1';

export type TargetStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'interrupted';

export interface NodeRecord {
  readonly source: string;
  /** `unfinished`: started, and the build ended (killed) before it said how the node ended. */
  readonly status: 'built' | 'cached' | 'failed' | 'skipped' | 'not-built' | 'unfinished';
  readonly key?: string;
  readonly durationMs?: number;
  readonly log?: string;
}

export interface OutputRecord {
  readonly package: string;
  readonly version: string;
  readonly file: string;
  readonly key?: string;
}

export interface TargetReport {
  readonly id: string;
  readonly target: string;
  readonly arch: string;
  readonly options: readonly string[];
  readonly line: number;
  readonly status: TargetStatus;
  /** How many runs started this target (a resumed target counts again). */
  readonly attempts: number;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  readonly exitCode?: number;
  /** The target's own log (the build's output and its JSON events). */
  readonly log?: string;
  readonly cacheHits: number;
  readonly built: number;
  readonly nodes: readonly NodeRecord[];
  readonly outputs: readonly OutputRecord[];
  /** Every source whose code the outputs hold, at the version built. */
  readonly embeds: readonly { readonly source: string; readonly version: string }[];
  /** Build logs of the nodes built in this target, and the target log. */
  readonly logs: readonly string[];
  readonly error?: string;
  /** Succeeded in an earlier run of the same list and not run again by `--resume`. */
  readonly fromEarlierRun?: boolean;
}

export interface BatchReport {
  readonly format: typeof BATCH_REPORT_FORMAT;
  readonly list: { readonly file: string; readonly sha256: string };
  readonly status: 'running' | 'succeeded' | 'failed' | 'interrupted';
  readonly jobs: number;
  readonly runs: readonly { readonly pid: number; readonly startedAt: string; readonly finishedAt?: string; readonly resumed: boolean }[];
  readonly updatedAt: string;
  readonly targets: readonly TargetReport[];
}

export interface ReportError {
  readonly reason: 'unreadable-report' | 'list-changed' | 'io-error';
  readonly message: string;
  readonly location: SourceLocation;
}

export function pendingTarget(entry: BatchEntry): TargetReport {
  return {
    id: entry.id, target: entry.target, arch: entry.arch, options: entry.options, line: entry.location.line ?? 0,
    status: 'pending', attempts: 0, cacheHits: 0, built: 0, nodes: [], outputs: [], embeds: [], logs: [],
  };
}

/** Atomic replace: temporary file beside the report, fsync, rename, fsync the folder. */
export async function writeReportFile(path: string, report: BatchReport): Promise<Result<void, ReportError>> {
  try {
    await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
    return ok(undefined);
  } catch (e: unknown) {
    return err({ reason: 'io-error', message: `writing ${path}: ${describeError(e)}`, location: { file: path } });
  }
}

/** The report of an earlier run, for `--resume`; undefined when there is none. */
export async function readReportFile(path: string): Promise<Result<BatchReport | undefined, ReportError>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e: unknown) {
    if (isErrno(e, 'ENOENT')) return ok(undefined);
    return err({ reason: 'io-error', message: `reading ${path}: ${describeError(e)}`, location: { file: path } });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e: unknown) {
    return err({ reason: 'unreadable-report', message: `${path} is not JSON: ${describeError(e)}`, location: { file: path } });
  }
  const report = value as Partial<BatchReport>;
  if (report.format !== BATCH_REPORT_FORMAT || !Array.isArray(report.targets) || typeof report.list?.sha256 !== 'string' || !Array.isArray(report.runs)) {
    return err({ reason: 'unreadable-report', message: `${path} is not a ${BATCH_REPORT_FORMAT} report`, location: { file: path } });
  }
  return ok(report as BatchReport);
}

/**
 * The targets a resumed run starts from: those that succeeded before are kept as they were
 * (marked `fromEarlierRun`); everything else — pending, running when the run was killed, failed,
 * interrupted — is run again, and finds what it had already published in the cache.
 */
export function resumeTargets(entries: readonly BatchEntry[], earlier: BatchReport, listSha256: string, reportPath: string): Result<TargetReport[], ReportError> {
  if (earlier.list.sha256 !== listSha256) {
    return err({ reason: 'list-changed', message: `the list changed since ${reportPath} was written (${earlier.list.file}); start a new run without --resume`, location: { file: reportPath } });
  }
  const before = new Map(earlier.targets.map((t) => [t.id, t]));
  return ok(entries.map((entry) => {
    const old = before.get(entry.id);
    if (old?.status === 'succeeded') return { ...old, fromEarlierRun: true };
    return { ...pendingTarget(entry), attempts: old?.attempts ?? 0 };
  }));
}
