// How many build steps a Swarm cluster runs at once: on every node that takes work, as many steps
// as fit both its CPUs and its memory at one step's size (stubforge's own placement then holds
// them per node: runtime/swarm-placement.ts). The executor's p-queue gets this
// as its concurrency, so steps wait in stubforge's priority order (critical path first) and Swarm's
// own pending queue is only the fallback when a node goes away. Pure.
import type { ClusterNode } from '../runtime/swarm-runtime.js';

export interface StepReservation {
  readonly cpus: number;
  readonly memoryBytes: number;
}

export interface NodeCapacity {
  readonly node: ClusterNode;
  readonly steps: number;
}

/** Steps each node fits; a node that is down, drained or paused fits none. */
export function nodeCapacities(nodes: readonly ClusterNode[], step: StepReservation): NodeCapacity[] {
  return nodes.map((node) => {
    if (node.state !== 'ready' || node.availability !== 'active') return { node, steps: 0 };
    const byCpu = Math.floor(node.nanoCpus / Math.round(step.cpus * 1e9));
    const byMemory = Math.floor(node.memoryBytes / step.memoryBytes);
    return { node, steps: Math.max(0, Math.min(byCpu, byMemory)) };
  });
}

/** The whole cluster's concurrency; at least one, so that a run on a full cluster still queues. */
export function clusterConcurrency(nodes: readonly ClusterNode[], step: StepReservation): number {
  return Math.max(1, nodeCapacities(nodes, step).reduce((sum, c) => sum + c.steps, 0));
}
