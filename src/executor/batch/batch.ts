// `stubforge batch`: many (target, arch) builds from a list, `jobs` at a time, unattended. Each
// target is run by the runner it is given (the CLI's runs `stubforge build` in a child process,
// with its own log); this module orders the work and keeps the report: every change of a target's
// state is written at once, atomically, so a run killed at any moment leaves a report that says
// what finished, and `--resume` runs only the rest. What a killed target had published is in the
// repository already (publishing is atomic per key), so running it again is a cache hit for each
// of those keys and builds only what was missing.
import PQueue from 'p-queue';
import type { Logger } from '../../log/logger.js';
import type { BatchEntry } from './batch-file.js';
import {
  BATCH_REPORT_FORMAT, pendingTarget, type BatchReport, type NodeRecord, type OutputRecord, type ReportError, type TargetReport,
} from './batch-report.js';
import { describeError } from '../../io/describe-error.js';

export interface TargetRunResult {
  readonly status: 'succeeded' | 'failed' | 'interrupted';
  readonly exitCode: number;
  readonly nodes: readonly NodeRecord[];
  readonly outputs: readonly OutputRecord[];
  readonly embeds: readonly { readonly source: string; readonly version: string }[];
  readonly error?: string;
}

export interface TargetRunContext {
  /** Where the runner writes the target's output. */
  readonly logFile: string;
  readonly signal: AbortSignal;
}

export type TargetRunner = (entry: BatchEntry, context: TargetRunContext) => Promise<TargetRunResult>;

export interface BatchOptions {
  readonly entries: readonly BatchEntry[];
  readonly list: { readonly file: string; readonly sha256: string };
  readonly jobs: number;
  readonly runner: TargetRunner;
  /** The log file of one target. */
  readonly logFileOf: (entry: BatchEntry) => string;
  /** Writes the report (atomically); called after every change, one call at a time. */
  readonly writeReport: (report: BatchReport) => Promise<{ readonly ok: true } | { readonly ok: false; readonly error: ReportError }>;
  /** Where `--resume` starts: the targets of the earlier run (resumeTargets). */
  readonly resumeFrom?: { readonly targets: readonly TargetReport[]; readonly runs: BatchReport['runs'] };
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  readonly pid?: number;
  readonly logger?: Logger;
}

export interface BatchOutcome {
  readonly report: BatchReport;
  /** A report write failed: the run stopped starting targets (CI must not archive a stale report). */
  readonly reportError?: ReportError;
}

export async function runBatch(options: BatchOptions): Promise<BatchOutcome> {
  const now = options.now ?? (() => new Date());
  const started = now().toISOString();
  const targets = new Map<string, TargetReport>(
    (options.resumeFrom?.targets ?? options.entries.map(pendingTarget)).map((t) => [t.id, t]),
  );
  const runs: BatchReport['runs'][number][] = [...(options.resumeFrom?.runs ?? []), { pid: options.pid ?? process.pid, startedAt: started, resumed: options.resumeFrom !== undefined }];
  let status: BatchReport['status'] = 'running';
  let reportError: ReportError | undefined;
  const stop = new AbortController();
  const onAbort = (): void => {
    stop.abort();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const snapshot = (): BatchReport => ({
    format: BATCH_REPORT_FORMAT, list: options.list, status, jobs: options.jobs, runs, updatedAt: now().toISOString(),
    targets: options.entries.map((e) => targets.get(e.id) ?? pendingTarget(e)),
  });
  // One write at a time, each of the state at the time it runs: the last write is the latest state.
  let writing: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    writing = writing.then(async () => {
      const written = await options.writeReport(snapshot());
      if (!written.ok && reportError === undefined) {
        reportError = written.error;
        options.logger?.error({ problem: written.error.message }, 'batch report could not be written; starting no more targets');
        stop.abort();
      }
    });
    return writing;
  };
  const update = (id: string, change: Partial<TargetReport>): Promise<void> => {
    const before = targets.get(id);
    if (before !== undefined) targets.set(id, { ...before, ...change });
    return save();
  };

  await save();
  const queue = new PQueue({ concurrency: Math.max(1, options.jobs) });
  for (const entry of options.entries) {
    if (targets.get(entry.id)?.status === 'succeeded') continue;
    void queue.add(() => runTarget(entry, { options, now, stop: stop.signal, before: () => targets.get(entry.id), update }));
  }
  await queue.onIdle();
  options.signal?.removeEventListener('abort', onAbort);
  const all = [...targets.values()];
  status = options.signal?.aborted === true || all.some((t) => t.status === 'interrupted')
    ? 'interrupted'
    : all.every((t) => t.status === 'succeeded') ? 'succeeded' : 'failed';
  const last = runs.pop();
  if (last !== undefined) runs.push({ ...last, finishedAt: now().toISOString() });
  await save();
  await writing;
  return { report: snapshot(), ...(reportError === undefined ? {} : { reportError }) };
}

interface TargetJob {
  readonly options: BatchOptions;
  readonly now: () => Date;
  readonly stop: AbortSignal;
  /** The target's report when its turn comes. */
  readonly before: () => TargetReport | undefined;
  readonly update: (id: string, change: Partial<TargetReport>) => Promise<void>;
}

/** One target: started (or marked interrupted), run, and its facts put into the report. */
async function runTarget(entry: BatchEntry, job: TargetJob): Promise<void> {
  const { options, now, update } = job;
  const before = job.before();
  if (job.stop.aborted) {
    await update(entry.id, { status: 'interrupted' });
    return;
  }
  const logFile = options.logFileOf(entry);
  const t0 = now();
  await update(entry.id, { status: 'running', attempts: (before?.attempts ?? 0) + 1, startedAt: t0.toISOString(), log: logFile });
  const log = options.logger?.child({ target: entry.id });
  log?.info({ logFile }, 'target started');
  let result: TargetRunResult;
  try {
    result = await options.runner(entry, { logFile, signal: job.stop });
  } catch (e: unknown) {
    // A runner that throws is a bug in it; the batch goes on and says so in the report.
    result = { status: 'failed', exitCode: -1, nodes: [], outputs: [], embeds: [], error: describeError(e) };
  }
  const t1 = now();
  log?.info({ status: result.status, exitCode: result.exitCode }, 'target finished');
  await update(entry.id, {
    status: result.status, exitCode: result.exitCode, finishedAt: t1.toISOString(), durationMs: t1.getTime() - t0.getTime(),
    nodes: result.nodes, outputs: result.outputs, embeds: result.embeds,
    cacheHits: result.nodes.filter((n) => n.status === 'cached').length,
    built: result.nodes.filter((n) => n.status === 'built').length,
    logs: [logFile, ...result.nodes.flatMap((n) => (n.log === undefined ? [] : [n.log]))],
    ...(result.error === undefined ? {} : { error: result.error }),
  });
}

/** Exit code of a batch: 0 only if every target succeeded. */
export function batchExitCode(outcome: BatchOutcome, codes: { readonly ok: number; readonly failed: number; readonly interrupted: number }): number {
  if (outcome.reportError !== undefined) return codes.failed;
  switch (outcome.report.status) {
    case 'succeeded':
      return codes.ok;
    case 'interrupted':
      return codes.interrupted;
    case 'failed':
    case 'running':
      return codes.failed;
  }
}
