// How `stubforge batch` runs one target: `stubforge build <target> --arch <arch> <options>
// --report FILE` as a child process, its output (progress, summary, and the JSON node events at
// log level info) into the target's log file, and afterwards the report's facts read back from the
// build's report (build-report.ts; from the node events in its log only when the build died before
// writing it) and from the build cache: which nodes were cached or built, the packages each key
// published, the sources they embed. A child per target keeps one target's crash away from the others and gives each its
// own log; the build itself is the same code a user runs.
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openRepo } from '../../cache/apt-repo.js';
import { nodesOfBuildLog } from '../../executor/batch/batch-build-log.js';
import type { BatchEntry } from '../../executor/batch/batch-file.js';
import type { NodeRecord, OutputRecord } from '../../executor/batch/batch-report.js';
import { parseBuildReport, type BuildReport } from '../../executor/scheduler/build-report.js';
import type { TargetRunner, TargetRunResult } from '../../executor/batch/batch.js';
import type { CacheKey } from '../../model/brand.js';
import { describeError } from '../../io/describe-error.js';
import { runProcess } from '../../io/process.js';
import { err, type Result } from '../../model/result.js';
import type { CliContext } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { isErrno } from '../../io/errno.js';
import { describeRepoError } from '../cache-messages.js';

export interface BuildRunnerSettings {
  /** The stubforge entry script (bin/stubforge.js) run with this Node. */
  readonly entry: string;
  /** Options every build gets (after `--` on the batch command line), then the entry's own. */
  readonly commonOptions: readonly string[];
  /** `--jobs` of each build. */
  readonly buildJobs: number;
  readonly cacheRepo: string;
  readonly ctx: CliContext;
}

export function buildRunner(settings: BuildRunnerSettings): TargetRunner {
  return async (entry, { logFile, signal }) => {
    await mkdir(dirname(logFile), { recursive: true });
    const argv = [settings.entry, 'build', entry.target, '--arch', entry.arch, '--jobs', String(settings.buildJobs), ...settings.commonOptions, ...entry.options];
    const exit = await runBuildChild(argv, logFile, settings.ctx, signal);
    const nodes = exit.nodes;
    const facts = await publishedFacts(nodes.flatMap((n) => (n.key !== undefined && (n.status === 'built' || n.status === 'cached') ? [n.key] : [])), settings);
    const status: TargetRunResult['status'] = exit.code === 0 ? 'succeeded' : exit.code === ExitCode.interrupted || signal.aborted ? 'interrupted' : 'failed';
    const error = exit.failure ?? (status === 'failed' ? `stubforge build exited ${String(exit.code)} (see ${logFile})` : undefined);
    const problems = [...(error === undefined ? [] : [error]), ...(exit.reportProblem === undefined ? [] : [exit.reportProblem]), ...facts.problems];
    return { status, exitCode: exit.code ?? -1, nodes, outputs: facts.outputs, embeds: facts.embeds, ...(problems.length === 0 ? {} : { error: problems.join('; ') }) };
  };
}

export interface BuildChildResult {
  readonly code: number | null;
  readonly failure?: string;
  /** What each node came to: from the build's report, or from its log when it wrote none. */
  readonly nodes: readonly NodeRecord[];
  /** The report was there but could not be read (the nodes then come from the log). */
  readonly reportProblem?: string;
}

/** The report file of a build whose output goes to `logFile`: beside it. */
export function buildReportFile(logFile: string): string {
  return `${logFile.replace(/\.log$/, '')}.report.json`;
}

/**
 * Run `node <argv> --report FILE` (a `stubforge build`) with its output appended to `logFile`;
 * SIGINT on abort. The nodes come from the report it writes when it ends; a build that died before
 * writing it (SIGKILL, out of memory) is read from the node events in its log.
 */
export async function runBuildChild(argv: readonly string[], logFile: string, ctx: CliContext, signal: AbortSignal): Promise<BuildChildResult> {
  const reportFile = buildReportFile(logFile);
  // A report of an earlier attempt (--resume) must not stand for this one.
  await rm(reportFile, { force: true });
  const exit = await runChild([...argv, '--report', reportFile], logFile, ctx, signal);
  let report: Result<BuildReport, string> | undefined;
  try {
    report = parseBuildReport(await readFile(reportFile, 'utf8'), reportFile);
  } catch (error: unknown) {
    if (!isErrno(error, 'ENOENT')) report = err(`${reportFile}: ${describeError(error)}`);
  }
  const fromLog = async (): Promise<NodeRecord[]> => nodesOfBuildLog(await readFile(logFile, 'utf8').catch(() => ''));
  if (report?.ok === true) return { ...exit, nodes: report.value.nodes };
  return { ...exit, nodes: await fromLog(), ...(report === undefined ? {} : { reportProblem: report.error }) };
}

async function runChild(argv: readonly string[], logFile: string, ctx: CliContext, signal: AbortSignal): Promise<{ code: number | null; failure?: string }> {
  const log = await open(logFile, 'a', 0o644);
  try {
    await log.write(`$ stubforge ${argv.slice(1).join(' ')}\n`);
    // Unattended: no terminal, and the node events at info level for the report. A stop of the
    // batch stops the build the way a user's Ctrl-C does (SIGINT): it removes its containers.
    const ran = await runProcess(process.execPath, [...argv], {
      cwd: ctx.cwd,
      env: { ...ctx.env, STUBFORGE_LOG_LEVEL: 'info' },
      stdoutFd: log.fd,
      stderrFd: log.fd,
      signal,
      killSignal: 'SIGINT',
    });
    if (ran.failure !== undefined) return { code: null, failure: `cannot run stubforge build: ${ran.failure}` };
    return ran.signal === undefined ? { code: ran.code } : { code: null, failure: `stubforge build ended by ${ran.signal}` };
  } finally {
    await log.close();
  }
}

/** The packages published under the keys, and the sources they were built from. */
async function publishedFacts(keys: readonly string[], settings: BuildRunnerSettings): Promise<{ outputs: OutputRecord[]; embeds: { source: string; version: string }[]; problems: string[] }> {
  const outputs: OutputRecord[] = [];
  const embeds = new Map<string, { source: string; version: string }>();
  const problems: string[] = [];
  if (keys.length === 0) return { outputs, embeds: [], problems };
  const repo = await openRepo(settings.cacheRepo, { logger: settings.ctx.log });
  if (!repo.ok) return { outputs, embeds: [], problems: [`build cache ${settings.cacheRepo}: ${describeRepoError(repo.error)}`] };
  for (const key of keys) {
    const entry = await repo.value.lookup(key as CacheKey);
    if (!entry.ok) {
      problems.push(`${key}: ${describeRepoError(entry.error)}`);
      continue;
    }
    if (entry.value === undefined) {
      problems.push(`${key}: reported published, not in ${settings.cacheRepo}`);
      continue;
    }
    embeds.set(`${entry.value.meta.source} ${entry.value.meta.sourceVersion}`, { source: entry.value.meta.source, version: entry.value.meta.sourceVersion });
    for (const deb of entry.value.debs) outputs.push({ package: deb.package, version: deb.version, file: join(settings.cacheRepo, deb.filename), key });
  }
  return { outputs, embeds: [...embeds.values()].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0)), problems };
}

/** The log file of one entry in a run's log folder. */
export function targetLogFile(logDir: string, entry: BatchEntry): string {
  return join(logDir, `${entry.location.line ?? 0}-${entry.id.replace(/[^A-Za-z0-9.+@-]/g, '_')}.log`);
}
