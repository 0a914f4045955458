// Where a Swarm build step runs: the user's constraints matched as the engine matches them, and
// the ledger that fits steps to nodes in place of Swarm's reservations (which a finished job
// never gives back on docker.io 20.10). The node is the engine's own answer to GET /nodes,
// captured from a single-node swarm with the label tier=build (test/fixtures/swarm/node-list.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NodeLedger, eligibleNodes, nodeMatches, parseConstraints, type PlacementConstraint } from '../../src/runtime/swarm-placement.js';
import { clusterNode, type ClusterNode } from '../../src/runtime/swarm-runtime.js';
import { stepServiceSpec, pinnedToNode } from '../../src/runtime/swarm-service.js';

const captured = (JSON.parse(readFileSync(new URL('../fixtures/swarm/node-list.json', import.meta.url), 'utf8')) as Parameters<typeof clusterNode>[0][]).map(clusterNode);
const manager = captured[0] as ClusterNode;
const worker: ClusterNode = { ...manager, id: 'worker-node-id', hostname: 'w', role: 'worker', labels: {}, address: '10.77.0.2' };
const cpu = 1e9;
const GiB = 1024 ** 3;

function constraints(...texts: string[]): PlacementConstraint[] {
  const parsed = parseConstraints(texts);
  if (!parsed.ok) throw new Error(parsed.error.problem);
  return parsed.value;
}

describe('the captured node', () => {
  it('reads as capacity and placement need it', () => {
    expect(manager).toMatchObject({ role: 'manager', state: 'ready', availability: 'active', nanoCpus: 2 * cpu, labels: { tier: 'build' }, os: 'linux', arch: 'x86_64' });
  });
});

describe('placement constraints', () => {
  it('match node attributes and labels as the engine does, values regardless of case', () => {
    expect(nodeMatches(manager, constraints('node.role==manager', 'node.labels.tier==BUILD', 'node.platform.os==linux'))).toBe(true);
    expect(nodeMatches(manager, constraints('node.role!=manager'))).toBe(false);
    expect(nodeMatches(worker, constraints('node.labels.tier==build'))).toBe(false);
    expect(nodeMatches(worker, constraints('node.labels.tier!=build'))).toBe(true);
    expect(nodeMatches(worker, constraints(`node.id==${worker.id}`, 'node.hostname==w'))).toBe(true);
    expect(eligibleNodes([manager, worker, { ...worker, id: 'drained', availability: 'drain' }], constraints('node.platform.arch==x86_64')).map((n) => n.id)).toEqual([manager.id, worker.id]);
  });

  it('name the constraint the engine would not understand, and why', () => {
    expect(parseConstraints(['node.role==worker', 'node.rol==worker'])).toEqual({
      ok: false, error: { reason: 'bad-constraint', constraint: 'node.rol==worker', problem: expect.stringContaining('unknown attribute node.rol') as string },
    });
    expect(parseConstraints(['node.role=worker'])).toMatchObject({ ok: false, error: { constraint: 'node.role=worker', problem: 'expected attribute==value or attribute!=value' } });
    expect(parseConstraints(['node.labels.==x'])).toMatchObject({ ok: false, error: { problem: expect.stringContaining('unknown attribute') as string } });
  });
});

describe('the node ledger', () => {
  const step = { nanoCpus: cpu, memoryBytes: 2 * GiB };

  it('spreads steps over the nodes with most room and waits when every node is full', () => {
    const ledger = new NodeLedger();
    const nodes = [manager, worker];
    const chosen: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const choice = ledger.choose(nodes, [], step);
      expect(choice.kind).toBe('node');
      if (choice.kind !== 'node') return;
      ledger.hold(choice.nodeId, step);
      chosen.push(choice.nodeId);
    }
    expect(chosen.filter((id) => id === manager.id)).toHaveLength(2);
    expect(chosen.filter((id) => id === worker.id)).toHaveLength(2);
    expect(ledger.choose(nodes, [], step)).toEqual({ kind: 'wait' });
    ledger.release(worker.id, step);
    expect(ledger.choose(nodes, [], step)).toEqual({ kind: 'node', nodeId: worker.id });
  });

  it('counts memory as well as CPUs, and only the nodes the constraints allow', () => {
    const ledger = new NodeLedger();
    const big = { nanoCpus: cpu, memoryBytes: 20 * GiB };
    ledger.hold(manager.id, big);
    expect(ledger.choose([manager], [], big)).toEqual({ kind: 'wait' });
    expect(ledger.choose([manager, worker], constraints('node.role==worker'), big)).toEqual({ kind: 'node', nodeId: worker.id });
  });

  it('says never when no allowed node fits the step even idle', () => {
    const ledger = new NodeLedger();
    expect(ledger.choose([manager, worker], [], { nanoCpus: 4 * cpu, memoryBytes: GiB })).toEqual({ kind: 'never', eligible: 2 });
    expect(ledger.choose([manager, worker], constraints('node.labels.tier==none'), step)).toEqual({ kind: 'never', eligible: 0 });
  });

  it('lets a node go once per hold, so a step released twice frees nothing more', () => {
    const ledger = new NodeLedger();
    ledger.hold(manager.id, step);
    ledger.hold(manager.id, step);
    ledger.release(manager.id, step);
    ledger.release(manager.id, step);
    ledger.release(manager.id, step);
    expect(ledger.steps(manager.id)).toBe(0);
  });
});

describe('the step service', () => {
  it('limits the task and reserves nothing, and is pinned to its node beside the user constraints', () => {
    const spec = stepServiceSpec({
      name: 's', spec: { image: 'i', cmd: ['true'], user: '1000:1000', memoryBytes: 2 * GiB, timeoutMs: 1000, labels: {} } as never,
      labels: {}, transfer: { storeHost: 'store', inputs: [] }, buildNetwork: 'net', cpus: 1, constraints: ['node.role==worker'],
    });
    const template = pinnedToNode(spec, worker.id)['TaskTemplate'] as { Resources: Record<string, unknown>; Placement: { Constraints: string[] } };
    expect(template.Resources).toEqual({ Limits: { NanoCPUs: cpu, MemoryBytes: 2 * GiB } });
    expect(template.Placement.Constraints).toEqual(['node.role==worker', `node.id==${worker.id}`]);
    expect((spec['TaskTemplate'] as { Placement: { Constraints: string[] } }).Placement.Constraints).toEqual(['node.role==worker']);
  });
});
