// An arch without a C++ compiler (musl-linux-amd64: its arch file says why none can be had), in
// the debian driver (pure: shell text). Leaving `<triplet>-g++` out is not enough: autoconf looks
// for `<triplet>-g++`, then falls back to the build machine's `g++` ("checking for g++... g++"),
// and ncurses' configure compiled its C++ binding with it. So the build gets a `<triplet>-g++`
// that refuses every call (and counts them), and `CXX` names it: a configure that treats C++ as
// optional finds a compiler that cannot compile hello-world and leaves its C++ part out; a build
// that needs C++ fails at its first C++ check or file, with the refusal in the log. `CXXCPP` is the
// arch's C preprocessor: autoconf's C++ preprocessor check (libtool runs it whenever CXX is set)
// would otherwise stop a C-only build, or take the build machine's /lib/cpp. A preprocessor makes
// no objects.
import type { GeneratedFile } from '../common-steps.js';
import type { StepContext } from '../environment.js';
import { joinPath, shQuote } from '../shell.js';

/** The name the packaging's build systems look the arch's C++ compiler up by. */
export function cxxName(ctx: StepContext): string {
  return `${ctx.input.arch.triplet}-g++`;
}

/** In the generated directory: one line per refused call, written by the refusing wrapper. */
export const CXX_REFUSALS_FILE = 'cxx-refused';

export function cxxRefusalsFile(ctx: StepContext): string {
  return joinPath(ctx.generatedDir, CXX_REFUSALS_FILE);
}

/** The words every build system's log of a refused call shows (and bench's failure class reads). */
export function cxxRefusalMessage(ctx: StepContext): string {
  return `needs a C++ compiler, the arch ${ctx.input.arch.name} has none`;
}

/** `<toolDir>/<triplet>-g++`, refusing: no object of the build machine's g++ reaches the arch. */
export function cxxRefusingWrapper(ctx: StepContext, toolDir: string): GeneratedFile {
  const name = cxxName(ctx);
  return {
    path: joinPath(toolDir, name),
    content: [
      '#!/bin/sh',
      `# ${ctx.input.arch.name} has no C++ compiler: every call is refused, so the build machine's g++ is never used.`,
      `echo ${shQuote(`stubforge: ${name}: ${cxxRefusalMessage(ctx)} (its arch file gives no CXX)`)} >&2`,
      `echo "$*" >> ${shQuote(cxxRefusalsFile(ctx))}`,
      'exit 1',
      '',
    ].join('\n'),
  };
}

/** CXX and CXXCPP of the debian driver's steps on an arch without a C++ compiler. */
export function noCxxEnv(ctx: StepContext): Record<string, string> {
  const { tools } = ctx.input.arch;
  return { CXX: cxxName(ctx), CXXCPP: tools.CPP ?? `${tools.CC} -E` };
}

/**
 * Runs `command` (the package's build) and says afterwards whether it asked for C++: on success,
 * that its C++ part was optional and is left out; on failure, that it asked (the failure's own
 * lines say whether at C++). The command's exit status is kept.
 */
export function reportingCxxRefusals(ctx: StepContext, command: string): string {
  const refusals = shQuote(cxxRefusalsFile(ctx));
  const asked = `the build asked for a C++ compiler $(wc -l < ${refusals}) time(s) (${cxxName(ctx)}, refused: ${ctx.input.arch.name} has none)`;
  return [
    `rm -f ${refusals}`,
    `if ${command}; then`,
    `  if [ -e ${refusals} ]; then echo "stubforge: ${asked} and went on without it: its C++ part is optional and left out"; fi`,
    'else',
    '  status=$?',
    `  if [ -e ${refusals} ]; then echo "stubforge: ${asked} before it failed" >&2; fi`,
    '  exit $status',
    'fi',
  ].join('\n');
}
