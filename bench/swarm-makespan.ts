// The QEMU stub domain (its library closure and the application) built three times, each into a
// fresh STUBFORGE_HOME sharing the download cache: (a) with the local runtime, the baseline of
// the same run; (b) with --runtime swarm on a single-node Swarm (this engine, the manager); (c)
// with --runtime swarm on a two-node Swarm, the manager and a second engine in a network
// namespace joined as a worker (test/integration/swarm-worker.ts, the one the two-node test
// uses). Printed: the three makespans, the sha256 of each run's qemu-stubdom .deb (and whether
// every .deb of the three runs is the same), and on which node each closure node ran. On one
// machine both Swarm nodes share the same cores: (c) shows the cluster path, not scaling.
//
// Every address involved is loopback, or the veth pair's that the worker node makes; the
// registry is Debian's docker-registry on loopback. The worker, its namespace and veth pair, the
// registry and the Swarm are torn down at the end by pid and by the names they were given. Needs
// the engine outside any Swarm when it starts, and root (network namespaces). Long: three
// builds of the whole closure.
//
//   npm run build && npx tsc -p bench/tsconfig.json && node dist/bench/swarm-makespan.js [--keep]
//     [--runs local,swarm-1-node,swarm-2-nodes] [--compare-home DIR]
//
// --runs picks some of the three builds (all by default); --compare-home adds the .debs of a home
// an earlier run built (kept with --keep) to the comparison, when one run cannot hold all three.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { resolvePaths } from '../src/cli/config.js';
import { registryPid, startRegistry } from '../src/cluster/registry.js';
import { initSwarm, joinSwarm, joinTokens, swarmMembership } from '../src/runtime/swarm-cluster.js';
import { createWorkerNode, freePort, type WorkerNode } from '../test/integration/swarm-worker.js';

const ROOT = join(import.meta.dirname, '../..');
const SOCKET = '/var/run/docker.sock';
const { values } = parseArgs({ options: { keep: { type: 'boolean' }, runs: { type: 'string' }, 'compare-home': { type: 'string' } } });
const selected = new Set((values.runs ?? 'local,swarm-1-node,swarm-2-nodes').split(','));
const manager = new Docker({ socketPath: SOCKET });
const work = mkdtempSync('/tmp/sfm-');
const downloadCache = process.env.STUBFORGE_CACHE ?? resolvePaths({ ...process.env, STUBFORGE_HOME: undefined }, process.cwd()).cacheDir;
const tag = String(process.pid % 10000);

interface LogEvent { readonly msg?: string; readonly package?: string; readonly logFile?: string; readonly makespanMs?: number; readonly durationMs?: number }
interface Run { readonly code: number | null; readonly ms: number; readonly stdout: string; readonly stderr: string; readonly events: LogEvent[] }

function stubforge(args: readonly string[], home: string): Promise<Run> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'bin/stubforge.js'), ...args], {
    cwd: ROOT, env: { ...process.env, STUBFORGE_HOME: home, STUBFORGE_CACHE: downloadCache, STUBFORGE_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const events = stderr.split('\n').filter((l) => l.startsWith('{')).flatMap((l) => {
        try {
          return [JSON.parse(l) as LogEvent];
        } catch {
          return [];
        }
      });
      resolve({ code, ms: performance.now() - started, stdout, stderr: stderr.split('\n').filter((l) => !l.startsWith('{')).join('\n'), events });
    });
  });
}


/** file name → sha256 of every .deb in a home's repository. */
function debsOf(home: string): Map<string, string> {
  const repo = join(home, 'repo');
  let files: string[];
  try {
    files = readdirSync(repo, { recursive: true }).map(String).filter((f) => f.endsWith('.deb'));
  } catch {
    return new Map();
  }
  return new Map(files.map((f) => [f.split('/').pop() ?? f, createHash('sha256').update(readFileSync(join(repo, f))).digest('hex')]));
}

/** package → Swarm node its step's task ran on, read from each step log (swarm-step.ts writes it). */
function placements(run: Run): Map<string, string> {
  const placed = new Map<string, string>();
  for (const e of run.events.filter((x) => x.msg === 'node built' && x.logFile !== undefined)) {
    const m = /the step's task is on Swarm node (\S+)/.exec(readFileSync(e.logFile ?? '', 'utf8'));
    placed.set(e.package ?? '?', m?.[1] ?? '(not said)');
  }
  return placed;
}

const s = (ms: number | undefined): string => (ms === undefined || Number.isNaN(ms) ? '?' : `${(ms / 1000).toFixed(1)} s`);
const makespanOf = (run: Run): number | undefined => run.events.find((e) => e.msg === 'build finished')?.makespanMs;

let worker: WorkerNode | undefined;
let swarmOurs = false;
const registryState = join(work, 'registry-state');
async function teardown(): Promise<void> {
  await worker?.teardown();
  if (swarmOurs) {
    const nodes = (await manager.listNodes().catch(() => [])) as { ID: string; Spec?: { Role?: string } }[];
    for (const n of nodes) if (n.Spec?.Role === 'worker') await manager.getNode(n.ID).remove({ force: true }).catch(() => undefined);
    await manager.swarmLeave({ force: true }).catch(() => undefined);
  }
  const pid = await registryPid(registryState);
  if (pid !== undefined) process.kill(pid, 'SIGTERM');
}
process.once('SIGINT', () => { void teardown().finally(() => process.exit(130)); });

/** (b) and (c): the registry, the worker node and the Swarm made, the worker joined between them. */
async function onTheSwarm(build: (name: string, extra: readonly string[]) => Promise<Run | undefined>): Promise<void> {
  const port = await freePort();
  const registry = `127.0.0.1:${String(port)}`;
  await startRegistry(registryState, registry);
  worker = await createWorkerNode(tag, 16 + (process.pid % 200), port);
  await worker.startEngine();
  await initSwarm(SOCKET, worker.hostAddress);
  swarmOurs = true;
  await build('swarm-1-node', ['--runtime', 'swarm', '--registry', registry]);
  if (!selected.has('swarm-2-nodes')) return;

  await joinSwarm(worker.socket, `${worker.hostAddress}:2377`, (await joinTokens(SOCKET)).worker, worker.workerAddress);
  const ready = async (): Promise<boolean> => ((await manager.listNodes()) as { Spec?: { Role?: string }; Status?: { State?: string } }[])
    .some((n) => n.Spec?.Role === 'worker' && n.Status?.State === 'ready');
  for (let i = 0; i < 240 && !(await ready()); i += 1) await new Promise((r) => setTimeout(r, 250));
  const nodes = (await manager.listNodes()) as { ID: string; Spec?: { Role?: string }; Description?: { Hostname?: string } }[];
  roles = new Map(nodes.map((n) => [n.ID, `${n.Spec?.Role ?? '?'} ${n.ID.slice(0, 12)} (${n.Description?.Hostname ?? '?'})`]));
  await build('swarm-2-nodes', ['--runtime', 'swarm', '--registry', registry]);
}

const runs: { name: string; run: Run; home: string }[] = [];
let roles = new Map<string, string>();
let keep = values.keep === true;
try {
  if ((await swarmMembership(SOCKET)).state !== 'inactive') throw new Error('the engine is already in a Swarm: this benchmark makes its own');
  const choices = await stubforge(['served', '--target', 'qemu-stubdom', '--arch', 'musl-linux-amd64', '--allow-orig-only', 'pixman', '--format', 'args'], join(work, 'home-served'));
  if (choices.code !== 0) throw new Error(`served failed:\n${choices.stderr}`);
  const target = ['qemu-stubdom', '--arch', 'musl-linux-amd64', ...choices.stdout.split('\n').filter((w) => w !== '')];
  console.log(`target: ${target.join(' ')}`);

  const build = async (name: string, extra: readonly string[]): Promise<Run | undefined> => {
    if (!selected.has(name)) return undefined;
    const home = join(work, `home-${name}`);
    const run = await stubforge(['build', ...target, ...extra], home);
    runs.push({ name, run, home });
    console.log(`${name}: exit ${String(run.code)}, makespan ${s(makespanOf(run))} (command ${s(run.ms)})`);
    if (run.code !== 0) throw new Error(`${name} failed:\n${run.stdout}\n${run.stderr.slice(-4000)}`);
    return run;
  };
  if (values['compare-home'] !== undefined) {
    runs.push({ name: `earlier run (${values['compare-home']})`, home: values['compare-home'], run: { code: 0, ms: Number.NaN, stdout: '', stderr: '', events: [] } });
  }
  await build('local', []);
  if (selected.has('swarm-1-node') || selected.has('swarm-2-nodes')) await onTheSwarm(build);

} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await teardown();
}

// The figures, from what the runs left.
// A failed run's packages count too: what it did publish is compared, what it did not is named.
const debs = runs.map((r) => ({ ...r, debs: debsOf(r.home) }));
const qemuDeb = (m: Map<string, string>): [string, string] | undefined => [...m].find(([f]) => /^qemu-[a-z-]*stubdom_.*\.deb$/.test(f));
console.log('\nqemu-stubdom closure + application, musl-linux-amd64 (2 cores; both Swarm nodes share them: no scaling is claimed)');
console.log('| run | makespan | command | qemu-stubdom .deb sha256 |');
console.log('|---|---|---|---|');
for (const r of debs) console.log(`| ${r.name}${r.name === 'local' ? ' (baseline)' : ''} | ${s(makespanOf(r.run))} | ${s(r.run.ms)} | ${qemuDeb(r.debs)?.join(' ') ?? '-'} |`);
const base = debs[0]?.debs;
if (base !== undefined) {
  for (const r of debs.slice(1)) {
    const missing = [...base.keys()].filter((f) => !r.debs.has(f));
    const differ = [...base].filter(([f, h]) => r.debs.has(f) && r.debs.get(f) !== h).map(([f]) => f);
    const same = base.size - missing.length - differ.length;
    console.log(`${r.name} against ${debs[0]?.name ?? ''}: ${String(same)} of ${String(base.size)} .deb identical` +
      `${differ.length === 0 ? '' : `; DIFFER: ${differ.join(', ')}`}${missing.length === 0 ? '' : `; not built by ${r.name}: ${missing.join(', ')}`}`);
    if (differ.length > 0 || missing.length > 0) keep = true;
  }
}
for (const r of debs.filter((x) => x.name.startsWith('swarm'))) {
  console.log(`\nwhere each node ran (${r.name}):`);
  for (const [pkg, node] of placements(r.run)) console.log(`  ${pkg.padEnd(14)} ${roles.get(node) ?? node}`);
}
if (keep) console.log(`\nkept: ${work}`);
else rmSync(work, { recursive: true, force: true });
