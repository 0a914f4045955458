// A BuildPlan as a maintainer reads it first (text), as data (JSON) and as a graph (Graphviz dot).
// Pure string building; cli/ writes the result.
import type { CacheKey } from '../model/brand.js';
import { describeWarning } from '../solver/describe.js';
import { describeEdge } from '../solver/why.js';
import type { ChosenProfile, NativeTool, SolveEdge } from '../solver/types.js';
import type { BuildPlan, PlanNode } from './plan.js';
import type { BuildPath } from '../drivers/build-path.js';

export interface RenderOptions {
  /** Cache keys for one build-image digest, when the caller computed them. */
  readonly keys?: ReadonlyMap<string, CacheKey>;
  readonly imageDigest?: string;
  /** The builder the keys name: stubforge's build code and a user-supplied toolchain tree. */
  readonly builder?: { readonly code: string; readonly toolchainTree?: { readonly root: string; readonly digest: string } };
  /** Cache state per source; `unknown` until a cache exists to ask. */
  readonly cached?: (source: string) => 'yes' | 'no' | 'unknown';
  readonly suites?: readonly string[];
  /** How each source is built (Debian's packaging, a driver, a recipe), with the evidence. */
  readonly buildPaths?: ReadonlyMap<string, BuildPath>;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

/** The last edge of a node's chain, in short: who asked for it and through which relation. */
function whyShort(node: PlanNode): string {
  const last = node.why[node.why.length - 1];
  if (last === undefined) return node.kind === 'application' ? 'the target (application recipe)' : 'the target';
  const via = node.why.map((e) => e.from).join(' → ');
  return `${via}: ${last.origin.text}`;
}

function choiceLine(edge: SolveEdge): string | undefined {
  const c = edge.choice;
  if (c === undefined || c.others.length === 0) return undefined;
  const why = c.pin === undefined ? '' : ` (source pinned to ${c.pin})`;
  return `${c.binary} ${c.version} (${c.suite})${why} chosen over ${c.others.map((o) => `${o.version} (${o.suite})`).join(', ')}`;
}

/** Dropped relations grouped by the source holding them, in build-order of the plan (root last). */
function droppedLines(plan: BuildPlan): string[] {
  const rank = new Map(plan.nodes.map((n) => [n.source, n.order]));
  const dropped = [...plan.dropped].sort((a, b) => (rank.get(a.from) ?? 0) - (rank.get(b.from) ?? 0));
  const lines: string[] = [];
  const unlisted = new Map<string, { names: string[]; detail: string }>();
  for (const e of dropped) {
    const drops = e.drops ?? [];
    const first = drops[0];
    if (first !== undefined && drops.every((d) => d.kind === 'recipe-unlisted')) {
      const entry = unlisted.get(e.from) ?? { names: [], detail: first.detail };
      entry.names.push(e.origin.text);
      unlisted.set(e.from, entry);
      continue;
    }
    const where = e.origin.binary === undefined ? e.origin.field : `Depends of ${e.origin.binary}`;
    lines.push(`  ${e.from} ${where}: ${e.origin.text}`);
    for (const d of new Set(drops.map((x) => `${x.kind}: ${x.detail}`))) lines.push(`      ${d}`);
  }
  for (const [from, { names, detail }] of unlisted) {
    lines.push(`  ${from}: ${names.length} relations not listed by its recipe — ${detail}`, `      ${names.join(', ')}`);
  }
  return lines;
}

/** What a chosen profile's dropped relation would have done, in short. */
function wouldHave(d: ChosenProfile['dropped'][number]): string {
  switch (d.role) {
    case 'target': return `would rebuild ${d.to ?? '?'} for ${d.binary ?? '?'}`;
    case 'native': return `would install ${d.binary ?? '?'}`;
    case 'unsatisfiable': return 'unsatisfiable for this arch';
    case 'dropped': return 'dropped anyway';
  }
}

/** Sources built with more than the arch's profiles: which, and what the chosen ones dropped. */
function profileLines(plan: BuildPlan): string[] {
  const lines: string[] = [];
  for (const n of plan.nodes) {
    const extra = n.profiles.filter((p) => !plan.archProfiles.includes(p));
    if (extra.length === 0) continue;
    const chosen = new Set(n.chosenProfiles.map((c) => c.profile));
    const recipe = extra.filter((p) => !chosen.has(p));
    lines.push(`  ${n.source}: ${n.profiles.join(' ')}${recipe.length > 0 ? ` (recipe: ${recipe.join(' ')})` : ''}`);
    for (const c of n.chosenProfiles) {
      lines.push(`    + ${c.profile} (chosen: ${c.reason}) dropped:`);
      for (const d of c.dropped) lines.push(`        ${d.field}: ${d.text} — ${wouldHave(d)}`);
    }
  }
  return lines.length === 0 ? [] : ['', `build profiles beyond the arch's (${plan.archProfiles.join(' ') || 'none'}), as DEB_BUILD_PROFILES:`, ...lines];
}

export function renderPlanText(plan: BuildPlan, options: RenderOptions = {}): string {
  const cached = options.cached ?? ((): 'unknown' => 'unknown');
  const out: string[] = [];
  const rootNote = plan.target === plan.root ? '' : ` (source ${plan.root})`;
  out.push(`plan for ${plan.target}${rootNote} on ${plan.arch} (${plan.triplet})`);
  if (options.suites !== undefined) out.push(`suites: ${options.suites.join(', ')}`);
  out.push('', `build order: ${plan.nodes.length} source packages; critical path ${plan.criticalPath.seconds} s: ${plan.criticalPath.sources.join(' → ')}`);
  const rows: string[][] = [['#', 'source', 'version', 'suite', 'role', 'est.', 'cached', 'why']];
  for (const n of plan.nodes) {
    const role = n.kind === 'application' ? 'target (app)' : 'target';
    const est = `${n.durationSeconds} s${n.durationFrom === 'default' ? '*' : ''}`;
    rows.push([String(n.order), n.source, n.version, n.suite, role, est, cached(n.source), whyShort(n)]);
  }
  out.push(...table(rows).map((l) => `  ${l}`));
  if (plan.nodes.some((n) => n.durationFrom === 'default')) out.push('  (* default estimate: the source has no recipe estimate)');
  out.push(...profileLines(plan));
  const choices = plan.nodes.flatMap((n) => n.why.slice(-1)).map(choiceLine).filter((l): l is string => l !== undefined);
  if (choices.length > 0) out.push('', 'versions chosen across suites (the newest that satisfies, unless pinned):', ...choices.map((c) => `  ${c}`));
  if (options.buildPaths !== undefined) {
    out.push('', "built by (Debian's packaging unless a recipe says otherwise):");
    out.push(...table(plan.nodes.map((n) => {
      const p = options.buildPaths?.get(n.source);
      return [n.source, p?.kind ?? '?', p?.evidence ?? ''];
    })).map((l) => `  ${l}`));
  }
  if (options.keys !== undefined) {
    out.push('', `cache keys for build image ${options.imageDigest ?? '?'}:`);
    if (options.builder !== undefined) {
      const tree = options.builder.toolchainTree;
      out.push(`  builder code: ${options.builder.code}`);
      out.push(tree === undefined ? '  toolchain: in the build image' : `  toolchain tree: ${tree.digest} (${tree.root})`);
    }
    out.push(...table(plan.nodes.map((n) => [n.source, options.keys?.get(n.source) ?? '?'])).map((l) => `  ${l}`));
  }
  out.push('', `native tools (${plan.natives.length}, installed in the build image from the archive):`);
  out.push(...table(plan.natives.map((t) => [t.binary, t.version, t.suite, `← ${[...new Set(t.neededBy.map((e) => `${e.from}: ${e.origin.text}`))].join('; ')}`])).map((l) => `  ${l}`));
  out.push(`build image packages: ${plan.imagePackages.join(' ')}`);
  if (plan.cLibrary !== undefined) {
    out.push(`C library: ${plan.cLibrary.source} ${plan.cLibrary.version} (${plan.cLibrary.suite}) from the toolchain, embedded in every binary, not rebuilt`);
  }
  out.push('', `dropped relations (${plan.dropped.length}):`, ...droppedLines(plan));
  if (plan.warnings.length > 0) out.push('', `warnings (${plan.warnings.length}):`, ...plan.warnings.map((w) => `  ${describeWarning(w)}`));
  return `${out.join('\n')}\n`;
}

/** JSON-friendly plan: records and recipes reduced to names and digests. */
export function planToJson(plan: BuildPlan, options: RenderOptions = {}): unknown {
  const edge = (e: SolveEdge): unknown => ({ ...e, text: describeEdge(e) });
  return {
    target: plan.target, root: plan.root, arch: plan.arch, triplet: plan.triplet, archSha256: plan.archSha256,
    ...(options.suites === undefined ? {} : { suites: options.suites }),
    ...(options.imageDigest === undefined ? {} : { imageDigest: options.imageDigest }),
    ...(options.builder === undefined ? {} : { builder: options.builder }),
    criticalPath: plan.criticalPath,
    nodes: plan.nodes.map((n) => ({
      ...n,
      why: n.why.map(edge),
      cached: options.cached?.(n.source) ?? 'unknown',
      ...(options.buildPaths?.get(n.source) === undefined ? {} : { buildPath: options.buildPaths.get(n.source) }),
      ...(options.keys?.get(n.source) === undefined ? {} : { cacheKey: options.keys.get(n.source) }),
    })),
    natives: plan.natives.map((t) => ({ ...t, neededBy: t.neededBy.map(edge) })),
    imagePackages: plan.imagePackages,
    cLibrary: plan.cLibrary ?? null,
    dropped: plan.dropped.map(edge),
    warnings: plan.warnings,
  };
}

/** A quoted dot ID; control characters (terminal escapes in a hostile name) become visible pictures. */
export function dotId(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const shown = s.replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, (c) => String.fromCharCode(c === '\u007f' ? 0x2421 : 0x2400 + c.charCodeAt(0)));
  return `"${shown.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** What a page adds to the graph (report/plan-page.ts): links, tooltips, colours by role, the critical path. */
export interface DotPageStyle {
  /** The URL a node links to (its row in the page's table). */
  readonly link: (source: string) => string;
  readonly tooltip: (node: PlanNode) => string;
  readonly nativeTooltip: (tool: NativeTool) => string;
  /** Draw the native tools too (a page lists them in a table instead: they outnumber the sources). */
  readonly natives?: boolean;
}

const ROLE_STYLE = {
  library: 'style=filled, fillcolor="#dce9f7", color="#2f6fb3"',
  application: 'style="filled,bold", fillcolor="#eadcf7", color="#7a3db8"',
  native: 'style="filled,dashed", fillcolor="#f1f2f4", color="#8a8f98", fontcolor="#5d6675"',
} as const;

/**
 * Target nodes and their edges (labelled with the relation), natives as grey boxes. With a page
 * style, each node also gets an id, classes (its role, `critical` on the critical path), a tooltip
 * and a link, for an SVG a reader hovers and clicks.
 */
export function renderPlanDot(plan: BuildPlan, style?: DotPageStyle): string {
  const critical = new Set(plan.criticalPath.sources);
  const criticalEdges = new Set(plan.criticalPath.sources.slice(1).map((to, i) => `${to}\0${plan.criticalPath.sources[i] ?? ''}`));
  const lines = [`digraph ${dotId(`${plan.target} on ${plan.arch}`)} {`, '  rankdir=LR;', '  node [shape=box, fontname="monospace"];'];
  if (style !== undefined) lines.push('  graph [bgcolor="transparent"]; edge [fontname="monospace", fontsize=10, color="#5d6675"];');
  const page = (id: string, classes: string, tooltip: string, link: string): string =>
    (style === undefined ? '' : `, id=${dotId(id)}, class=${dotId(classes)}, tooltip=${dotId(tooltip)}, URL=${dotId(link)}, target="_self"`);
  plan.nodes.forEach((n, i) => {
    const look = style === undefined ? (n.kind === 'application' ? ', style=bold' : '') : `, ${ROLE_STYLE[n.kind]}${critical.has(n.source) ? ', penwidth=2.5' : ''}`;
    const decoration = style === undefined ? '' : page(`plan-node-${i + 1}`, `role-${n.kind}${critical.has(n.source) ? ' critical' : ''}`, style.tooltip(n), style.link(n.source));
    lines.push(`  ${dotId(n.source)} [label=${dotId(`${n.source}\n${n.version}`)}${look}${decoration}];`);
  });
  // One arrow per pair of sources, labelled with every relation that makes it.
  const labels = new Map<string, { from: string; to: string; texts: Set<string> }>();
  for (const e of plan.edges) {
    if (e.role !== 'target' || e.to === undefined || e.to === e.from) continue;
    const key = `${e.from}\0${e.to}`;
    const entry = labels.get(key) ?? { from: e.from, to: e.to, texts: new Set<string>() };
    entry.texts.add(e.origin.text);
    labels.set(key, entry);
  }
  for (const { from, to, texts } of labels.values()) {
    const onPath = style !== undefined && criticalEdges.has(`${from}\0${to}`);
    const decoration = onPath ? ', class="critical", color="#c4302b", penwidth=2' : '';
    lines.push(`  ${dotId(from)} -> ${dotId(to)} [label=${dotId([...texts].join('\n'))}${decoration}];`);
  }
  const natives = style === undefined || style.natives === true ? plan.natives : [];
  natives.forEach((t, i) => {
    const look = style === undefined ? 'color=grey, fontcolor=grey' : ROLE_STYLE.native;
    const decoration = style === undefined ? '' : page(`plan-native-${i + 1}`, 'role-native', style.nativeTooltip(t), style.link(`native:${t.binary}`));
    lines.push(`  ${dotId(`native:${t.binary}`)} [label=${dotId(`${t.binary}\n${t.version}`)}, ${look}${decoration}];`);
    for (const from of new Set(t.neededBy.map((e) => e.from))) {
      lines.push(`  ${dotId(from)} -> ${dotId(`native:${t.binary}`)} [style=dashed, color=grey];`);
    }
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
