// make: a plain Makefile, told the arch's tools and the prefix on the command line (command-line
// variables override the Makefile's own `CC = gcc`; environment variables would not).
import { ok, type Result } from '../../model/result.js';
import type { BuildSpec, Driver, DriverError, DriverInput, ToolchainTools } from '../driver.js';
import { stepContext } from '../environment.js';
import { assembleSpec, preConfigureSteps, step } from '../common-steps.js';
import { shCommand } from '../shell.js';

/**
 * Tool assignments for a make command line. LD is left to the environment: Makefiles often set
 * `LD = $(CC)` to link through the compiler driver, and a command-line `LD=ld` would break them.
 * Flags stay in the environment too, so the Makefile's own additions (`CFLAGS += -I.`) survive.
 */
export function makeToolArgs(tools: ToolchainTools): string[] {
  return [`CC=${tools.CC}`, `CXX=${tools.CXX ?? 'false'}`, `AR=${tools.AR}`, `RANLIB=${tools.RANLIB}`,
    `STRIP=${tools.STRIP}`, `NM=${tools.NM}`, `OBJCOPY=${tools.OBJCOPY}`];
}

export function makeSpec(input: DriverInput): Result<BuildSpec, DriverError> {
  const context = stepContext(input);
  if (!context.ok) return context;
  const ctx = context.value;
  const { options } = input;
  const make = ['make', ...makeToolArgs(input.arch.tools), `prefix=${input.prefix}`, ...ctx.options.makeArgs];
  const steps = [
    ...preConfigureSteps(ctx),
    step(ctx, 'build', shCommand([...make, `-j${input.jobs}`, ...(options.makeTargets ?? [])]), ctx.srcDir),
    step(ctx, 'install', shCommand([...make, ...(options.installTargets ?? ['install']), `DESTDIR=${input.destDir}`]), ctx.srcDir),
  ];
  return ok(assembleSpec(ctx, 'make', [], steps));
}

export const makeDriver: Driver = {
  id: 'make',
  summary: 'make CC=... AR=... RANLIB=... prefix=<prefix>, make install DESTDIR',
  buildSpec: makeSpec,
};
