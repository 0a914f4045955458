// `stubforge batch` with real builds: a two-target list runs unattended; the whole process group
// (the batch and the build it is running) is SIGKILLed mid-run, as a power loss would; `--resume`
// then finishes, keeping the target that had succeeded and building only what was not published.
// The repository is checked whole afterwards. Uses the Docker engine, the mirror, and the built
// dist/ (npm test builds it first).
//
// The batch reads the default suites, whose newest versions the mirror may not serve (a security
// upload without its .dsc): every source of the two targets is pinned, with stubforge's own --pin,
// to the version `stubforge served --target` chooses (the newest the mirror serves whole), as
// docker/main-job.sh does; the pins are read from the archive when the test starts.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRepo } from '../../src/cache/apt-repo.js';
import type { BatchReport } from '../../src/executor/batch/batch-report.js';
import { servedChoices } from './archive-versions.js';
import { ensureEngine } from './runtime-support.js';
import { describeRepoError } from '../../src/cli/cache-messages.js';

const ROOT = join(import.meta.dirname, '../..');
const home = mkdtempSync(join(tmpdir(), 'stubforge-batch-'));
/** Index downloads are shared between test runs; the repository and state are this test's own. */
const INDEX_CACHE = join(tmpdir(), 'stubforge-test-index-cache');
const LIST = join(home, 'ci.list');
const REPORT = join(home, 'ci.report.json');
const RUNNER = join(home, 'run-command.mjs');
const ARCH = ['--arch', 'musl-linux-amd64'];
const env = { ...process.env, STUBFORGE_HOME: join(home, 'sf'), STUBFORGE_CACHE: INDEX_CACHE, STUBFORGE_LOG_LEVEL: 'warn' };

afterAll(() => rmSync(home, { recursive: true, force: true }));

beforeAll(async () => {
  ensureEngine();
  mkdirSync(INDEX_CACHE, { recursive: true });
  if (!existsSync(join(ROOT, 'dist/src/cli/commands/batch.js'))) throw new Error('dist/ is not built: run npm run build first');
  // The batch command module run as the CLI runs it (its own process, process streams).
  writeFileSync(RUNNER, [
    `const { createLogger } = await import(${JSON.stringify(join(ROOT, 'dist/src/log/logger.js'))});`,
    `const { command } = await import(${JSON.stringify(join(ROOT, 'dist/src/cli/commands/batch.js'))});`,
    'process.exitCode = await command.run(process.argv.slice(2), { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, isTTY: false, log: createLogger({ level: "warn" }) });',
  ].join('\n'));
  writeFileSync(LIST, [
    '# two targets of the stub domain closure, each source pinned to the newest version the mirror serves whole',
    `zlib     musl-linux-amd64 --libraries-only ${(await servedChoices('zlib', ARCH, { env, cwd: home })).join(' ')}`,
    `glib2.0  musl-linux-amd64 --libraries-only ${(await servedChoices('glib2.0', ARCH, { env, cwd: home })).join(' ')}`,
    '',
  ].join('\n'));
});

function readReport(): BatchReport | undefined {
  try {
    return JSON.parse(readFileSync(REPORT, 'utf8')) as BatchReport;
  } catch {
    return undefined;
  }
}

function batch(args: string[], options: { detached: boolean }): { pid: number; done: Promise<{ code: number | null; output: string }> } {
  const child = spawn(process.execPath, [RUNNER, LIST, '--report', REPORT, ...args], { cwd: home, env, detached: options.detached, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
  return { pid: child.pid ?? 0, done: new Promise((resolve) => child.on('exit', (code) => { resolve({ code, output }); })) };
}

/** The keys published so far: pool/<key> directories. */
function publishedKeys(): Set<string> {
  const pool = join(home, 'sf/repo/pool');
  return new Set(existsSync(pool) ? readdirSync(pool) : []);
}

describe('stubforge batch, killed and resumed', () => {
  it('resumes after a SIGKILL of the whole run without rebuilding anything already published', async () => {
    const first = batch([], { detached: true });
    // Wait until the first target succeeded and the second has published at least one key.
    const deadline = Date.now() + 480_000;
    let killedAt: BatchReport | undefined;
    for (;;) {
      const r = readReport();
      const glib = r?.targets[1];
      const published = publishedKeys().size;
      if (r?.targets[0]?.status === 'succeeded' && glib?.status === 'running' && published >= 2) {
        process.kill(-first.pid, 'SIGKILL');
        killedAt = r;
        break;
      }
      const ended = await Promise.race([first.done.then((d) => d), new Promise<undefined>((res) => { setTimeout(() => { res(undefined); }, 250); })]);
      if (ended !== undefined) throw new Error(`batch ended before the kill (exit ${String(ended.code)}):\n${ended.output}`);
      if (Date.now() > deadline) throw new Error('no point to kill the batch at');
    }
    await first.done;

    // What the kill left: a complete report saying the second target was running.
    const left = readReport();
    expect(left?.status).toBe('running');
    expect(left?.targets.map((t) => t.status)).toEqual(['succeeded', 'running']);
    expect(killedAt?.targets[0]?.built).toBe(1);
    const before = publishedKeys();

    const second = batch(['--resume'], { detached: false });
    const { code, output } = await second.done;
    expect(code, output).toBe(0);
    const report = readReport();
    if (report === undefined) throw new Error('no report');
    expect(report.status).toBe('succeeded');
    expect(report.runs.map((r) => r.resumed)).toEqual([false, true]);
    const [zlib, glib] = report.targets;
    expect(zlib).toMatchObject({ status: 'succeeded', attempts: 1, fromEarlierRun: true });
    expect(glib).toMatchObject({ status: 'succeeded', attempts: 2 });
    // Nothing published before the resume was built again; what was published is a cache hit.
    const nodes = glib?.nodes ?? [];
    for (const n of nodes.filter((x) => x.status === 'built')) expect(before.has(n.key ?? ''), `${n.source} rebuilt`).toBe(false);
    const hits = nodes.filter((n) => n.status === 'cached');
    expect(hits.length).toBeGreaterThanOrEqual(1);
    for (const n of hits) expect(before.has(n.key ?? '')).toBe(true);
    expect(nodes.map((n) => n.source).sort()).toEqual(['glib2.0', 'libffi', 'pcre2', 'zlib']);
    expect(glib?.embeds.map((e) => e.source)).toEqual(['glib2.0', 'libffi', 'pcre2', 'zlib']);
    expect(glib?.outputs.every((o) => existsSync(o.file))).toBe(true);

    // The repository is whole: every key complete, the index naming exactly the pool.
    const repo = await openRepo(join(home, 'sf/repo'));
    if (!repo.ok) throw new Error(describeRepoError(repo.error));
    const entries = await repo.value.list();
    if (!entries.ok) throw new Error(describeRepoError(entries.error));
    expect(entries.value.map((e) => e.key).sort()).toEqual([...publishedKeys()].sort());
    expect(readdirSync(join(home, 'sf/repo/.staging'))).toEqual([]);
    // Two keys of one zlib version (built for the zlib target and for glib2.0's image) are one package to apt.
    const indexed = readFileSync(join(home, 'sf/repo/Packages'), 'utf8').match(/^Filename: .*$/gm) ?? [];
    expect(indexed.length).toBe(new Set(entries.value.flatMap((e) => e.debs.map((d) => `${d.package} ${d.version}`))).size);
    for (const line of indexed) expect(existsSync(join(home, 'sf/repo', line.slice('Filename: '.length)))).toBe(true);
  }, 900_000);
});
