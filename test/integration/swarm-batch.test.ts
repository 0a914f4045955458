// `stubforge batch --runtime swarm`: the batch takes the runtime option itself, checks the Swarm
// once, and every build it runs puts its steps on the cluster. A list of one small library
// (zlib for musl-linux-amd64, pinned to what the mirror serves whole, read from the indices when
// the test runs) on the single-node Swarm of the other Swarm tests (the shared engine made a
// manager on loopback when it is none; it leaves at the end only then).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchReport } from '../../src/executor/batch/batch-report.js';
import { servedChoices, TEST_INDEX_CACHE } from './archive-versions.js';
import { ensureEngine } from './runtime-support.js';
import { ensureSwarmManager, leaveSwarmIfOurs, type SwarmState } from './swarm-support.js';

const ROOT = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'stubforge-swarm-batch-'));
const env = { ...process.env, STUBFORGE_HOME: join(work, 'home'), STUBFORGE_CACHE: TEST_INDEX_CACHE, STUBFORGE_LOG_LEVEL: 'warn' };
let swarm: SwarmState | undefined;
let list = '';

beforeAll(async () => {
  ensureEngine();
  const pins = await servedChoices('zlib', ['--arch', 'musl-linux-amd64', '--suite', 'bookworm'], { env, cwd: work });
  list = join(work, 'one.list');
  writeFileSync(list, `zlib musl-linux-amd64 --suite bookworm --libraries-only ${pins.join(' ')}\n`);
  swarm = await ensureSwarmManager();
}, 300_000);

afterAll(async () => {
  await leaveSwarmIfOurs(swarm);
  rmSync(work, { recursive: true, force: true });
});

function batch(args: readonly string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/stubforge.js'), 'batch', ...args], { env, cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { out += b.toString(); });
  return new Promise((resolve) => { child.on('close', (code) => { resolve({ code, out }); }); });
}

describe('batch --runtime swarm', () => {
  it('builds the list on the Swarm: the batch names the cluster, and the target\'s build ran its steps there', async () => {
    const r = await batch([list, '--runtime', 'swarm']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/job\(s\) each on the swarm of \d+ node\(s\)/);
    const report = JSON.parse(readFileSync(`${list}.report.json`, 'utf8')) as BatchReport;
    const target = report.targets[0];
    expect(target?.status).toBe('succeeded');
    expect(target?.built).toBeGreaterThan(0);
    const log = readFileSync(target?.log ?? '', 'utf8');
    expect(log).toContain('--runtime swarm');
    expect(log).toMatch(/on the swarm of \d+ node\(s\)/);
  });
});
