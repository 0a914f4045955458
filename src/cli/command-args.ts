// The argument preamble every command shares: node:util's parseArgs over the command's options, a
// bad option answered as a usage error (`stubforge <command>: <why>` and the usage on stderr), and
// `--help` answered with the usage on stdout. The command goes on with the parsed values, or
// returns the exit code it is given.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { describeError } from '../io/describe-error.js';
import type { CliContext } from './command.js';
import { ExitCode } from './exit-codes.js';

export type CommandArgs<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

export interface CommandArgsOptions {
  /**
   * End a bad option's message with a blank line after the usage. plan, why, check-archive,
   * rebuild, report and served have always done so (scripts and tests compare their stderr byte
   * for byte); the other commands end with the usage's own last line.
   */
  readonly blankLineAfterUsage?: boolean;
}

/** The parsed command line, or the exit code when it asked for help or could not be parsed. */
export function commandArgs<T extends ParseArgsConfig>(name: string, usage: string, config: T, ctx: CliContext, options: CommandArgsOptions = {}): CommandArgs<T> | number {
  let parsed: CommandArgs<T>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    ctx.stderr.write(`stubforge ${name}: ${describeError(error)}\n${usage}${options.blankLineAfterUsage === true ? '\n' : ''}`);
    return ExitCode.usage;
  }
  if ((parsed.values as { readonly help?: unknown }).help === true) {
    ctx.stdout.write(usage);
    return ExitCode.ok;
  }
  return parsed;
}
