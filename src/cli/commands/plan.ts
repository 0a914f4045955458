// `stubforge plan <target> --arch <name> [--format text|json|dot]`: which source packages are
// rebuilt for the partial arch, in which order and why; native tools; dropped relations.
// A plan once solved is memoised (planned-target.ts, plan-memo.ts): a warm run whose inputs and
// InRelease files are unchanged verifies the InReleases and reads the memo instead of the indices.
import { commandArgs } from '../command-args.js';
import type { BuildPlan } from '../../plan/plan.js';
import { planToJson, renderPlanDot, renderPlanText } from '../../plan/render.js';
import type { CacheKey } from '../../model/brand.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import type { BuilderIdentity } from '../../plan/cache-key.js';
import { BUILD_CHOICE_OPTIONS, BUILD_CHOICE_USAGE, builderIdentity, buildChoices, cacheStatus, environmentSuite } from './build-choices.js';
import { planTarget } from './planned-target.js';
import { fail, SOLVER_OPTIONS, SOLVER_USAGE } from './solver-inputs.js';
import { planBuildPaths } from './build-paths.js';

const USAGE = 'usage: stubforge plan <target> [options]\n' +
  '  <target>           an application recipe (qemu-stubdom) or a source package name\n' +
  '  --format F         text (default), json or dot\n' +
  '  --image-digest D   also show each node\'s cache key, with D as the digest of every node\'s\n' +
  '                     build image (build uses one image per distinct set of native tools), and\n' +
  '                     the builder the keys name (build code, a user-supplied toolchain tree)\n' +
  BUILD_CHOICE_USAGE + SOLVER_USAGE;

/** `--image-digest D`: D taken as every node's build image digest. */
async function keysForOneImage(plan: BuildPlan, digest: string, builder: BuilderIdentity, origOnly: ReadonlySet<string>): Promise<ReadonlyMap<string, CacheKey>> {
  const { planCacheKeys, sameImageForEvery } = await import('../../plan/cache-key.js');
  return planCacheKeys(plan, sameImageForEvery(plan, digest), builder, origOnly);
}

export const command: CliCommand = {
  summary: 'show the build plan of a target for a partial architecture: sources, order, roles, why',
  async run(argv: readonly string[], ctx: CliContext): Promise<number> {
    const parsed = commandArgs('plan', USAGE, {
      args: [...argv], allowPositionals: true,
      options: { ...SOLVER_OPTIONS, ...BUILD_CHOICE_OPTIONS, format: { type: 'string', default: 'text' }, 'image-digest': { type: 'string' } },
    } as const, ctx, { blankLineAfterUsage: true });
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parsed;
    const [target, ...extra] = positionals;
    const format = values.format;
    if (target === undefined || extra.length > 0 || (format !== 'text' && format !== 'json' && format !== 'dot')) {
      ctx.stderr.write(USAGE);
      return ExitCode.usage;
    }
    const answer = await planTarget(target, values, ctx);
    if (!answer.ok) return fail(ctx, 'plan', answer.error);
    const { suites, outcome, inputs } = answer.value;

    if (outcome.kind === 'unsolvable') {
      if (format === 'json') {
        ctx.stdout.write(`${JSON.stringify({ target, arch: inputs.arch.name, suites, problems: outcome.problems }, null, 2)}\n`);
      }
      ctx.stderr.write(`stubforge plan: no plan for ${target} on ${inputs.arch.name}: ${outcome.problems.length} problem(s)\n`);
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
    // The keys name the builder: without a user-supplied tree's variable they cannot be computed.
    const builder = format === 'dot' && digest === undefined ? undefined : await builderIdentity(inputs.arch, ctx);
    if (digest !== undefined && builder !== undefined && !builder.ok) return fail(ctx, 'plan', builder.error);
    const known = builder?.ok === true ? builder.value : undefined;
    const keys = digest === undefined || known === undefined ? undefined : await keysForOneImage(plan, digest, known.identity, choices.value.origOnly);
    // Cached yes/no when the build environment and the repository exist.
    const status = format === 'dot' || known === undefined ? undefined : await cacheStatus(plan, ctx, choices.value, known.identity, environmentSuite(values.suite));
    const buildPaths = format === 'dot' ? undefined : await planBuildPaths(plan, inputs, ctx);
    const options = {
      suites, ...(buildPaths === undefined ? {} : { buildPaths }), ...(keys === undefined || digest === undefined || known === undefined ? {} : {
        keys, imageDigest: digest,
        builder: { code: known.identity.code, ...(known.tree === undefined || known.identity.toolchainTree === undefined ? {} : { toolchainTree: { root: known.tree.root, digest: known.identity.toolchainTree } }) },
      }),
      ...(status === undefined ? {} : { cached: status.cached }),
    };
    if (format === 'json') ctx.stdout.write(`${JSON.stringify(planToJson(plan, options), null, 2)}\n`);
    else if (format === 'dot') ctx.stdout.write(renderPlanDot(plan));
    else ctx.stdout.write(renderPlanText(plan, options));
    return ExitCode.ok;
  },
};
