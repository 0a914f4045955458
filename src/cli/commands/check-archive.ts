// `stubforge check-archive --arch <name> [--json FILE]`: for every source package of the suites,
// can its Build-Depends be satisfied for the partial arch? A summary on stdout, the full report
// as JSON. Exit 0 when nothing is unsatisfiable, 1 when something is (the report says what).
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { commandArgs } from '../command-args.js';
import { checkArchive, type ArchiveCheck, type SourceStatus } from '../../solver/check-archive.js';
import { checkFullArch } from '../../solver/check-full-arch.js';
import { describeProblem } from '../../solver/describe.js';
import type { CliCommand, CliContext } from '../command.js';
import { checkArchiveExitCode, ExitCode } from '../exit-codes.js';
import { fail, loadFullArch, loadSolverInputs, openArchiveForSolver, SOLVER_OPTIONS, SOLVER_USAGE } from './solver-inputs.js';
import { describeError } from '../../io/describe-error.js';

const USAGE = 'usage: stubforge check-archive [options]\n' +
  '  --json FILE        write the full report as JSON (- for stdout)\n' +
  '  --show N           list the first N unsatisfiable sources with their problems (default 10)\n' +
  '  --source NAME      check only this source package (repeatable)\n' +
  '  --profiles LIST    build profiles for a full architecture (comma-separated, as dose-builddebcheck --deb-profiles)\n' +
  SOLVER_USAGE +
  '  --arch may also name a full Debian architecture dpkg knows (amd64): every build dependency is then\n' +
  '  installed from the archive, and a source is ok when each relation has an installable alternative.\n';

const STATUS_NOTES: Record<SourceStatus, string> = {
  ok: 'every relation has a role and resolves',
  blocked: 'resolves itself, but needs a target source that does not',
  unsatisfiable: 'a relation (or a link-closure relation) cannot be satisfied',
  'not-for-arch': 'its Architecture field excludes the arch (a recipe can change that)',
  'arch-indep': 'builds Architecture: all packages only: nothing to rebuild',
};

/** The relations most often at fault, by the alternative that failed and how. */
function commonCauses(report: ArchiveCheck, limit: number): string[] {
  const counts = new Map<string, Set<string>>();
  for (const s of report.sources) {
    for (const p of s.problems) {
      if (p.reason !== 'unsatisfiable') continue;
      const a = p.attempts[p.attempts.length - 1];
      const key = a === undefined ? p.origin.text : `${a.relation}: ${a.outcome}`;
      (counts.get(key) ?? counts.set(key, new Set()).get(key))?.add(s.source);
    }
  }
  return [...counts].sort((x, y) => y[1].size - x[1].size || (x[0] < y[0] ? -1 : 1)).slice(0, limit)
    .map(([key, sources]) => `  ${String(sources.size).padStart(6)}  ${key}`);
}

function summary(report: ArchiveCheck, show: number, seconds: number): string {
  const total = report.sources.length;
  const lines = [`check-archive for ${report.arch} over ${report.suites.join(', ')}: ${total} source packages (${seconds.toFixed(1)} s)`];
  for (const status of ['ok', 'blocked', 'unsatisfiable', 'not-for-arch', 'arch-indep'] as const) {
    lines.push(`  ${status.padEnd(14)}${String(report.counts[status]).padStart(7)}  ${STATUS_NOTES[status]}`);
  }
  const causes = commonCauses(report, 15);
  if (causes.length > 0) lines.push('', 'most common causes (sources affected, failing alternative):', ...causes);
  const unsat = report.sources.filter((s) => s.status === 'unsatisfiable').slice(0, show);
  if (unsat.length > 0) lines.push('', `first ${unsat.length} unsatisfiable sources:`);
  for (const s of unsat) {
    lines.push(`${s.source} ${s.version} (${s.suite}):`);
    for (const p of s.problems) lines.push(...describeProblem(p).map((l) => `  ${l}`));
  }
  return `${lines.join('\n')}\n`;
}

export const command: CliCommand = {
  summary: 'check, for every source of the suites, whether its Build-Depends can be satisfied for a partial arch',
  async run(argv: readonly string[], ctx: CliContext): Promise<number> {
    const parsed = commandArgs('check-archive', USAGE, {
      args: [...argv], allowPositionals: false,
      options: {
        ...SOLVER_OPTIONS, json: { type: 'string' }, show: { type: 'string', default: '10' }, source: { type: 'string', multiple: true },
        profiles: { type: 'string' },
      },
    } as const, ctx, { blankLineAfterUsage: true });
    if (typeof parsed === 'number') return parsed;
    const { values } = parsed;
    const show = Number(values.show);
    if (!Number.isInteger(show) || show < 0) {
      ctx.stderr.write(USAGE);
      return ExitCode.usage;
    }
    const only = values.source === undefined ? {} : { only: new Set(values.source) };
    const profiles = (values.profiles ?? '').split(/[,\s]+/).filter((p) => p !== '');
    const full = await loadFullArch(values, ctx);
    if (full !== undefined && !full.ok) return fail(ctx, 'check-archive', full.error);
    if (full === undefined && values.profiles !== undefined) {
      return fail(ctx, 'check-archive', { message: '--profiles applies to a full architecture only; a partial arch file sets Build-Profiles', exitCode: ExitCode.usage });
    }
    const inputs = full === undefined ? await loadSolverInputs(values, ctx) : full;
    if (!inputs.ok) return fail(ctx, 'check-archive', inputs.error);
    const archive = await openArchiveForSolver(values, ctx);
    if (!archive.ok) return fail(ctx, 'check-archive', archive.error);
    const started = performance.now();
    const given = inputs.value;
    const report = 'recipes' in given
      ? checkArchive({ ...given, archive: archive.value.index, ...only })
      : checkFullArch({ ...given, archive: archive.value.index, profiles, ...only });
    const seconds = (performance.now() - started) / 1000;
    const json = values.json;
    if (json === '-') ctx.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      ctx.stdout.write(summary(report, show, seconds));
      if (json !== undefined) {
        const path = resolve(ctx.cwd, json);
        try {
          await writeFile(path, `${JSON.stringify(report, null, 1)}\n`);
        } catch (error) {
          return fail(ctx, 'check-archive', { message: `cannot write ${path}: ${describeError(error)}`, exitCode: ExitCode.failed });
        }
        ctx.stdout.write(`JSON report: ${path}\n`);
      }
    }
    return checkArchiveExitCode(report.counts);
  },
};
