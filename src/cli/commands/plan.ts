// `stubforge plan <target> --arch <name> [--format text|json|dot]`: which source packages are
// rebuilt for the partial arch, in which order and why; native tools; dropped relations.
import { parseArgs } from 'node:util';
import { planCacheKeys } from '../../plan/cache-key.js';
import { buildPlan } from '../../plan/plan.js';
import { planToJson, renderPlanDot, renderPlanText } from '../../plan/render.js';
import { describeProblem } from '../../solver/describe.js';
import { solve } from '../../solver/solve.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { BUILD_CHOICE_OPTIONS, BUILD_CHOICE_USAGE, buildChoices, cacheStatus, environmentSuite } from './build-choices.js';
import { fail, loadSolverInputs, openArchiveForSolver, SOLVER_OPTIONS, SOLVER_USAGE } from './solver-inputs.js';

const USAGE = 'usage: stubforge plan <target> [options]\n' +
  '  <target>           an application recipe (qemu-stubdom) or a source package name\n' +
  '  --format F         text (default), json or dot\n' +
  '  --image-digest D   also show each node\'s cache key for build image digest D\n' +
  BUILD_CHOICE_USAGE + SOLVER_USAGE;

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
    const inputs = await loadSolverInputs(values, ctx);
    if (!inputs.ok) return fail(ctx, 'plan', inputs.error);
    const archive = await openArchiveForSolver(values, ctx);
    if (!archive.ok) return fail(ctx, 'plan', archive.error);
    const suites = archive.value.suites.map((s) => s.suite);

    const solved = solve({ ...inputs.value, archive: archive.value.index, target });
    if (!solved.ok) {
      if (format === 'json') {
        ctx.stdout.write(`${JSON.stringify({ target, arch: inputs.value.arch.name, suites, problems: solved.error.problems }, null, 2)}\n`);
      }
      ctx.stderr.write(`stubforge plan: no plan for ${target} on ${inputs.value.arch.name}: ${solved.error.problems.length} problem(s)\n`);
      for (const p of solved.error.problems) ctx.stderr.write(`${describeProblem(p).join('\n')}\n`);
      return ExitCode.unsolvable;
    }
    const plan = buildPlan(solved.value, inputs.value.arch);
    if (!plan.ok) {
      return fail(ctx, 'plan', { message: `dependency cycle among ${plan.error.remaining.join(', ')}`, exitCode: ExitCode.unsolvable });
    }
    const digest = values['image-digest'];
    const keys = digest === undefined ? undefined : planCacheKeys(plan.value, digest);
    // Cached yes/no when the build environment and the repository exist (keys as `build` makes them).
    const choices = buildChoices(values['allow-orig-only'], plan.value);
    if (!choices.ok) return fail(ctx, 'plan', choices.error);
    const status = format === 'dot' ? undefined : await cacheStatus(plan.value, ctx, choices.value, environmentSuite(values.suite));
    const options = {
      suites, ...(keys === undefined || digest === undefined ? {} : { keys, imageDigest: digest }),
      ...(status === undefined ? {} : { cached: status.cached }),
    };
    if (format === 'json') ctx.stdout.write(`${JSON.stringify(planToJson(plan.value, options), null, 2)}\n`);
    else if (format === 'dot') ctx.stdout.write(renderPlanDot(plan.value));
    else ctx.stdout.write(renderPlanText(plan.value, options));
    return ExitCode.ok;
  },
};
