// Benchmark: `stubforge check-archive` over all of bookworm main — for the partial arch, and for
// the full architecture amd64 (the question dose answers) — beside dose-builddebcheck over the
// same indices with the same build profiles, in the same run. The bench downloads bookworm's InRelease, Sources.xz and
// Packages.xz from this machine's apt mirror (checked against the InRelease's SHA256 list) for
// dose; stubforge reads the same suite through its own verified cache, and the bench confirms it
// used the same InRelease (its cache is keyed by the InRelease's SHA-256).
//
//   npm run build && node bench/check-archive.mjs [--reps 3] [--arch musl-linux-amd64]
//        [--profiles cross,nocheck,nodoc,noinsttest,noudeb] [--no-dose]
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { download, mirrorOf } from './apt-mirror.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: {
  reps: { type: 'string', default: '3' }, arch: { type: 'string', default: 'musl-linux-amd64' }, 'no-dose': { type: 'boolean' },
  profiles: { type: 'string', default: 'cross,nocheck,nodoc,noinsttest,noudeb' },
} });
const SUITE = 'bookworm';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** CPU time (user + system, ms) of the children this process has waited for (Linux /proc). */
function childrenCpuMs() {
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10; // cutime + cstime, in 100 Hz ticks
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const work = mkdtempSync(join(tmpdir(), 'stubforge-bench-check-'));
try {
  const base = `${mirrorOf(SUITE)}/dists/${SUITE}`;
  const inRelease = await download(`${base}/InRelease`);
  const date = /^Date: (.+)$/m.exec(inRelease.toString())?.[1] ?? '?';
  const files = {};
  for (const path of ['main/source/Sources.xz', 'main/binary-amd64/Packages.xz']) {
    const data = await download(`${base}/${path}`);
    const listed = new RegExp(`^ ([0-9a-f]{64}) +${data.length} ${path.replace(/[.]/g, '\\.')}$`, 'm').exec(inRelease.toString())?.[1];
    if (listed !== sha256(data)) throw new Error(`${path} does not match the InRelease`);
    const out = join(work, path.split('/').pop().replace(/\.xz$/, ''));
    writeFileSync(out, execFileSync('xz', ['-dc'], { input: data, maxBuffer: 1 << 30 }));
    files[path] = out;
  }

  const stubforge = (args) => () => {
    const cpu = childrenCpuMs();
    const start = performance.now();
    const r = spawnSync('node', [join(here, '..', 'bin', 'stubforge.js'), 'check-archive', '--suite', SUITE, '--show', '0', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const ms = performance.now() - start;
    if (r.status !== 0 && r.status !== 1) throw new Error(`check-archive exited ${r.status}: ${r.stderr}`);
    return { ms, cpu: childrenCpuMs() - cpu, stdout: r.stdout };
  };
  const partial = stubforge(['--arch', values.arch]);
  const full = stubforge(['--arch', 'amd64', '--profiles', values.profiles]);
  partial(); // warm-up: fills the index cache for this InRelease
  const cacheDir = process.env.STUBFORGE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'stubforge');
  const same = existsSync(join(cacheDir, 'indices', SUITE, sha256(inRelease)));
  const runs = { partial: [], full: [] };
  const last = {};
  for (let i = 0; i < Number(values.reps); i++) {
    for (const [name, run] of [['partial', partial], ['full', full]]) {
      last[name] = run();
      runs[name].push(last[name]);
    }
  }
  const counted = (name) => last[name].stdout.split('\n').slice(0, 6).map((l) => `  | ${l}`);
  const wall = (name) => median(runs[name].map((r) => r.ms));
  const cpuOf = (name) => median(runs[name].map((r) => r.cpu));

  const lines = [
    `check-archive over ${SUITE} main (InRelease ${date}; stubforge read the same InRelease: ${same ? 'yes' : 'NO'}); profiles ${values.profiles}`,
    `  stubforge --arch ${values.arch}, warm, fresh process: median ${s(wall('partial'))} (cpu ${s(cpuOf('partial'))}) over ${runs.partial.length} runs   target <= 15 s`,
    ...counted('partial'),
    `  stubforge --arch amd64 --profiles ${values.profiles} (dose's question), warm, fresh process: median ${s(wall('full'))} (cpu ${s(cpuOf('full'))}) over ${runs.full.length} runs`,
    ...counted('full'),
  ];
  if (values['no-dose'] !== true) {
    const cpu = childrenCpuMs();
    const start = performance.now();
    const dose = spawnSync('dose-builddebcheck', ['--deb-native-arch=amd64', '--deb-drop-b-d-indep', `--deb-profiles=${values.profiles}`, '-f', files['main/binary-amd64/Packages.xz'], files['main/source/Sources.xz']], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const ms = performance.now() - start;
    const doseCpu = childrenCpuMs() - cpu;
    const total = /source-packages: (\d+)/.exec(dose.stdout)?.[1] ?? '?';
    const broken = /broken-packages: (\d+)/.exec(dose.stdout)?.[1] ?? '?';
    lines.push(`dose-builddebcheck --deb-native-arch=amd64 --deb-drop-b-d-indep --deb-profiles=${values.profiles} (baseline, same indices, same run): ${s(ms)} (cpu ${s(doseCpu)}); ${total} sources, ${broken} broken (exit ${dose.status})`);
    const ratio = (name) => `${(ms / wall(name)).toFixed(1)}x wall, ${(doseCpu / cpuOf(name)).toFixed(1)}x cpu`;
    lines.push(`  dose / stubforge: --arch ${values.arch} ${ratio('partial')}; --arch amd64 ${ratio('full')}   target >= 5x`);
  }
  lines.push(`load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
