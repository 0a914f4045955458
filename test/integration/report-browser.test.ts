// `stubforge report` on a real build, looked at in a real browser: a batch builds zlib and libffi
// for musl-linux-amd64 (each pinned to the newest version whose source the mirror serves, read
// from the indices now: the archive moves), then the report of that batch, its build reports, the
// plan of glib2.0 (whose closure they are) and the repository is opened in Debian's Chromium
// driven by playwright-core (no browser download): the key elements are there and visible, the
// embeds filter answers as `query embeds` does, the pages read without JavaScript, nothing is
// requested from anywhere, and a screenshot of each page goes to test-results/report/.
// Uses the Docker engine, the mirror, Graphviz's dot and /usr/bin/chromium.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArchive } from '../../src/archive/archive.js';
import { command as query } from '../../src/cli/commands/query.js';
import { command as report } from '../../src/cli/commands/report.js';
import { layOutDot } from '../../src/cli/commands/report-inputs.js';
import type { BatchReport } from '../../src/executor/batch/batch-report.js';
import { silentLogger } from '../../src/log/logger.js';
import { planGraphDot } from '../../src/report/plan-page.js';
import { renderSite } from '../../src/report/site.js';
import { compareVersionStrings } from '../../src/version/index.js';
import { plan as planOf, planNode } from '../unit/executor-plans.js';
import { runCommand } from './cli-support.js';
import { ensureEngine } from './runtime-support.js';

const ROOT = join(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(ROOT, 'test-results/report');
const home = mkdtempSync(join(tmpdir(), 'stubforge-report-'));
const INDEX_CACHE = join(tmpdir(), 'stubforge-test-index-cache');
const env = { ...process.env, STUBFORGE_HOME: join(home, 'sf'), STUBFORGE_CACHE: INDEX_CACHE, STUBFORGE_LOG_LEVEL: 'warn' };
/** Kept with the screenshots: the site itself is a test artefact a CI run can publish. */
const SITE = join(SHOTS, 'site');
const LIST = join(home, 'ci.list');
const BATCH_REPORT = join(home, 'ci.report.json');
/** A flat repository of real bookworm packages naming what they embed (Built-Using, Static-Built-Using). */
const DEBIAN_EXCERPT = join(home, 'bookworm-excerpt');
/** Chromium as root in a container or CI runner: no sandbox, no GPU, nothing that phones home. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const pins = new Map<string, string>();
let browser: Browser;
let context: BrowserContext;
const requested: string[] = [];

/** The newest version of `source` in the configured suites whose files the mirror serves (a security upload's .dsc may be missing). */
async function servedVersion(source: string): Promise<string> {
  const archive = await openArchive({ cacheDir: INDEX_CACHE, logger: silentLogger() });
  if (!archive.ok) throw new Error(`archive: ${archive.error.reason}`);
  const records = archive.value.index.sources.filter((s) => s.package === source)
    .sort((a, b) => { const c = compareVersionStrings(b.version, a.version); return c.ok ? c.value : 0; });
  for (const record of records) {
    const fetched = await archive.value.fetchSource(record);
    if (fetched.ok) return record.version;
  }
  throw new Error(`the mirror serves no version of ${source} (${records.map((r) => r.version).join(', ')})`);
}

function stubforgeCli(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [join(ROOT, 'bin/stubforge.js'), ...args], { env, cwd: home, encoding: 'utf8', timeout: 1_500_000 });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}` };
}

const pinArgs = (): string[] => [...pins].flatMap(([s, v]) => ['--pin', `${s}=${v}`]);
const reportArgs = (out: string): string[] => ['--out', out, '--batch-report', BATCH_REPORT, '--repo', DEBIAN_EXCERPT, '--plan', 'glib2.0', '--arch', 'musl-linux-amd64', ...pinArgs()];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: docker/setup.sh installs Debian's chromium`);
  ensureEngine();
  mkdirSync(INDEX_CACHE, { recursive: true });
  mkdirSync(SHOTS, { recursive: true });
  for (const source of ['zlib', 'libffi', 'pcre2']) pins.set(source, await servedVersion(source));
  writeFileSync(LIST, [
    '# the two libraries of the report test, pinned to versions the mirror serves',
    `zlib    musl-linux-amd64 --libraries-only --pin zlib=${pins.get('zlib') ?? ''}`,
    `libffi  musl-linux-amd64 --libraries-only --pin libffi=${pins.get('libffi') ?? ''}`,
    '',
  ].join('\n'));
  const batch = stubforgeCli('batch', LIST, '--report', BATCH_REPORT);
  if (batch.status !== 0) throw new Error(`batch failed (${String(batch.status)}):\n${batch.output}`);
  mkdirSync(DEBIAN_EXCERPT);
  writeFileSync(join(DEBIAN_EXCERPT, 'Packages'), readFileSync(join(ROOT, 'test/fixtures/embeds/Packages-embeds-bookworm.txt')));
  const made = await runCommand(report, reportArgs(SITE), { env, cwd: home });
  if (made.code !== 0) throw new Error(`report failed (${made.code}):\n${made.stdout}${made.stderr}`);

  // launch() gives the browser a fresh profile (--user-data-dir) of its own, removed on close.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.on('request', (r) => requested.push(r.url()));
}, 1_800_000);

afterAll(async () => {
  await browser.close();
  rmSync(home, { recursive: true, force: true });
});

async function open(file: string, options: { js?: boolean } = {}): Promise<Page> {
  if (options.js === false) {
    const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await page.goto(pathToFileURL(join(SITE, file)).href);
    return page;
  }
  const page = await context.newPage();
  page.on('dialog', (d) => { throw new Error(`a dialog opened: ${d.message()}`); });
  await page.goto(pathToFileURL(join(SITE, file)).href);
  return page;
}

const batchReport = (): BatchReport => JSON.parse(readFileSync(BATCH_REPORT, 'utf8')) as BatchReport;

describe('stubforge report in Chromium', () => {
  it('writes one folder: the pages, the logs as text, nothing else', () => {
    const files = readdirSync(SITE).sort();
    expect(files).toEqual(['.stubforge-report', 'batch.html', 'builds.html', 'embeds.html', 'index.html', 'logs', 'plan-1.html']);
    expect(readdirSync(join(SITE, 'logs')).every((f) => f.endsWith('.txt'))).toBe(true);
  });

  it('gives the same bytes when run again on the same inputs', async () => {
    const again = join(home, 'site-again');
    const made = await runCommand(report, reportArgs(again), { env, cwd: home });
    expect(made.code, made.stderr).toBe(0);
    for (const f of ['index.html', 'plan-1.html', 'builds.html', 'batch.html', 'embeds.html']) {
      expect(readFileSync(join(again, f)), f).toEqual(readFileSync(join(SITE, f)));
    }
  });

  it('plan: the graph with every source, roles and the critical path; the sources table', async () => {
    const page = await open('plan-1.html');
    await expect(page.locator('#plan-graph svg').isVisible()).resolves.toBe(true);
    const titles = await page.locator('#plan-graph g.node > title').allTextContents();
    expect(titles.sort()).toEqual(['glib2.0', 'libffi', 'pcre2', 'zlib']);
    expect(await page.locator('#plan-graph g.node.critical').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#plan-graph g.node.role-library').count()).toBe(4);
    // The hover text of a node: its version, role and why.
    const tip = await page.locator('#plan-graph g.node:has(title:text-is("zlib")) a').getAttribute('xlink:title');
    expect(tip).toContain(`zlib ${pins.get('zlib') ?? ''}`);
    expect(tip).toContain('why: glib2.0: zlib1g-dev');
    await expect(page.locator('#plan-sources').isVisible()).resolves.toBe(true);
    expect(await page.locator('#plan-sources tbody tr').count()).toBe(4);
    await page.screenshot({ path: join(SHOTS, 'plan.png'), fullPage: true });
    // A click on a node goes to its row.
    await page.locator('#plan-graph g.node:has(title:text-is("libffi")) a').click();
    expect(new URL(page.url()).hash).toBe('#src-libffi');
  });

  it('builds: a timeline per target, a bar per node, makespan beside its bound', async () => {
    const page = await open('builds.html');
    const sections = page.locator('section.timeline');
    expect(await sections.count()).toBe(2);
    for (const source of ['zlib', 'libffi']) {
      const bar = page.locator(`g.bar[data-source="${source}"] rect`);
      await expect(bar.isVisible()).resolves.toBe(true);
    }
    expect(await page.locator('b.makespan').first().textContent()).toMatch(/^\d+(\.\d)? s$|min/);
    expect(await page.locator('b.bound').first().textContent()).toMatch(/s$/);
    await page.screenshot({ path: join(SHOTS, 'builds.png'), fullPage: true });
  });

  it('batch: targets × arches with status, time, attempts and the logs', async () => {
    const page = await open('batch.html');
    await expect(page.locator('#batch-matrix').isVisible()).resolves.toBe(true);
    expect(await page.locator('#batch-matrix tbody tr').count()).toBe(2);
    expect(await page.locator('#batch-matrix .status-succeeded').count()).toBe(2);
    const ids = batchReport().targets.map((t) => t.id);
    for (const id of ids) await expect(page.locator(`[id="cell-${id.replace('@', '_40_')}"]`).isVisible()).resolves.toBe(true);
    await page.screenshot({ path: join(SHOTS, 'batch.png'), fullPage: true });
    await page.locator('#batch-matrix a.log', { hasText: 'target log' }).first().click();
    expect(await page.locator('body').textContent()).toContain('$ stubforge build zlib');
  });

  it('embeds: the matrix, and the filter answers as query embeds does', async () => {
    const page = await open('embeds.html');
    await expect(page.locator('#embeds-matrix').isVisible()).resolves.toBe(true);
    await expect(page.locator('#embeds-filter').isVisible()).resolves.toBe(true);
    const all = await page.locator('#embeds-matrix tbody tr').count();
    expect(all).toBeGreaterThanOrEqual(2);

    const zlib = pins.get('zlib') ?? '';
    const queries = [['zlib', '=', zlib], ['zlib', '<<', zlib], ['zlib', '>=', zlib], ['simde', '<<', '0.8'], ['libffi']] as const;
    for (const words of queries) {
      const q = words.length === 3 && words[1] === '>=' ? `${words[0]} (${words[1]} ${words[2]})` : words.join(' ');
      await page.locator('#embeds-query').fill(q);
      await page.locator('#embeds-filter button').click();
      const shown = await page.locator('#embeds-matrix tbody tr:not(.hidden) td:first-child').allTextContents();
      const cli = await runCommand(query, ['embeds', ...words, '--repo', DEBIAN_EXCERPT, '--format', 'json'], { env, cwd: home });
      const expected = [...new Set((JSON.parse(cli.stdout) as { matches: { package: string }[] }).matches.map((m) => m.package))];
      expect(shown.sort(), q).toEqual(expected.sort());
      const what = words.length === 1 ? `${words[0]} (any version)` : `${words[0]} (${words[1]} ${words[2]})`;
      const answer = await page.locator('#embeds-answer').textContent();
      expect(answer, q).toBe(expected.length === 0 ? `no package embeds ${what}` : `${expected.length} package(s) embed ${what}`);
      if (words[1] === '=') {
        expect(expected.length).toBeGreaterThan(0);
        // The zlib column stays in view; the columns of sources no shown row embeds are hidden.
        await expect(page.locator('#embeds-matrix th', { hasText: /^zlib$/ }).isVisible()).resolves.toBe(true);
        await expect(page.locator('#embeds-matrix td.match').first().isVisible()).resolves.toBe(true);
        await expect(page.locator('#embeds-matrix th', { hasText: /^simde$/ }).isVisible()).resolves.toBe(false);
        await page.screenshot({ path: join(SHOTS, 'embeds.png'), fullPage: true });
      }
    }
    await page.locator('#embeds-query').fill('zlib < 1');
    await page.locator('#embeds-filter button').click();
    expect(await page.locator('#embeds-answer').textContent()).toBe('"<" is not a version operator (<< <= = >= >>)');
  });

  it('reads without JavaScript: every matrix is there, only the filter box is not', async () => {
    const page = await open('embeds.html', { js: false });
    await expect(page.locator('#embeds-matrix').isVisible()).resolves.toBe(true);
    await expect(page.locator('#embeds-filter').isVisible()).resolves.toBe(false);
    const plan = await open('plan-1.html', { js: false });
    await expect(plan.locator('#plan-graph svg').isVisible()).resolves.toBe(true);
    await page.context().close();
    await plan.context().close();
  });

  it('overview links every page; no page asked for anything but its own files', async () => {
    const page = await open('index.html');
    for (const label of ['Overview', 'Plan', 'Build timeline', 'Batch', 'Embeds']) {
      await expect(page.locator('header nav a', { hasText: label }).first().isVisible()).resolves.toBe(true);
    }
    await page.screenshot({ path: join(SHOTS, 'index.png') });
    expect(requested.filter((u) => !u.startsWith('file://'))).toEqual([]);
  });

  it('shows a hostile package name as text, through Graphviz too', async () => {
    const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>\u001b[31mred';
    const plan = planOf([planNode('zlib'), planNode(hostile, { depends: ['zlib'], version: hostile })], hostile);
    const svg = await layOutDot(planGraphDot({ ...plan, criticalPath: { sources: ['zlib', hostile], seconds: 20 } }), 'dot');
    if (!svg.ok) throw new Error(svg.error);
    const dir = join(home, 'hostile');
    mkdirSync(dir);
    for (const f of renderSite({ plans: [{ plan, svg: svg.value }], builds: [], logHref: () => undefined })) writeFileSync(join(dir, f.path), f.content);
    const page = await context.newPage();
    page.on('dialog', (d) => { throw new Error(`a dialog opened: ${d.message()}`); });
    await page.goto(pathToFileURL(join(dir, 'plan-1.html')).href);
    expect(await page.locator('#plan-title').textContent()).toContain('Plan: <script>alert(1)</script><img src=x onerror=alert(2)>␛[31mred on');
    expect(await page.locator('#plan-graph g.node > title').allTextContents()).toContain('<script>alert(1)</script><img src=x onerror=alert(2)>␛[31mred');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(0);
  });
});
