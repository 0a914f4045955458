// The dose oracle: check-archive for the full architecture amd64 against dose-builddebcheck, on
// the same bookworm main indices (downloaded and checked against the gpgv-verified InRelease by the
// archive layer's own code) with the same build profiles. A seeded sample of at least 2,000
// sources (plus every source check-archive finds unsatisfiable on the whole archive) is handed
// to dose as a Sources file of their paragraphs; every verdict must agree, and every disagreement
// is named. The expectations come from the indices and dose at test time, never from today's
// versions.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArchTables } from '../../src/arch/dpkg-tables-loader.js';
import type { ArchTable } from '../../src/arch/dpkg-arch.js';
import { loadAptSources } from '../../src/archive/apt-sources.js';
import { defaultFetch, downloadToFile } from '../../src/archive/http.js';
import { parsePackagesIndex, parseSourcesIndex } from '../../src/archive/index-records.js';
import { runProcess } from '../../src/io/process.js';
import { fetchRelease } from '../../src/archive/release.js';
import { resolveSuites } from '../../src/archive/suites.js';
import type { ArchiveIndex } from '../../src/model/archive.js';
import { ArchiveView } from '../../src/solver/archive-view.js';
import { checkFullArch } from '../../src/solver/check-full-arch.js';

const SUITE = 'bookworm';
const SAMPLE = 2_400;
const SEED = 0x0d05e;
const work = mkdtempSync(join(tmpdir(), 'stubforge-dose-oracle-'));
let view: ArchiveView;
let table: ArchTable;
let sourcesText = '';

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** mulberry32: small, seeded, so a failing sample reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  const apt = await loadAptSources();
  if (!apt.ok) throw new Error(apt.error.message);
  const suites = resolveSuites(apt.value.entries, { suites: [SUITE] }, apt.value.files);
  const suite = suites.ok ? suites.value[0] : undefined;
  if (suite === undefined) throw new Error(`no ${SUITE} suite in the apt configuration`);
  const io = { fetch: defaultFetch, runProcess, clock: () => new Date(), tmpDir: work, timeoutMs: 120_000 };
  const release = await fetchRelease(suite, io);
  if (!release.ok) throw new Error(JSON.stringify(release.error));
  for (const [name, path] of [['Sources', 'main/source/Sources'], ['Packages', 'main/binary-amd64/Packages']] as const) {
    const entry = release.value.release.files.get(`${path}.xz`);
    if (entry === undefined) throw new Error(`${path}.xz is not in the InRelease`);
    const got = await downloadToFile(`${suite.mirror}/dists/${SUITE}/${path}.xz`, join(work, `${name}.xz`), { ...io, expected: entry });
    if (!got.ok) throw new Error(JSON.stringify(got.error));
    const xz = spawnSync('xz', ['-dk', join(work, `${name}.xz`)]);
    if (xz.status !== 0) throw new Error(`xz: ${xz.stderr.toString()}`);
  }
  sourcesText = readFileSync(join(work, 'Sources'), 'utf8');
  const label = (file: string): { file: string; suite: string; component: string } => ({ file, suite: SUITE, component: 'main' });
  const s = parseSourcesIndex(sourcesText, label('Sources'));
  const p = parsePackagesIndex(readFileSync(join(work, 'Packages'), 'utf8'), label('Packages'));
  if (!s.ok || !p.ok) throw new Error('the indices do not parse');
  const index: ArchiveIndex = { suites: [{ suite: SUITE, component: 'main', mirror: suite.mirror }], sources: s.value.records, binaries: p.value.records };
  view = new ArchiveView(index);
  const tables = await loadArchTables();
  if (!tables.ok) throw new Error(tables.error.message);
  table = tables.value;
}, 900_000);

/** dose's YAML report → `name version` → ok | broken. */
function doseVerdicts(yaml: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of yaml.split(/^ -$/m).slice(1)) {
    const pkg = /^ {2}package: (\S+)$/m.exec(item)?.[1];
    const version = /^ {2}version: (\S+)$/m.exec(item)?.[1];
    const status = /^ {2}status: (\S+)$/m.exec(item)?.[1];
    if (pkg !== undefined && version !== undefined && status !== undefined) out.set(`${pkg} ${version}`, status);
  }
  return out;
}

describe.each([
  ['no profiles', [] as string[]],
  ['cross nocheck nodoc noinsttest noudeb nopython stage1', ['cross', 'nocheck', 'nodoc', 'noinsttest', 'noudeb', 'nopython', 'stage1']],
])('check-archive --arch amd64 against dose-builddebcheck, %s', (_name, profiles) => {
  it('gives the same verdict for every sampled source', () => {
    const whole = checkFullArch({ archive: view, arch: 'amd64', table, profiles });
    const checked = whole.sources.filter((s) => s.status === 'ok' || s.status === 'unsatisfiable');
    const random = rng(SEED);
    const sample = new Set(checked.filter((s) => s.status === 'unsatisfiable').map((s) => s.source));
    const wanted = Math.min(checked.length, sample.size + SAMPLE);
    while (sample.size < wanted) {
      const pick = checked[Math.floor(random() * checked.length)];
      if (pick !== undefined) sample.add(pick.source);
    }
    expect(sample.size).toBeGreaterThanOrEqual(2_000);
    const ours = new Map(checked.filter((s) => sample.has(s.source)).map((s) => [`${s.source} ${s.version}`, s]));
    // The sampled paragraphs, exactly the versions check-archive checked, for dose.
    const paragraphs = sourcesText.split(/\n\n+/).filter((para) => {
      const name = /^Package: (\S+)$/m.exec(para)?.[1];
      const version = /^Version: (\S+)$/m.exec(para)?.[1];
      return ours.has(`${name ?? ''} ${version ?? ''}`);
    });
    const sampleFile = join(work, `Sources-sample-${profiles.length}`);
    writeFileSync(sampleFile, `${paragraphs.join('\n\n')}\n`);
    const args = ['--deb-native-arch=amd64', '--deb-drop-b-d-indep', '--successes', '--failures',
      ...(profiles.length > 0 ? [`--deb-profiles=${profiles.join(',')}`] : []), join(work, 'Packages'), sampleFile];
    const dose = spawnSync('nice', ['-n', '10', 'dose-builddebcheck', ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (dose.status !== 0 && dose.status !== 1) throw new Error(`dose-builddebcheck exited ${String(dose.status)}: ${dose.stderr}`);
    const verdicts = doseVerdicts(dose.stdout);
    const disagreements: string[] = [];
    for (const [key, s] of ours) {
      const theirs = verdicts.get(key);
      const mine = s.status === 'unsatisfiable' ? 'broken' : 'ok';
      if (theirs !== mine) {
        const why = s.problems.flatMap((p) => (p.reason === 'unsatisfiable' ? [`${p.origin.text}: ${p.attempts.map((a) => a.detail).join('; ')}`] : [p.reason]));
        disagreements.push(`${key}: check-archive ${mine}${why.length > 0 ? ` (${why.join(' / ')})` : ''}, dose ${theirs ?? 'did not check it'}`);
      }
    }
    expect(disagreements, `${disagreements.length} of ${ours.size} sources disagree`).toEqual([]);
    expect(verdicts.size).toBe(ours.size);
  }, 900_000);
});
