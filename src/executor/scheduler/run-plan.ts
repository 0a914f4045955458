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
  return new PlanRun(options).run();
}

/** One run of a plan: the state its nodes share while they wait, look up, build and finish. */
class PlanRun {
  private readonly now: () => number;
  private readonly t0: number;
  private readonly nodes: readonly PlanNode[];
  private readonly excluded: readonly PlanNode[];
  private readonly byName: ReadonlyMap<string, PlanNode>;
  // Started once the roots are looked up, so that the first slots go by priority and not by
  // which lookup answered first.
  private readonly queue: PQueue;
  private stoppedAfter: string | undefined;
  private readonly outcomes = new Map<string, NodeOutcome>();
  /** Resolved when a node is finished (built, cached, failed or skipped): what dependants wait for. */
  private readonly done: ReadonlyMap<string, Deferred<Done>>;
  /** Resolved when a node is queued or finished without a slot: its lookup is over. */
  private readonly lookedUp: ReadonlyMap<string, Deferred<undefined>>;
  /** Every finished node's result: a build's closure reaches past its direct dependencies. */
  private readonly settled = new Map<string, Done>();

  constructor(private readonly options: RunPlanOptions) {
    this.now = options.now ?? (() => performance.now());
    this.t0 = this.now();
    const include = options.include ?? (() => true);
    this.nodes = options.plan.nodes.filter(include);
    this.excluded = options.plan.nodes.filter((n) => !include(n));
    this.byName = new Map(this.nodes.map((n) => [n.source, n]));
    this.queue = new PQueue({ concurrency: Math.max(1, options.jobs), autoStart: false });
    this.done = new Map(this.nodes.map((n) => [n.source, deferred<Done>()]));
    this.lookedUp = new Map(this.nodes.map((n) => [n.source, deferred<undefined>()]));
  }

  async run(): Promise<RunReport> {
    // Plan order puts dependencies first; the roots wait for nothing.
    const running = this.nodes.map((node) => this.runNode(node).catch((error: unknown) => {
      // A builder that throws is a bug; its dependants must not wait forever for it.
      this.finish(node, { ok: false, because: { kind: 'dependency', failed: node.source } });
      throw error;
    }));
    await Promise.all(this.nodes.filter((n) => n.depends.length === 0).flatMap((n) => this.lookedUp.get(n.source)?.promise ?? []));
    this.queue.start();
    await Promise.all(running);
    return {
      outcomes: this.nodes.map((n) => this.outcomes.get(n.source)).filter((o): o is NodeOutcome => o !== undefined),
      excluded: this.excluded,
      makespanMs: this.now() - this.t0,
      interrupted: this.options.signal?.aborted === true,
      ...(this.stoppedAfter === undefined ? {} : { stoppedAfter: this.stoppedAfter }),
    };
  }

  private emit(event: ExecutorEvent): void {
    this.options.onEvent?.(event);
  }

  private finish(node: PlanNode, result: Done): Done {
    this.settled.set(node.source, result);
    this.done.get(node.source)?.resolve(result);
    this.lookedUp.get(node.source)?.resolve(undefined);
    return result;
  }

  private stopReason(): SkipReason | undefined {
    if (this.options.signal?.aborted === true) return { kind: 'interrupted' };
    return this.stoppedAfter === undefined ? undefined : { kind: 'stopped', after: this.stoppedAfter };
  }

  private skip(node: PlanNode, because: SkipReason, key?: CacheKey): Done {
    this.outcomes.set(node.source, { node, status: 'skipped', because, durationMs: 0, ...(key === undefined ? {} : { key }) });
    this.emit({ kind: 'skipped', node, because });
    return this.finish(node, { ok: false, because });
  }

  private failedBy(node: PlanNode): Done {
    if (this.options.keepGoing !== true) this.stoppedAfter ??= node.source;
    return this.finish(node, { ok: false, because: { kind: 'dependency', failed: node.source } });
  }

  private closureOf(node: PlanNode): NodeBuildContext['closure'] {
    const out = new Map<string, { node: PlanNode; key: CacheKey; entry: PublishedEntry }>();
    const visit = (source: string): void => {
      const dep = this.byName.get(source);
      const d = this.settled.get(source);
      if (dep === undefined || d === undefined || !d.ok || out.has(source)) return;
      out.set(source, { node: dep, key: d.key, entry: d.entry });
      for (const next of dep.depends) visit(next);
    };
    for (const source of node.depends) visit(source);
    return out;
  }

  /**
   * The slot of a finished build is held until the dependants it made ready are looked up and
   * queued: only then does the queue see every candidate and pick by priority.
   */
  private async readyDependantsLookedUp(node: PlanNode): Promise<void> {
    const ready = node.dependants.map((d) => this.byName.get(d))
      .filter((d): d is PlanNode => d !== undefined && d.depends.every((s) => this.settled.has(s)));
    await Promise.all(ready.flatMap((d) => this.lookedUp.get(d.source)?.promise ?? []));
  }

  private async build(node: PlanNode, key: CacheKey): Promise<void> {
    const stop = this.stopReason();
    if (stop !== undefined) {
      this.skip(node, stop, key);
      return;
    }
    const startMs = this.now() - this.t0;
    this.emit({ kind: 'started', node, key });
    const builder = node.kind === 'application' ? this.options.builders.application : this.options.builders.library;
    const signal = this.options.signal;
    const result = await builder(node, { key, closure: this.closureOf(node), ...(signal === undefined ? {} : { signal }) });
    const endMs = this.now() - this.t0;
    this.record(node, key, result, { durationMs: endMs - startMs, startMs, endMs });
    await this.readyDependantsLookedUp(node);
  }

  private record(node: PlanNode, key: CacheKey, result: NodeBuildResult, times: { durationMs: number; startMs: number; endMs: number }): void {
    const base = { node, key, ...times };
    const { durationMs } = times;
    switch (result.status) {
      case 'built':
        this.outcomes.set(node.source, { ...base, status: 'built', entry: result.entry, logFile: result.logFile, timing: result.timing });
        this.emit({ kind: 'built', node, key, durationMs, logFile: result.logFile, timing: result.timing });
        this.finish(node, { ok: true, key, entry: result.entry });
        break;
      case 'failed':
        this.outcomes.set(node.source, { ...base, status: 'failed', failure: result.failure, ...(result.logFile === undefined ? {} : { logFile: result.logFile }) });
        this.emit({ kind: 'failed', node, key, durationMs, failure: result.failure, ...(result.logFile === undefined ? {} : { logFile: result.logFile }) });
        this.failedBy(node);
        break;
      case 'not-built':
        this.outcomes.set(node.source, { ...base, status: 'not-built', notBuilt: result.reason });
        this.emit({ kind: 'not-built', node, reason: result.reason });
        this.finish(node, { ok: false, because: { kind: 'dependency', failed: node.source } });
        break;
    }
  }

  /** The finished dependencies of a node, or why it is skipped instead. */
  private async dependencies(node: PlanNode): Promise<{ readonly deps: ReadonlyMap<string, Done> } | { readonly skip: SkipReason }> {
    const deps = new Map<string, Done>();
    for (const source of node.depends) {
      const dep = this.done.get(source);
      // A dependency outside the run cannot be staged: the plan only leaves out applications,
      // which nothing depends on, so this is a guard.
      if (dep === undefined) return { skip: { kind: 'dependency', failed: source } };
      deps.set(source, await dep.promise);
    }
    const failedDep = node.depends.map((s) => deps.get(s)).find((d): d is Extract<Done, { ok: false }> => d !== undefined && !d.ok);
    if (failedDep !== undefined) return { skip: failedDep.because };
    if (this.options.signal?.aborted === true) return { skip: { kind: 'interrupted' } };
    return { deps };
  }

  private async runNode(node: PlanNode): Promise<void> {
    const waited = await this.dependencies(node);
    if ('skip' in waited) {
      this.skip(node, waited.skip);
      return;
    }
    const key = this.options.keyOf(node, node.depends.map((source) => {
      const d = waited.deps.get(source);
      if (d === undefined || !d.ok) throw new Error(`${node.source}: dependency ${source} has no key`); // excluded above
      return { source, key: d.key };
    }));
    const hit = await this.options.lookup(key, node);
    if (!hit.ok) {
      const failure = { reason: 'repo', error: hit.error } as const;
      this.outcomes.set(node.source, { node, key, status: 'failed', failure, durationMs: 0 });
      this.emit({ kind: 'failed', node, key, durationMs: 0, failure });
      this.failedBy(node);
      return;
    }
    if (hit.value !== undefined) {
      this.outcomes.set(node.source, { node, key, status: 'cached', entry: hit.value, durationMs: 0 });
      this.emit({ kind: 'cached', node, key });
      this.finish(node, { ok: true, key, entry: hit.value });
      return;
    }
    const queued = this.queue.add(() => this.build(node, key), { priority: node.priority });
    this.lookedUp.get(node.source)?.resolve(undefined);
    await queued;
  }
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
