// Benchmark: `stubforge plan qemu-stubdom --arch musl-linux-amd64` warm (index cache and plan memo
// filled), beside `apt-get build-dep -s qemu` in the same run. Each measured plan is a fresh process
// (bin/stubforge.js), so start-up is included: from the memo (online: InRelease files re-fetched and
// verified with gpgv; and --offline), and with the memo removed before each run (the indices loaded
// from the index cache and the closure solved: the path every plan took before the memo). Then the
// parts of both paths timed in one process.
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
const dist = join(here, '..', 'dist', 'src');
const { resolvePaths } = await import(join(dist, 'cli/config.js'));
const memoDir = join(resolvePaths(process.env, process.cwd()).cacheDir, 'plans');

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

const cli = join(here, '..', 'bin', 'stubforge.js');
const planArgs = [cli, 'plan', values.target, '--arch', values.arch];
// Warm-up: fills (or refreshes) the index cache and the memo; not measured.
const first = timed('node', planArgs);
const sources = [...first.stdout.matchAll(/^ {2}\d+ +(\S+) +\S+ +\S+ +target/gm)].map((m) => m[1]);

const runs = { online: [], offline: [], noMemo: [], help: [] };
for (let i = 0; i < reps; i++) {
  runs.online.push(timed('node', planArgs));
  runs.offline.push(timed('node', [...planArgs, '--offline']));
  rmSync(memoDir, { recursive: true, force: true });
  runs.noMemo.push(timed('node', planArgs));
  runs.help.push(timed('node', [cli, 'plan', '--help']));
}
if (runs.online.some((r) => r.stdout !== first.stdout) || runs.noMemo.some((r) => r.stdout !== first.stdout)) {
  throw new Error('a plan from the memo differs from the solved one');
}
const wall = (xs) => median(xs.map((r) => r.ms));
const cpu = (xs) => median(xs.map((r) => r.cpu));
const figure = (xs) => `median ${s(wall(xs))} (cpu ${s(cpu(xs))})`;

// In one process: the parts of a warm plan, each timed where it happens (the memo is there now).
const inproc = execFileSync('node', ['--input-type=module', '-e', `
  const dist = ${JSON.stringify(dist)};
  const t = [performance.now()];
  const lap = () => { t.push(performance.now()); return t[t.length - 1] - t[t.length - 2]; };
  const { checkReleases } = await import(dist + '/archive/archive.js');
  const sv = await import(dist + '/cli/commands/solver-inputs.js');
  const memo = await import(dist + '/cache/plan-memo.js');
  const { planMemoKey } = await import(dist + '/plan/plan-memo-key.js');
  const { projectRoot } = await import(dist + '/cli/config.js');
  const { buildChoices, cacheStatus } = await import(dist + '/cli/commands/build-choices.js');
  const { renderPlanText } = await import(dist + '/plan/render.js');
  const { createLogger } = await import(dist + '/log/logger.js');
  const part = { modules: lap() };
  const ctx = { env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, isTTY: false, log: createLogger({ level: 'warn' }) };
  const args = { arch: ${JSON.stringify(values.arch)} };
  const recorded = memo.recordingInputFiles(sv.nodeSolverInputFiles);
  const inputs = (await sv.loadSolverInputs(args, ctx, recorded.files)).value;
  part.inputs = lap();
  const options = sv.archiveOptionsFromArgs(args, ctx);
  const check = (await checkReleases(options)).value;
  part.check = lap();
  await checkReleases({ ...options, offline: true });
  part.checkOffline = lap();
  const key = planMemoKey({ format: memo.PLAN_MEMO_FORMAT, code: await memo.codeDigest(projectRoot()), target: ${JSON.stringify(values.target)},
    indexArch: 'amd64', pins: inputs.pins, reads: recorded.reads(),
    releases: check.releases.map((r) => ({ suite: r.suite.suite, component: r.suite.component, mirror: r.suite.mirror, sha256: r.sha256 })) });
  const read = await memo.readPlanMemo(options.cacheDir, key);
  if (!read.hit) throw new Error('no memo: ' + read.why);
  part.memo = lap();
  const plan = read.memo.plan;
  const status = await cacheStatus(plan, ctx, buildChoices(undefined, plan).value, 'bookworm');
  part.engine = lap();
  renderPlanText(plan, { suites: check.suites.map((x) => x.suite), ...(status === undefined ? {} : { cached: status.cached }) });
  part.render = lap();
  const archive = (await check.open()).value;
  part.open = lap();
  const { solve } = await import(dist + '/solver/solve.js');
  const { buildPlan } = await import(dist + '/plan/plan.js');
  lap();
  const solved = solve({ ...inputs, archive: archive.index, target: ${JSON.stringify(values.target)} });
  part.solve = lap();
  buildPlan(solved.value, inputs.arch);
  part.plan = lap();
  process.stdout.write(JSON.stringify(part));
`], { encoding: 'utf8' });
const p = JSON.parse(inproc);

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
  `stubforge plan ${values.target} --arch ${values.arch}: ${sources.length} sources (${sources.join(', ')}); node ${node}, ${reps} runs, each a fresh process`,
  `  warm, from the memo (InRelease re-fetched and verified): ${figure(runs.online)}   target <= 0.300 s`,
  `  warm, from the memo, --offline:                         ${figure(runs.offline)}   target <= 0.300 s`,
  `  warm, memo removed (indices loaded, closure solved):     ${figure(runs.noMemo)}`,
  `  start-up alone (stubforge plan --help):                 ${figure(runs.help)}`,
  `  in one process, from the memo: modules ${s(p.modules)}, arch+recipes ${s(p.inputs)}, InRelease fetch+gpgv ${s(p.check)} ` +
    `(offline ${s(p.checkOffline)}), memo key+read ${s(p.memo)}, cached column (engine lookups + repository) ${s(p.engine)}, render ${s(p.render)}`,
  `  in one process, without it: open archive (warm index cache) ${s(p.open)}, solve ${s(p.solve)}, plan ${s(p.plan)}`,
  `apt-get build-dep -s qemu (baseline, same run): ${figure(aptRuns)} over ${aptRuns.length} runs, ${aptInstalls} packages to install`,
  `load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  '',
].join('\n'));
