// Build steps against the real Docker engine: what a step hands back when it succeeds, fails,
// times out, runs out of memory, tries the network or is interrupted, and what is left behind
// (nothing: no container, no partial output). The engine is started by docker/ensure-engine.sh
// in beforeAll; the test image comes from an mmdebstrap minbase made once and reused.
import { spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { createServer, type Socket } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenForInterrupt } from '../../src/cli/signals.js';
import { silentLogger } from '../../src/log/logger.js';
import { runBuildStep, type BuildStepSpec } from '../../src/runtime/build-step.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { reapLeftovers } from '../../src/runtime/reaper.js';
import { TEST_IMAGE, containersOfRun, ensureEngine, ensureTestImage, mirror } from './runtime-support.js';

const runtime = new DockerRuntime();
const log = silentLogger();
let work: string;
let source: string;
let counter = 0;

function spec(over: Partial<BuildStepSpec> & Pick<BuildStepSpec, 'cmd'>): BuildStepSpec & { readonly run: string } {
  counter += 1;
  const run = `test-${process.pid}-${counter}`;
  return {
    image: TEST_IMAGE, sourceDir: source, outputDir: join(work, `out-${counter}`), timeoutMs: 60_000,
    memoryBytes: 512 * 1024 ** 2, labels: { run, package: 'hello', key: `key-${counter}` }, run, ...over,
  };
}

/** Nothing of a step may remain beside its output dir but its log. */
function leftovers(outputDir: string): string[] {
  const name = outputDir.split('/').pop() ?? '';
  return readdirSync(work).filter((f) => f.startsWith(name) && f !== `${name}.log` && f !== name);
}

beforeAll(async () => {
  ensureEngine();
  await ensureTestImage(runtime);
  work = mkdtempSync(join(tmpdir(), 'stubforge-step-'));
  source = join(work, 'src');
  mkdirSync(source);
  writeFileSync(join(source, 'hello.c'), '#include <stdio.h>\nint main(void) { puts("hello from the step"); return 0; }\n');
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('a build step', () => {
  it('compiles the read-only source as uid 1000 and hands the output dir back on success', async () => {
    const s = spec({ cmd: ['sh', '-c', 'id -u > /out/uid && gcc -o /out/hello hello.c && /out/hello > /out/msg && echo built'] });
    const result = await runBuildStep(s, { runtime, log });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value.outcome.exitCode).toBe(0);
    expect(readFileSync(join(s.outputDir, 'msg'), 'utf8')).toBe('hello from the step\n');
    expect(readFileSync(join(s.outputDir, 'uid'), 'utf8')).toBe('1000\n');
    const records = readFileSync(result.value.logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; line?: string });
    expect(records[0]?.msg).toBe('step start');
    expect(records.some((r) => r.line === 'built')).toBe(true);
    expect(records.at(-1)).toMatchObject({ msg: 'step end', status: 'succeeded', exitCode: 0 });
    expect(leftovers(s.outputDir)).toEqual([]);
    expect(await containersOfRun(runtime, s.run)).toEqual([]);
  });

  it('cannot write into the mounted source', async () => {
    const s = spec({ cmd: ['sh', '-c', 'touch /src/intruder'] });
    const result = await runBuildStep(s, { runtime, log });
    expect(result.ok).toBe(false);
    expect(existsSync(join(source, 'intruder'))).toBe(false);
  });

  it('reports a failing step with its exit code and log tail, and collects nothing', async () => {
    const s = spec({ cmd: ['sh', '-c', 'echo partial > /out/half; echo "configure: error: no zlib" >&2; exit 7'] });
    const result = await runBuildStep(s, { runtime, log });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ reason: 'step-failed', exitCode: 7, package: 'hello' });
    if (result.error.reason !== 'step-failed') return;
    expect(result.error.logTail).toContain('configure: error: no zlib');
    expect(existsSync(result.error.logFile)).toBe(true);
    expect(existsSync(s.outputDir)).toBe(false);
    expect(leftovers(s.outputDir)).toEqual([]);
    expect(await containersOfRun(runtime, s.run)).toEqual([]);
  });

  it('kills a step that runs past its timeout and reports the timeout', async () => {
    const s = spec({ cmd: ['sh', '-c', 'echo started; sleep 60'], timeoutMs: 1_500 });
    const t0 = performance.now();
    const result = await runBuildStep(s, { runtime, log });
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ reason: 'timeout', timeoutMs: 1_500 });
    expect(existsSync(s.outputDir)).toBe(false);
    expect(leftovers(s.outputDir)).toEqual([]);
    expect(await containersOfRun(runtime, s.run)).toEqual([]);
  });

  it('reports a step killed for exceeding its memory limit as out of memory', async () => {
    // tail keeps a newline-free 400 MB line in memory: over the 64 MB limit.
    const s = spec({ cmd: ['sh', '-c', 'head -c 400000000 /dev/zero | tail -n 1 > /dev/null'], memoryBytes: 64 * 1024 ** 2 });
    const result = await runBuildStep(s, { runtime, log });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ reason: 'out-of-memory', memoryBytes: 64 * 1024 ** 2 });
    expect(existsSync(s.outputDir)).toBe(false);
  });

  it('has no network: a connection the same image makes with networking on fails in a step', async () => {
    const url = new URL(await mirror());
    const { address } = await lookup(url.hostname, { family: 4 });
    const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
    const connect = ['bash', '-c', `exec 3<>/dev/tcp/${address}/${port} && echo connected`];

    // Control: the command does connect when the container has a network.
    const control = await runtime.createStep({
      image: TEST_IMAGE, cmd: connect, user: '1000:1000', network: 'default', timeoutMs: 20_000,
      labels: { run: `test-${process.pid}-control`, package: 'hello', key: 'control', kind: 'test' },
    });
    if (!control.ok) throw new Error(control.error.reason);
    await using handle = control.value;
    const lines: string[] = [];
    const controlRun = await handle.run((_s, l) => lines.push(l));
    expect(controlRun.ok && controlRun.value.exitCode).toBe(0);
    expect(lines).toContain('connected');

    const s = spec({ cmd: connect, timeoutMs: 20_000 });
    const result = await runBuildStep(s, { runtime, log });
    expect(result.ok).toBe(false);
    if (result.ok || result.error.reason !== 'step-failed') throw new Error(JSON.stringify(result));
    expect(result.error.logTail.join('\n')).toMatch(/Network is unreachable/);
  });

  it('stops and removes its container when aborted mid-step, leaving no output', async () => {
    const s = spec({ cmd: ['sh', '-c', 'echo running; sleep 60'] });
    const controller = new AbortController();
    const pending = runBuildStep(s, { runtime, log, signal: controller.signal });
    // Abort once the container is running.
    for (let i = 0; i < 100 && (await containersOfRun(runtime, s.run)).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    controller.abort();
    const result = await pending;
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.reason).toBe('interrupted');
    expect(await containersOfRun(runtime, s.run)).toEqual([]);
    expect(existsSync(s.outputDir)).toBe(false);
    expect(leftovers(s.outputDir)).toEqual([]);
  });

  // Vitest runs test files in forked workers: a signal to this process reaches only this worker.
  it.runIf(process.send !== undefined)('stops and removes its container when the process gets SIGINT (CLI wiring)', async () => {
    const s = spec({ cmd: ['sh', '-c', 'sleep 60'] });
    const interrupt = listenForInterrupt();
    try {
      const pending = runBuildStep(s, { runtime, log, signal: interrupt.signal });
      for (let i = 0; i < 100 && (await containersOfRun(runtime, s.run)).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 300));
      process.kill(process.pid, 'SIGINT');
      const result = await pending;
      expect(interrupt.received()).toBe('SIGINT');
      expect(!result.ok && result.error.reason).toBe('interrupted');
      expect(await containersOfRun(runtime, s.run)).toEqual([]);
      expect(existsSync(s.outputDir)).toBe(false);
      expect(leftovers(s.outputDir)).toEqual([]);
    } finally {
      interrupt.dispose();
    }
  });

  it('refuses to overwrite an output that already exists', async () => {
    const s = spec({ cmd: ['true'] });
    mkdirSync(s.outputDir);
    const result = await runBuildStep(s, { runtime, log });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.reason).toBe('output-exists');
  });
});

describe('an engine that is not running', () => {
  const missing = new DockerRuntime({ socketPath: join(tmpdir(), 'no-such-dir', 'docker.sock') });

  it('answers engine-unavailable naming the socket, at once', async () => {
    const t0 = performance.now();
    const result = await missing.ping();
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ reason: 'engine-unavailable', socket: join(tmpdir(), 'no-such-dir', 'docker.sock') });
  });

  it('fails a build step fast with the same error and leaves nothing behind', async () => {
    const s = spec({ cmd: ['true'] });
    const t0 = performance.now();
    const result = await runBuildStep(s, { runtime: missing, log });
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.reason).toBe('engine-unavailable');
    expect(existsSync(s.outputDir)).toBe(false);
    expect(leftovers(s.outputDir)).toEqual([]);
  });
});

describe('an engine that accepts but never answers', () => {
  it('gives up within the connect timeout instead of hanging', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stubforge-hung-'));
    const socketPath = join(dir, 'docker.sock');
    const held: Socket[] = [];
    const server = createServer((socket) => { held.push(socket); });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    try {
      const t0 = performance.now();
      const result = await new DockerRuntime({ socketPath, connectTimeoutMs: 500 }).ping();
      expect(performance.now() - t0).toBeLessThan(3_000);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatchObject({ reason: 'engine-unavailable', socket: socketPath });
    } finally {
      for (const s of held) s.destroy();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reapLeftovers', () => {
  it('removes containers of a dead stubforge process and keeps those of live ones', async () => {
    const dead = spawnSync('true').pid;
    if (dead === undefined) throw new Error('no pid');
    const orphanRuntime = new DockerRuntime({ owner: { pid: dead, pidStart: '1', host: hostname() } });
    const labels = { package: 'hello', key: 'k', kind: 'test' as const };
    const orphan = await orphanRuntime.createStep({ image: TEST_IMAGE, cmd: ['true'], user: '1000:1000', network: 'none', timeoutMs: 1000, labels: { ...labels, run: `reap-${process.pid}-dead` } });
    const live = await runtime.createStep({ image: TEST_IMAGE, cmd: ['true'], user: '1000:1000', network: 'none', timeoutMs: 1000, labels: { ...labels, run: `reap-${process.pid}-live` } });
    if (!orphan.ok || !live.ok) throw new Error('create failed');
    await using liveHandle = live.value;

    const reaped = await reapLeftovers(runtime, { log });
    if (!reaped.ok) throw new Error(reaped.error.reason);
    expect(reaped.value.removed).toContain(orphan.value.id);
    expect(reaped.value.removed).not.toContain(liveHandle.id);
    expect(await containersOfRun(runtime, `reap-${process.pid}-dead`)).toEqual([]);
    expect(await containersOfRun(runtime, `reap-${process.pid}-live`)).toEqual([liveHandle.id]);
  });

  it('refuses root as the user of a step', async () => {
    const created = await runtime.createStep({ image: TEST_IMAGE, cmd: ['true'], user: '0:0', network: 'none', timeoutMs: 1000, labels: { run: 'x', package: 'p', key: 'k', kind: 'test' } });
    expect(created.ok).toBe(false);
    if (!created.ok) expect(created.error.reason).toBe('root-user-refused');
  });
});
