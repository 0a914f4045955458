// Runs a BuildPlan (architecture.md, "Executor"; conventions.md §3): for each node, wait for its
// dependencies, compute its key, look the key up in the repository, and only on a miss take one
// of the `jobs` slots and build. Among nodes waiting for a slot, the one with the longest
// remaining path (critical-path priority) goes first. The first failure stops new builds (running
// ones finish, since their results are valid and cached); with `keepGoing`, work that does not
// depend on the failure goes on. An aborted signal stops everything: running builds are stopped by
// their builder, and nothing not yet started starts.
//
// The builders (one per node kind) do the work; this module only orders it, so it is tested with
// builders that record what they were asked to do.
import PQueue from 'p-queue';
import type { PublishedEntry, RepoError } from '../cache/apt-repo.js';
import type { CacheKey } from '../model/brand.js';
import type { Result } from '../model/result.js';
import type { BuildPlan, PlanNode } from '../plan/plan.js';
import type { ExecutorEvent, NodeBuildResult, NodeOutcome, RunReport, SkipReason } from './outcome.js';

/** What a builder gets besides the node: its key and the published entries of its closure. */
export interface NodeBuildContext {
  readonly key: CacheKey;
  /** Every target dependency, direct and indirect, with what the repository holds for it. */
  readonly closure: ReadonlyMap<string, { readonly node: PlanNode; readonly key: CacheKey; readonly entry: PublishedEntry }>;
  readonly signal?: AbortSignal;
}

export type NodeBuilder = (node: PlanNode, context: NodeBuildContext) => Promise<NodeBuildResult>;

/** One builder per node kind: the hook where application builds plug in. */
export interface NodeBuilders {
  readonly library: NodeBuilder;
  readonly application: NodeBuilder;
}

export interface RunPlanOptions {
  readonly plan: BuildPlan;
  readonly keyOf: (node: PlanNode, dependencyKeys: readonly { readonly source: string; readonly key: CacheKey }[]) => CacheKey;
  readonly lookup: (key: CacheKey, node: PlanNode) => Promise<Result<PublishedEntry | undefined, RepoError>>;
  readonly builders: NodeBuilders;
  readonly jobs: number;
  readonly keepGoing?: boolean;
  /** Nodes to run; the rest are reported as excluded (`--libraries-only` leaves applications out). */
  readonly include?: (node: PlanNode) => boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: ExecutorEvent) => void;
  readonly now?: () => number;
}

/** What a finished node hands its dependants. */
type Done =
  | { readonly ok: true; readonly key: CacheKey; readonly entry: PublishedEntry }
  /** What the dependants are told: the failure at the bottom, or the stop that skipped this node. */
  | { readonly ok: false; readonly because: SkipReason };

export async function runPlan(options: RunPlanOptions): Promise<RunReport> {
  const { plan } = options;
  const now = options.now ?? (() => performance.now());
  const t0 = now();
  const include = options.include ?? (() => true);
  const nodes = plan.nodes.filter(include);
  const excluded = plan.nodes.filter((n) => !include(n));
  const byName = new Map(nodes.map((n) => [n.source, n]));
  const emit = (event: ExecutorEvent): void => options.onEvent?.(event);
  // Until the first round of lookups is over, every ready node is queued before any starts, so
  // the first slots go by priority and not by which lookup answered first.
  const queue = new PQueue({ concurrency: Math.max(1, options.jobs), autoStart: false });
  let stoppedAfter: string | undefined;
  const outcomes = new Map<string, NodeOutcome>();
  const finished = new Map<string, Promise<Done>>();

  const stopReason = (): SkipReason | undefined => {
    if (options.signal?.aborted === true) return { kind: 'interrupted' };
    return stoppedAfter === undefined ? undefined : { kind: 'stopped', after: stoppedAfter };
  };
  const skip = (node: PlanNode, because: SkipReason, key?: CacheKey): Done => {
    outcomes.set(node.source, { node, status: 'skipped', because, durationMs: 0, ...(key === undefined ? {} : { key }) });
    emit({ kind: 'skipped', node, because });
    return { ok: false, because };
  };

  const closureOf = (node: PlanNode, done: ReadonlyMap<string, Done>): NodeBuildContext['closure'] => {
    const out = new Map<string, { node: PlanNode; key: CacheKey; entry: PublishedEntry }>();
    const visit = (source: string): void => {
      const dep = byName.get(source) ?? plan.nodes.find((n) => n.source === source);
      const d = done.get(source);
      if (dep === undefined || d === undefined || !d.ok || out.has(source)) return;
      out.set(source, { node: dep, key: d.key, entry: d.entry });
      for (const next of dep.depends) visit(next);
    };
    for (const source of node.depends) visit(source);
    return out;
  };

  const build = async (node: PlanNode, key: CacheKey, done: ReadonlyMap<string, Done>): Promise<Done> => {
    const stop = stopReason();
    if (stop !== undefined) return skip(node, stop, key);
    const startMs = now() - t0;
    emit({ kind: 'started', node, key });
    const builder = node.kind === 'application' ? options.builders.application : options.builders.library;
    const result = await builder(node, { key, closure: closureOf(node, done), ...(options.signal === undefined ? {} : { signal: options.signal }) });
    const endMs = now() - t0;
    const durationMs = endMs - startMs;
    const base = { node, key, durationMs, startMs, endMs };
    switch (result.status) {
      case 'built':
        outcomes.set(node.source, { ...base, status: 'built', entry: result.entry, logFile: result.logFile, timing: result.timing });
        emit({ kind: 'built', node, key, durationMs, logFile: result.logFile });
        return { ok: true, key, entry: result.entry };
      case 'failed':
        if (options.keepGoing !== true) stoppedAfter ??= node.source;
        outcomes.set(node.source, { ...base, status: 'failed', failure: result.failure, ...(result.logFile === undefined ? {} : { logFile: result.logFile }) });
        emit({ kind: 'failed', node, key, durationMs, failure: result.failure, ...(result.logFile === undefined ? {} : { logFile: result.logFile }) });
        return { ok: false, because: { kind: 'dependency', failed: node.source } };
      case 'not-built':
        outcomes.set(node.source, { ...base, status: 'not-built', notBuilt: result.reason });
        emit({ kind: 'not-built', node, reason: result.reason });
        return { ok: false, because: { kind: 'dependency', failed: node.source } };
    }
  };

  const runNode = async (node: PlanNode, lookedUp: () => void): Promise<Done> => {
    try {
      return await lookUpThenBuild(node, lookedUp);
    } finally {
      lookedUp();
    }
  };

  const lookUpThenBuild = async (node: PlanNode, lookedUp: () => void): Promise<Done> => {
    const done = new Map<string, Done>();
    for (const source of node.depends) {
      const dep = finished.get(source);
      // A dependency outside the run (an excluded node) cannot be staged: the plan only excludes
      // applications, which nothing depends on, so this is a guard.
      if (dep === undefined) return skip(node, { kind: 'dependency', failed: source });
      done.set(source, await dep);
    }
    const failedDep = node.depends.map((s) => done.get(s)).find((d): d is Extract<Done, { ok: false }> => d !== undefined && !d.ok);
    if (failedDep !== undefined) return skip(node, failedDep.because);
    if (options.signal?.aborted === true) return skip(node, { kind: 'interrupted' });
    const key = options.keyOf(node, node.depends.map((source) => {
      const d = done.get(source);
      if (d === undefined || !d.ok) throw new Error(`${node.source}: dependency ${source} has no key`); // excluded above
      return { source, key: d.key };
    }));
    const hit = await options.lookup(key, node);
    if (!hit.ok) {
      const failure = { reason: 'repo', error: hit.error } as const;
      outcomes.set(node.source, { node, key, status: 'failed', failure, durationMs: 0 });
      emit({ kind: 'failed', node, key, durationMs: 0, failure });
      if (options.keepGoing !== true) stoppedAfter ??= node.source;
      return { ok: false, because: { kind: 'dependency', failed: node.source } };
    }
    if (hit.value !== undefined) {
      outcomes.set(node.source, { node, key, status: 'cached', entry: hit.value, durationMs: 0 });
      emit({ kind: 'cached', node, key });
      return { ok: true, key, entry: hit.value };
    }
    const queued = queue.add(() => build(node, key, done), { priority: node.priority });
    lookedUp();
    return queued;
  };

  // Plan order puts dependencies first, so every node finds its dependencies' promises. The
  // roots wait for nothing: once each is cached or queued, the slots are handed out.
  const rootsLookedUp: Promise<void>[] = [];
  for (const node of nodes) {
    let lookedUp = (): void => undefined;
    if (node.depends.length === 0) rootsLookedUp.push(new Promise<void>((resolve) => { lookedUp = resolve; }));
    finished.set(node.source, runNode(node, lookedUp));
  }
  await Promise.all(rootsLookedUp);
  queue.start();
  await Promise.all(finished.values());
  return {
    outcomes: nodes.map((n) => outcomes.get(n.source)).filter((o): o is NodeOutcome => o !== undefined),
    excluded,
    makespanMs: now() - t0,
    interrupted: options.signal?.aborted === true,
    ...(stoppedAfter === undefined ? {} : { stoppedAfter }),
  };
}
