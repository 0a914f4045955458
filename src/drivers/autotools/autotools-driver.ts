// autotools: refresh config.sub/config.guess, then configure for the partial arch, static only,
// build in the source tree (as dh_auto_configure does for autoconf) and install into destDir.
import { ok, type Result } from '../../model/result.js';
import type { BuildSpec, Driver, DriverError, DriverInput } from '../driver.js';
import { stepContext, type StepContext } from '../environment.js';
import { assembleSpec, preConfigureSteps, step } from '../common-steps.js';
import { joinPath, shCommand } from '../shell.js';
import { configRefreshScript } from './config-refresh.js';

/** The configure command line, as words (tests and docs show it). */
export function configureCommand(ctx: StepContext): string[] {
  const { input } = ctx;
  return [
    joinPath(ctx.srcDir, 'configure'),
    `--host=${input.arch.triplet}`,
    `--build=${input.arch.buildTriplet}`,
    `--prefix=${input.prefix}`,
    `--libdir=${joinPath(input.prefix, 'lib')}`,
    '--disable-shared',
    '--enable-static',
    // The options dh_auto_configure passes: unknown --enable/--disable stay warnings, full
    // command lines in the log, no regeneration of the build system, no dependency tracking
    // (it only slows a one-shot build).
    '--disable-option-checking',
    '--disable-silent-rules',
    '--disable-maintainer-mode',
    '--disable-dependency-tracking',
    ...ctx.options.configureArgs,
  ];
}

export function autotoolsSpec(input: DriverInput): Result<BuildSpec, DriverError> {
  const context = stepContext(input);
  if (!context.ok) return context;
  const ctx = context.value;
  const { options } = input;
  // configure wrote the tools into the Makefiles; only the recipe's make arguments are added.
  const make = ['make', ...ctx.options.makeArgs];
  const steps = [
    ...preConfigureSteps(ctx),
    step(ctx, 'refresh-config-sub-guess', configRefreshScript(ctx.srcDir, input.arch.configSubGuessDir), ctx.srcDir),
    step(ctx, 'configure', shCommand(configureCommand(ctx)), ctx.srcDir),
    step(ctx, 'build', shCommand([...make, `-j${input.jobs}`, ...(options.makeTargets ?? [])]), ctx.srcDir),
    step(ctx, 'install', shCommand([...make, ...(options.installTargets ?? ['install']), `DESTDIR=${input.destDir}`]), ctx.srcDir),
  ];
  return ok(assembleSpec(ctx, 'autotools', [], steps));
}

export const autotoolsDriver: Driver = {
  id: 'autotools',
  summary: 'config.sub/config.guess refreshed, ./configure --host --disable-shared --enable-static, make, make install DESTDIR',
  buildSpec: autotoolsSpec,
};
