// The Swarm runtime's contract, on a single-node swarm (the shared engine made a manager on
// loopback when it is not one): a build step runs as a replicated job of one completion, as the
// build user, with its limits and no reservation, pinned to the node stubforge chose; its read-only inputs and its output travel
// through the coordinator's store; failure, timeout, memory kill and interrupt come back the way
// a local step's do (a kill is out of memory only when the engine that ran it says so), and
// nothing of a step (service, task, partial output) stays behind.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { runBuildStep, type BuildStepSpec } from '../../src/runtime/build-step.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { reapLeftovers } from '../../src/runtime/reaper.js';
import { SwarmRuntime } from '../../src/runtime/swarm-runtime.js';
import { TEST_IMAGE, ensureEngine, ensureTestImage } from './runtime-support.js';
import { ensureSwarmManager, leaveSwarmIfOurs, servicesOfRun, swarmEngine, type SwarmState } from './swarm-support.js';

const runtime = new SwarmRuntime();
const log = silentLogger();
let swarm: SwarmState | undefined;
let work: string;
let source: string;
let counter = 0;

function spec(over: Partial<BuildStepSpec> & Pick<BuildStepSpec, 'cmd'>): BuildStepSpec & { readonly run: string } {
  counter += 1;
  const run = `swarm-test-${process.pid}-${counter}`;
  return {
    image: TEST_IMAGE, sourceDir: source, outputDir: join(work, `out-${counter}`), timeoutMs: 120_000,
    memoryBytes: 512 * 1024 ** 2, labels: { run, package: 'hello', key: `key-${counter}` }, run, ...over,
  };
}

function leftovers(outputDir: string): string[] {
  const name = outputDir.split('/').pop() ?? '';
  return readdirSync(work).filter((f) => f.startsWith(name) && f !== `${name}.log` && f !== name);
}

function logLines(file: string): string[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; line?: string })
    .filter((r) => r.msg === 'output').map((r) => r.line ?? '');
}

beforeAll(async () => {
  ensureEngine();
  await ensureTestImage(new DockerRuntime());
  swarm = await ensureSwarmManager();
  work = mkdtempSync(join(tmpdir(), 'stubforge-swarm-step-'));
  source = join(work, 'src');
  mkdirSync(join(source, 'sub'), { recursive: true });
  writeFileSync(join(source, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("hello from the swarm"); return 0; }\n');
  writeFileSync(join(source, 'sub', 'data'), 'nested\n');
});

afterAll(async () => {
  await runtime.close();
  rmSync(work, { recursive: true, force: true });
  await leaveSwarmIfOurs(swarm);
});

describe('a build step on Swarm', () => {
  it('compiles the fetched source as uid 1000 and hands the uploaded output back, with its log', async () => {
    const s = spec({ cmd: ['sh', '-c', 'id -u > /out/uid && cat sub/data > /out/nested && gcc -o /out/hello hello.c && /out/hello > /out/msg && echo built && echo warn >&2'] });
    const result = await runBuildStep(s, { runtime, log });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value.outcome.exitCode).toBe(0);
    expect(readFileSync(join(s.outputDir, 'msg'), 'utf8')).toBe('hello from the swarm\n');
    expect(readFileSync(join(s.outputDir, 'uid'), 'utf8')).toBe('1000\n');
    expect(readFileSync(join(s.outputDir, 'nested'), 'utf8')).toBe('nested\n');
    expect(logLines(result.value.logFile)).toEqual(expect.arrayContaining(['built', 'warn']));
    expect(leftovers(s.outputDir)).toEqual([]);
    expect(await servicesOfRun(s.run)).toEqual([]);
  });

  it('runs a replicated job of one completion, never restarted, limited, reserving nothing, pinned to its node', async () => {
    const s = spec({ cmd: ['sh', '-c', 'cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes; sleep 3'], limits: { pidsLimit: 321 } });
    const pending = runBuildStep(s, { runtime, log });
    let services: string[] = [];
    for (let i = 0; i < 100 && services.length === 0; i++) {
      services = await servicesOfRun(s.run);
      if (services.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    const inspected = await swarmEngine.getService(services[0] ?? '').inspect() as { Spec: Record<string, any> };
    const result = await pending;
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(inspected.Spec.Mode).toEqual({ ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } });
    expect(inspected.Spec.TaskTemplate.RestartPolicy.Condition).toBe('none');
    expect(inspected.Spec.TaskTemplate.ContainerSpec.User).toBe('1000:1000');
    expect(inspected.Spec.TaskTemplate.ContainerSpec.Labels['org.stubforge.run']).toBe(s.run);
    const { Limits, Reservations } = inspected.Spec.TaskTemplate.Resources;
    expect(Reservations).toBeUndefined();
    expect(Limits).toMatchObject({ NanoCPUs: 1e9, MemoryBytes: 512 * 1024 ** 2, Pids: 321 });
    const nodeId = ((await swarmEngine.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
    expect(inspected.Spec.TaskTemplate.Placement.Constraints).toEqual([`node.id==${nodeId}`]);
    expect(logLines(result.value.logFile).filter((l) => !l.startsWith('stubforge: '))).toEqual(['321', String(512 * 1024 ** 2)]);
    // The step's log names the node its task ran on.
    expect(logLines(result.value.logFile)).toEqual(expect.arrayContaining([expect.stringMatching(/^stubforge: the step's task is on Swarm node \S+/)]));
  });

  it('works on its own copy of the source: a write into it never reaches the coordinator\'s folder', async () => {
    const s = spec({ cmd: ['sh', '-c', 'echo changed > /src/hello.c && cat /src/hello.c > /out/seen'] });
    const result = await runBuildStep(s, { runtime, log });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(readFileSync(join(s.outputDir, 'seen'), 'utf8')).toBe('changed\n');
    expect(readFileSync(join(source, 'hello.c'), 'utf8')).toMatch(/hello from the swarm/);
  });

  it('reports a failing step with its exit code and log tail, and collects nothing', async () => {
    const s = spec({ cmd: ['sh', '-c', 'echo about to fail; touch /out/partial; exit 3'] });
    const result = await runBuildStep(s, { runtime, log });
    if (result.ok || result.error.reason !== 'step-failed') throw new Error(JSON.stringify(result));
    expect(result.error.exitCode).toBe(3);
    expect(result.error.logTail).toContain('about to fail');
    expect(existsSync(s.outputDir)).toBe(false);
    expect(leftovers(s.outputDir)).toEqual([]);
    expect(await servicesOfRun(s.run)).toEqual([]);
  });

  it('removes the service of a step that runs past its timeout and reports the timeout', async () => {
    const s = spec({ cmd: ['sh', '-c', 'echo started; sleep 120'], timeoutMs: 4_000 });
    const result = await runBuildStep(s, { runtime, log });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ reason: 'timeout', timeoutMs: 4_000 });
    expect(existsSync(s.outputDir)).toBe(false);
    expect(await servicesOfRun(s.run)).toEqual([]);
  });

  it('reports exit 137 of a step over its memory limit as out of memory (the OOM flag of the task container on this engine)', async () => {
    const s = spec({ cmd: ['sh', '-c', 'head -c 400000000 /dev/zero | tail -n 1 > /dev/null'], memoryBytes: 64 * 1024 ** 2 });
    const result = await runBuildStep(s, { runtime, log });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ reason: 'out-of-memory', memoryBytes: 64 * 1024 ** 2 });
    expect(existsSync(s.outputDir)).toBe(false);
  });

  it('reports exit 137 of a step killed from inside as a failed step, not as out of memory', async () => {
    const s = spec({ cmd: ['sh', '-c', 'echo dying; kill -9 $$'] });
    const result = await runBuildStep(s, { runtime, log });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ reason: 'step-failed', exitCode: 137 });
    expect(existsSync(s.outputDir)).toBe(false);
    expect(await servicesOfRun(s.run)).toEqual([]);
  });

  it('removes its service when aborted mid-step, leaving no output', async () => {
    const s = spec({ cmd: ['sh', '-c', 'echo running; sleep 120'] });
    const controller = new AbortController();
    const pending = runBuildStep(s, { runtime, log, signal: controller.signal });
    for (let i = 0; i < 100 && (await servicesOfRun(s.run)).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000));
    controller.abort();
    const result = await pending;
    expect(!result.ok && result.error.reason).toBe('interrupted');
    expect(await servicesOfRun(s.run)).toEqual([]);
    expect(existsSync(s.outputDir)).toBe(false);
    expect(leftovers(s.outputDir)).toEqual([]);
  });

  it('refuses root as the user of a step', async () => {
    const created = await runtime.createStep({ image: TEST_IMAGE, cmd: ['true'], user: '0:0', network: 'none', timeoutMs: 1000, labels: { run: 'x', package: 'p', key: 'k', kind: 'test' } });
    expect(!created.ok && created.error.reason).toBe('root-user-refused');
  });

  it('tries a fresh task when Swarm rejects one, and reports the rejection after three tries', async () => {
    // Pinned by digest to a registry on a closed loopback port: every task is rejected at its pull.
    const s = spec({ cmd: ['true'], image: `127.0.0.1:1/stubforge-absent@sha256:${'0'.repeat(64)}` });
    const result = await runBuildStep(s, { runtime, log });
    if (result.ok) throw new Error('a step whose image cannot be pulled succeeded');
    expect(result.error).toMatchObject({ reason: 'engine-error', operation: 'run task' });
    expect(JSON.stringify(result.error)).toMatch(/task rejected/);
    const retries = readFileSync(`${s.outputDir}.log`, 'utf8').match(/trying a fresh task \(\d of 3\)/g) ?? [];
    expect(retries).toEqual(['trying a fresh task (2 of 3)', 'trying a fresh task (3 of 3)']);
    expect(await servicesOfRun(s.run)).toEqual([]);
    expect(existsSync(s.outputDir)).toBe(false);
  });
});

describe('placement on Swarm', () => {
  it('keeps a running step when its node is updated after more finished steps than it has CPUs', async () => {
    // Swarm's constraint enforcer counts the reservation of every finished job task on a node, on
    // each update of the node. With reservations in the step's spec, 3×CPUs+1 finished steps and
    // eight label updates got this step's tasks rejected ("assigned node no longer meets
    // constraints", the qemu step's failure on two nodes); the fitting is stubforge's now.
    const nodeId = ((await swarmEngine.info()) as { Swarm: { NodeID: string } }).Swarm.NodeID;
    const node = swarmEngine.getNode(nodeId);
    const cpus = ((await node.inspect()) as { Description: { Resources: { NanoCPUs: number } } }).Description.Resources.NanoCPUs / 1e9;
    for (let i = 0; i <= 3 * cpus; i += 1) {
      const done = await runBuildStep(spec({ cmd: ['true'] }), { runtime, log });
      if (!done.ok || done.value.outcome.exitCode !== 0) throw new Error(`short step ${String(i)}: ${JSON.stringify(done)}`);
    }
    const s = spec({ cmd: ['sh', '-c', 'sleep 6 && echo survived'] });
    const pending = runBuildStep(s, { runtime, log });
    const label = 'org.stubforge.test-touch';
    for (let i = 0; i < 8; i += 1) {
      await new Promise((r) => setTimeout(r, 500));
      const current = (await node.inspect()) as { Version: { Index: number }; Spec: { Labels?: Record<string, string> } };
      await node.update({ version: current.Version.Index, ...current.Spec, Labels: { ...current.Spec.Labels, [label]: String(i) } });
    }
    const result = await pending;
    const restored = (await node.inspect()) as { Version: { Index: number }; Spec: { Labels?: Record<string, string> } };
    const { [label]: _touched, ...labels } = restored.Spec.Labels ?? {};
    await node.update({ version: restored.Version.Index, ...restored.Spec, Labels: labels });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value.outcome.exitCode).toBe(0);
    expect(logLines(result.value.logFile)).toContain('survived');
    expect(readFileSync(result.value.logFile, 'utf8')).not.toMatch(/rejected/);
  });
});

describe('reaping on Swarm', () => {
  it('removes the services of a dead stubforge process and keeps those of live ones', async () => {
    const dead = spawnSync('true').pid;
    if (dead === undefined) throw new Error('no pid');
    const orphanRuntime = new SwarmRuntime({ owner: { pid: dead, pidStart: '1', host: hostname() } });
    const labels = { package: 'hello', key: 'k', kind: 'test' as const };
    const orphanRun = `reap-${process.pid}-dead`;
    const liveRun = `reap-${process.pid}-live`;
    const orphan = await orphanRuntime.createStep({ image: TEST_IMAGE, cmd: ['sleep', '60'], user: '1000:1000', network: 'none', timeoutMs: 90_000, labels: { ...labels, run: orphanRun } });
    const live = await runtime.createStep({ image: TEST_IMAGE, cmd: ['sleep', '60'], user: '1000:1000', network: 'none', timeoutMs: 90_000, labels: { ...labels, run: liveRun } });
    if (!orphan.ok || !live.ok) throw new Error('create failed');
    const orphanDone = orphan.value.run(() => undefined);
    const liveStop = new AbortController();
    const liveDone = live.value.run(() => undefined, liveStop.signal);
    for (let i = 0; i < 100 && ((await servicesOfRun(orphanRun)).length === 0 || (await servicesOfRun(liveRun)).length === 0); i++) await new Promise((r) => setTimeout(r, 100));

    const reaped = await reapLeftovers(runtime, { log });
    if (!reaped.ok) throw new Error(JSON.stringify(reaped.error));
    expect(reaped.value.removed).toContain(orphan.value.id);
    expect(reaped.value.removed).not.toContain(live.value.id);
    expect(await servicesOfRun(orphanRun)).toEqual([]);
    expect(await servicesOfRun(liveRun)).toEqual([live.value.id]);
    // The orphan's own wait sees its task go and ends; it reports no exit it did not see.
    const orphanResult = await orphanDone;
    expect(orphanResult.ok).toBe(false);
    liveStop.abort();
    await liveDone;
    expect(await servicesOfRun(liveRun)).toEqual([]);
    await orphanRuntime.close();
  });
});
