// The build timeline of one `stubforge build --report FILE`: one bar per node at the time its
// build slot was taken and let go (cached nodes as a mark at the start), the longest chain of this
// run's build times through the plan's dependencies in red, and the makespan beside its lower
// bound max(longest chain, total work / jobs): what no schedule with that many slots could beat.
// A report written before nodes carried their times and dependencies gets the table only.
import type { BuildReport, BuildReportNode } from '../executor/scheduler/build-report.js';
import { anchor, attr, duration, statusBadge, table, text } from './html.js';

export interface Chain {
  readonly sources: readonly string[];
  readonly ms: number;
}

export interface TimelineFacts {
  /** This run's build time per node: built and failed nodes count their time, the rest 0. */
  readonly totalWorkMs: number;
  readonly longest: Chain;
  /** max(longest chain, total work / jobs); the chain alone when the report does not say how many builds ran at a time. */
  readonly boundMs: number;
  readonly boundFrom: 'chain' | 'work';
  readonly haveTimes: boolean;
}

function took(n: BuildReportNode): number {
  return n.status === 'built' || n.status === 'failed' ? n.durationMs ?? 0 : 0;
}

/** The longest chain of build times through the dependencies (nodes in plan order, so dependencies first). */
export function longestChain(nodes: readonly BuildReportNode[]): Chain {
  const best = new Map<string, Chain>();
  for (const n of nodes) {
    const before = (n.depends ?? []).map((d) => best.get(d)).filter((c): c is Chain => c !== undefined).sort((a, b) => b.ms - a.ms)[0];
    best.set(n.source, { sources: [...(before?.sources ?? []), n.source], ms: (before?.ms ?? 0) + took(n) });
  }
  return [...best.values()].sort((a, b) => b.ms - a.ms)[0] ?? { sources: [], ms: 0 };
}

export function timelineFacts(report: BuildReport): TimelineFacts {
  const longest = longestChain(report.nodes);
  const totalWorkMs = report.nodes.reduce((sum, n) => sum + took(n), 0);
  const spread = report.jobs === undefined ? 0 : totalWorkMs / report.jobs;
  return {
    totalWorkMs, longest, boundMs: Math.max(longest.ms, spread), boundFrom: spread > longest.ms ? 'work' : 'chain',
    haveTimes: report.nodes.some((n) => n.startMs !== undefined),
  };
}

const BAR_COLOUR: Readonly<Record<string, string>> = { built: '#2e7d32', failed: '#c4302b', cached: '#6d9fd6', unfinished: '#c4302b' };

/** The bars as SVG: a label column, a time axis, one row per node. */
function timelineSvg(report: BuildReport, onChain: ReadonlySet<string>): string {
  const rowH = 26;
  const labelW = 190;
  const plotW = 720;
  const top = 24;
  const end = Math.max(report.makespanMs, ...report.nodes.map((n) => n.endMs ?? 0), 1);
  const x = (ms: number): number => labelW + Math.round((ms / end) * plotW * 10) / 10;
  const height = top + report.nodes.length * rowH + 8;
  const out: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${labelW + plotW + 20} ${height}" width="${labelW + plotW + 20}" height="${height}" role="img" aria-labelledby="timeline-title" font-family="system-ui,sans-serif" font-size="12">`];
  out.push(`<title id="timeline-title">Build timeline of ${text(report.target)} on ${text(report.arch)}</title>`);
  for (let i = 0; i <= 4; i++) {
    const ms = (end * i) / 4;
    out.push(`<line x1="${x(ms)}" x2="${x(ms)}" y1="${top - 6}" y2="${height - 4}" stroke="#d5d9e0"/>`,
      `<text x="${x(ms)}" y="${top - 10}" text-anchor="${i === 4 ? 'end' : 'middle'}" fill="#5d6675">${text(duration(ms))}</text>`);
  }
  report.nodes.forEach((n, i) => {
    const y = top + i * rowH;
    const critical = onChain.has(n.source);
    out.push(`<g class="bar status-${attr(n.status)}${critical ? ' critical' : ''}" data-source="${attr(n.source)}">`);
    out.push(`<text x="${labelW - 8}" y="${y + 17}" text-anchor="end"${critical ? ' font-weight="bold" fill="#c4302b"' : ''}>${text(n.source)}</text>`);
    const colour = BAR_COLOUR[n.status] ?? '#b08900';
    const tip = `${n.source} ${n.version}: ${n.status}${n.durationMs === undefined ? '' : ` in ${duration(n.durationMs)}`}`;
    if (n.startMs !== undefined && n.endMs !== undefined) {
      const w = Math.max(2, x(n.endMs) - x(n.startMs));
      out.push(`<rect x="${x(n.startMs)}" y="${y + 4}" width="${Math.round(w * 10) / 10}" height="${rowH - 8}" rx="3" fill="${colour}"${critical ? ' stroke="#c4302b" stroke-width="2.5"' : ''}><title>${text(tip)}</title></rect>`);
      // The time beside the bar, or inside its end when the bar reaches the right edge.
      const inside = x(n.endMs) + 70 > labelW + plotW && w > 70;
      out.push(inside
        ? `<text x="${x(n.endMs) - 6}" y="${y + 17}" text-anchor="end" fill="#fff">${text(duration(n.endMs - n.startMs))}</text>`
        : `<text x="${x(n.endMs) + 4}" y="${y + 17}" fill="#1d2330">${text(duration(n.endMs - n.startMs))}</text>`);
    } else {
      // Cached (found at lookup), skipped or not built: no build slot, a mark at the start.
      out.push(`<rect x="${labelW}" y="${y + 8}" width="8" height="${rowH - 16}" fill="${colour}" opacity="0.8"><title>${text(tip)}</title></rect>`);
      out.push(`<text x="${labelW + 14}" y="${y + 17}" fill="#5d6675">${text(n.status)}</text>`);
    }
    out.push('</g>');
  });
  out.push('</svg>');
  return out.join('\n');
}

export interface TimelineInput {
  readonly report: BuildReport;
  /** Where the report was read (shown), and each node's log as a link in the published folder. */
  readonly file?: string;
  readonly logHref?: (node: BuildReportNode) => string | undefined;
}

export function renderTimelineBody(input: TimelineInput): string {
  const { report } = input;
  const facts = timelineFacts(report);
  const onChain = new Set(facts.longest.ms > 0 ? facts.longest.sources : []);
  const count = (s: string): number => report.nodes.filter((n) => n.status === s).length;
  const ratio = facts.boundMs > 0 ? report.makespanMs / facts.boundMs : undefined;
  const out: string[] = [];
  out.push(`<section class="timeline" id="${attr(anchor('timeline', `${report.target}@${report.arch}`))}">`);
  out.push(`<h2>${text(report.target)} on ${text(report.arch)} ${statusBadge(report.exitCode === 0 ? 'succeeded' : report.interrupted ? 'interrupted' : 'failed')}</h2>`);
  if (input.file !== undefined) out.push(`<p class="muted">from <code>${text(input.file)}</code>, exit code ${report.exitCode}</p>`);
  out.push('<div class="facts">',
    `<div><b class="makespan">${duration(report.makespanMs)}</b>makespan</div>`,
    `<div><b class="bound">${facts.boundMs > 0 ? duration(facts.boundMs) : '—'}</b>lower bound (${facts.boundFrom === 'chain' ? 'longest chain' : `total work / ${report.jobs ?? '?'} jobs`})</div>`,
    `<div><b>${ratio === undefined ? '—' : ratio.toFixed(2)}</b>makespan / bound</div>`,
    `<div><b>${count('built')}</b>built</div>`,
    `<div><b>${count('cached')}</b>cached</div>`,
    ...(count('failed') > 0 ? [`<div><b>${count('failed')}</b>failed</div>`] : []),
    `<div><b>${duration(facts.totalWorkMs)}</b>total work${report.jobs === undefined ? '' : ` on ${report.jobs} job(s)`}</div>`,
    '</div>');
  out.push(facts.longest.ms > 0
    ? `<p>Longest chain of this run's build times: ${facts.longest.sources.map((s) => `<span class="mono">${text(s)}</span>`).join(' → ')} (${duration(facts.longest.ms)})</p>`
    : '<p>Nothing was built: every node came from the cache.</p>');
  out.push(facts.haveTimes ? timelineSvg(report, onChain) : '<p class="muted">This report does not carry start and end times (written by an older stubforge): table only.</p>');
  out.push(table(['source', 'version', 'status', 'start', 'time', 'key', 'log', 'note'], report.nodes.map((n) => {
    const href = input.logHref?.(n);
    return [
      `${text(n.source)}${onChain.has(n.source) ? ' <span class="status status-failed" title="on the longest chain">●</span>' : ''}`,
      `<code>${text(n.version)}</code>`, statusBadge(n.status),
      n.startMs === undefined ? '' : duration(n.startMs), n.durationMs === undefined ? '' : duration(n.durationMs),
      n.key === undefined ? '' : `<code title="${attr(n.key)}">${text(n.key.slice(0, 12))}</code>`,
      href === undefined ? '' : `<a href="${attr(href)}">log</a>`,
      text(n.failure ?? n.reason ?? ''),
    ];
  })));
  out.push('</section>');
  return out.join('\n');
}
