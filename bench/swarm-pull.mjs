// How long a node takes to get a build image through the registry, cold (no layer of it yet) and
// warm (every layer already there), beside the baseline of the same run: reading the image's bytes
// out of the coordinator's engine (`docker save` to nowhere), what any transfer has to move. The
// node is a second dockerd of the bench's own (own data-root, exec-root, socket, pid file,
// containerd namespaces, no bridge, no iptables), pulling from Debian's docker-registry on
// loopback: every address involved is loopback.
//
//   npm run build && node bench/swarm-pull.mjs [--image REF]
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Docker from 'dockerode';
import { startRegistry, registryPid } from '../dist/src/cluster/registry.js';
import { pushByDigest } from '../dist/src/runtime/swarm-registry.js';
import { environmentRef, DEFAULT_ARCH, DEFAULT_SUITE } from '../dist/src/runtime/env-spec.js';

const { values } = parseArgs({ options: { image: { type: 'string' } } });
const image = values.image ?? environmentRef(DEFAULT_SUITE, DEFAULT_ARCH);
const coordinator = new Docker({ socketPath: '/var/run/docker.sock' });
const work = mkdtempSync('/tmp/sfb-');
const port = await new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const registry = `127.0.0.1:${port}`;
const socket = join(work, 'docker.sock');
const node = new Docker({ socketPath: socket });
let dockerd;

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const drain = (stream) => new Promise((resolve, reject) => { stream.on('data', () => {}); stream.on('end', resolve); stream.on('error', reject); });
async function pull(ref) {
  const t0 = performance.now();
  const stream = await node.pull(ref, { authconfig: { serveraddress: registry } });
  await new Promise((resolve, reject) => node.modem.followProgress(stream, (e) => (e ? reject(e) : resolve())));
  return performance.now() - t0;
}

try {
  const id = (await coordinator.getImage(image).inspect()).Id;
  const sizeMb = (await coordinator.getImage(id).inspect()).Size / 1024 ** 2;
  await startRegistry(join(work, 'state'), registry);
  const log = openSync(join(work, 'dockerd.log'), 'a');
  dockerd = spawn('/usr/sbin/dockerd', ['--data-root', join(work, 'data'), '--exec-root', join(work, 'exec'), '-H', `unix://${socket}`,
    '--pidfile', join(work, 'docker.pid'), '--containerd-namespace', `sfb-${process.pid}`, '--containerd-plugins-namespace', `sfb-${process.pid}-plugins`,
    '--cgroup-parent', `sfb-${process.pid}`, '--bridge', 'none', '--iptables=false', '--ip-masq=false'], { stdio: ['ignore', log, log] });
  closeSync(log);
  for (let i = 0; i < 120; i++) {
    try { await node.version(); break; } catch { await new Promise((r) => setTimeout(r, 250)); }
  }
  let t0 = performance.now();
  await drain(await coordinator.getImage(id).get());
  const saveMs = performance.now() - t0;
  t0 = performance.now();
  const { ref } = await pushByDigest(coordinator, registry, id);
  const pushMs = performance.now() - t0;
  const coldMs = await pull(ref);
  const warmMs = await pull(ref);
  console.log(`image pull through the registry (${image}, ${sizeMb.toFixed(0)} MB; baseline: reading the image out of the coordinator's engine, same run)`);
  console.log(`  baseline (docker save, to nowhere): ${seconds(saveMs)}`);
  console.log(`  push to the registry (once per image): ${seconds(pushMs)}`);
  console.log(`  pull on a node, cold: ${seconds(coldMs)}   warm: ${seconds(warmMs)}`);
} finally {
  if (dockerd?.pid !== undefined) {
    process.kill(dockerd.pid, 'SIGTERM');
    await new Promise((resolve) => { dockerd.on('exit', resolve); setTimeout(resolve, 20_000); });
  }
  const pid = await registryPid(join(work, 'state'));
  if (pid !== undefined) process.kill(pid, 'SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
