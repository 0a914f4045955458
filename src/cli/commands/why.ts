// `stubforge why <target> <name> --arch <name>`: why a source package is rebuilt, a tool is
// installed, or a relation is dropped — each time with the whole chain from the target.
import { commandArgs } from '../command-args.js';
import { describeProblem } from '../../solver/describe.js';
import { solve } from '../../solver/solve.js';
import type { SolveProblem } from '../../solver/types.js';
import { describeChain, explainWhy, relationName, type WhyMatch } from '../../solver/why.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode, whyExitCode } from '../exit-codes.js';
import { fail, loadSolverInputs, openArchiveForSolver, SOLVER_OPTIONS, SOLVER_USAGE } from './solver-inputs.js';

const USAGE = 'usage: stubforge why <target> <name> [options]\n' +
  '  <name>             a source package of the plan, a native tool, or a dropped relation\'s package\n' +
  SOLVER_USAGE;

function headline(m: WhyMatch): string {
  switch (m.kind) {
    case 'target':
      return `${m.source} ${m.version} is rebuilt for the partial arch (target):`;
    case 'native':
      return `${m.binary} ${m.version} is installed in the build image (native):`;
    case 'dropped':
      return `${m.relation} is dropped:`;
  }
}

/** Problems that concern `name`: an unsatisfiable relation on it, or a cycle through it. */
function problemsAbout(problems: readonly SolveProblem[], name: string): SolveProblem[] {
  return problems.filter((p) => {
    if (p.reason === 'unsatisfiable') return p.attempts.some((a) => relationName(a.relation) === name) || p.origin.source === name;
    if (p.reason === 'cycle') return p.edges.some((e) => e.from === name || e.to === name);
    return false;
  });
}

export const command: CliCommand = {
  summary: 'explain why a source is rebuilt, a tool installed or a relation dropped, with the chain from the target',
  async run(argv: readonly string[], ctx: CliContext): Promise<number> {
    const parsed = commandArgs('why', USAGE, { args: [...argv], allowPositionals: true, options: SOLVER_OPTIONS }, ctx, { blankLineAfterUsage: true });
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parsed;
    const [target, name, ...extra] = positionals;
    if (target === undefined || name === undefined || extra.length > 0) {
      ctx.stderr.write(USAGE);
      return ExitCode.usage;
    }
    const inputs = await loadSolverInputs(values, ctx);
    if (!inputs.ok) return fail(ctx, 'why', inputs.error);
    const archive = await openArchiveForSolver(values, ctx);
    if (!archive.ok) return fail(ctx, 'why', archive.error);
    const solved = solve({ ...inputs.value, archive: archive.value.index, target });
    const solution = solved.ok ? solved.value : solved.error.partial;
    const problems = solved.ok ? [] : problemsAbout(solved.error.problems, name);
    const matches = explainWhy(solution, name);
    const out: string[] = [];
    for (const m of matches) {
      out.push(headline(m));
      out.push(...(m.chain.length === 0 ? ['  it is the target itself'] : describeChain(m.chain)));
    }
    for (const p of problems) out.push(...describeProblem(p));
    if (out.length === 0) {
      const more = solved.ok ? '' : ` (the plan is incomplete: ${solved.error.problems.length} problem(s); run stubforge plan)`;
      ctx.stderr.write(`stubforge why: no relation in the closure of ${target} on ${inputs.value.arch.name} names ${name}${more}\n`);
      return whyExitCode({ found: false, solved: solved.ok, problems: problems.length });
    }
    ctx.stdout.write(`${out.join('\n')}\n`);
    return whyExitCode({ found: true, solved: solved.ok, problems: problems.length });
  },
};
