// The concurrency a Swarm cluster gives the executor: per node, the steps that fit its CPUs and its
// memory at one step's reservation; nodes that are down, drained or paused give none.
import { describe, expect, it } from 'vitest';
import { clusterConcurrency, nodeCapacities } from '../../src/cluster/capacity.js';
import { registryConfig } from '../../src/cluster/registry.js';
import type { ClusterNode } from '../../src/runtime/swarm-runtime.js';

const node = (over: Partial<ClusterNode>): ClusterNode => ({
  id: 'n', hostname: 'h', role: 'worker', state: 'ready', availability: 'active', address: '10.0.0.2',
  nanoCpus: 8e9, memoryBytes: 32 * 1024 ** 3, labels: {}, engineLabels: {}, os: 'linux', arch: 'x86_64', ...over,
});

describe('cluster capacity', () => {
  it('fits as many steps as both CPUs and memory allow, summed over the nodes that take work', () => {
    const step = { cpus: 2, memoryBytes: 8 * 1024 ** 3 };
    const nodes = [node({}), node({ nanoCpus: 2e9 }), node({ state: 'down' }), node({ availability: 'drain' })];
    expect(nodeCapacities(nodes, step).map((c) => c.steps)).toEqual([4, 1, 0, 0]);
    expect(clusterConcurrency(nodes, step)).toBe(5);
  });

  it('is at least one, so that a run on a full cluster still queues its steps', () => {
    expect(clusterConcurrency([node({ memoryBytes: 1024 ** 3 })], { cpus: 1, memoryBytes: 8 * 1024 ** 3 })).toBe(1);
  });
});

describe('registry configuration', () => {
  it('keeps storage where it is told and listens on the given address only', () => {
    const config = JSON.parse(registryConfig('/state/registry/storage', '127.0.0.1:5000')) as { storage: { filesystem: { rootdirectory: string } }; http: { addr: string } };
    expect(config.storage.filesystem.rootdirectory).toBe('/state/registry/storage');
    expect(config.http.addr).toBe('127.0.0.1:5000');
  });
});
