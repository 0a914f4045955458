// The plan memo on disk (cache/plan-memo.ts): what the recording readers note while the solver's
// inputs load, memos written and read back (a real plan: qemu-stubdom solved on the real index
// excerpts of test/fixtures/solver), every kind of miss, and pruning. Temp directories only.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadSolverInputs, nodeSolverInputFiles } from '../../src/cli/commands/solver-inputs.js';
import {
  codeDigest, KEEP_MEMOS, PLAN_MEMO_FORMAT, readPlanMemo, recordingInputFiles, writePlanMemo, type PlanMemo,
} from '../../src/cache/plan-memo.js';
import { silentLogger } from '../../src/log/logger.js';
import { planMemoKey, type PlanMemoKey } from '../../src/plan/plan-memo-key.js';
import { buildPlan, type BuildPlan } from '../../src/plan/plan.js';
import { planToJson, renderPlanDot, renderPlanText } from '../../src/plan/render.js';
import { solve } from '../../src/solver/solve.js';
import { fixtureIndex, ROOT, shippedArch, shippedRecipes } from './solver-fixtures.js';

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

function keyFor(target: string): PlanMemoKey {
  return planMemoKey({ format: PLAN_MEMO_FORMAT, code: 'c', target, indexArch: 'amd64', releases: [], pins: new Map(), reads: [] });
}

let plan: BuildPlan;
beforeAll(async () => {
  const { arch, table } = shippedArch('musl-linux-amd64');
  const solved = solve({ archive: fixtureIndex(['bookworm', 'bookworm-updates', 'bookworm-security']), arch, table, recipes: await shippedRecipes(), target: 'qemu-stubdom' });
  if (!solved.ok) throw new Error('fixture closure does not solve');
  const built = buildPlan(solved.value, arch);
  if (!built.ok) throw new Error('fixture plan has a cycle');
  plan = built.value;
});

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stubforge-plan-memo-unit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('recording input readers', () => {
  it('note a digest of every file the inputs are loaded from (recipe patches too), each listing, and each failed read', async () => {
    const recorded = recordingInputFiles(nodeSolverInputFiles);
    const ctx = { env: {}, cwd: dir, stdout: process.stdout, stderr: process.stderr, isTTY: false, log: silentLogger() };
    const inputs = await loadSolverInputs({ arch: 'musl-linux-amd64', 'arch-dir': [dir], 'dpkg-datadir': join(ROOT, 'test/fixtures/dpkg') }, ctx, recorded.files);
    expect(inputs.ok).toBe(true);
    const reads = recorded.reads();
    expect(reads[0]).toEqual({ kind: 'failed', path: join(dir, 'musl-linux-amd64'), code: 'ENOENT' });
    const files = reads.filter((r) => r.kind === 'file');
    for (const f of files) expect(f.sha256).toBe(sha256(await readFile(f.path)));
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining([
      join(ROOT, 'arch/musl-linux-amd64'), join(ROOT, 'test/fixtures/dpkg/cputable'), join(ROOT, 'test/fixtures/dpkg/tupletable'),
      join(ROOT, 'recipes/libffi'), join(ROOT, 'recipes/qemu-stubdom/recipe'), join(ROOT, 'recipes/qemu-stubdom/patches/i386-softmmu-no-fdt.patch'),
    ]));
    const listing = reads.find((r) => r.kind === 'list' && r.path === join(ROOT, 'recipes'));
    const entries = await readdir(join(ROOT, 'recipes'), { withFileTypes: true });
    expect(listing?.kind === 'list' ? [...listing.entries].sort() : []).toEqual(entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort());
  });
});

describe('plan memo files', () => {
  it('give back the plan they were given, rendered the same in every format', async () => {
    const key = keyFor('qemu-stubdom');
    const memo: PlanMemo = { plan, diagnostics: [{ reason: 'missing-field', field: 'Version', message: 'm', location: { file: 'f', line: 3 } }] };
    await writePlanMemo(dir, key, memo);
    const read = await readPlanMemo(dir, key);
    if (!read.hit) throw new Error(read.why);
    expect(read.memo).toStrictEqual(memo);
    const options = { suites: ['bookworm', 'bookworm-updates', 'bookworm-security'] };
    expect(renderPlanText(read.memo.plan, options)).toBe(renderPlanText(plan, options));
    expect(JSON.stringify(planToJson(read.memo.plan, options))).toBe(JSON.stringify(planToJson(plan, options)));
    expect(renderPlanDot(read.memo.plan)).toBe(renderPlanDot(plan));
  });

  it.each<[string, (path: string, key: PlanMemoKey) => Promise<void>, RegExp]>([
    ['none was written', async () => { /* nothing */ }, /not memoised/],
    ['the file is not a serialised value', async (path) => { await writeFile(path, 'garbage'); }, /does not deserialise/],
    ['the file is cut short', async (path, key) => {
      await writeFile(path, serialize({ format: PLAN_MEMO_FORMAT, key: key.text, plan, diagnostics: [] }).subarray(0, 500));
    }, /does not deserialise|not a plan memo/],
    ['the value is not a memo', async (path) => { await writeFile(path, serialize({ plan: 1 })); }, /not a plan memo/],
    ['it was made for another key text', async (path) => {
      await writeFile(path, serialize({ format: PLAN_MEMO_FORMAT, key: keyFor('qemu').text, plan, diagnostics: [] }));
    }, /another key/],
    ['it has another format', async (path, key) => {
      await writeFile(path, serialize({ format: 'stubforge-plan-memo 0', key: key.text, plan, diagnostics: [] }));
    }, /format/],
  ])('is a miss when %s', async (_what, prepare, why) => {
    const key = keyFor('qemu-stubdom');
    await writePlanMemo(dir, keyFor('other'), { plan, diagnostics: [] });
    await prepare(join(dir, 'plans', key.id), key);
    const read = await readPlanMemo(dir, key);
    expect(read.hit).toBe(false);
    if (!read.hit) expect(read.why).toMatch(why);
  });

  it(`keeps the ${KEEP_MEMOS} newest memos, the one just written included, and removes stale temp files`, async () => {
    const past = Date.now() / 1000 - 7200;
    for (let i = 0; i < KEEP_MEMOS + 3; i++) {
      await writePlanMemo(dir, keyFor(`t${i}`), { plan, diagnostics: [] });
      // Older memos look older (a file system's mtime may not tick between two writes).
      await utimes(join(dir, 'plans', keyFor(`t${i}`).id), past + i, past + i);
    }
    await writeFile(join(dir, 'plans', `${keyFor('t0').id}.tmp-dead`), 'x');
    await utimes(join(dir, 'plans', `${keyFor('t0').id}.tmp-dead`), past, past);
    const last = keyFor('last');
    await writePlanMemo(dir, last, { plan, diagnostics: [] });
    const names = await readdir(join(dir, 'plans'));
    expect(names).toHaveLength(KEEP_MEMOS);
    expect(names).toContain(last.id);
    expect(names).toContain(keyFor(`t${KEEP_MEMOS + 2}`).id);
    expect(names).not.toContain(keyFor('t0').id);
  });
});

describe('code digest', () => {
  it('is a SHA-256, the same on every call', async () => {
    const digest = await codeDigest(ROOT);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await codeDigest(ROOT)).toBe(digest);
  });
});
