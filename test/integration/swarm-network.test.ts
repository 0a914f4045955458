// No network for Swarm builds: Swarm refuses `--network none`, so a build task sits on an
// internal overlay whose only other member is the store relay. This proves it has no default
// route and cannot reach an address of the host: the host end of a veth pair this test creates
// (its other end in a network namespace the test also creates), where the test listens. The
// control: the same connection from a local container with networking on does get through, so
// the probe would notice a way out. No other address is ever contacted.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { runBuildStep } from '../../src/runtime/build-step.js';
import { DockerRuntime } from '../../src/runtime/docker-runtime.js';
import { SwarmRuntime } from '../../src/runtime/swarm-runtime.js';
import { TEST_IMAGE, ensureEngine, ensureTestImage } from './runtime-support.js';
import { ensureSwarmManager, leaveSwarmIfOurs, type SwarmState } from './swarm-support.js';

const runtime = new SwarmRuntime();
const local = new DockerRuntime();
const tag = (process.pid % 10000).toString();
const netns = `sf-net-${tag}`;
const hostEnd = `sfh${tag}`;
const nsEnd = `sfn${tag}`;
const octet = 16 + (process.pid % 200);
const hostAddress = `10.254.${octet}.1`;
let listener: Server | undefined;
let port = 0;
let swarm: SwarmState | undefined;
let work: string;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

beforeAll(async () => {
  ensureEngine();
  await ensureTestImage(local);
  swarm = await ensureSwarmManager();
  work = mkdtempSync(join(tmpdir(), 'stubforge-swarm-net-'));
  ip('netns', 'add', netns);
  ip('link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', nsEnd);
  ip('link', 'set', nsEnd, 'netns', netns);
  ip('addr', 'add', `${hostAddress}/30`, 'dev', hostEnd);
  ip('link', 'set', hostEnd, 'up');
  ip('-n', netns, 'addr', 'add', `10.254.${octet}.2/30`, 'dev', nsEnd);
  ip('-n', netns, 'link', 'set', nsEnd, 'up');
  listener = createServer((socket) => { socket.end('reached\n'); });
  await new Promise<void>((resolve) => { listener?.listen(0, hostAddress, () => { resolve(); }); });
  const address = listener.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
});

afterAll(async () => {
  await runtime.close();
  listener?.close();
  try { ip('link', 'del', hostEnd); } catch { /* gone with the namespace already */ }
  try { ip('netns', 'del', netns); } catch { /* never made */ }
  rmSync(work, { recursive: true, force: true });
  await leaveSwarmIfOurs(swarm);
});

const probe = (): string[] => ['bash', '-c', [
  'echo routes:; tail -n +2 /proc/net/route | cut -f2',
  `if exec 3<>/dev/tcp/${hostAddress}/${String(port)}; then read -r line <&3; echo "connect: $line"; else echo "connect: failed"; fi`,
].join('; ')];

function outputLines(logFile: string): string[] {
  return readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; line?: string })
    .filter((r) => r.msg === 'output').map((r) => r.line ?? '');
}

describe('the network of a Swarm build', () => {
  it('control: a local container with networking on reaches the test\'s listener', async () => {
    const created = await local.createStep({
      image: TEST_IMAGE, cmd: probe(), user: '1000:1000', network: 'default', timeoutMs: 30_000,
      labels: { run: `swarm-net-${process.pid}-control`, package: 'probe', key: 'control', kind: 'test' },
    });
    if (!created.ok) throw new Error(created.error.reason);
    await using handle = created.value;
    const lines: string[] = [];
    const ran = await handle.run((_s, l) => lines.push(l));
    expect(ran.ok && ran.value.exitCode).toBe(0);
    expect(lines).toContain('connect: reached');
    expect(lines).toContain('00000000');
  });

  it('has no default route and cannot reach the host\'s address', async () => {
    const result = await runBuildStep({
      image: TEST_IMAGE, cmd: probe(), outputDir: join(work, 'out'), timeoutMs: 120_000, memoryBytes: 256 * 1024 ** 2,
      labels: { run: `swarm-net-${process.pid}`, package: 'probe', key: 'k' },
    }, { runtime, log: silentLogger() });
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    const lines = outputLines(result.value.logFile);
    const routes = lines.slice(lines.indexOf('routes:') + 1, lines.findIndex((l) => l.startsWith('connect:')));
    expect(routes.length).toBeGreaterThan(0);
    expect(routes).not.toContain('00000000');
    expect(lines).toContain('connect: failed');
    expect(lines.join('\n')).toMatch(/Network is unreachable/);
  });
});
