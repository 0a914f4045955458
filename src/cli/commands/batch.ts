// `stubforge batch <list>`: build many (target, arch) pairs unattended, `--jobs` targets at a time,
// with a JSON report a CI system archives; `--resume` continues a run that was killed. Exit 0 only
// if every target succeeded. The list format and the report: docs/security-workflow.md.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseBatchFile, type BatchEntry } from '../../executor/batch/batch-file.js';
import { readReportFile, resumeTargets, writeReportFile, type BatchReport } from '../../executor/batch/batch-report.js';
import { batchExitCode, runBatch, type BatchOptions } from '../../executor/batch/batch.js';
import { formatLocation } from '../../model/location.js';
import { newRunId } from '../../runtime/labels.js';
import type { CliCommand, CliContext } from '../command.js';
import { engineSocketOption, projectRoot, resolvePaths } from '../config.js';
import { ExitCode } from '../exit-codes.js';
import { listenForInterrupt } from '../signals.js';
import { buildRunner, targetLogFile } from './batch-runner.js';
import { commandArgs } from '../command-args.js';
import { describeError } from '../../io/describe-error.js';
import { RUNTIME_OPTIONS, RUNTIME_USAGE, type StepRuntimeArgs } from '../../cluster/step-runtime.js';
import { childRuntimeOptions } from './build-steps.js';

const USAGE = 'usage: stubforge batch <list> [options] [-- build options for every target]\n' +
  '  <list>             one "<target> <arch> [build options]" a line; # comments (docs/security-workflow.md)\n' +
  '  --jobs N           targets at a time (default 1)\n' +
  '  --build-jobs N     --jobs of each build (default: the cores, or on a Swarm the cluster\'s capacity,\n' +
  '                     shared among the targets)\n' +
  '  --report FILE      the JSON report, rewritten atomically as targets change (default <list>.report.json)\n' +
  '  --resume           continue the run the report describes: what succeeded is kept, the rest runs again\n' +
  '                     (and finds what it had published in the cache)\n' +
  RUNTIME_USAGE.replace(/where build steps run/, 'where every build\'s steps run') +
  'exit status: 0 every target succeeded, 1 one failed, 2 usage, 130 interrupted\n';

function positiveInt(text: string | undefined, fallback: number): number | undefined {
  if (text === undefined) return fallback;
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

/**
 * One line on the terminal each time a target starts or ends (`[ 3/50] expat@musl-linux-amd64:
 * failed after 212 s ...`), read from the report states runBatch writes after every change.
 */
function batchProgress(out: { write(text: string): unknown }, now: () => number): (report: BatchReport) => void {
  const seen = new Map<string, string>();
  const started = now();
  return (report) => {
    const total = report.targets.length;
    for (const t of report.targets) {
      if (seen.get(t.id) === t.status) continue;
      const first = !seen.has(t.id);
      seen.set(t.id, t.status);
      if (first && (t.status === 'pending' || t.fromEarlierRun === true)) continue;
      const done = report.targets.filter((x) => x.status !== 'pending' && x.status !== 'running').length;
      const elapsed = `${Math.round((now() - started) / 1000)} s elapsed`;
      const detail = t.status === 'running' ? 'started'
        : `${t.status}${t.durationMs === undefined ? '' : ` after ${Math.round(t.durationMs / 1000)} s`}, ${t.built} built, ${t.cacheHits} cached`;
      out.write(`[${String(done).padStart(String(total).length)}/${total}] ${t.id}: ${detail} (${elapsed})\n`);
    }
  };
}

interface BatchArgs {
  readonly listArg: string;
  readonly jobs: number;
  /** `undefined`: the cores (or the Swarm's capacity) shared among the targets at a time. */
  readonly buildJobs: number | undefined;
  readonly report: string | undefined;
  readonly resume: boolean;
  /** Options every build gets (after `--`). */
  readonly common: readonly string[];
  readonly runtime: StepRuntimeArgs;
}

/** The command line, or the exit code when it is asking for help or is wrong (said on stderr). */
function readBatchArgs(argv: readonly string[], ctx: CliContext): BatchArgs | number {
  const split = argv.indexOf('--');
  const own = split < 0 ? argv : argv.slice(0, split);
  const common = split < 0 ? [] : argv.slice(split + 1);
  const parsed = commandArgs('batch', USAGE, {
    args: [...own], allowPositionals: true,
    options: { jobs: { type: 'string', short: 'j' }, 'build-jobs': { type: 'string' }, report: { type: 'string' }, resume: { type: 'boolean' }, help: { type: 'boolean' }, ...RUNTIME_OPTIONS },
  }, ctx);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [listArg, ...extra] = positionals;
  const jobs = positiveInt(values.jobs, 1);
  if (listArg === undefined || extra.length > 0 || jobs === undefined) {
    ctx.stderr.write(USAGE);
    return ExitCode.usage;
  }
  const buildJobs = values['build-jobs'] === undefined ? undefined : positiveInt(values['build-jobs'], 1);
  if (values['build-jobs'] !== undefined && buildJobs === undefined) {
    ctx.stderr.write(`stubforge batch: --build-jobs ${values['build-jobs'] ?? ''}: expected a positive integer\n`);
    return ExitCode.usage;
  }
  const runtime = { runtime: values.runtime, registry: values.registry, placement: values.placement };
  return { listArg, jobs, buildJobs, report: values.report, resume: values.resume === true, common, runtime };
}

/** The batch file's entries and its identity, or the exit code of a list that cannot be read. */
async function readList(listArg: string, ctx: CliContext): Promise<{ entries: BatchEntry[]; list: { file: string; sha256: string } } | number> {
  const listFile = resolve(ctx.cwd, listArg);
  let text: string;
  try {
    text = await readFile(listFile, 'utf8');
  } catch (e: unknown) {
    ctx.stderr.write(`stubforge batch: cannot read ${listFile}: ${describeError(e)}\n`);
    return ExitCode.usage;
  }
  const entries = parseBatchFile(text, listFile);
  if (!entries.ok) {
    for (const e of entries.error) ctx.stderr.write(`${formatLocation(e.location)}: ${e.message}\n`);
    return ExitCode.usage;
  }
  return { entries: entries.value, list: { file: listFile, sha256: createHash('sha256').update(text).digest('hex') } };
}

/** `--resume`: where the earlier run's report leaves off (none when it has no report yet). */
async function resumePoint(entries: readonly BatchEntry[], listSha256: string, reportPath: string, ctx: CliContext): Promise<BatchOptions['resumeFrom'] | number> {
  const earlier = await readReportFile(reportPath);
  if (!earlier.ok) {
    ctx.stderr.write(`stubforge batch: ${earlier.error.message}\n`);
    return ExitCode.usage;
  }
  if (earlier.value === undefined) {
    ctx.stderr.write(`stubforge batch: --resume: no report at ${reportPath}; starting from the beginning\n`);
    return undefined;
  }
  const targets = resumeTargets(entries, earlier.value, listSha256, reportPath);
  if (!targets.ok) {
    ctx.stderr.write(`stubforge batch: ${targets.error.message}\n`);
    return ExitCode.usage;
  }
  const kept = targets.value.filter((t) => t.status === 'succeeded').length;
  ctx.stdout.write(`resuming ${reportPath}: ${kept} of ${targets.value.length} target(s) already succeeded\n`);
  return { targets: targets.value, runs: earlier.value.runs };
}

async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const args = readBatchArgs(argv, ctx);
  if (typeof args === 'number') return args;
  const read = await readList(args.listArg, ctx);
  if (typeof read === 'number') return read;
  const { entries, list } = read;
  const reportPath = resolve(ctx.cwd, args.report ?? `${args.listArg}.report.json`);
  const resumeFrom = args.resume ? await resumePoint(entries, list.sha256, reportPath, ctx) : undefined;
  if (typeof resumeFrom === 'number') return resumeFrom;
  const steps = await childRuntimeOptions(args.runtime, engineSocketOption(ctx.env).socketPath);
  if (!steps.ok) {
    ctx.stderr.write(`stubforge batch: ${steps.error.message}\n`);
    return steps.error.exitCode;
  }
  const buildJobs = args.buildJobs ?? Math.max(1, Math.floor((steps.value.capacity ?? availableParallelism()) / args.jobs));

  const paths = resolvePaths(ctx.env, ctx.cwd);
  const logDir = join(paths.stateDir, 'batch', newRunId(new Date(), process.pid, randomBytes(3).toString('hex')));
  await mkdir(logDir, { recursive: true });
  const runner = buildRunner({ entry: join(projectRoot(), 'bin', 'stubforge.js'), commonOptions: [...steps.value.args, ...args.common], buildJobs, cacheRepo: paths.repoDir, ctx });
  const interrupt = listenForInterrupt();
  const progress = batchProgress(ctx.stdout, Date.now);
  try {
    ctx.stdout.write(`batch of ${entries.length} target(s), ${args.jobs} at a time, ${buildJobs} job(s) each on the ${steps.value.describe}; report ${reportPath}; logs ${logDir}\n`);
    const outcome = await runBatch({
      entries, list, jobs: args.jobs, runner, signal: interrupt.signal, logger: ctx.log,
      logFileOf: (e) => targetLogFile(logDir, e),
      writeReport: (r) => {
        progress(r);
        return writeReportFile(reportPath, r);
      },
      ...(resumeFrom === undefined ? {} : { resumeFrom }),
    });
    for (const t of outcome.report.targets) {
      const time = t.durationMs === undefined ? '' : ` in ${(t.durationMs / 1000).toFixed(1)} s`;
      const earlier = t.fromEarlierRun === true ? ' (earlier run)' : '';
      ctx.stdout.write(`  ${t.id}: ${t.status}${earlier}${time}, ${t.built} built, ${t.cacheHits} cached${t.log === undefined ? '' : `; log ${t.log}`}\n`);
      if (t.error !== undefined && t.status !== 'succeeded') ctx.stdout.write(`    ${t.error}\n`);
    }
    if (outcome.reportError !== undefined) ctx.stderr.write(`stubforge batch: ${outcome.reportError.message}\n`);
    ctx.stdout.write(`batch ${outcome.report.status}: report ${reportPath}\n`);
    return batchExitCode(outcome, { ok: ExitCode.ok, failed: ExitCode.failed, interrupted: ExitCode.interrupted });
  } finally {
    interrupt.dispose();
  }
}

export const command: CliCommand = {
  summary: 'build many (target, arch) pairs from a list, unattended, with a JSON report; --resume after a kill',
  run,
};
