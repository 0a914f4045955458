// What a container costs a build step: the same command on the host and as a stubforge build step
// (fresh container, non-root, no network, read-only source copied into a build dir, output renamed
// into place, step log written, container removed), in the same run, several repetitions each.
// Prints the medians and the overhead beside the target: ≤ 1 s per step, or ≤ 5 % of a package
// build (docs/closure-by-hand.md: zlib 4.5 s, glib2.0 48 s, qemu 170 s on this machine).
//
//   npm run build && node bench/container-overhead.mjs [--reps N] [--image REF]
//
// Needs the engine (docker/ensure-engine.sh) and an environment with gcc (`stubforge env create`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBuildStep } from '../dist/src/runtime/build-step.js';
import { DockerRuntime } from '../dist/src/runtime/docker-runtime.js';
import { environmentRef, DEFAULT_ARCH, DEFAULT_SUITE } from '../dist/src/runtime/env-spec.js';
import { silentLogger } from '../dist/src/log/logger.js';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '7' }, image: { type: 'string' } } });
const reps = Number(values.reps);
const image = values.image ?? environmentRef(DEFAULT_SUITE, DEFAULT_ARCH);
const TARGET_MS = 1000;
const PACKAGE_BUILDS_MS = { zlib: 4_500, 'glib2.0': 48_000, qemu: 170_000 };

const runtime = new DockerRuntime();
const ping = await runtime.ping();
if (!ping.ok) {
  console.error(`engine not answering (${ping.error.reason}): run docker/ensure-engine.sh`);
  process.exit(2);
}
const info = await runtime.inspectImage(image);
if (!info.ok || info.value === undefined) {
  console.error(`image ${image} not found: run \`stubforge env create\` first`);
  process.exit(2);
}
const digest = info.value.digest;

// A small compile: a generated C file of 300 functions, enough to take the compiler a moment.
const work = mkdtempSync(join(tmpdir(), 'stubforge-bench-'));
const source = join(work, 'src');
mkdirSync(source);
const fns = Array.from({ length: 300 }, (_, i) => `int f${i}(int x) { int s = 0; for (int j = 0; j < x; j++) s += j * ${i} ^ (s >> 3); return s; }`);
writeFileSync(join(source, 'unit.c'), `${fns.join('\n')}\nint main(void) { return f1(3) & 1; }\n`);

const cases = [
  { name: 'true', host: ['true'], step: ['true'] },
  { name: 'compile (gcc -O2, 300 functions)', host: ['gcc', '-O2', '-c', join(source, 'unit.c'), '-o', join(work, 'unit.o')], step: ['gcc', '-O2', '-c', 'unit.c', '-o', '/out/unit.o'] },
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const log = silentLogger();
let n = 0;
const rows = [];
for (const c of cases) {
  const hostMs = [];
  const stepMs = [];
  // One warm-up each (page cache, engine), not counted.
  for (let i = -1; i < reps; i++) {
    let t0 = performance.now();
    const host = spawnSync(c.host[0], c.host.slice(1), { stdio: 'ignore' });
    const h = performance.now() - t0;
    if (host.status !== 0) throw new Error(`host ${c.name} failed`);
    n += 1;
    t0 = performance.now();
    const step = await runBuildStep({
      image: digest, cmd: c.step, sourceDir: source, outputDir: join(work, `out-${n}`), timeoutMs: 120_000,
      labels: { run: `bench-${process.pid}`, package: 'bench', key: String(n) },
    }, { runtime, log });
    const s = performance.now() - t0;
    if (!step.ok) throw new Error(`step ${c.name} failed: ${JSON.stringify(step.error)}`);
    rmSync(join(work, `out-${n}`), { recursive: true, force: true });
    if (i >= 0) {
      hostMs.push(h);
      stepMs.push(s);
    }
  }
  rows.push({ name: c.name, host: median(hostMs), step: median(stepMs) });
}
rmSync(work, { recursive: true, force: true });

const fmt = (ms) => `${(ms / 1000).toFixed(3)} s`;
console.log(`container overhead, ${reps} repetitions, medians; engine ${ping.value.serverVersion}; image ${image} (${digest.slice(7, 19)})`);
console.log('case                               host       step       overhead   target ≤ 1 s   % of zlib / glib2.0 / qemu build');
for (const r of rows) {
  const over = r.step - r.host;
  const pct = Object.values(PACKAGE_BUILDS_MS).map((b) => `${((over / b) * 100).toFixed(1)} %`).join(' / ');
  console.log(`${r.name.padEnd(34)} ${fmt(r.host).padEnd(10)} ${fmt(r.step).padEnd(10)} ${fmt(over).padEnd(10)} ${(over <= TARGET_MS ? 'met' : 'MISSED').padEnd(14)} ${pct}`);
}
