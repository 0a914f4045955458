// The report's pages (pure rendering): the real qemu-stubdom plan (solver fixtures), a build
// report's timeline and its lower bound, the batch matrix, the embeds matrix; a hostile package
// name (markup, terminal escapes, a bidirectional override) everywhere a name can go comes out as
// text; the same inputs give the same bytes.
import { beforeAll, describe, expect, it } from 'vitest';
import type { PackageEmbeds } from '../../src/cache/embeds-query.js';
import type { BatchReport, TargetReport } from '../../src/executor/batch/batch-report.js';
import { BUILD_REPORT_FORMAT, type BuildReport } from '../../src/executor/scheduler/build-report.js';
import { buildPlan, type BuildPlan } from '../../src/plan/plan.js';
import { planGraphDot } from '../../src/report/plan-page.js';
import { renderSite, type SiteFile, type SiteInput } from '../../src/report/site.js';
import { timelineFacts } from '../../src/report/timeline-page.js';
import { solve } from '../../src/solver/solve.js';
import { fixtureIndex, shippedArch, shippedRecipes } from './solver-fixtures.js';

const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>\u001b[31mred\u001b]8;;http://x\u0007link\u009b\u202egnp.exe"\'&';
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let plan: BuildPlan;

beforeAll(async () => {
  const musl = shippedArch('musl-linux-amd64');
  const solved = solve({ archive: fixtureIndex(), ...musl, recipes: await shippedRecipes(), target: 'qemu-stubdom' });
  if (!solved.ok) throw new Error('solve failed');
  const p = buildPlan(solved.value, musl.arch);
  if (!p.ok) throw new Error('plan failed');
  plan = p.value;
});

const node = (source: string, over: Partial<BuildReport['nodes'][number]>): BuildReport['nodes'][number] =>
  ({ source, version: '1.0-1', kind: 'library', depends: [], status: 'built', ...over });

const build: BuildReport = {
  format: BUILD_REPORT_FORMAT, target: 'glib2.0', arch: 'musl-linux-amd64', exitCode: 0, interrupted: false, makespanMs: 15_200, jobs: 2,
  nodes: [
    node('pcre2', { durationMs: 10_000, startMs: 0, endMs: 10_000, log: '/logs/pcre2.log', key: 'a'.repeat(64) }),
    node('libffi', { durationMs: 4_000, startMs: 5, endMs: 4_005, log: '/logs/libffi.log' }),
    node('zlib', { status: 'cached', key: 'b'.repeat(64) }),
    node('glib2.0', { depends: ['libffi', 'pcre2', 'zlib'], durationMs: 5_000, startMs: 10_100, endMs: 15_100, log: '/logs/glib.log' }),
  ],
};

function target(id: string, over: Partial<TargetReport>): TargetReport {
  return {
    id, target: 'zlib', arch: 'musl-linux-amd64', options: ['--libraries-only'], line: 1, status: 'succeeded', attempts: 1,
    durationMs: 61_000, log: `/state/batch/${id}.log`, cacheHits: 0, built: 1, nodes: [], outputs: [], embeds: [], logs: [`/state/batch/${id}.log`, `/logs/${id}-node.log`], ...over,
  };
}

const batch: BatchReport = {
  format: 'stubforge-batch-report 1', list: { file: 'ci.list', sha256: 'c'.repeat(64) }, status: 'failed', jobs: 1,
  runs: [{ pid: 1, startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T00:10:00Z', resumed: false }], updatedAt: '2026-01-01T00:10:00Z',
  targets: [
    target('1-zlib', {}),
    target('2-zlib-rump', { arch: 'rumprun-amd64', status: 'failed', attempts: 2, error: 'build failed: see log' }),
    target('3-libffi', { target: 'libffi', line: 3, outputs: [{ package: 'libffi-dev-musl-linux-amd64-cross', version: '3.4.4-1', file: '/repo/x.deb' }], embeds: [{ source: 'libffi', version: '3.4.4-1' }] }),
  ],
};

const embedded = (pkg: string, embeds: PackageEmbeds['embeds']): PackageEmbeds => ({ package: pkg, version: '1.0-1', architecture: 'amd64', origin: { file: 'Packages', line: 1 }, embeds });

function site(over: Partial<SiteInput> = {}): SiteFile[] {
  return renderSite({
    plans: [{ plan, svg: '<?xml version="1.0"?>\n<!-- qemu -->\n<svg viewBox="0 0 10 10"><g class="node"></g></svg>\n', suites: ['bookworm'] }],
    builds: [{ report: build, file: '/tmp/build.json' }],
    batch: { report: batch, file: '/tmp/batch.json' },
    embeds: {
      packages: [
        embedded('qemu-stubdom', [{ source: 'glib2.0', version: '2.74.6-2', via: ['Static-Built-Using'] }, { source: 'zlib', version: '1:1.2.13.dfsg-1', via: ['Static-Built-Using'] }]),
        embedded('zlib1g-dev-musl-linux-amd64-cross', [{ source: 'zlib', version: '1:1.2.13.dfsg-1', via: ['Built-Using', 'X-Stubforge-Source'] }]),
      ],
      problems: [], read: ['/repo/Packages'],
    },
    logHref: (path) => (path.startsWith('/logs/') || path.startsWith('/state/') ? `logs/${path.split('/').pop() ?? ''}.txt` : undefined),
    buildOfTarget: (t) => (t.id === '1-zlib' ? { report: build, file: '/tmp/build.json' } : undefined),
    ...over,
  });
}

const fileOf = (files: SiteFile[], path: string): string => files.find((f) => f.path === path)?.content ?? '';

describe('the site', () => {
  it('has an overview, the plan, the timelines, the batch and the embeds pages, each linking the others', () => {
    const files = site();
    expect(files.map((f) => f.path)).toEqual(['index.html', 'plan-1.html', 'builds.html', 'batch.html', 'embeds.html']);
    for (const f of files) {
      expect(f.content).toMatch(/^<!DOCTYPE html>/);
      for (const other of files) expect(f.content).toContain(`href="${other.path}"`);
    }
  });

  it('gives the same bytes for the same inputs; a date shows only where it is given', () => {
    expect(site()).toEqual(site());
    const dated = site({ generated: '2026-12-03T10:00:00Z' });
    expect(dated.map((f) => f.content.replace(' · generated 2026-12-03T10:00:00Z', ''))).toEqual(site().map((f) => f.content));
    expect(site().some((f) => /generated/.test(f.content))).toBe(false);
  });

  it('carries script only on the embeds page, and loads nothing from anywhere', () => {
    for (const f of site()) {
      expect(f.content.match(/<script>/g)?.length ?? 0, f.path).toBe(f.path === 'embeds.html' ? 1 : 0);
      expect(f.content).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/);
    }
  });
});

describe('the plan page', () => {
  it('inlines the graph without its prolog and comments, then lists sources, tools and drops', () => {
    const html = fileOf(site(), 'plan-1.html');
    expect(html).toContain('<figure class="graph" id="plan-graph"><svg viewBox="0 0 10 10">');
    expect(html).not.toContain('<?xml');
    expect(html).not.toContain('<!-- qemu -->');
    expect(html).toContain('Critical path: <a href="#src-pcre2">pcre2</a> → <a href="#src-glib2.0">glib2.0</a> → <a href="#src-qemu">qemu</a>');
    expect(html).toContain(`<div><b>${plan.dropped.length}</b>dropped relations</div>`);
    expect(html).toMatch(/<td><span id="src-glib2\.0">glib2\.0<\/span>/);
    expect(html).toContain('profiles: !nocheck');
  });

  it('gives Graphviz each node with its role, the critical path, a tooltip and a link to its row', () => {
    const dot = planGraphDot(plan);
    expect(dot).toMatch(/"glib2\.0" \[label="glib2\.0\\n[^"]+", style=filled.*class="role-library critical", tooltip="glib2\.0 [^"]*why: qemu: libglib2\.0-dev \(>= 2\.56\)[^"]*", URL="#src-glib2\.0"/);
    expect(dot).toContain('"glib2.0" -> "pcre2" [label="libpcre2-dev", class="critical"');
    expect(dot).toMatch(/"qemu" \[label=[^\]]*class="role-application critical"/);
    expect(dot).not.toContain('native:');
  });

  it('says why there is no graph when Graphviz could not draw one', () => {
    const html = fileOf(site({ plans: [{ plan, svgProblem: "Graphviz's dot is not installed" }] }), 'plan-1.html');
    expect(html).toContain('No graph: Graphviz&#39;s dot is not installed.');
  });
});

describe('the build timeline', () => {
  it('bounds the makespan by the longest chain of this run\'s times, or total work over the jobs', () => {
    const facts = timelineFacts(build);
    expect(facts.longest).toEqual({ sources: ['pcre2', 'glib2.0'], ms: 15_000 });
    expect(facts.totalWorkMs).toBe(19_000);
    expect(facts).toMatchObject({ boundMs: 15_000, boundFrom: 'chain', haveTimes: true });
    expect(timelineFacts({ ...build, jobs: 1 })).toMatchObject({ boundMs: 19_000, boundFrom: 'work' });
  });

  it('draws one bar per node, the chain in red, cached nodes as a mark, with links to the logs', () => {
    const html = fileOf(site(), 'builds.html');
    expect(html.match(/<g class="bar /g)).toHaveLength(4);
    expect(html).toContain('<g class="bar status-built critical" data-source="pcre2">');
    expect(html).toContain('<g class="bar status-built" data-source="libffi">');
    expect(html).toContain('<g class="bar status-cached" data-source="zlib">');
    expect(html).toContain('<b class="makespan">15.2 s</b>makespan');
    expect(html).toContain('<b class="bound">15.0 s</b>lower bound (longest chain)');
    expect(html).toContain('<a href="logs/pcre2.log.txt">log</a>');
  });

  it('shows a report without times (an older stubforge) as a table', () => {
    const old: BuildReport = { ...build, nodes: build.nodes.map(({ startMs: _s, endMs: _e, ...n }) => n) };
    const html = fileOf(site({ builds: [{ report: old, file: 'old.json' }] }), 'builds.html');
    expect(html).not.toContain('<svg');
    expect(html).toContain('does not carry start and end times');
  });
});

describe('the batch matrix', () => {
  it('puts targets down and arches across, each cell with status, time, attempts and its logs', () => {
    const html = fileOf(site(), 'batch.html');
    expect(html).toContain('<thead><tr><th>target</th><th>musl-linux-amd64</th><th>rumprun-amd64</th></tr></thead>');
    const zlibRow = /<tr><td><span class="mono">zlib --libraries-only<\/span><\/td>(.*?)<\/tr>/.exec(html)?.[1] ?? '';
    expect(zlibRow).toContain('<span class="status status-succeeded">succeeded</span><br><span class="duration">1 min 01 s</span>');
    expect(zlibRow).toContain('<span class="status status-failed">failed</span>');
    expect(zlibRow).toContain('2 attempts');
    expect(zlibRow).toContain('<a class="log" href="logs/1-zlib.log.txt">target log</a>');
    expect(zlibRow).toContain('<a href="builds.html#timeline-glib2.0_40_musl-linux-amd64">timeline</a>');
    expect(zlibRow).toContain('<a href="#error-2-zlib-rump">error</a>');
    expect(html).toContain('<h3 id="error-2-zlib-rump">');
  });
});

describe('the embeds matrix', () => {
  it('lists application packages first, sources across, each cell with the version for the filter', () => {
    const html = fileOf(site(), 'embeds.html');
    expect(html.indexOf('qemu-stubdom')).toBeLessThan(html.indexOf('zlib1g-dev-musl-linux-amd64-cross'));
    expect(html).toContain('<span class="mono" data-source="zlib" data-version="1:1.2.13.dfsg-1" title="Static-Built-Using">1:1.2.13.dfsg-1</span>');
    expect(html).toContain('<div><b>1</b>packages naming what they embed (applications, Built-Using)</div>');
    expect(html).toContain('<form class="filter" id="embeds-filter" hidden>');
    expect(html).toContain('<noscript>');
  });
});

describe('a hostile package name', () => {
  const hostilePlan = (): BuildPlan => {
    const rename = (s: string): string => (s === 'zlib' ? HOSTILE : s);
    return {
      ...plan,
      nodes: plan.nodes.map((n) => ({ ...n, source: rename(n.source), version: n.source === 'zlib' ? HOSTILE : n.version, depends: n.depends.map(rename), dependants: n.dependants.map(rename) })),
      edges: plan.edges.map((e) => ({ ...e, from: rename(e.from), ...(e.to === undefined ? {} : { to: rename(e.to) }), origin: { ...e.origin, text: e.to === 'zlib' ? HOSTILE : e.origin.text } })),
      dropped: [...plan.dropped, { ...plan.dropped[0], from: HOSTILE, origin: { ...plan.dropped[0]?.origin, text: HOSTILE } } as BuildPlan['dropped'][number]],
      criticalPath: { ...plan.criticalPath, sources: [...plan.criticalPath.sources, HOSTILE] },
    };
  };
  const hostileSite = (): SiteFile[] => site({
    plans: [{ plan: hostilePlan(), svg: '<svg></svg>', suites: [HOSTILE] }],
    builds: [{ report: { ...build, target: HOSTILE, nodes: [...build.nodes, node(HOSTILE, { version: HOSTILE, status: 'failed', failure: HOSTILE, startMs: 1, endMs: 2, durationMs: 1, log: `/logs/${HOSTILE}` })] }, file: HOSTILE }],
    batch: { report: { ...batch, list: { ...batch.list, file: HOSTILE }, targets: [...batch.targets, target(HOSTILE, { target: HOSTILE, arch: HOSTILE, options: [HOSTILE], error: HOSTILE, log: `/state/${HOSTILE}`, logs: [`/logs/${HOSTILE}`] })] }, file: HOSTILE },
    embeds: { packages: [embedded(HOSTILE, [{ source: HOSTILE, version: HOSTILE, via: ['Built-Using'] }])], problems: [], read: [HOSTILE], errors: [HOSTILE] },
  });

  it('renders as text on every page: markup escaped, control characters made visible', () => {
    for (const f of hostileSite()) {
      expect(f.content, f.path).not.toContain('<script>alert');
      expect(f.content, f.path).not.toContain('<img');
      expect(f.content, f.path).not.toMatch(CONTROL);
      expect(f.content, f.path).not.toMatch(/="[^"]*"'&/);
    }
    const pages = hostileSite().map((f) => f.content).join('\n');
    expect(pages).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;␛[31mred␛]8;;http://x␇link<U+009B><U+202E>gnp.exe&quot;&#39;&amp;'.replace(/<U/g, '&lt;U').replace(/(U\+[0-9A-F]{4})>/g, '$1&gt;'));
  });

  it('reaches Graphviz as a quoted ID with its control characters made visible', () => {
    const dot = planGraphDot(hostilePlan());
    expect(dot).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(dot).toContain('"<script>alert(1)</script><img src=x onerror=alert(2)>␛[31mred␛]8;;http://x␇link');
    expect(dot).toContain('gnp.exe\\"\'&');
  });
});
