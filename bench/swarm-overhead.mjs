// What a Swarm step costs over a local one, in the same run: the per-job overhead of `true` (a
// replicated-job service created, scheduled, polled, its logs followed, removed; the store relay
// and build network are made once per run and not counted), and the artefact round trip per MB
// (a folder fetched from the coordinator's store into the task and copied to the output, which
// is uploaded, verified and unpacked), each beside the local step's figure as its baseline.
//
//   npm run build && node bench/swarm-overhead.mjs [--reps N] [--mb N] [--image REF]
//
// Needs the engine; makes it a single-node Swarm manager on loopback when it is none, and leaves
// the Swarm at the end only then.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { runBuildStep } from '../dist/src/runtime/build-step.js';
import { DockerRuntime } from '../dist/src/runtime/docker-runtime.js';
import { SwarmRuntime } from '../dist/src/runtime/swarm-runtime.js';
import { environmentRef, DEFAULT_ARCH, DEFAULT_SUITE } from '../dist/src/runtime/env-spec.js';
import { silentLogger } from '../dist/src/log/logger.js';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '5' }, mb: { type: 'string', default: '64' }, image: { type: 'string' } } });
const reps = Number(values.reps);
const mb = Number(values.mb);
const image = values.image ?? environmentRef(DEFAULT_SUITE, DEFAULT_ARCH);
const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const local = new DockerRuntime();
const info = await local.inspectImage(image);
if (!info.ok || info.value === undefined) {
  console.error(`image ${image} not found: run \`stubforge env create\` or pass --image`);
  process.exit(2);
}
const digest = info.value.digest;
const state = (await docker.info()).Swarm?.LocalNodeState ?? 'inactive';
const ours = state === 'inactive';
if (ours) await docker.swarmInit({ ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1', DataPathAddr: '127.0.0.1' });
const swarm = new SwarmRuntime();

const work = mkdtempSync(join(tmpdir(), 'stubforge-bench-swarm-'));
const empty = join(work, 'empty');
const big = join(work, 'big');
mkdirSync(empty);
mkdirSync(big);
for (let i = 0; i < mb; i++) writeFileSync(join(big, `part-${i}`), randomBytes(1024 * 1024));

const log = silentLogger();
let n = 0;
async function step(runtime, cmd, sourceDir) {
  n += 1;
  const outputDir = join(work, `out-${n}`);
  const t0 = performance.now();
  const r = await runBuildStep({
    image: digest, cmd, sourceDir, outputDir, timeoutMs: 600_000, memoryBytes: 2 * 1024 ** 3,
    labels: { run: `bench-${process.pid}`, package: 'bench', key: String(n) },
  }, { runtime, log });
  const ms = performance.now() - t0;
  if (!r.ok) throw new Error(`step failed: ${JSON.stringify(r.error)}`);
  rmSync(outputDir, { recursive: true, force: true });
  rmSync(`${outputDir}.log`, { force: true });
  return ms;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function measure(runtime, cmd, sourceDir) {
  await step(runtime, cmd, sourceDir); // warm-up: page cache, and the swarm's relay and network
  const times = [];
  for (let i = 0; i < reps; i++) times.push(await step(runtime, cmd, sourceDir));
  return median(times);
}

try {
  const copy = ['sh', '-c', 'cp -R /src/. /out/'];
  const localTrue = await measure(local, ['true'], empty);
  const swarmTrue = await measure(swarm, ['true'], empty);
  const localCopy = await measure(local, copy, big);
  const swarmCopy = await measure(swarm, copy, big);
  const s = (ms) => `${(ms / 1000).toFixed(3)} s`;
  console.log(`swarm step overhead (image ${image}, ${reps} repetitions, medians; baseline: local step, same run)`);
  console.log(`  per job (true):          local ${s(localTrue)}   swarm ${s(swarmTrue)}   overhead ${s(swarmTrue - localTrue)}`);
  const perMb = (copyMs, trueMs) => `${((copyMs - trueMs) / mb).toFixed(1)} ms/MB`;
  console.log(`  artefact round trip (${mb} MB in and out): local ${s(localCopy)} (${perMb(localCopy, localTrue)})   swarm ${s(swarmCopy)} (${perMb(swarmCopy, swarmTrue)})`);
} finally {
  await swarm.close();
  rmSync(work, { recursive: true, force: true });
  if (ours) await docker.swarmLeave({ force: true });
}
