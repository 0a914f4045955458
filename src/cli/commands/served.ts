// `stubforge served <source>... | --target T`: which version of each source the mirror really
// serves whole (.dsc and every file it names), and what to choose explicitly where the newest
// version is not: `--pin SRC=VERSION` of the newest one that is, or `--allow-orig-only SRC` (only
// when the user allows it here) for a source whose Debian part the mirror lacks. Nothing is chosen
// behind the user's back: the choices are printed, with the reason, for the user (or a job such as
// docker/main-job.sh) to pass to `build`. `--target` plans the target, checks every node, pins
// what has to be pinned and plans again, since a pinned version may bring other sources.
import { commandArgs, type CommandArgs } from '../command-args.js';
import type { Archive } from '../../archive/archive.js';
import { newestServed } from '../../archive/served.js';
import { verdictOf, type ServedChoice, type ServedChoiceError, type ServedVerdict } from '../../archive/served-choice.js';
import { err, ok, type Result } from '../../model/result.js';
import { describeArchiveError, type Failure } from '../archive-messages.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { BUILD_CHOICE_OPTIONS } from './build-choices.js';
import { planTarget } from './planned-target.js';
import { fail, openArchiveForSolver, SOLVER_OPTIONS, SOLVER_USAGE } from './solver-inputs.js';

const USAGE = 'usage: stubforge served <source>... [options]\n' +
  '       stubforge served --target <target> [options]\n' +
  '  --target T         check every source of the plan of T (arch, recipes, pins as for plan)\n' +
  '  --allow-orig-only SRC  SRC may be built from its orig tarball alone when the mirror lacks its\n' +
  '                     Debian part (repeatable); passed on in --format args only while needed\n' +
  '  --format F         text (default), json, or args: the build options the choices need, one\n' +
  '                     word a line (the reasons go to stderr)\n' +
  SOLVER_USAGE;

interface Checked {
  readonly choice: ServedChoice;
  readonly verdict: ServedVerdict;
  /** The user pinned this source: its version is theirs to change. */
  readonly pinnedByUser: boolean;
}

function failureOf(e: ServedChoiceError): Failure {
  switch (e.reason) {
    case 'source-not-found':
      return { message: `no source package "${e.name}" in ${e.suites.join(', ')}`, exitCode: ExitCode.usage };
    case 'invalid-version':
      return { message: e.message, exitCode: ExitCode.archive };
    default:
      return describeArchiveError(e);
  }
}

const files = (missing: readonly { file: string }[]): string => missing.map((m) => m.file).join(', ');

/** One line per source: what the newest version lacks and what is chosen instead. */
export function describeChecked(c: Checked, origOnly: ReadonlySet<string>): string {
  const { name, newest } = c.choice;
  const head = `${name} ${newest.version} (${newest.suite})`;
  const v = c.verdict;
  switch (v.kind) {
    case 'newest-served':
      return `${head}: served whole`;
    case 'pin':
      return `${head}: the mirror does not serve ${files(v.instead.missing)}; ` +
        (c.pinnedByUser ? `pinned by you, so nothing is chosen instead (the newest served is ${v.version} (${v.suite}))`
          : `choosing ${v.version} (${v.suite}), the newest version it serves whole: --pin ${name}=${v.version}`);
    case 'orig-only':
      return `${head}: the mirror does not serve ${files(v.missing)} (the Debian part) and serves no version whole; ` +
        (origOnly.has(name) ? `building it from its verified orig tarball alone, as you allowed: --allow-orig-only ${name}`
          : `pass --allow-orig-only ${name} to build it from its verified orig tarball alone`);
    case 'none':
      return `${head}: the mirror does not serve ${files(v.missing)}, and serves no version of ${name} whole`;
    default:
      return v satisfies never;
  }
}

/** Whether `build` can fetch this source with the choices printed. */
function settled(c: Checked, origOnly: ReadonlySet<string>): boolean {
  const v = c.verdict;
  if (v.kind === 'newest-served') return true;
  if (v.kind === 'pin') return !c.pinnedByUser;
  if (v.kind === 'orig-only') return origOnly.has(c.choice.name);
  return false;
}

async function checkNames(
  archive: Archive, names: readonly string[], suites: readonly string[] | undefined, userPins: ReadonlyMap<string, string>,
): Promise<Result<Checked[], Failure>> {
  const checked: Checked[] = [];
  for (const name of names) {
    const pinned = userPins.get(name);
    // A version the user pinned is probed as is; otherwise every version, newest first.
    const choice = await newestServed(pinned === undefined ? archive : {
      suites: archive.suites, index: { ...archive.index, sources: archive.index.sources.filter((s) => s.package !== name || s.version === pinned) },
    }, name, suites);
    if (!choice.ok) {
      if (pinned !== undefined && choice.error.reason === 'source-not-found') {
        return err({ message: `--pin ${name}=${pinned}: ${name} has no such version in ${choice.error.suites.join(', ')}`, exitCode: ExitCode.usage });
      }
      return err(failureOf(choice.error));
    }
    const pinnedByUser = pinned !== undefined;
    let verdict = verdictOf(choice.value);
    // The newest version the user's pin leaves is the pinned one: not served whole means none is.
    if (pinnedByUser && verdict.kind === 'pin') verdict = { kind: 'none', missing: verdict.instead.missing };
    checked.push({ choice: choice.value, verdict, pinnedByUser });
  }
  return ok(checked);
}

function parsePins(values: readonly string[] | undefined): Map<string, string> {
  return new Map((values ?? []).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
}

function servedArgs(argv: readonly string[]) {
  return {
    args: [...argv], allowPositionals: true,
    options: { ...SOLVER_OPTIONS, ...BUILD_CHOICE_OPTIONS, target: { type: 'string' }, format: { type: 'string', default: 'text' } },
  } as const;
}

type Values = CommandArgs<ReturnType<typeof servedArgs>>['values'];

/** Plan `target`, check each node's source, pin what must be pinned, and plan again until nothing changes. */
async function checkTarget(target: string, values: Values, ctx: CliContext): Promise<Result<Checked[], Failure>> {
  const userPins = parsePins(values.pin);
  const chosen = new Map<string, string>();
  for (let round = 0; ; round++) {
    const pin = [...(values.pin ?? []), ...[...chosen].map(([s, v]) => `${s}=${v}`)];
    const planned = await planTarget(target, { ...values, pin }, ctx);
    if (!planned.ok) return planned;
    const { outcome } = planned.value;
    if (outcome.kind === 'unsolvable') return err({ message: `no plan for ${target}${chosen.size > 0 ? ` with ${pin.join(', ')}` : ''}: run stubforge plan to see why`, exitCode: ExitCode.unsolvable });
    if (outcome.kind === 'cycle') return err({ message: `dependency cycle among ${outcome.remaining.join(', ')}`, exitCode: ExitCode.unsolvable });
    const archive = await planned.value.archive();
    if (!archive.ok) return err(describeArchiveError(archive.error));
    const names = outcome.plan.nodes.map((n) => n.source);
    const checked = await checkNames(archive.value, names, values.suite, new Map([...userPins, ...chosen]));
    if (!checked.ok) return checked;
    // A source this run pinned is reported as the choice it is, not as a user's pin.
    const report = checked.value.map((c) => (chosen.has(c.choice.name) ? { ...c, pinnedByUser: false } : c));
    const fresh = report.filter((c) => c.verdict.kind === 'pin' && !c.pinnedByUser && !chosen.has(c.choice.name));
    if (fresh.length === 0 || round > names.length) {
      return ok(await withChosenReasons(report, chosen, archive.value, values.suite));
    }
    for (const c of fresh) if (c.verdict.kind === 'pin') chosen.set(c.choice.name, c.verdict.version);
  }
}

/** Sources pinned by an earlier round: report them against every version again, so the reason shows. */
async function withChosenReasons(
  report: readonly Checked[], chosen: ReadonlyMap<string, string>, archive: Archive, suites: readonly string[] | undefined,
): Promise<Checked[]> {
  const out: Checked[] = [];
  for (const c of report) {
    if (!chosen.has(c.choice.name)) {
      out.push(c);
      continue;
    }
    const full = await newestServed(archive, c.choice.name, suites);
    out.push(full.ok ? { choice: full.value, verdict: verdictOf(full.value), pinnedByUser: false } : c);
  }
  return out;
}

function argsOf(checked: readonly Checked[], origOnly: ReadonlySet<string>): string[] {
  const words: string[] = [];
  for (const c of checked) {
    if (c.verdict.kind === 'pin' && !c.pinnedByUser) words.push('--pin', `${c.choice.name}=${c.verdict.version}`);
    if (c.verdict.kind === 'orig-only' && origOnly.has(c.choice.name)) words.push('--allow-orig-only', c.choice.name);
  }
  return words;
}

function toJson(c: Checked): object {
  const { name, newest, checked } = c.choice;
  return {
    source: name, newest: { version: newest.version, suite: newest.suite },
    checked: checked.map((v) => ({ version: v.record.version, suite: v.record.suite, missing: v.missing.map((m) => m.file) })),
    choice: c.verdict, pinnedByUser: c.pinnedByUser,
  };
}

export const command: CliCommand = {
  summary: 'which version of each source the mirror serves whole, and the --pin to pass where the newest is not',
  async run(argv: readonly string[], ctx: CliContext): Promise<number> {
    const parsed = commandArgs('served', USAGE, servedArgs(argv), ctx, { blankLineAfterUsage: true });
    if (typeof parsed === 'number') return parsed;
    const { values, positionals } = parsed;
    const format = values.format;
    const target = values.target;
    if ((target === undefined) === (positionals.length === 0) || (format !== 'text' && format !== 'json' && format !== 'args')) {
      ctx.stderr.write(USAGE);
      return ExitCode.usage;
    }
    let checked: Result<Checked[], Failure>;
    if (target !== undefined) {
      checked = await checkTarget(target, values, ctx);
    } else {
      const archive = await openArchiveForSolver(values, ctx);
      checked = archive.ok ? await checkNames(archive.value, positionals, values.suite, parsePins(values.pin)) : archive;
    }
    if (!checked.ok) return fail(ctx, 'served', checked.error);
    const origOnly = new Set(values['allow-orig-only'] ?? []);
    const lines = checked.value.map((c) => describeChecked(c, origOnly));
    if (format === 'json') ctx.stdout.write(`${JSON.stringify(checked.value.map(toJson), null, 2)}\n`);
    else if (format === 'args') {
      for (const line of lines) ctx.stderr.write(`stubforge served: ${line}\n`);
      const words = argsOf(checked.value, origOnly);
      if (words.length > 0) ctx.stdout.write(`${words.join('\n')}\n`);
    } else ctx.stdout.write(`${lines.join('\n')}\n`);
    const unsettled = checked.value.filter((c) => !settled(c, origOnly)).map((c) => c.choice.name);
    if (unsettled.length === 0) return ExitCode.ok;
    ctx.stderr.write(`stubforge served: no servable choice for ${unsettled.join(', ')}: a build of ${unsettled.length === 1 ? 'it' : 'them'} would stop at the missing file\n`);
    return ExitCode.archive;
  },
};
