// `stubforge report --out DIR`: a static HTML site of what stubforge knows, for a CI job to publish
// as it is: the plan graph of a target (laid out by Graphviz), the build timelines of build
// reports, the batch matrix of a batch report (with each target's timeline, from the build report
// kept beside its log), and the embeds matrix of the repositories. No server, nothing fetched by
// the pages. docs/report.md.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { commandArgs } from '../command-args.js';
import type { BatchReport, TargetReport } from '../../executor/batch/batch-report.js';
import { planGraphDot } from '../../report/plan-page.js';
import { renderSite, type BuildInput, type PlanInput } from '../../report/site.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode, exitCodeOfSiteWriteError } from '../exit-codes.js';
import { buildReportFile } from './batch-runner.js';
import { planTarget } from './planned-target.js';
import { LogCopies, describeSiteWriteError, layOutDot, readBatchReport, readBuildReport, readEmbeds, writeSite } from './report-inputs.js';
import { OUTPUT_REPO_USAGE, securityPaths } from './security-inputs.js';
import { fail, SOLVER_OPTIONS, SOLVER_USAGE } from './solver-inputs.js';

const USAGE = 'usage: stubforge report --out DIR [inputs] [options]\n' +
  '  --out DIR            the folder to write (created; an earlier report there is replaced)\n' +
  '  --plan TARGET        the plan graph of TARGET (repeatable), planned with the options below\n' +
  '  --build-report FILE  a build\'s timeline, from `stubforge build --report FILE` (repeatable)\n' +
  '  --batch-report FILE  the batch matrix, from `stubforge batch --report FILE`; each target\'s\n' +
  '                       build report beside its log adds its timeline\n' +
  '  --repo DIR|URL       the embeds matrix from this apt repository (repeatable)\n' +
  '  --no-default-repos   do not read the output repository and the build cache for the embeds matrix\n' +
  OUTPUT_REPO_USAGE +
  '  --date TEXT          the generation date shown in each footer (default none: the same inputs\n' +
  '                       give the same bytes)\n' +
  '  --dot PATH           Graphviz\'s dot (default: dot on PATH)\n' +
  SOLVER_USAGE +
  'exit status: 0 written, 2 usage or an unreadable input, 3 no plan, 4 the archive, 1 the folder could not be written\n';

const OPTIONS = {
  ...SOLVER_OPTIONS,
  out: { type: 'string' }, plan: { type: 'string', multiple: true }, 'build-report': { type: 'string', multiple: true },
  'batch-report': { type: 'string' }, repo: { type: 'string', multiple: true }, 'no-default-repos': { type: 'boolean' },
  'output-repo': { type: 'string' }, date: { type: 'string' }, dot: { type: 'string', default: 'dot' },
} as const;

async function plansOf(targets: readonly string[], values: Parameters<typeof planTarget>[1], dotPath: string, ctx: CliContext): Promise<PlanInput[] | number> {
  const plans: PlanInput[] = [];
  for (const target of targets) {
    const answer = await planTarget(target, values, ctx);
    if (!answer.ok) return fail(ctx, 'report', answer.error);
    const { outcome, suites } = answer.value;
    if (outcome.kind === 'unsolvable') return fail(ctx, 'report', { message: `no plan for ${target}: ${outcome.problems.length} problem(s) (stubforge plan ${target} says which)`, exitCode: ExitCode.unsolvable });
    if (outcome.kind === 'cycle') return fail(ctx, 'report', { message: `dependency cycle among ${outcome.remaining.join(', ')}`, exitCode: ExitCode.unsolvable });
    const svg = await layOutDot(planGraphDot(outcome.plan), dotPath);
    if (!svg.ok) ctx.stderr.write(`stubforge report: the plan graph of ${target} is left out: ${svg.error}\n`);
    plans.push({ plan: outcome.plan, suites, ...(svg.ok ? { svg: svg.value } : { svgProblem: svg.error }) });
  }
  return plans;
}

async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const parsed = commandArgs('report', USAGE, { args: [...argv], allowPositionals: false, options: OPTIONS }, ctx, { blankLineAfterUsage: true });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  if (values.out === undefined) return fail(ctx, 'report', { message: `--out DIR is needed\n${USAGE}`, exitCode: ExitCode.usage });
  const out = resolve(ctx.cwd, values.out);
  const usage = (message: string): number => fail(ctx, 'report', { message, exitCode: ExitCode.usage });

  const builds: BuildInput[] = [];
  for (const file of values['build-report'] ?? []) {
    const path = resolve(ctx.cwd, file);
    const report = await readBuildReport(path);
    if (!report.ok) return usage(report.error);
    builds.push({ report: report.value, file: path });
  }

  let batch: { report: BatchReport; file: string } | undefined;
  const ofTarget = new Map<string, BuildInput>();
  if (values['batch-report'] !== undefined) {
    const file = resolve(ctx.cwd, values['batch-report']);
    const report = await readBatchReport(file);
    if (!report.ok) return usage(report.error);
    batch = { report: report.value, file };
    for (const t of report.value.targets) {
      const beside = t.log === undefined ? undefined : buildReportFile(t.log);
      if (beside === undefined || !existsSync(beside)) continue;
      const read = await readBuildReport(beside);
      // A target killed mid-write has no report to read: the matrix still shows it, without a timeline.
      if (!read.ok) {
        ctx.stderr.write(`stubforge report: no timeline for ${t.target} on ${t.arch}: ${read.error}\n`);
        continue;
      }
      const input = { report: read.value, file: beside };
      builds.push(input);
      ofTarget.set(t.id, input);
    }
  }

  const plans = await plansOf(values.plan ?? [], values, values.dot, ctx);
  if (typeof plans === 'number') return plans;

  const paths = securityPaths(ctx, values['output-repo']);
  const repos = [
    ...(values['no-default-repos'] === true ? [] : [paths.outputRepo, paths.cacheRepo].filter((d) => existsSync(d))),
    ...(values.repo ?? []).map((r) => (/^[a-z]+:/.test(r) ? r : resolve(ctx.cwd, r))),
  ];
  const embeds = repos.length === 0 ? undefined : await readEmbeds(repos);
  for (const e of embeds?.errors ?? []) ctx.stderr.write(`stubforge report: ${e}\n`);

  const logs = new LogCopies();
  const files = renderSite({
    plans, builds, ...(batch === undefined ? {} : { batch }), ...(embeds === undefined ? {} : { embeds }),
    logHref: (path) => logs.href(path),
    buildOfTarget: (t: TargetReport) => ofTarget.get(t.id),
    ...(values.date === undefined ? {} : { generated: values.date }),
  });
  const written = await writeSite(out, files, logs);
  if (!written.ok) return fail(ctx, 'report', { message: describeSiteWriteError(written.error), exitCode: exitCodeOfSiteWriteError(written.error) });
  ctx.stdout.write(`report written to ${out}: ${files.map((f) => f.path).join(', ')}\n`);
  return ExitCode.ok;
}

export const command: CliCommand = {
  summary: 'a static HTML report (plan graph, build timeline, batch matrix, embeds matrix) for CI to publish',
  run,
};
