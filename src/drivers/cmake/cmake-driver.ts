// cmake: a generated toolchain file, BUILD_SHARED_LIBS=OFF, build, install with DESTDIR.
import { ok, type Result } from '../../model/result.js';
import type { BuildSpec, Driver, DriverError, DriverInput } from '../driver.js';
import { stepContext, type StepContext } from '../environment.js';
import { assembleSpec, preConfigureSteps, step } from '../common-steps.js';
import { joinPath, shCommand } from '../shell.js';
import { cmakeToolchainFile } from './toolchain-file.js';

export function cmakeToolchainPath(ctx: StepContext): string {
  return joinPath(ctx.generatedDir, 'toolchain.cmake');
}

export function cmakeBuildDir(ctx: StepContext): string {
  return joinPath(ctx.input.buildDir, 'build');
}

/** The configure command line, as words. */
export function cmakeConfigureCommand(ctx: StepContext): string[] {
  const { input } = ctx;
  return [
    'cmake', '-S', ctx.srcDir, '-B', cmakeBuildDir(ctx),
    `-DCMAKE_TOOLCHAIN_FILE=${cmakeToolchainPath(ctx)}`,
    `-DCMAKE_INSTALL_PREFIX=${input.prefix}`,
    // GNUInstallDirs would pick lib64 or lib/<multiarch> on some hosts; the prefix layout is lib/.
    '-DCMAKE_INSTALL_LIBDIR=lib',
    '-DBUILD_SHARED_LIBS=OFF',
    // Flags come from the arch alone, as with the other drivers.
    '-DCMAKE_BUILD_TYPE=None',
    ...ctx.options.cmakeOptions,
  ];
}

export function cmakeSpec(input: DriverInput): Result<BuildSpec, DriverError> {
  const context = stepContext(input);
  if (!context.ok) return context;
  const ctx = context.value;
  const toolchain = cmakeToolchainFile(ctx);
  if (!toolchain.ok) return toolchain;
  const buildDir = cmakeBuildDir(ctx);
  const targets = (input.options.makeTargets ?? []).flatMap((t) => ['--target', t]);
  const steps = [
    ...preConfigureSteps(ctx),
    step(ctx, 'configure', shCommand(cmakeConfigureCommand(ctx)), ctx.srcDir),
    step(ctx, 'build', shCommand(['cmake', '--build', buildDir, '--parallel', String(input.jobs), ...targets]), ctx.srcDir),
    // cmake --install honours DESTDIR from the environment (CMake >= 3.15).
    step(ctx, 'install', shCommand(['cmake', '--install', buildDir]), ctx.srcDir, { DESTDIR: input.destDir }),
  ];
  return ok(assembleSpec(ctx, 'cmake', [{ path: cmakeToolchainPath(ctx), content: toolchain.value }], steps));
}

export const cmakeDriver: Driver = {
  id: 'cmake',
  summary: 'generated toolchain file, cmake -DBUILD_SHARED_LIBS=OFF, cmake --build, cmake --install with DESTDIR',
  buildSpec: cmakeSpec,
};
