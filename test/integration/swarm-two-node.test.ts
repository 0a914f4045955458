// Two Swarm nodes on one machine: the shared engine as manager (advertised on the host end of a
// veth pair this test makes), and a second engine in a network namespace as worker
// (swarm-worker.ts). zlib for musl-linux-amd64 (its version read from the indices when the test
// runs) is built with --runtime swarm and its steps placed on the worker: the worker pulls the
// build image from the registry by digest, fetches the source from the coordinator's store,
// uploads its output, and the coordinator publishes it. Then the worker's engine is killed in the
// middle of a build: nothing may be published under the key, and a rerun after the engine is back
// finishes. Needs the shared engine outside any Swarm (the test makes and ends its own).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryPid, startRegistry } from '../../src/cluster/registry.js';
import { joinSwarm, joinTokens, initSwarm, swarmMembership } from '../../src/runtime/swarm-cluster.js';
import { plannedVersions, servedChoices, TEST_INDEX_CACHE } from './archive-versions.js';
import { ensureEngine } from './runtime-support.js';
import { swarmEngine } from './swarm-support.js';
import { createWorkerNode, freePort, type WorkerNode } from './swarm-worker.js';

const ROOT = join(import.meta.dirname, '../..');
const SOCKET = '/var/run/docker.sock';
const tag = String(process.pid % 10000);
const work = mkdtempSync(join(tmpdir(), 'stubforge-swarm-two-'));
const registryState = join(work, 'registry-state');
let registryAddress = '';
let worker: WorkerNode | undefined;
let swarmOurs = false;
let skipReason: string | undefined;
let pins: string[] = [];
let version = '';


interface Run { readonly code: number | null; readonly out: string }

/** `stubforge build zlib` on the swarm, steps on the worker. */
function build(home: string): Promise<Run> {
  const args = ['build', 'zlib', '--arch', 'musl-linux-amd64', '--suite', 'bookworm', '--jobs', '1', ...pins,
    '--runtime', 'swarm', '--registry', registryAddress, '--placement', 'node.role==worker'];
  const child = spawn(process.execPath, [join(ROOT, 'bin/stubforge.js'), ...args], {
    env: { ...process.env, STUBFORGE_HOME: home, STUBFORGE_CACHE: TEST_INDEX_CACHE, STUBFORGE_LOG_LEVEL: 'warn' }, cwd: work, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const take = (b: Buffer): void => {
    out += b.toString();
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  return new Promise((resolve) => { child.on('close', (code) => { resolve({ code, out }); }); });
}

function debsIn(home: string): string[] {
  try {
    return readdirSync(join(home, 'repo'), { recursive: true }).map(String).filter((f) => f.endsWith('.deb'));
  } catch {
    return [];
  }
}

async function workerNodeReady(): Promise<boolean> {
  const nodes = await swarmEngine.listNodes() as { Spec?: { Role?: string }; Status?: { State?: string } }[];
  return nodes.some((n) => n.Spec?.Role === 'worker' && n.Status?.State === 'ready');
}

beforeAll(async () => {
  ensureEngine();
  const before = await swarmMembership(SOCKET);
  if (before.state !== 'inactive') {
    skipReason = `the shared engine is already in a Swarm (${before.state}); this test makes its own`;
    return;
  }
  const run = { env: { ...process.env, STUBFORGE_CACHE: TEST_INDEX_CACHE }, cwd: work };
  pins = await servedChoices('zlib', ['--arch', 'musl-linux-amd64', '--suite', 'bookworm'], run);
  version = (await plannedVersions('zlib', ['--arch', 'musl-linux-amd64', '--suite', 'bookworm', ...pins], run)).get('zlib') ?? '';
  const port = await freePort();
  registryAddress = `127.0.0.1:${String(port)}`;
  await startRegistry(registryState, registryAddress);
  worker = await createWorkerNode(tag, 16 + (process.pid % 200), port);
  await worker.startEngine();
  await initSwarm(SOCKET, worker.hostAddress);
  swarmOurs = true;
  await joinSwarm(worker.socket, `${worker.hostAddress}:2377`, (await joinTokens(SOCKET)).worker, worker.workerAddress);
  for (let i = 0; i < 120 && !(await workerNodeReady()); i += 1) await new Promise((r) => setTimeout(r, 250));
});

afterAll(async () => {
  await worker?.teardown();
  if (swarmOurs) {
    const nodes = await swarmEngine.listNodes().catch(() => []);
    for (const n of nodes as { ID: string; Spec?: { Role?: string } }[]) {
      if (n.Spec?.Role === 'worker') await swarmEngine.getNode(n.ID).remove({ force: true }).catch(() => undefined);
    }
    await swarmEngine.swarmLeave({ force: true });
  }
  const pid = await registryPid(registryState);
  if (pid !== undefined) process.kill(pid, 'SIGTERM');
  rmSync(work, { recursive: true, force: true });
});

describe('a build on a two-node Swarm', () => {
  it('builds zlib on the worker, which pulled the image from the registry, and the coordinator publishes it', async (ctx) => {
    if (skipReason !== undefined) ctx.skip(skipReason);
    expect(version).not.toBe('');
    const home = join(work, 'home-1');
    const r = await build(home);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/on the swarm of 2 node\(s\), 1 allowed by --placement, /);
    expect(r.out).toMatch(new RegExp(`zlib\\s+${version.replace(/[.+]/g, '\\$&')}\\s+built`));
    const upstream = version.replace(/^\d+:/, '');
    expect(debsIn(home)).toEqual(expect.arrayContaining([expect.stringContaining(`zlib1g-dev-musl-linux-amd64-cross_${upstream}`)]));
    const images = await (worker as WorkerNode).engine.listImages();
    expect(images.flatMap((i) => i.RepoDigests ?? []).some((d) => d.startsWith(`${registryAddress}/stubforge/`))).toBe(true);
  });

  it('publishes nothing when the worker\'s engine dies mid-build, and a rerun finishes', async (ctx) => {
    if (skipReason !== undefined) ctx.skip(skipReason);
    const w = worker as WorkerNode;
    const home = join(work, 'home-2');
    let killed = false;
    const pending = build(home);
    // Once the step's container runs on the worker, its engine is killed.
    for (let i = 0; i < 1200 && !killed; i += 1) {
      const running = await w.engine.listContainers({ filters: { label: ['org.stubforge.package=zlib'] } }).catch(() => []);
      if (running.length > 0) {
        killed = true;
        w.killEngine();
      } else {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const first = await pending;
    expect(killed, first.out).toBe(true);
    expect(first.code, first.out).not.toBe(0);
    expect(first.out).toMatch(/went down|not answering|engine/);
    expect(debsIn(home)).toEqual([]);

    await w.startEngine();
    for (let i = 0; i < 240 && !(await workerNodeReady()); i += 1) await new Promise((r) => setTimeout(r, 250));
    const again = await build(home);
    expect(again.code, again.out).toBe(0);
    expect(debsIn(home).length).toBeGreaterThan(0);
  });
});
