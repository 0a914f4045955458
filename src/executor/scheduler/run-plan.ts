// Runs a BuildPlan (docs/building.md, "What a run does"; docs/conventions.md §3): for each node, wait for its
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
import type { PublishedEntry, RepoError } from '../../cache/apt-repo.js';
import type { CacheKey } from '../../model/brand.js';
import type { Result } from '../../model/result.js';
import type { BuildPlan, PlanNode } from '../../plan/plan.js';
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
  // Started once the roots are looked up, so that the first slots go by priority and not by
  // which lookup answered first.
  const queue = new PQueue({ concurrency: Math.max(1, options.jobs), autoStart: false });
  let stoppedAfter: string | undefined;
  const outcomes = new Map<string, NodeOutcome>();
  /** Resolved when a node is finished (built, cached, failed or skipped): what dependants wait for. */
  const done = new Map(nodes.map((n) => [n.source, deferred<Done>()]));
  /** Resolved when a node is queued or finished without a slot: its lookup is over. */
  const lookedUp = new Map(nodes.map((n) => [n.source, deferred<undefined>()]));
  /** Every finished node's result: a build's closure reaches past its direct dependencies. */
  const settled = new Map<string, Done>();

  const finish = (node: PlanNode, result: Done): Done => {
    settled.set(node.source, result);
    done.get(node.source)?.resolve(result);
    lookedUp.get(node.source)?.resolve(undefined);
    return result;
  };
  const stopReason = (): SkipReason | undefined => {
    if (options.signal?.aborted === true) return { kind: 'interrupted' };
    return stoppedAfter === undefined ? undefined : { kind: 'stopped', after: stoppedAfter };
  };
  const skip = (node: PlanNode, because: SkipReason, key?: CacheKey): Done => {
    outcomes.set(node.source, { node, status: 'skipped', because, durationMs: 0, ...(key === undefined ? {} : { key }) });
    emit({ kind: 'skipped', node, because });
    return finish(node, { ok: false, because });
  };
  const failedBy = (node: PlanNode): Done => {
    if (options.keepGoing !== true) stoppedAfter ??= node.source;
    return finish(node, { ok: false, because: { kind: 'dependency', failed: node.source } });
  };

  const closureOf = (node: PlanNode): NodeBuildContext['closure'] => {
    const out = new Map<string, { node: PlanNode; key: CacheKey; entry: PublishedEntry }>();
    const visit = (source: string): void => {
      const dep = byName.get(source);
      const d = settled.get(source);
      if (dep === undefined || d === undefined || !d.ok || out.has(source)) return;
      out.set(source, { node: dep, key: d.key, entry: d.entry });
      for (const next of dep.depends) visit(next);
    };
    for (const source of node.depends) visit(source);
    return out;
  };

  /**
   * The slot of a finished build is held until the dependants it made ready are looked up and
   * queued: only then does the queue see every candidate and pick by priority.
   */
  const readyDependantsLookedUp = async (node: PlanNode): Promise<void> => {
    const ready = node.dependants.map((d) => byName.get(d))
      .filter((d): d is PlanNode => d !== undefined && d.depends.every((s) => settled.has(s)));
    await Promise.all(ready.flatMap((d) => lookedUp.get(d.source)?.promise ?? []));
  };

  const build = async (node: PlanNode, key: CacheKey): Promise<void> => {
    const stop = stopReason();
    if (stop !== undefined) {
      skip(node, stop, key);
      return;
    }
    const startMs = now() - t0;
    emit({ kind: 'started', node, key });
    const builder = node.kind === 'application' ? options.builders.application : options.builders.library;
    const result = await builder(node, { key, closure: closureOf(node), ...(options.signal === undefined ? {} : { signal: options.signal }) });
    const endMs = now() - t0;
    const durationMs = endMs - startMs;
    const base = { node, key, durationMs, startMs, endMs };
    switch (result.status) {
      case 'built':
        outcomes.set(node.source, { ...base, status: 'built', entry: result.entry, logFile: result.logFile, timing: result.timing });
        emit({ kind: 'built', node, key, durationMs, logFile: result.logFile, timing: result.timing });
        finish(node, { ok: true, key, entry: result.entry });
        break;
      case 'failed':
        outcomes.set(node.source, { ...base, status: 'failed', failure: result.failure, ...(result.logFile === undefined ? {} : { logFile: result.logFile }) });
        emit({ kind: 'failed', node, key, durationMs, failure: result.failure, ...(result.logFile === undefined ? {} : { logFile: result.logFile }) });
        failedBy(node);
        break;
      case 'not-built':
        outcomes.set(node.source, { ...base, status: 'not-built', notBuilt: result.reason });
        emit({ kind: 'not-built', node, reason: result.reason });
        finish(node, { ok: false, because: { kind: 'dependency', failed: node.source } });
        break;
    }
    await readyDependantsLookedUp(node);
  };

  const runNode = async (node: PlanNode): Promise<void> => {
    const deps = new Map<string, Done>();
    for (const source of node.depends) {
      const dep = done.get(source);
      // A dependency outside the run cannot be staged: the plan only leaves out applications,
      // which nothing depends on, so this is a guard.
      if (dep === undefined) {
        skip(node, { kind: 'dependency', failed: source });
        return;
      }
      deps.set(source, await dep.promise);
    }
    const failedDep = node.depends.map((s) => deps.get(s)).find((d): d is Extract<Done, { ok: false }> => d !== undefined && !d.ok);
    if (failedDep !== undefined) {
      skip(node, failedDep.because);
      return;
    }
    if (options.signal?.aborted === true) {
      skip(node, { kind: 'interrupted' });
      return;
    }
    const key = options.keyOf(node, node.depends.map((source) => {
      const d = deps.get(source);
      if (d === undefined || !d.ok) throw new Error(`${node.source}: dependency ${source} has no key`); // excluded above
      return { source, key: d.key };
    }));
    const hit = await options.lookup(key, node);
    if (!hit.ok) {
      const failure = { reason: 'repo', error: hit.error } as const;
      outcomes.set(node.source, { node, key, status: 'failed', failure, durationMs: 0 });
      emit({ kind: 'failed', node, key, durationMs: 0, failure });
      failedBy(node);
      return;
    }
    if (hit.value !== undefined) {
      outcomes.set(node.source, { node, key, status: 'cached', entry: hit.value, durationMs: 0 });
      emit({ kind: 'cached', node, key });
      finish(node, { ok: true, key, entry: hit.value });
      return;
    }
    const queued = queue.add(() => build(node, key), { priority: node.priority });
    lookedUp.get(node.source)?.resolve(undefined);
    await queued;
  };

  // Plan order puts dependencies first; the roots wait for nothing.
  const running = nodes.map((node) => runNode(node).catch((error: unknown) => {
    // A builder that throws is a bug; its dependants must not wait forever for it.
    finish(node, { ok: false, because: { kind: 'dependency', failed: node.source } });
    throw error;
  }));
  await Promise.all(nodes.filter((n) => n.depends.length === 0).flatMap((n) => lookedUp.get(n.source)?.promise ?? []));
  queue.start();
  await Promise.all(running);
  return {
    outcomes: nodes.map((n) => outcomes.get(n.source)).filter((o): o is NodeOutcome => o !== undefined),
    excluded,
    makespanMs: now() - t0,
    interrupted: options.signal?.aborted === true,
    ...(stoppedAfter === undefined ? {} : { stoppedAfter }),
  };
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}
