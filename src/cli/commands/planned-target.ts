// The plan of a target as `plan` and `build` both get it: the solver's inputs read (and recorded
// for the memo key), the InRelease files checked, then the memo (plan-memo.ts) when its key
// holds, else the indices and the solver. The archive itself is opened only when asked for: a warm
// `plan`, and a `build` whose every node is cached, read no index at all.
import { checkReleases, DEFAULT_INDEX_ARCH, type Archive, type ReleaseCheck } from '../../archive/archive.js';
import type { ArchiveError } from '../../archive/errors.js';
import { err, ok, type Result } from '../../model/result.js';
import { planMemoKey, type InputRead, type PlanMemoKey } from '../../plan/plan-memo-key.js';
import { buildPlan, type BuildPlan } from '../../plan/plan.js';
import type { SolveProblem } from '../../solver/types.js';
import { describeArchiveError, type Failure } from '../archive-messages.js';
import type { CliContext } from '../command.js';
import { projectRoot } from '../config.js';
import { codeDigest, logClockExceptions, PLAN_MEMO_FORMAT, readPlanMemo, recordingInputFiles, writePlanMemo } from '../../cache/plan-memo.js';
import { archiveOptionsFromArgs, loadSolverInputs, nodeSolverInputFiles, type SolverArgs, type SolverInputs } from './solver-inputs.js';
import { describeError } from '../../io/describe-error.js';

export type PlanOutcome =
  | { readonly kind: 'plan'; readonly plan: BuildPlan }
  | { readonly kind: 'unsolvable'; readonly problems: readonly SolveProblem[] }
  | { readonly kind: 'cycle'; readonly remaining: readonly string[] };

export interface PlannedTarget {
  readonly inputs: SolverInputs;
  /** The suites read, in order. */
  readonly suites: readonly string[];
  readonly outcome: PlanOutcome;
  /** The archive of the InRelease files checked: opened on the first call (once), or the one solved with. */
  readonly archive: () => Promise<Result<Archive, ArchiveError>>;
}

function sameReleases(archive: Archive, check: ReleaseCheck): boolean {
  return archive.releases.length === check.releases.length && archive.releases.every((r, i) => r === check.releases[i]?.sha256);
}

/** Solve with the archive, and memoise the plan when the archive read the releases of the key. */
async function solveAndMemoise(
  target: string, inputs: SolverInputs, archive: Archive, check: ReleaseCheck, key: PlanMemoKey, cacheDir: string, ctx: CliContext,
): Promise<PlanOutcome> {
  for (const d of archive.diagnostics) ctx.log.warn({ diagnostic: d }, 'index paragraph skipped');
  const { solve } = await import('../../solver/solve.js');
  const solved = solve({ ...inputs, archive: archive.index, target });
  if (!solved.ok) return { kind: 'unsolvable', problems: solved.error.problems };
  const plan = buildPlan(solved.value, inputs.arch);
  if (!plan.ok) return { kind: 'cycle', remaining: plan.error.remaining };
  if (!sameReleases(archive, check)) {
    // Offline, another run stored a newer InRelease in between: the plan is right, the key is not.
    ctx.log.debug({ key: key.id }, 'plan not memoised: the archive read other InRelease files than the key names');
  } else {
    try {
      await writePlanMemo(cacheDir, key, { plan: plan.value, diagnostics: archive.diagnostics });
    } catch (error: unknown) {
      // The plan is made; a full disk only costs the next run the indices.
      ctx.log.warn({ error: describeError(error) }, 'plan memo write failed');
    }
  }
  return { kind: 'plan', plan: plan.value };
}

/** One opening of the archive of `check`, however many callers ask. */
function archiveOnce(check: ReleaseCheck): () => Promise<Result<Archive, ArchiveError>> {
  let opened: Promise<Result<Archive, ArchiveError>> | undefined;
  return () => {
    opened ??= check.open();
    return opened;
  };
}

/** The plan of `target` with the solver options of `args`: from the memo when its key holds. */
export async function planTarget(target: string, args: SolverArgs, ctx: CliContext): Promise<Result<PlannedTarget, Failure>> {
  const recorded = recordingInputFiles(nodeSolverInputFiles);
  const inputs = await loadSolverInputs(args, ctx, recorded.files);
  if (!inputs.ok) return inputs;
  const options = archiveOptionsFromArgs(args, ctx);
  const [check, code] = await Promise.all([checkReleases(options), codeDigest(projectRoot())]);
  if (!check.ok) return err(describeArchiveError(check.error));
  const suites = check.value.suites.map((s) => s.suite);
  const reads: readonly InputRead[] = recorded.reads();
  const key = planMemoKey({
    format: PLAN_MEMO_FORMAT, code, target, indexArch: options.arch ?? DEFAULT_INDEX_ARCH, pins: inputs.value.pins, reads,
    releases: check.value.releases.map((r) => ({ suite: r.suite.suite, component: r.suite.component, mirror: r.suite.mirror, sha256: r.sha256 })),
  });
  const archive = archiveOnce(check.value);
  const memo = await readPlanMemo(options.cacheDir, key);
  if (!memo.hit) {
    ctx.log.debug({ key: key.id, why: memo.why }, 'plan memo miss');
    const opened = await archive();
    if (!opened.ok) return err(describeArchiveError(opened.error));
    const outcome = await solveAndMemoise(target, inputs.value, opened.value, check.value, key, options.cacheDir, ctx);
    return ok({ inputs: inputs.value, suites, outcome, archive });
  }
  ctx.log.debug({ key: key.id }, 'plan memo hit');
  // What opening the archive would have logged.
  logClockExceptions(check.value.releases, new Date(), ctx.log);
  for (const d of memo.memo.diagnostics) ctx.log.warn({ diagnostic: d }, 'index paragraph skipped');
  return ok({ inputs: inputs.value, suites, outcome: { kind: 'plan', plan: memo.memo.plan }, archive });
}
