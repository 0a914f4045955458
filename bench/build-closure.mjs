// The QEMU stubdom library closure for musl-linux-amd64, built cold by `stubforge build` into a
// repository of its own, then again (a no-op), then used: a C program linked statically against
// the staged glib2.0 + pixman + zlib runs on this machine and prints what it computed.
//
// Reported, from the same run's own per-package times:
//   - the cold makespan beside the critical-path lower bound max(longest chain, total work / cores)
//     (target: makespan ≤ 1.1 × bound);
//   - the no-op second run (target ≤ 1 s): the executor's part (keys + lookups) and the whole command;
//   - per package: build time, the container step, the build script inside it, and the difference
//     (container start/stop and the source copy), and what the host does around it.
//
//   npm run build && node bench/build-closure.mjs [--jobs N] [--home DIR] [--json]
//
// Needs the engine (docker/ensure-engine.sh) and the mirror of this machine's apt configuration.
// Indices and sources come from the usual download cache (they are verified on every use); the
// build cache (repository) is fresh, so every library is built.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolvePaths } from '../dist/src/cli/config.js';

const ROOT = new URL('..', import.meta.url).pathname;
const { values } = parseArgs({ options: { jobs: { type: 'string' }, home: { type: 'string' }, json: { type: 'boolean' }, keep: { type: 'boolean' } } });
const jobs = Number(values.jobs ?? availableParallelism());
const cores = availableParallelism();
const home = values.home ?? mkdtempSync(join(tmpdir(), 'stubforge-bench-closure-'));
const downloadCache = resolvePaths({ ...process.env, STUBFORGE_HOME: undefined }, process.cwd()).cacheDir;
const TARGET = ['qemu-stubdom', '--arch', 'musl-linux-amd64', '--suite', 'bookworm', '--allow-orig-only', 'pixman'];
const env = { ...process.env, STUBFORGE_HOME: home, STUBFORGE_CACHE: process.env.STUBFORGE_CACHE ?? downloadCache, STUBFORGE_LOG_LEVEL: 'info' };

/** Runs the CLI; answers its wall time, exit code, plain output and JSON log events. */
function stubforge(args) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin/stubforge.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => {
      // The log's JSON lines go to stderr, the command's own output to stdout.
      const events = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => { try { return JSON.parse(l); } catch { return undefined; } }).filter(Boolean);
      resolve({ code, ms: performance.now() - started, text: stdout, errors: stderr.split('\n').filter((l) => !l.startsWith('{')).join('\n'), events });
    });
  });
}

const s = (ms) => `${(ms / 1000).toFixed(1)} s`;

const planRun = await stubforge(['plan', ...TARGET, '--format', 'json']);
if (planRun.code !== 0) throw new Error(`plan failed:\n${planRun.errors}`);
const plan = JSON.parse(planRun.text);
const libraries = plan.nodes.filter((n) => n.kind === 'library');

const cold = await stubforge(['build', ...TARGET, '--libraries-only', '--jobs', String(jobs)]);
if (cold.code !== 0) throw new Error(`cold build failed (${cold.code}):\n${cold.text}${cold.errors}`);
const built = new Map(cold.events.filter((e) => e.msg === 'node built').map((e) => [e.package, e]));
const coldFinished = cold.events.find((e) => e.msg === 'build finished');

// The bound from this run's own times: no schedule beats the longest dependency chain, nor the
// total work spread perfectly over the cores.
const took = (source) => built.get(source)?.durationMs ?? 0;
const chain = new Map();
for (const n of libraries) {
  const before = n.depends.map((d) => chain.get(d)).filter(Boolean).sort((a, b) => b.ms - a.ms)[0];
  chain.set(n.source, { ms: (before?.ms ?? 0) + took(n.source), path: [...(before?.path ?? []), n.source] });
}
const longest = [...chain.values()].sort((a, b) => b.ms - a.ms)[0];
const totalWork = libraries.reduce((sum, n) => sum + took(n.source), 0);
const bound = Math.max(longest.ms, totalWork / cores);
const makespan = coldFinished.makespanMs;

const noop = await stubforge(['build', ...TARGET, '--libraries-only', '--jobs', String(jobs)]);
const noopFinished = noop.events.find((e) => e.msg === 'build finished');
const allCached = noop.code === 0 && noopFinished?.cached === libraries.length && noop.text.includes('every node was cached');

// The C program, against the packages the repository now holds.
const root = join(home, 'probe-root');
mkdirSync(root, { recursive: true });
const poolDir = join(home, 'repo', 'pool');
for (const key of readdirSync(poolDir)) {
  for (const deb of readdirSync(join(poolDir, key)).filter((f) => f.endsWith('.deb'))) execFileSync('dpkg-deb', ['-x', join(poolDir, key, deb), root]);
}
const pcEnv = { ...process.env, PKG_CONFIG_SYSROOT_DIR: root, PKG_CONFIG_LIBDIR: join(root, 'usr/x86_64-linux-musl/lib/pkgconfig') };
const pc = (...a) => execFileSync('pkg-config', [...a, 'glib-2.0', 'pixman-1', 'zlib'], { env: pcEnv, encoding: 'utf8' }).trim().split(/\s+/);
const exe = join(home, 'closure-probe');
execFileSync('musl-gcc', ['-static', '-O2', '-o', exe, join(ROOT, 'bench/closure-probe.c'), ...pc('--cflags', '--static'), ...pc('--libs', '--static')]);
const fileType = execFileSync('file', ['-b', exe], { encoding: 'utf8' }).trim();
const probeOutput = execFileSync(exe, { encoding: 'utf8' });
const text = 'stubforge: each library built once, static, for musl';
const expectedSha = createHash('sha256').update(text).digest('hex');
const probeAgrees = probeOutput.includes(`sha256(text)=${expectedSha}`) && probeOutput.includes('regex match "built"') && probeOutput.includes('= 0xff7f0080');

const rows = libraries.map((n) => {
  const e = built.get(n.source) ?? {};
  return {
    source: n.source, version: n.version, estimatedS: n.estimatedSeconds ?? n.durationSeconds, buildMs: e.durationMs, stepMs: e.stepMs, scriptMs: e.scriptMs,
    containerOverheadMs: e.stepMs !== undefined && e.scriptMs !== undefined ? e.stepMs - e.scriptMs : undefined,
    hostSideMs: e.durationMs !== undefined && e.stepMs !== undefined ? e.durationMs - e.stepMs : undefined,
  };
});
const result = {
  date: new Date().toISOString(), cores, jobs, home,
  cold: { makespanMs: makespan, commandMs: Math.round(cold.ms), longestChain: { sources: longest.path, ms: longest.ms }, totalWorkMs: totalWork, boundMs: bound, ratio: makespan / bound, target: 1.1 },
  noop: { allCached, executorMs: noopFinished?.makespanMs, commandMs: Math.round(noop.ms), targetMs: 1000 },
  packages: rows,
  probe: { fileType, output: probeOutput, agreesWithNode: probeAgrees },
};

if (values.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log(`cold closure build (${libraries.length} libraries, ${jobs} jobs, ${cores} cores): makespan ${s(makespan)} (command ${s(cold.ms)})`);
  console.log(`  lower bound max(longest chain ${longest.path.join(' → ')} ${s(longest.ms)}, total work ${s(totalWork)} / ${cores}) = ${s(bound)}`);
  console.log(`  makespan / bound = ${(makespan / bound).toFixed(3)} (target ≤ 1.1: ${makespan / bound <= 1.1 ? 'met' : 'NOT met'})`);
  console.log(`no-op second run: ${allCached ? 'every node cached' : 'NOT all cached'}; executor ${noopFinished?.makespanMs ?? '?'} ms, whole command ${s(noop.ms)} (target ≤ 1 s)`);
  console.log('\n| package | estimate | build | container step | script inside | container overhead | host side (fetch, stage, check, package, publish) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.source} | ${r.estimatedS} s | ${s(r.buildMs)} | ${s(r.stepMs)} | ${s(r.scriptMs)} | ${s(r.containerOverheadMs)} | ${s(r.hostSideMs)} |`);
  }
  console.log(`\nprobe (${fileType.split(',').slice(0, 4).join(',')}):\n${probeOutput.trimEnd()}`);
  console.log(`probe agrees with Node's own sha256 and the expected pixel: ${probeAgrees ? 'yes' : 'NO'}`);
}
if (values.home === undefined && values.keep !== true && existsSync(home)) rmSync(home, { recursive: true, force: true });
