// The whole report as files: an overview, one page per plan, the build timelines, the batch
// matrix and the embeds matrix, each only when its input was given. Pure: the caller (cli/) reads
// the inputs, lays the graphs out and copies the logs, then writes what this returns. The same
// values give the same bytes; the only date on a page is the one the caller passes.
import type { BatchReport, TargetReport } from '../executor/batch/batch-report.js';
import type { BuildReport, BuildReportNode } from '../executor/scheduler/build-report.js';
import type { BuildPlan } from '../plan/plan.js';
import { renderBatchBody } from './batch-page.js';
import { EMBEDS_SCRIPT, renderEmbedsBody, type EmbedsPageInput } from './embeds-page.js';
import { anchor, attr, duration, page, statusBadge, text, type PageLink } from './html.js';
import { renderPlanBody } from './plan-page.js';
import { renderTimelineBody, timelineFacts } from './timeline-page.js';

export interface PlanInput {
  readonly plan: BuildPlan;
  readonly svg?: string;
  readonly svgProblem?: string;
  readonly suites?: readonly string[];
}

export interface BuildInput {
  readonly report: BuildReport;
  readonly file: string;
}

export interface SiteInput {
  readonly plans: readonly PlanInput[];
  readonly builds: readonly BuildInput[];
  readonly batch?: { readonly report: BatchReport; readonly file: string };
  readonly embeds?: EmbedsPageInput;
  /** A log path (as a report names it) → its link in the published folder; undefined when not copied. */
  readonly logHref: (path: string) => string | undefined;
  /** The build report of a batch target, when one is among `builds`. */
  readonly buildOfTarget?: (target: TargetReport) => BuildInput | undefined;
  /** Shown in every footer when given; nothing else on a page depends on the time it was made. */
  readonly generated?: string;
}

export interface SiteFile {
  readonly path: string;
  readonly content: string;
}

const planFile = (i: number): string => `plan-${i + 1}.html`;

export function renderSite(input: SiteInput): SiteFile[] {
  const nav: PageLink[] = [{ href: 'index.html', label: 'Overview' }];
  input.plans.forEach((p, i) => nav.push({ href: planFile(i), label: input.plans.length === 1 ? 'Plan' : `Plan: ${p.plan.target} (${p.plan.arch})` }));
  if (input.builds.length > 0) nav.push({ href: 'builds.html', label: 'Build timeline' });
  if (input.batch !== undefined) nav.push({ href: 'batch.html', label: 'Batch' });
  if (input.embeds !== undefined) nav.push({ href: 'embeds.html', label: 'Embeds' });
  const frame = (current: string, title: string, body: string, script?: string): SiteFile => ({
    path: current,
    content: page({ title, nav, current, body, ...(input.generated === undefined ? {} : { generated: input.generated }), ...(script === undefined ? {} : { script }) }),
  });
  const timelineHref = (b: BuildInput): string => `builds.html#${anchor('timeline', `${b.report.target}@${b.report.arch}`)}`;
  const nodeLog = (n: BuildReportNode): string | undefined => (n.log === undefined ? undefined : input.logHref(n.log));

  const files: SiteFile[] = [];
  const overview: string[] = ['<h1>stubforge report</h1>', '<ul class="overview">'];
  input.plans.forEach((p, i) => {
    files.push(frame(planFile(i), `Plan: ${p.plan.target} on ${p.plan.arch}`, renderPlanBody(p)));
    overview.push(`<li><a href="${planFile(i)}">Plan of ${text(p.plan.target)} on ${text(p.plan.arch)}</a>: ${p.plan.nodes.length} sources, critical path ${text(p.plan.criticalPath.sources.join(' → '))} (${p.plan.criticalPath.seconds} s estimated)</li>`);
  });
  if (input.builds.length > 0) {
    const body = ['<h1>Build timeline</h1>', ...input.builds.map((b) => renderTimelineBody({ report: b.report, file: b.file, logHref: nodeLog }))].join('\n');
    files.push(frame('builds.html', 'Build timeline', body));
    for (const b of input.builds) {
      const facts = timelineFacts(b.report);
      overview.push(`<li><a href="${attr(timelineHref(b))}">Build of ${text(b.report.target)} on ${text(b.report.arch)}</a> ${statusBadge(b.report.exitCode === 0 ? 'succeeded' : 'failed')}: makespan ${duration(b.report.makespanMs)}, lower bound ${duration(facts.boundMs)}</li>`);
    }
  }
  if (input.batch !== undefined) {
    const { report, file } = input.batch;
    const lookup = input.buildOfTarget;
    files.push(frame('batch.html', `Batch: ${report.list.file}`, renderBatchBody({
      report, file, logHref: input.logHref,
      timelineHref: (t) => {
        const b = lookup?.(t);
        return b === undefined ? undefined : timelineHref(b);
      },
    })));
    const failed = report.targets.filter((t) => t.status !== 'succeeded').length;
    overview.push(`<li><a href="batch.html">Batch of ${text(report.list.file)}</a> ${statusBadge(report.status)}: ${report.targets.length} targets, ${failed} not succeeded</li>`);
  }
  if (input.embeds !== undefined) {
    files.push(frame('embeds.html', 'What embeds what', renderEmbedsBody(input.embeds), EMBEDS_SCRIPT));
    overview.push(`<li><a href="embeds.html">What embeds what</a>: ${input.embeds.packages.length} packages read, with a filter as <code>stubforge query embeds</code> answers</li>`);
  }
  overview.push('</ul>');
  if (files.length === 0) overview.push('<p>Nothing to show: give a plan, a build report, a batch report or a repository.</p>');
  files.unshift(frame('index.html', 'stubforge report', overview.join('\n')));
  return files;
}
