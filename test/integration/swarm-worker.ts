// A second Docker engine on this machine, as a Swarm worker: in a network namespace this test
// creates, joined to the host over a veth pair the test also creates, with its own data-root,
// exec-root, socket, pid file, containerd namespaces and cgroup parent, so it shares nothing with
// the engine the other tests use. It is started with `nsenter --net` (`ip netns exec` would give
// it a mount namespace without the cgroup mounts). Build images reach it through the registry on
// the host's loopback: a relay in the namespace listens on the namespace's 127.0.0.1 (which the
// engine trusts without TLS, as it does any loopback registry) and forwards over the veth pair to
// a relay on the host end, which forwards to the registry. Every address involved is loopback or
// one of the veth pair's. Torn down by pid and by the names it was given.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import Docker from 'dockerode';

const RELAY = `const net = require('node:net');
const [lh, lp, th, tp] = process.argv.slice(1);
net.createServer((c) => { const u = net.connect(Number(tp), th); c.pipe(u); u.pipe(c);
  c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); }).listen(Number(lp), lh);`;

export interface WorkerNode {
  readonly netns: string;
  readonly hostAddress: string;
  readonly workerAddress: string;
  readonly dir: string;
  readonly socket: string;
  readonly engine: Docker;
  dockerdPid(): number | undefined;
  /** Starts (or starts again, on the same data-root) the worker's dockerd; waits until it answers. */
  startEngine(): Promise<void>;
  /** SIGKILL to the worker's dockerd: the node is lost as a crash loses it. */
  killEngine(): void;
  teardown(): Promise<void>;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number | undefined, ms: number): Promise<void> {
  for (let t = 0; t < ms && alive(pid); t += 200) await new Promise((r) => setTimeout(r, 200));
}

/** A TCP port on 127.0.0.1 that nothing listens on now (for the registry the worker pulls from). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => { resolve(port); });
    });
  });
}

export async function createWorkerNode(tag: string, octet: number, registryPort: number): Promise<WorkerNode> {
  const netns = `sf-worker-${tag}`;
  const hostEnd = `sfwh${tag}`;
  const nsEnd = `sfwn${tag}`;
  const hostAddress = `10.253.${octet}.1`;
  const workerAddress = `10.253.${octet}.2`;
  const dir = mkdtempSync('/tmp/sfw-');
  const socket = join(dir, 'docker.sock');
  const engine = new Docker({ socketPath: socket });
  let dockerd: ChildProcess | undefined;
  let relayInNs: ChildProcess | undefined;
  let relayOnHost: Server | undefined;

  ip('netns', 'add', netns);
  ip('link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', nsEnd);
  ip('link', 'set', nsEnd, 'netns', netns);
  ip('addr', 'add', `${hostAddress}/30`, 'dev', hostEnd);
  ip('link', 'set', hostEnd, 'up');
  ip('-n', netns, 'addr', 'add', `${workerAddress}/30`, 'dev', nsEnd);
  ip('-n', netns, 'link', 'set', nsEnd, 'up');
  ip('-n', netns, 'link', 'set', 'lo', 'up');

  relayOnHost = createServer((c) => {
    const u = connect(registryPort, '127.0.0.1');
    c.pipe(u);
    u.pipe(c);
    c.on('error', () => u.destroy());
    u.on('error', () => c.destroy());
  });
  await new Promise<void>((resolve) => { relayOnHost?.listen(registryPort, hostAddress, () => { resolve(); }); });
  relayInNs = spawn('nsenter', [`--net=/run/netns/${netns}`, process.execPath, '-e', RELAY, '127.0.0.1', String(registryPort), hostAddress, String(registryPort)], { stdio: 'ignore' });

  const node: WorkerNode = {
    netns, hostAddress, workerAddress, dir, socket, engine,
    dockerdPid: () => dockerd?.pid,
    async startEngine() {
      const log = openSync(join(dir, 'dockerd.log'), 'a');
      dockerd = spawn('nsenter', [`--net=/run/netns/${netns}`, '/usr/sbin/dockerd',
        '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '-H', `unix://${socket}`, '--pidfile', join(dir, 'docker.pid'),
        '--containerd-namespace', `sfw-${tag}`, '--containerd-plugins-namespace', `sfw-${tag}-plugins`, '--cgroup-parent', `sfw-${tag}`,
        '--bridge', 'none', '--iptables=false', '--ip-masq=false'], { stdio: ['ignore', log, log] });
      closeSync(log);
      for (let i = 0; i < 120; i += 1) {
        try {
          await engine.version();
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      throw new Error(`the worker's dockerd did not answer on ${socket}:\n${readFileSync(join(dir, 'dockerd.log'), 'utf8').slice(-2000)}`);
    },
    killEngine() {
      if (dockerd?.pid !== undefined) process.kill(dockerd.pid, 'SIGKILL');
    },
    async teardown() {
      try {
        await engine.swarmLeave({ force: true });
      } catch { /* not joined, or the engine is gone */ }
      try {
        for (const c of await engine.listContainers({ all: true })) await engine.getContainer(c.Id).remove({ force: true, v: true });
      } catch { /* the engine is gone */ }
      if (dockerd?.pid !== undefined && alive(dockerd.pid)) {
        process.kill(dockerd.pid, 'SIGTERM');
        await waitGone(dockerd.pid, 20_000);
      }
      // The containerd the worker's dockerd started (its pid file is in the worker's exec-root).
      const containerdPidFile = join(dir, 'exec', 'containerd', 'containerd.pid');
      if (existsSync(containerdPidFile)) {
        const pid = Number(readFileSync(containerdPidFile, 'utf8').trim());
        if (alive(pid)) {
          process.kill(pid, 'SIGTERM');
          await waitGone(pid, 10_000);
        }
      }
      if (relayInNs?.pid !== undefined && alive(relayInNs.pid)) relayInNs.kill('SIGTERM');
      relayOnHost?.close();
      try { ip('link', 'del', hostEnd); } catch { /* gone with the namespace */ }
      try { ip('netns', 'del', netns); } catch { /* never made */ }
      // dockerd unmounts its layers when it stops; anything still mounted under the dir goes lazily.
      try {
        const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '').filter((m) => m.startsWith(dir));
        for (const m of mounts.reverse()) execFileSync('umount', ['-l', m]);
      } catch { /* nothing mounted */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return node;
}
