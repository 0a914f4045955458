// meson: a generated cross file, `meson setup` static only, ninja, `meson install --destdir`.
import { ok, type Result } from '../../model/result.js';
import type { BuildSpec, Driver, DriverError, DriverInput } from '../driver.js';
import { stepContext, type StepContext } from '../environment.js';
import { assembleSpec, preConfigureSteps, step } from '../common-steps.js';
import { joinPath, shCommand } from '../shell.js';
import { mesonCrossFile } from './cross-file.js';

export function mesonCrossFilePath(ctx: StepContext): string {
  return joinPath(ctx.generatedDir, 'meson-cross.ini');
}

export function mesonBuildDir(ctx: StepContext): string {
  return joinPath(ctx.input.buildDir, 'build');
}

/** The `meson setup` command line, as words. */
export function mesonSetupCommand(ctx: StepContext): string[] {
  const { input } = ctx;
  return [
    'meson', 'setup', '--cross-file', mesonCrossFilePath(ctx),
    `--prefix=${input.prefix}`, '--libdir=lib',
    '-Ddefault_library=static', '-Dprefer_static=true',
    // Flags come from the arch alone (as with autotools); no subproject may be downloaded.
    '--buildtype=plain', '--wrap-mode=nodownload',
    ...ctx.options.mesonOptions,
    mesonBuildDir(ctx), ctx.srcDir,
  ];
}

export function mesonSpec(input: DriverInput): Result<BuildSpec, DriverError> {
  const context = stepContext(input);
  if (!context.ok) return context;
  const ctx = context.value;
  const crossFile = mesonCrossFile(ctx);
  if (!crossFile.ok) return crossFile;
  const buildDir = mesonBuildDir(ctx);
  const steps = [
    ...preConfigureSteps(ctx),
    step(ctx, 'configure', shCommand(mesonSetupCommand(ctx)), ctx.srcDir),
    step(ctx, 'build', shCommand(['ninja', '-C', buildDir, `-j${input.jobs}`, ...(input.options.makeTargets ?? [])]), ctx.srcDir),
    step(ctx, 'install', shCommand(['meson', 'install', '-C', buildDir, '--no-rebuild', '--destdir', input.destDir]), ctx.srcDir),
  ];
  return ok(assembleSpec(ctx, 'meson', [{ path: mesonCrossFilePath(ctx), content: crossFile.value }], steps));
}

export const mesonDriver: Driver = {
  id: 'meson',
  summary: 'generated cross file, meson setup -Ddefault_library=static, ninja, meson install --destdir',
  buildSpec: mesonSpec,
};
