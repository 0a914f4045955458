// `stubforge plan <target> --arch <name> [--format text|json|dot]`: which source packages are
// rebuilt for the partial arch, in which order and why; native tools; dropped relations.
// A plan once solved is memoised (plan-memo.ts): a warm run whose inputs and InRelease files are
// unchanged verifies the InReleases and reads the memo instead of the indices. The solver's modules
// are loaded only when it runs.
import { parseArgs } from 'node:util';
import { checkReleases, DEFAULT_INDEX_ARCH, type Archive, type ReleaseCheck } from '../../archive/archive.js';
import { err, ok, type Result } from '../../model/result.js';
import { planMemoKey, type InputRead, type PlanMemoKey } from '../../plan/plan-memo-key.js';
import { buildPlan, type BuildPlan } from '../../plan/plan.js';
import { planToJson, renderPlanDot, renderPlanText } from '../../plan/render.js';
import type { CacheKey } from '../../model/brand.js';
import type { SolveProblem } from '../../solver/types.js';
import { describeArchiveError, type Failure } from '../archive-messages.js';
import type { CliCommand, CliContext } from '../command.js';
import { projectRoot } from '../config.js';
import { ExitCode } from '../exit-codes.js';
import { codeDigest, logAcceptedExpiry, PLAN_MEMO_FORMAT, readPlanMemo, recordingInputFiles, writePlanMemo } from '../plan-memo.js';
import { BUILD_CHOICE_OPTIONS, BUILD_CHOICE_USAGE, buildChoices, cacheStatus, environmentSuite } from './build-choices.js';
import {
  archiveOptionsFromArgs, fail, loadSolverInputs, nodeSolverInputFiles, SOLVER_OPTIONS, SOLVER_USAGE, type SolverArgs, type SolverInputs,
} from './solver-inputs.js';

const USAGE = 'usage: stubforge plan <target> [options]\n' +
  '  <target>           an application recipe (qemu-stubdom) or a source package name\n' +
  '  --format F         text (default), json or dot\n' +
  '  --image-digest D   also show each node\'s cache key, with D as the digest of every node\'s\n' +
  '                     build image (build uses one image per distinct set of native tools)\n' +
  BUILD_CHOICE_USAGE + SOLVER_USAGE;

/** `--image-digest D`: D taken as every node's build image digest. */
async function keysForOneImage(plan: BuildPlan, digest: string, origOnly: ReadonlySet<string>): Promise<ReadonlyMap<string, CacheKey>> {
  const { planCacheKeys, sameImageForEvery } = await import('../../plan/cache-key.js');
  return planCacheKeys(plan, sameImageForEvery(plan, digest), origOnly);
}

type PlanOutcome =
  | { readonly kind: 'plan'; readonly plan: BuildPlan }
  | { readonly kind: 'unsolvable'; readonly problems: readonly SolveProblem[] }
  | { readonly kind: 'cycle'; readonly remaining: readonly string[] };

interface PlanAnswer {
  readonly suites: readonly string[];
  readonly outcome: PlanOutcome;
}

function sameReleases(archive: Archive, check: ReleaseCheck): boolean {
  return archive.releases.length === check.releases.length && archive.releases.every((r, i) => r === check.releases[i]?.sha256);
}

/** Solve with the archive, and memoise the plan when the archive read the releases of the key. */
async function solveAndMemoise(
  target: string, inputs: SolverInputs, check: ReleaseCheck, key: PlanMemoKey, cacheDir: string, ctx: CliContext,
): Promise<Result<PlanOutcome, Failure>> {
  const archive = await check.open();
  if (!archive.ok) return err(describeArchiveError(archive.error));
  for (const d of archive.value.diagnostics) ctx.log.warn({ diagnostic: d }, 'index paragraph skipped');
  const { solve } = await import('../../solver/solve.js');
  const solved = solve({ ...inputs, archive: archive.value.index, target });
  if (!solved.ok) return ok({ kind: 'unsolvable', problems: solved.error.problems });
  const plan = buildPlan(solved.value, inputs.arch);
  if (!plan.ok) return ok({ kind: 'cycle', remaining: plan.error.remaining });
  if (!sameReleases(archive.value, check)) {
    // Offline, another run stored a newer InRelease in between: the plan is right, the key is not.
    ctx.log.debug({ key: key.id }, 'plan not memoised: the archive read other InRelease files than the key names');
  } else {
    try {
      await writePlanMemo(cacheDir, key, { plan: plan.value, diagnostics: archive.value.diagnostics });
    } catch (error: unknown) {
      // The plan is made; a full disk only costs the next run the indices.
      ctx.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'plan memo write failed');
    }
  }
  return ok({ kind: 'plan', plan: plan.value });
}

/** The plan of `target`: from the memo when its key holds, else from the archive and the solver. */
async function planFor(target: string, args: SolverArgs, inputs: SolverInputs, reads: readonly InputRead[], ctx: CliContext): Promise<Result<PlanAnswer, Failure>> {
  const options = archiveOptionsFromArgs(args, ctx);
  const [check, code] = await Promise.all([checkReleases(options), codeDigest(projectRoot())]);
  if (!check.ok) return err(describeArchiveError(check.error));
  const suites = check.value.suites.map((s) => s.suite);
  const key = planMemoKey({
    format: PLAN_MEMO_FORMAT, code, target, indexArch: options.arch ?? DEFAULT_INDEX_ARCH, pins: inputs.pins, reads,
    releases: check.value.releases.map((r) => ({ suite: r.suite.suite, component: r.suite.component, mirror: r.suite.mirror, sha256: r.sha256 })),
  });
  const memo = await readPlanMemo(options.cacheDir, key);
  if (!memo.hit) {
    ctx.log.debug({ key: key.id, why: memo.why }, 'plan memo miss');
    const outcome = await solveAndMemoise(target, inputs, check.value, key, options.cacheDir, ctx);
    return outcome.ok ? ok({ suites, outcome: outcome.value }) : outcome;
  }
  ctx.log.debug({ key: key.id }, 'plan memo hit');
  // What opening the archive would have logged.
  logAcceptedExpiry(check.value.releases, new Date(), ctx.log);
  for (const d of memo.memo.diagnostics) ctx.log.warn({ diagnostic: d }, 'index paragraph skipped');
  return ok({ suites, outcome: { kind: 'plan', plan: memo.memo.plan } });
}

export const command: CliCommand = {
  summary: 'show the build plan of a target for a partial architecture: sources, order, roles, why',
  async run(argv: readonly string[], ctx: CliContext): Promise<number> {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv], allowPositionals: true,
        options: { ...SOLVER_OPTIONS, ...BUILD_CHOICE_OPTIONS, format: { type: 'string', default: 'text' }, 'image-digest': { type: 'string' } },
      });
    } catch (error) {
      return fail(ctx, 'plan', { message: `${error instanceof Error ? error.message : String(error)}\n${USAGE}`, exitCode: ExitCode.usage });
    }
    const { values, positionals } = parsed;
    if (values.help === true) {
      ctx.stdout.write(USAGE);
      return ExitCode.ok;
    }
    const [target, ...extra] = positionals;
    const format = values.format;
    if (target === undefined || extra.length > 0 || (format !== 'text' && format !== 'json' && format !== 'dot')) {
      ctx.stderr.write(USAGE);
      return ExitCode.usage;
    }
    const recorded = recordingInputFiles(nodeSolverInputFiles);
    const inputs = await loadSolverInputs(values, ctx, recorded.files);
    if (!inputs.ok) return fail(ctx, 'plan', inputs.error);
    const answer = await planFor(target, values, inputs.value, recorded.reads(), ctx);
    if (!answer.ok) return fail(ctx, 'plan', answer.error);
    const { suites, outcome } = answer.value;

    if (outcome.kind === 'unsolvable') {
      if (format === 'json') {
        ctx.stdout.write(`${JSON.stringify({ target, arch: inputs.value.arch.name, suites, problems: outcome.problems }, null, 2)}\n`);
      }
      ctx.stderr.write(`stubforge plan: no plan for ${target} on ${inputs.value.arch.name}: ${outcome.problems.length} problem(s)\n`);
      const { describeProblem } = await import('../../solver/describe.js');
      for (const p of outcome.problems) ctx.stderr.write(`${describeProblem(p).join('\n')}\n`);
      return ExitCode.unsolvable;
    }
    if (outcome.kind === 'cycle') {
      return fail(ctx, 'plan', { message: `dependency cycle among ${outcome.remaining.join(', ')}`, exitCode: ExitCode.unsolvable });
    }
    const plan = outcome.plan;
    // Keys as `build` makes them: the explicit choices are part of them.
    const choices = buildChoices(values['allow-orig-only'], plan);
    if (!choices.ok) return fail(ctx, 'plan', choices.error);
    const digest = values['image-digest'];
    const keys = digest === undefined ? undefined : await keysForOneImage(plan, digest, choices.value.origOnly);
    // Cached yes/no when the build environment and the repository exist.
    const status = format === 'dot' ? undefined : await cacheStatus(plan, ctx, choices.value, environmentSuite(values.suite));
    const options = {
      suites, ...(keys === undefined || digest === undefined ? {} : { keys, imageDigest: digest }),
      ...(status === undefined ? {} : { cached: status.cached }),
    };
    if (format === 'json') ctx.stdout.write(`${JSON.stringify(planToJson(plan, options), null, 2)}\n`);
    else if (format === 'dot') ctx.stdout.write(renderPlanDot(plan));
    else ctx.stdout.write(renderPlanText(plan, options));
    return ExitCode.ok;
  },
};
