// Benchmark: `stubforge plan qemu-stubdom --arch musl-linux-amd64` warm (index cache filled),
// beside `apt-get build-dep -s qemu` in the same run. Each measured plan is a fresh process
// (bin/stubforge.js), so start-up is included; then the in-process breakdown.
//
//   npm run build && node bench/plan.mjs [--reps 7] [--arch musl-linux-amd64] [--target qemu-stubdom]
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { privateAptWithSources } from './apt-baseline.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: {
  reps: { type: 'string', default: '7' }, arch: { type: 'string', default: 'musl-linux-amd64' }, target: { type: 'string', default: 'qemu-stubdom' },
} });
const reps = Number(values.reps);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms) => `${(ms / 1000).toFixed(3)} s`;

/** CPU time (user + system, ms) of the children this process has waited for (Linux /proc). */
function childrenCpuMs() {
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10; // cutime + cstime, in 100 Hz ticks
}

/** Wall and CPU time of one run: on a shared 2-core machine the CPU figure is the fairer one. */
function timed(command, args, options = {}) {
  const cpu = childrenCpuMs();
  const start = performance.now();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, cpu: childrenCpuMs() - cpu, stdout: r.stdout };
}

const planArgs = [join(here, '..', 'bin', 'stubforge.js'), 'plan', values.target, '--arch', values.arch];
// Warm-up: fills (or refreshes) the index cache; not measured.
const first = timed('node', planArgs);
const sources = [...first.stdout.matchAll(/^ {2}\d+ +(\S+) +\S+ +\S+ +target/gm)].map((m) => m[1]);

const online = [];
const offline = [];
for (let i = 0; i < reps; i++) {
  online.push(timed('node', planArgs));
  offline.push(timed('node', [...planArgs, '--offline']));
}
const wall = (runs) => median(runs.map((r) => r.ms));
const cpu = (runs) => median(runs.map((r) => r.cpu));

// In one process: where the time goes (open archive warm, solve, plan + render).
const dist = join(here, '..', 'dist', 'src');
const inproc = execFileSync('node', ['--input-type=module', '-e', `
  const { openArchive } = await import(${JSON.stringify(join(dist, 'archive/archive.js'))});
  const { loadSolverInputs } = await import(${JSON.stringify(join(dist, 'cli/commands/solver-inputs.js'))});
  const { resolvePaths } = await import(${JSON.stringify(join(dist, 'cli/config.js'))});
  const { solve } = await import(${JSON.stringify(join(dist, 'solver/solve.js'))});
  const { buildPlan } = await import(${JSON.stringify(join(dist, 'plan/plan.js'))});
  const { renderPlanText } = await import(${JSON.stringify(join(dist, 'plan/render.js'))});
  const { silentLogger } = await import(${JSON.stringify(join(dist, 'log/logger.js'))});
  const ctx = { env: process.env, cwd: process.cwd(), log: silentLogger() };
  const t0 = performance.now();
  const inputs = (await loadSolverInputs({ arch: ${JSON.stringify(values.arch)} }, ctx)).value;
  const t1 = performance.now();
  const archive = (await openArchive({ cacheDir: resolvePaths(process.env, process.cwd()).cacheDir, offline: true })).value;
  const t2 = performance.now();
  const solved = solve({ ...inputs, archive: archive.index, target: ${JSON.stringify(values.target)} });
  const t3 = performance.now();
  renderPlanText(buildPlan(solved.value, inputs.arch).value);
  const t4 = performance.now();
  process.stdout.write(JSON.stringify({ inputs: t1 - t0, open: t2 - t1, solve: t3 - t2, plan: t4 - t3 }));
`], { encoding: 'utf8' });
const parts = JSON.parse(inproc);

// Baseline: apt resolving the same package's Build-Depends (a private config with deb-src).
const apt = privateAptWithSources();
const aptRuns = [];
let aptInstalls = 0;
try {
  for (let i = 0; i < Math.min(reps, 5); i++) {
    const r = timed('apt-get', [...apt.options, 'build-dep', '-s', 'qemu']);
    aptRuns.push(r);
    aptInstalls = r.stdout.split('\n').filter((l) => l.startsWith('Inst ')).length;
  }
} finally {
  rmSync(apt.dir, { recursive: true, force: true });
}

const node = execFileSync('node', ['--version'], { encoding: 'utf8' }).trim();
process.stdout.write([
  `stubforge plan ${values.target} --arch ${values.arch}: ${sources.length} sources (${sources.join(', ')}); node ${node}, ${reps} runs`,
  `  warm, fresh process (InRelease re-fetched and verified): median ${s(wall(online))} (cpu ${s(cpu(online))})   target <= 0.300 s`,
  `  warm, fresh process, --offline:                        median ${s(wall(offline))} (cpu ${s(cpu(offline))})   target <= 0.300 s`,
  `  in one process: arch+recipes ${s(parts.inputs)}, open archive (warm, offline) ${s(parts.open)}, solve ${s(parts.solve)}, plan+render ${s(parts.plan)}`,
  `apt-get build-dep -s qemu (baseline, same run): median ${s(wall(aptRuns))} (cpu ${s(cpu(aptRuns))}) over ${aptRuns.length} runs, ${aptInstalls} packages to install`,
  `load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  '',
].join('\n'));
