// The plan page: the graph Graphviz laid out from the plan's own dot rendering (plan/render.ts,
// with the page style: roles coloured, the critical path in red, a tooltip and a link on every
// node), and beside it the same facts as tables a reader without the picture (or without
// JavaScript: the page has none) can read: sources, native tools, dropped relations, warnings.
import { describeWarning } from '../solver/describe.js';
import type { NativeTool, SolveEdge } from '../solver/types.js';
import type { BuildPlan, PlanNode } from '../plan/plan.js';
import { renderPlanDot } from '../plan/render.js';
import { anchor, attr, text, table } from './html.js';

export const NATIVE_PREFIX = 'native:';

/** The row of a source (or `native:<binary>`) in the page's tables. */
export function planRowId(source: string): string {
  return source.startsWith(NATIVE_PREFIX) ? anchor('native', source.slice(NATIVE_PREFIX.length)) : anchor('src', source);
}

/** Dropped relations held by each source, for the tooltips and the aside. */
function droppedBySource(plan: BuildPlan): Map<string, SolveEdge[]> {
  const out = new Map<string, SolveEdge[]>();
  for (const e of plan.dropped) out.set(e.from, [...(out.get(e.from) ?? []), e]);
  return out;
}

/** Build profiles named by the drops of a source (`<!nocheck>` ...), and those that would break a cycle. */
function profilesOf(edges: readonly SolveEdge[]): string[] {
  const names = new Set<string>();
  for (const e of edges) {
    for (const d of e.drops ?? []) if (d.kind === 'profile') for (const m of d.relation.matchAll(/<([^>]*)>/g)) names.add(m[1]?.trim() ?? '');
    for (const p of e.breakingProfiles ?? []) names.add(p);
  }
  names.delete('');
  return [...names].sort();
}

function chain(node: PlanNode): string {
  if (node.why.length === 0) return node.kind === 'application' ? 'the target (application recipe)' : 'the target';
  const last = node.why[node.why.length - 1];
  return `${node.why.map((e) => e.from).join(' → ')}: ${last?.origin.text ?? ''}`;
}

/** The dot text of the page's graph: the plan's own rendering with the page style. */
export function planGraphDot(plan: BuildPlan): string {
  const dropped = droppedBySource(plan);
  const critical = new Set(plan.criticalPath.sources);
  return renderPlanDot(plan, {
    link: (source) => `#${planRowId(source)}`,
    tooltip: (n) => {
      const drops = dropped.get(n.source) ?? [];
      const profiles = profilesOf(drops);
      const tools = plan.natives.filter((t) => t.neededBy.some((e) => e.from === n.source)).length;
      return [
        `${n.source} ${n.version} (${n.suite})`,
        `role: target ${n.kind}${critical.has(n.source) ? ', on the critical path' : ''}`,
        `estimated ${n.durationSeconds} s${n.durationFrom === 'default' ? ' (default)' : ''}`,
        `why: ${chain(n)}`,
        `native tools: ${tools}`,
        `dropped relations: ${drops.length}${profiles.length === 0 ? '' : ` (profiles: ${profiles.join(', ')})`}`,
      ].join('\n');
    },
    nativeTooltip: (t: NativeTool) => `${t.binary} ${t.version} (${t.suite}), native tool\nneeded by: ${[...new Set(t.neededBy.map((e) => e.from))].join(', ')}`,
  });
}

/**
 * Graphviz's SVG made fit to sit inside the page: its XML prolog, doctype and comments (which
 * repeat node names) dropped. Graphviz escapes the text it writes; the names it was given were
 * made visible first (`dotId`).
 */
export function inlineSvg(svg: string): string {
  const start = svg.indexOf('<svg');
  if (start < 0) return '';
  return svg.slice(start).replace(/<!--[\s\S]*?-->\n?/g, '').trim();
}

export interface PlanPageInput {
  readonly plan: BuildPlan;
  /** The laid-out graph (Graphviz SVG); undefined when it could not be drawn, with the reason. */
  readonly svg?: string;
  readonly svgProblem?: string;
  readonly suites?: readonly string[];
}

function whereDropped(e: SolveEdge): string {
  return e.origin.binary === undefined ? e.origin.field : `Depends of ${e.origin.binary}`;
}

export function renderPlanBody(input: PlanPageInput): string {
  const { plan } = input;
  const critical = new Set(plan.criticalPath.sources);
  const dropped = droppedBySource(plan);
  const out: string[] = [];
  const root = plan.target === plan.root ? '' : ` (source ${text(plan.root)})`;
  out.push(`<h1 id="plan-title">Plan: ${text(plan.target)}${root} on ${text(plan.arch)} <span class="muted">(${text(plan.triplet)})</span></h1>`);
  out.push('<div class="facts">',
    `<div><b>${plan.nodes.length}</b>sources rebuilt</div>`,
    `<div><b>${plan.natives.length}</b>native tools</div>`,
    `<div><b>${plan.dropped.length}</b>dropped relations</div>`,
    `<div><b>${plan.criticalPath.seconds} s</b>critical path (estimated)</div>`,
    ...(input.suites === undefined ? [] : [`<div><b>${text(input.suites.join(', '))}</b>suites</div>`]),
    '</div>');
  out.push('<p class="legend">',
    '<span><i class="swatch" style="background:#dce9f7;border:1px solid #2f6fb3"></i>library rebuilt for the arch (target)</span>',
    '<span><i class="swatch" style="background:#eadcf7;border:1px solid #7a3db8"></i>application</span>',
    '<span><i class="swatch" style="border:2px solid #c4302b"></i>critical path</span>',
    '</p>');
  out.push(`<p id="critical-path">Critical path: ${plan.criticalPath.sources.map((s) => `<a href="#${attr(planRowId(s))}">${text(s)}</a>`).join(' → ')} (${plan.criticalPath.seconds} s estimated)</p>`);
  out.push(input.svg === undefined
    ? `<p class="muted" id="plan-graph-missing">No graph: ${text(input.svgProblem ?? 'not drawn')}. The tables below hold the same facts.</p>`
    : `<figure class="graph" id="plan-graph">${inlineSvg(input.svg)}</figure>`);

  out.push('<h2>Sources, in build order</h2>');
  out.push(table(['#', 'source', 'version', 'suite', 'role', 'estimate', 'depends on', 'why', 'dropped here'], plan.nodes.map((n) => {
    const drops = dropped.get(n.source) ?? [];
    const profiles = profilesOf(drops);
    return [
      String(n.order),
      `<span id="${attr(planRowId(n.source))}">${text(n.source)}</span>${critical.has(n.source) ? ' <span class="status status-failed" title="on the critical path">●</span>' : ''}`,
      `<code>${text(n.version)}</code>`, text(n.suite), n.kind === 'application' ? 'target (application)' : 'target',
      `${n.durationSeconds} s${n.durationFrom === 'default' ? '*' : ''}`,
      n.depends.map((d) => `<a href="#${attr(planRowId(d))}">${text(d)}</a>`).join(', '),
      text(chain(n)),
      drops.length === 0 ? '' : `<a href="#${attr(anchor('dropped', n.source))}">${drops.length}</a>${profiles.length === 0 ? '' : ` <span class="muted">profiles: ${text(profiles.join(', '))}</span>`}`,
    ];
  }), ' id="plan-sources"'));
  if (plan.nodes.some((n) => n.durationFrom === 'default')) out.push('<p class="muted">* default estimate: the source has no recipe estimate</p>');

  out.push('<h2>Native tools <span class="muted">(installed in the build image from the archive)</span></h2>');
  out.push(table(['tool', 'version', 'suite', 'needed by'], plan.natives.map((t) => [
    `<span id="${attr(planRowId(`${NATIVE_PREFIX}${t.binary}`))}">${text(t.binary)}</span>`, `<code>${text(t.version)}</code>`, text(t.suite),
    text([...new Set(t.neededBy.map((e) => `${e.from}: ${e.origin.text}`))].join('; ')),
  ]), ' id="plan-natives"'));
  if (plan.cLibrary !== undefined) {
    out.push(`<p>C library: ${text(plan.cLibrary.source)} <code>${text(plan.cLibrary.version)}</code> (${text(plan.cLibrary.suite)}), from the toolchain, embedded in every binary, not rebuilt.</p>`);
  }

  out.push(`<h2>Dropped relations (${plan.dropped.length})</h2>`);
  const groups = [...dropped].sort(([a], [b]) => (plan.nodes.find((n) => n.source === a)?.order ?? 0) - (plan.nodes.find((n) => n.source === b)?.order ?? 0));
  for (const [from, edges] of groups) {
    out.push(`<h3 id="${attr(anchor('dropped', from))}">${text(from)} <span class="muted">(${edges.length})</span></h3>`);
    out.push(table(['where', 'relation', 'why dropped'], edges.map((e) => [
      text(whereDropped(e)), `<code>${text(e.origin.text)}</code>`,
      text([...new Set((e.drops ?? []).map((d) => `${d.kind}: ${d.detail}`))].join('; ')),
    ])));
  }
  if (plan.warnings.length > 0) {
    out.push(`<h2>Warnings (${plan.warnings.length})</h2>`, '<ul>', ...plan.warnings.map((w) => `<li>${text(describeWarning(w))}</li>`), '</ul>');
  }
  return out.join('\n');
}
