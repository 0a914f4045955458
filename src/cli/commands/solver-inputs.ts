// What plan, why and check-archive share: the arch file (and dpkg's tables taught that arch),
// the recipes, pins, and the archive — each failure turned into one message and an exit code.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import type { PartialArch } from '../../arch/arch-file.js';
import { loadArchFile, nodeTextFiles, type ArchLoadError } from '../../arch/arch-loader.js';
import type { ArchTable } from '../../arch/dpkg-arch.js';
import { DPKG_DATADIR, loadArchTables } from '../../arch/dpkg-tables-loader.js';
import { DEFAULT_INDEX_ARCH, type Archive } from '../../archive/archive.js';
import { formatLocation } from '../../model/location.js';
import { assertNever, err, ok, type Result } from '../../model/result.js';
import { loadRecipes, nodeRecipeFiles, type RecipeLoadError } from '../../recipe/recipe-loader.js';
import type { SolverInputFiles } from '../../cache/plan-memo.js';
import type { RecipeSet } from '../../recipe/recipe.js';
import type { Failure } from '../archive-messages.js';
import { ARCHIVE_OPTIONS, ARCHIVE_USAGE, archiveOptionsFromArgs, checkSuiteNames, openArchiveFromArgs, type ArchiveArgs } from '../archive-options.js';
import type { CliContext } from '../command.js';
import { DEFAULT_ARCH, projectRoot } from '../config.js';
import { ExitCode } from '../exit-codes.js';
import { describeError } from '../../io/describe-error.js';
import { errnoCode } from '../../io/errno.js';

export { archiveOptionsFromArgs };

export const SOLVER_OPTIONS = {
  ...ARCHIVE_OPTIONS,
  arch: { type: 'string' },
  'arch-dir': { type: 'string', multiple: true },
  'recipe-dir': { type: 'string', multiple: true },
  'no-shipped-recipes': { type: 'boolean' },
  pin: { type: 'string', multiple: true },
  'dpkg-datadir': { type: 'string' },
  help: { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const SOLVER_USAGE =
  `  --arch NAME        partial architecture (default ${DEFAULT_ARCH}); an arch file in arch/\n` +
  '  --arch-dir DIR     look for arch files here first (repeatable)\n' +
  '  --recipe-dir DIR   look for recipes here first (repeatable)\n' +
  "  --no-shipped-recipes  leave out stubforge's recipes/ (only --recipe-dir): Debian's packaging alone\n" +
  '  --pin SRC=VERSION  use exactly this version of source SRC (repeatable)\n' +
  `  --dpkg-datadir DIR dpkg's cputable/ostable/tupletable (default ${DPKG_DATADIR})\n` +
  ARCHIVE_USAGE;

export interface SolverArgs extends ArchiveArgs {
  readonly arch?: string | undefined;
  readonly 'arch-dir'?: string[] | undefined;
  readonly 'recipe-dir'?: string[] | undefined;
  readonly 'no-shipped-recipes'?: boolean | undefined;
  readonly pin?: string[] | undefined;
  readonly 'dpkg-datadir'?: string | undefined;
}

export interface SolverInputs {
  readonly arch: PartialArch;
  readonly table: ArchTable;
  readonly recipes: RecipeSet;
  readonly pins: ReadonlyMap<string, string>;
}

export type { SolverInputFiles } from '../../cache/plan-memo.js';

export const nodeSolverInputFiles: SolverInputFiles = {
  arch: nodeTextFiles,
  tables: { readFile: (path) => nodeTextFiles.readFile(path) },
  recipes: nodeRecipeFiles,
};

const usage = (message: string): Failure => ({ message, exitCode: ExitCode.usage });

export function describeArchLoadError(e: ArchLoadError): string {
  switch (e.reason) {
    case 'arch-not-found':
      return `no arch file "${e.name}" (looked in ${e.searched.join(', ')})`;
    case 'io-error':
      return `cannot read ${e.file}: ${e.detail}`;
    case 'malformed-control':
      return `${formatLocation(e.location)}: ${e.message}`;
    case 'invalid-arch-file':
      return [`invalid arch file ${e.file}:`, ...e.problems.map((p) => `  ${formatLocation(p.location)}: ${p.message}`)].join('\n');
    default:
      return assertNever(e, 'arch load error');
  }
}

export function describeRecipeLoadError(e: RecipeLoadError): string {
  switch (e.reason) {
    case 'io-error':
      return `cannot read ${e.file}: ${e.detail}`;
    case 'malformed-control':
      return `${formatLocation(e.location)}: ${e.message}`;
    case 'invalid-recipe':
      return [`invalid recipe ${e.file}:`, ...e.problems.map((p) => `  ${formatLocation(p.location)}: ${p.message}`)].join('\n');
    default:
      return assertNever(e, 'recipe load error');
  }
}

function parsePins(values: readonly string[]): Result<Map<string, string>, Failure> {
  const pins = new Map<string, string>();
  for (const v of values) {
    const m = /^([a-z0-9][a-z0-9.+-]+)=(\S+)$/.exec(v);
    if (m === null) return err(usage(`--pin ${v}: expected SOURCE=VERSION`));
    pins.set(m[1] ?? '', m[2] ?? '');
  }
  return ok(pins);
}

async function notADirectory(path: string): Promise<string | undefined> {
  try {
    return (await stat(path)).isDirectory() ? undefined : `${path} is not a directory`;
  } catch (e: unknown) {
    const code = errnoCode(e);
    return code === 'ENOENT' ? `no such directory ${path}` : `cannot read ${path}: ${describeError(e)}`;
  }
}

/** Arch file, dpkg tables, recipes and pins: everything but the archive. */
export async function loadSolverInputs(
  args: SolverArgs, ctx: CliContext, files: SolverInputFiles = nodeSolverInputFiles,
): Promise<Result<SolverInputs, Failure>> {
  const root = projectRoot();
  // A mistyped folder must not quietly fall back to the shipped arch files and recipes.
  for (const [option, dirs] of [['--arch-dir', args['arch-dir']], ['--recipe-dir', args['recipe-dir']]] as const) {
    for (const dir of dirs ?? []) {
      const problem = await notADirectory(resolve(ctx.cwd, dir));
      if (problem !== undefined) return err(usage(`${option} ${dir}: ${problem}`));
    }
  }
  const suites = checkSuiteNames(args.suite);
  if (!suites.ok) return suites;
  const archDirs = [...(args['arch-dir'] ?? []).map((d) => resolve(ctx.cwd, d)), join(root, 'arch')];
  const arch = await loadArchFile(args.arch ?? DEFAULT_ARCH, { dirs: archDirs, fs: files.arch });
  if (!arch.ok) return err(usage(describeArchLoadError(arch.error)));
  const t = arch.value.dpkgTables;
  const table = await loadArchTables(args['dpkg-datadir'] ?? DPKG_DATADIR, {
    ...(t.ostable.length > 0 ? { ostable: `${t.ostable.join('\n')}\n` } : {}),
    ...(t.tupletable.length > 0 ? { tupletable: `${t.tupletable.join('\n')}\n` } : {}),
  }, files.tables);
  if (!table.ok) return err({ message: `${formatLocation(table.error.location)}: ${table.error.message}`, exitCode: ExitCode.failed });
  if (table.value.tupleOf(arch.value.name) === undefined) {
    return err(usage(`${formatLocation(arch.value.location)}: dpkg's tables do not know ${arch.value.name} (add Dpkg-Ostable/Dpkg-Tupletable lines)`));
  }
  const recipeDirs = [...(args['recipe-dir'] ?? []).map((d) => resolve(ctx.cwd, d)),
    ...(args['no-shipped-recipes'] === true ? [] : [join(root, 'recipes')])];
  const recipes = await loadRecipes(recipeDirs, files.recipes);
  if (!recipes.ok) return err(usage(recipes.error.map(describeRecipeLoadError).join('\n')));
  const pins = parsePins(args.pin ?? []);
  if (!pins.ok) return pins;
  return ok({ arch: arch.value, table: table.value, recipes: recipes.value, pins: pins.value });
}

/** A full Debian architecture for check-archive: dpkg's own tables, no arch file. */
export interface FullArchInputs {
  readonly arch: string;
  readonly table: ArchTable;
}

/**
 * `--arch NAME` naming no arch file but an architecture dpkg knows: a full architecture, whose
 * packages all come from the archive (check-archive only). Undefined when an arch file is found
 * or dpkg does not know the name (the partial-arch path then reports it).
 */
export async function loadFullArch(args: SolverArgs, ctx: CliContext, files: SolverInputFiles = nodeSolverInputFiles): Promise<Result<FullArchInputs, Failure> | undefined> {
  const name = args.arch ?? DEFAULT_ARCH;
  const archDirs = [...(args['arch-dir'] ?? []).map((d) => resolve(ctx.cwd, d)), join(projectRoot(), 'arch')];
  const found = await loadArchFile(name, { dirs: archDirs, fs: files.arch });
  if (found.ok || found.error.reason !== 'arch-not-found') return undefined;
  const table = await loadArchTables(args['dpkg-datadir'] ?? DPKG_DATADIR, {}, files.tables);
  if (!table.ok || table.value.tupleOf(name) === undefined) return undefined;
  if (name !== DEFAULT_INDEX_ARCH) {
    return err(usage(`--arch ${name}: a full architecture is checked against the ${DEFAULT_INDEX_ARCH} Packages indices stubforge reads; use ${DEFAULT_INDEX_ARCH}, or a partial arch file`));
  }
  return ok({ arch: name, table: table.value });
}

/**
 * The archive options `openArchiveFromArgs` (archive-options.ts) opens the archive with, for
 * `checkReleases`: the same cache, mirror (`STUBFORGE_MIRROR` standing in for `--mirror`), suites,
 * keyrings and switches, so that the releases checked are the ones the archive would read.
 */
export async function openArchiveForSolver(args: SolverArgs, ctx: CliContext): Promise<Result<Archive, Failure>> {
  return openArchiveFromArgs(args, ctx);
}

/** Print a failure and return its exit code. */
export function fail(ctx: CliContext, name: string, failure: Failure): number {
  ctx.stderr.write(`stubforge ${name}: ${failure.message}\n`);
  return failure.exitCode;
}
