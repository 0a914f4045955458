// The batch matrix: the targets of a `stubforge batch` list down, the partial arches across, each
// cell the target's status, time, attempts and links to its logs (copied into the published
// folder by the caller, which passes their new places). Then every target's error, in full.
import type { BatchReport, TargetReport } from '../executor/batch/batch-report.js';
import { anchor, attr, duration, statusBadge, table, text } from './html.js';

export interface BatchPageInput {
  readonly report: BatchReport;
  readonly file?: string;
  /** A log's link in the published folder; undefined when it was not there to copy. */
  readonly logHref: (path: string) => string | undefined;
  /** The page holding a target's timeline, when its build report was found. */
  readonly timelineHref?: (target: TargetReport) => string | undefined;
}

function rowLabel(t: TargetReport): string {
  return t.options.length === 0 ? t.target : `${t.target} ${t.options.join(' ')}`;
}

function cell(t: TargetReport, input: BatchPageInput): string {
  const parts = [statusBadge(t.status)];
  if (t.durationMs !== undefined) parts.push(`<span class="duration">${duration(t.durationMs)}</span>`);
  parts.push(`<span class="muted">${t.attempts} attempt${t.attempts === 1 ? '' : 's'}${t.fromEarlierRun === true ? ', earlier run' : ''}</span>`);
  parts.push(`<span class="muted">${t.built} built, ${t.cacheHits} cached</span>`);
  const links: string[] = [];
  const own = t.log === undefined ? undefined : input.logHref(t.log);
  if (own !== undefined) links.push(`<a class="log" href="${attr(own)}">target log</a>`);
  const nodeLogs = t.logs.filter((l) => l !== t.log);
  nodeLogs.forEach((l) => {
    const href = input.logHref(l);
    if (href !== undefined) links.push(`<a class="log" href="${attr(href)}" title="${attr(l)}">${text(l.split('/').pop() ?? l)}</a>`);
  });
  const timeline = input.timelineHref?.(t);
  if (timeline !== undefined) links.push(`<a href="${attr(timeline)}">timeline</a>`);
  if (t.error !== undefined) links.push(`<a href="#${attr(anchor('error', t.id))}">error</a>`);
  return `<div id="${attr(anchor('cell', t.id))}">${parts.join('<br>')}${links.length === 0 ? '' : `<br>${links.join(' · ')}`}</div>`;
}

export function renderBatchBody(input: BatchPageInput): string {
  const { report } = input;
  const arches = [...new Set(report.targets.map((t) => t.arch))].sort();
  const rows = new Map<string, TargetReport[]>();
  for (const t of report.targets) rows.set(rowLabel(t), [...(rows.get(rowLabel(t)) ?? []), t]);
  const out: string[] = [];
  out.push(`<h1>Batch: <code>${text(report.list.file)}</code> ${statusBadge(report.status)}</h1>`);
  if (input.file !== undefined) out.push(`<p class="muted">from <code>${text(input.file)}</code>; list sha256 <code>${text(report.list.sha256.slice(0, 16))}</code>; updated ${text(report.updatedAt)}</p>`);
  const by = (s: string): number => report.targets.filter((t) => t.status === s).length;
  out.push('<div class="facts">',
    `<div><b>${report.targets.length}</b>targets</div>`,
    ...['succeeded', 'failed', 'interrupted', 'running', 'pending'].filter((s) => by(s) > 0).map((s) => `<div><b>${by(s)}</b>${s}</div>`),
    `<div><b>${report.runs.length}</b>run${report.runs.length === 1 ? '' : 's'}${report.runs.some((r) => r.resumed) ? ' (resumed)' : ''}</div>`,
    `<div><b>${report.jobs}</b>targets at a time</div>`,
    '</div>');
  const matrix = [...rows].map(([label, targets]) => [
    `<span class="mono">${text(label)}</span>`,
    ...arches.map((arch) => targets.filter((t) => t.arch === arch).map((t) => cell(t, input)).join('<hr>')),
  ]);
  out.push(table(['target', ...arches], matrix, ' id="batch-matrix"'));
  const failed = report.targets.filter((t) => t.error !== undefined);
  if (failed.length > 0) {
    out.push('<h2>Errors</h2>');
    for (const t of failed) {
      out.push(`<h3 id="${attr(anchor('error', t.id))}">${text(rowLabel(t))} on ${text(t.arch)} <span class="muted">(line ${t.line})</span></h3>`, `<pre>${text(t.error ?? '')}</pre>`);
    }
  }
  out.push('<h2>Outputs</h2>');
  out.push(table(['target', 'arch', 'package', 'version', 'embeds'], report.targets.filter((t) => t.outputs.length > 0).map((t) => [
    text(t.target), text(t.arch), text(t.outputs.map((o) => o.package).join(', ')), text([...new Set(t.outputs.map((o) => o.version))].join(', ')),
    text(t.embeds.map((e) => `${e.source} ${e.version}`).join(', ')),
  ])));
  return out.join('\n');
}
