// Steps every driver shares: preparing the scratch directory, the recipe's pre-configure hook and
// post-install steps, and the final removal of libtool archives.
import type { BuildSpec, BuildStep, BuildSystemId } from './driver.js';
import type { StepContext } from './environment.js';
import { joinPath, shCommand, shQuote, writeFileScript } from './shell.js';

export interface GeneratedFile {
  /** Absolute path in the container. */
  readonly path: string;
  readonly content: string;
}

export function step(ctx: StepContext, name: string, run: string, cwd: string, extraEnv: Readonly<Record<string, string>> = {}): BuildStep {
  return { name, run, cwd, env: { ...ctx.env, ...extraEnv } };
}

/**
 * Creates the scratch directories, links the arch's kernel header directories by base name (so
 * `-isystem <dir>` exposes `linux/`, `asm/`, `asm-generic/` and nothing else of the build
 * machine's /usr/include), and writes the driver's generated files.
 */
export function setupStep(ctx: StepContext, driverFiles: readonly GeneratedFile[]): BuildStep {
  const files = [...driverFiles, ...toolchainPkgConfigFiles(ctx)];
  const lines = [shCommand(['mkdir', '-p', ctx.generatedDir, ctx.input.destDir])];
  if (ctx.kernelHeaderDir !== undefined) {
    lines.push(shCommand(['mkdir', '-p', ctx.kernelHeaderDir]));
    for (const dir of ctx.input.arch.kernelHeaders ?? []) {
      const base = dir.split('/').filter((p) => p !== '').pop() ?? '';
      lines.push(shCommand(['ln', '-sfn', dir, joinPath(ctx.kernelHeaderDir, base)]));
    }
  }
  const dirs = [...new Set(files.map((f) => f.path.slice(0, f.path.lastIndexOf('/'))))].filter((d) => d !== ctx.generatedDir && d !== '');
  if (dirs.length > 0) lines.push(shCommand(['mkdir', '-p', ...dirs]));
  for (const file of files) lines.push(writeFileScript(file.path, file.content));
  return step(ctx, 'setup', lines.join('\n'), ctx.input.buildDir);
}

/**
 * The `.pc` files the toolchain supplies for `-dev` packages it provides: no flags, because the C
 * library already has what the package would add (docs/arch-format.md, Toolchain-Pkg-Config).
 */
export function toolchainPkgConfigFiles(ctx: StepContext): GeneratedFile[] {
  const dir = ctx.toolchainPkgConfigDir;
  if (dir === undefined) return [];
  const arch = ctx.input.arch.name;
  return (ctx.input.arch.pkgConfigModules ?? []).map(({ module, version, standsFor }) => ({
    path: joinPath(dir, `${module}.pc`),
    content: [
      `# Supplied by stubforge for the ${arch} toolchain, which provides ${standsFor} (arch file, Toolchain-Pkg-Config).`,
      `Name: ${module}`,
      `Description: provided by the C library of ${arch} (in place of ${standsFor}); nothing to add`,
      `Version: ${version}`,
      'Cflags:',
      'Libs:',
      '',
    ].join('\n'),
  }));
}

export function preConfigureSteps(ctx: StepContext): BuildStep[] {
  const script = ctx.input.options.preConfigure;
  return script === undefined || script.trim() === '' ? [] : [step(ctx, 'pre-configure', script, ctx.srcDir)];
}

/** The recipe's own steps, each in its directory relative to the source. */
export function recipeSteps(ctx: StepContext): BuildStep[] {
  return (ctx.input.options.steps ?? []).map((s) =>
    step(ctx, s.name, s.run, s.cwd === undefined ? ctx.srcDir : joinPath(ctx.srcDir, s.cwd)));
}

/**
 * Libtool archives are removed, as Debian does: for static-only output they add nothing the `.a`
 * and `.pc` do not say, and their `dependency_libs` name build-time paths. `-print` logs each one.
 */
export function removeLibtoolArchivesStep(ctx: StepContext): BuildStep {
  const dest = shQuote(ctx.input.destDir);
  return step(ctx, 'remove-libtool-archives',
    `if [ -d ${dest} ]; then find ${dest} -type f -name '*.la' -print -delete; fi`, ctx.input.destDir);
}

/** `lib/libz.a` → `usr/x86_64-linux-musl/lib/libz.a`: relative to the output directory. */
export function expectedArtefacts(ctx: StepContext): string[] {
  return (ctx.input.options.artefacts ?? []).map((a) => joinPath(ctx.input.prefix, a).replace(/^\/+/, ''));
}

/** Assembles a spec: setup, driver steps, the recipe's extra steps, libtool cleanup. */
export function assembleSpec(ctx: StepContext, driver: BuildSystemId, files: readonly GeneratedFile[], steps: readonly BuildStep[]): BuildSpec {
  const extra = driver === 'steps' ? [] : recipeSteps(ctx);
  return {
    driver,
    steps: [setupStep(ctx, files), ...steps, ...extra, removeLibtoolArchivesStep(ctx)],
    expectedArtefacts: expectedArtefacts(ctx),
  };
}
