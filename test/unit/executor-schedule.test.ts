// The executor's ordering of work, with builders that record what they are asked to do and a
// repository that is a map of keys: dependencies first, then the key, then the lookup, and only a
// miss takes a slot; critical-path priority among ready nodes; what a failure stops; interrupts.
import { describe, expect, it } from 'vitest';
import type { PublishedEntry } from '../../src/cache/apt-repo.js';
import type { CacheKey } from '../../src/model/brand.js';
import { ok } from '../../src/model/result.js';
import type { BuildPlan, PlanNode } from '../../src/plan/plan.js';
import type { ExecutorEvent, NodeBuildResult, RunReport } from '../../src/executor/scheduler/outcome.js';
import { runPlan, type NodeBuildContext } from '../../src/executor/scheduler/run-plan.js';
import { plan, planNode, qemuPlan } from './executor-plans.js';

const keyOf = (node: PlanNode, deps: readonly { readonly source: string; readonly key: CacheKey }[]): CacheKey =>
  `${node.source}(${deps.map((d) => d.key).join(',')})` as CacheKey;

function entry(key: CacheKey, source: string): PublishedEntry {
  return {
    key, publishedAt: '2026-11-21T00:00:00Z', debs: [],
    meta: { source, sourceVersion: '1', arch: 'musl-linux-amd64', recipeSha256: 'b'.repeat(64) as PublishedEntry['meta']['recipeSha256'] },
  };
}

interface Harness {
  readonly started: string[];
  readonly events: ExecutorEvent[];
  readonly contexts: Map<string, NodeBuildContext>;
  readonly report: RunReport;
}

interface HarnessOptions {
  readonly jobs?: number;
  readonly cached?: readonly string[];
  readonly failing?: readonly string[];
  readonly keepGoing?: boolean;
  readonly include?: (n: PlanNode) => boolean;
  readonly controller?: AbortController;
  /** Abort the controller when this node starts. */
  readonly abortAt?: string;
}

async function run(p: BuildPlan, o: HarnessOptions = {}): Promise<Harness> {
  const repo = new Map<string, PublishedEntry>();
  // Keys of cached nodes are known from a first, all-successful pass of the same plan.
  if (o.cached !== undefined && o.cached.length > 0) {
    const first = await run(p, { jobs: 1 });
    for (const out of first.report.outcomes) {
      if (o.cached.includes(out.node.source) && out.key !== undefined) repo.set(out.key, entry(out.key, out.node.source));
    }
  }
  const started: string[] = [];
  const events: ExecutorEvent[] = [];
  const contexts = new Map<string, NodeBuildContext>();
  const build = async (node: PlanNode, context: NodeBuildContext): Promise<NodeBuildResult> => {
    started.push(node.source);
    contexts.set(node.source, context);
    if (o.abortAt === node.source) o.controller?.abort();
    // A build takes a few event-loop turns, as a real one does.
    for (let i = 0; i < 3; i += 1) await new Promise((r) => setImmediate(r));
    if (o.failing?.includes(node.source) === true) {
      return { status: 'failed', failure: { reason: 'stage-deps', package: node.source, exit: { code: 2, stderr: 'test failure' } } };
    }
    return { status: 'built', entry: entry(context.key, node.source), logFile: `/logs/${node.source}.log`, timing: { stepMs: 1 } };
  };
  const report = await runPlan({
    plan: p, jobs: o.jobs ?? 1, keyOf, keepGoing: o.keepGoing ?? false,
    lookup: (key) => Promise.resolve(ok(repo.get(key))),
    builders: { library: build, application: build },
    onEvent: (e) => events.push(e),
    ...(o.include === undefined ? {} : { include: o.include }),
    ...(o.controller === undefined ? {} : { signal: o.controller.signal }),
  });
  return { started, events, contexts, report };
}

const status = (h: Harness): Record<string, string> => Object.fromEntries(h.report.outcomes.map((o) => [o.node.source, o.status]));

describe('runPlan scheduling', () => {
  it('starts ready nodes by critical-path priority, a newly ready one before older ones of lower priority', async () => {
    const h = await run(qemuPlan(), { jobs: 1 });
    // glib2.0 (218) becomes ready when zlib finishes and goes before pixman (188) and xen (177).
    expect(h.started).toEqual(['pcre2', 'libffi', 'zlib', 'glib2.0', 'pixman', 'xen', 'qemu']);
  });

  it('runs as many builds at a time as it has slots, never a node before its dependencies', async () => {
    const h = await run(qemuPlan(), { jobs: 2 });
    const at = (s: string): number => h.started.indexOf(s);
    for (const n of qemuPlan().nodes) for (const d of n.depends) expect(at(d)).toBeLessThan(at(n.source));
    expect(h.started.slice(0, 2)).toEqual(['pcre2', 'libffi']);
  });

  it('looks every key up and builds nothing when all are published', async () => {
    const all = qemuPlan().nodes.map((n) => n.source);
    const h = await run(qemuPlan(), { cached: all });
    expect(h.started).toEqual([]);
    expect(Object.values(status(h))).toEqual(all.map(() => 'cached'));
    expect(h.events.every((e) => e.kind === 'cached')).toBe(true);
  });

  it('builds only the missing nodes, with the published entries of their whole closure', async () => {
    const h = await run(qemuPlan(), { cached: ['pcre2', 'libffi', 'zlib', 'pixman', 'xen'] });
    expect(h.started).toEqual(['glib2.0', 'qemu']);
    expect([...(h.contexts.get('qemu')?.closure.keys() ?? [])].sort()).toEqual(['glib2.0', 'libffi', 'pcre2', 'pixman', 'xen', 'zlib']);
    expect([...(h.contexts.get('glib2.0')?.closure.keys() ?? [])].sort()).toEqual(['libffi', 'pcre2', 'zlib']);
  });

  it("computes a node's key from its dependencies' keys", async () => {
    const h = await run(qemuPlan());
    const key = (s: string): string => h.report.outcomes.find((o) => o.node.source === s)?.key ?? '';
    expect(key('glib2.0')).toBe(`glib2.0(${key('libffi')},${key('pcre2')},${key('zlib')})`);
  });

  it('leaves excluded nodes out (--libraries-only) and reports them apart', async () => {
    const h = await run(qemuPlan(), { include: (n) => n.kind === 'library' });
    expect(h.started).not.toContain('qemu');
    expect(h.report.excluded.map((n) => n.source)).toEqual(['qemu']);
  });
});

describe('runPlan after a failure', () => {
  // a ← b (b needs a); c and d independent, d with the lowest priority.
  const small = (): BuildPlan => plan([
    planNode('a', { priority: 40, dependants: ['b'] }),
    planNode('c', { priority: 30 }),
    planNode('b', { priority: 20, depends: ['a'] }),
    planNode('d', { priority: 10 }),
  ]);

  it('starts nothing new by default, and says why each node was not built', async () => {
    const h = await run(small(), { failing: ['a'] });
    expect(h.started).toEqual(['a']);
    expect(status(h)).toEqual({ a: 'failed', b: 'skipped', c: 'skipped', d: 'skipped' });
    const because = Object.fromEntries(h.report.outcomes.map((o) => [o.node.source, o.status === 'skipped' ? o.because : undefined]));
    expect(because.b).toEqual({ kind: 'dependency', failed: 'a' });
    expect(because.c).toEqual({ kind: 'stopped', after: 'a' });
    expect(h.report.stoppedAfter).toBe('a');
  });

  it('with keepGoing, builds what does not depend on the failure', async () => {
    const h = await run(small(), { failing: ['a'], keepGoing: true });
    expect(h.started).toEqual(['a', 'c', 'd']);
    expect(status(h)).toEqual({ a: 'failed', b: 'skipped', c: 'built', d: 'built' });
  });

  it('lets a running build finish when another fails', async () => {
    const h = await run(small(), { failing: ['a'], jobs: 2 });
    expect(status(h).c).toBe('built');
    expect(status(h).d).toBe('skipped');
  });

  it('skips the dependants of a dependant of a failure, naming the failure at the bottom', async () => {
    const chain = plan([
      planNode('x', { priority: 3, dependants: ['y'] }), planNode('y', { priority: 2, depends: ['x'], dependants: ['z'] }),
      planNode('z', { priority: 1, depends: ['y'] }),
    ]);
    const h = await run(chain, { failing: ['x'], keepGoing: true });
    expect(h.report.outcomes.map((o) => (o.status === 'skipped' ? o.because : undefined))).toEqual([undefined, { kind: 'dependency', failed: 'x' }, { kind: 'dependency', failed: 'x' }]);
  });

  it('starts nothing after an interrupt and marks the run interrupted', async () => {
    const controller = new AbortController();
    const h = await run(small(), { controller, abortAt: 'a' });
    expect(h.started).toEqual(['a']);
    expect(h.report.interrupted).toBe(true);
    expect(h.report.outcomes.filter((o) => o.status === 'skipped').map((o) => o.because?.kind)).toEqual(['interrupted', 'interrupted', 'interrupted']);
  });
});

describe('runPlan with application nodes', () => {
  it('hands applications to their own builder (the hook for application builds)', async () => {
    const seen: string[] = [];
    const built = (node: PlanNode, c: NodeBuildContext): Promise<NodeBuildResult> =>
      Promise.resolve({ status: 'built', entry: entry(c.key, node.source), logFile: '', timing: { stepMs: 0 } });
    const report = await runPlan({
      plan: qemuPlan(), jobs: 2, keyOf, lookup: () => Promise.resolve(ok(undefined)),
      builders: {
        library: built,
        application: (node) => {
          seen.push(node.source);
          return Promise.resolve({ status: 'not-built', reason: 'not built yet: application builds are separate work' });
        },
      },
    });
    expect(seen).toEqual(['qemu']);
    expect(report.outcomes.find((o) => o.node.source === 'qemu')?.status).toBe('not-built');
  });
});
