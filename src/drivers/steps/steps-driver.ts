// steps: the recipe's own steps, for sources with a build system of their own (zlib's configure,
// xen's tools/libs), run with the arch's tools and flags exported. The recipe refers to paths
// through STUBFORGE_HOST, STUBFORGE_PREFIX, STUBFORGE_DESTDIR, STUBFORGE_JOBS ... (see
// environment.ts), never through hard-coded values.
import { ok, err, type Result } from '../../model/result.js';
import { recipeLocation, type BuildSpec, type Driver, type DriverError, type DriverInput } from '../driver.js';
import { stepContext } from '../environment.js';
import { assembleSpec, preConfigureSteps, recipeSteps } from '../common-steps.js';

export function stepsSpec(input: DriverInput): Result<BuildSpec, DriverError> {
  if ((input.options.steps ?? []).length === 0) return err({ reason: 'missing-steps', location: recipeLocation(input) });
  const context = stepContext(input);
  if (!context.ok) return context;
  const ctx = context.value;
  return ok(assembleSpec(ctx, 'steps', [], [...preConfigureSteps(ctx), ...recipeSteps(ctx)]));
}

export const stepsDriver: Driver = {
  id: 'steps',
  summary: "the recipe's own steps, with the arch's tools and flags in the environment",
  buildSpec: stepsSpec,
};
