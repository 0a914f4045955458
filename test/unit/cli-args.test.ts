// The argument preamble the commands share (cli/command-args.ts) and the exit code of a `query`
// answer (cli/exit-codes.ts): what a user sees for a bad option, for --help, and which status a
// script reading `query`'s answer gets.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commandArgs } from '../../src/cli/command-args.js';
import type { CliCommand, CliContext } from '../../src/cli/command.js';
import { ExitCode, queryExitCode } from '../../src/cli/exit-codes.js';
import { silentLogger } from '../../src/log/logger.js';

function context(): { ctx: CliContext; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const read = (s: PassThrough) => (): string => (s.read() as Buffer | null)?.toString() ?? '';
  return { ctx: { env: {}, cwd: '/', stdout, stderr, isTTY: false, log: silentLogger() }, out: read(stdout), err: read(stderr) };
}

const USAGE = 'usage: stubforge demo [--jobs N]\n';
const config = (args: string[]) => ({ args, allowPositionals: true, options: { jobs: { type: 'string' }, help: { type: 'boolean' } } } as const);

describe('commandArgs', () => {
  it('hands back the parsed values', () => {
    const { ctx } = context();
    const parsed = commandArgs('demo', USAGE, { ...config(['--jobs', '3', 'x']) }, ctx);
    if (typeof parsed === 'number') throw new Error(`exit ${String(parsed)}`);
    expect(parsed.values.jobs).toBe('3');
    expect(parsed.positionals).toEqual(['x']);
  });

  it('answers a bad option with the reason and the usage on stderr, exit 2', () => {
    const { ctx, out, err } = context();
    expect(commandArgs('demo', USAGE, { ...config(['--job', '3']) }, ctx)).toBe(ExitCode.usage);
    expect(err()).toMatch(/^stubforge demo: .*--job.*\nusage: stubforge demo/s);
    expect(out()).toBe('');
  });

  it('answers --help with the usage on stdout, exit 0', () => {
    const { ctx, out, err } = context();
    expect(commandArgs('demo', USAGE, { ...config(['--help']) }, ctx)).toBe(ExitCode.ok);
    expect(out()).toBe(USAGE);
    expect(err()).toBe('');
  });
});

// These six commands have always ended a bad option's message with a blank line after the usage;
// moving them onto commandArgs keeps their stderr byte for byte.
const BLANK_LINE_COMMANDS: Record<string, () => Promise<{ command: CliCommand }>> = {
  plan: () => import('../../src/cli/commands/plan.js'),
  why: () => import('../../src/cli/commands/why.js'),
  'check-archive': () => import('../../src/cli/commands/check-archive.js'),
  rebuild: () => import('../../src/cli/commands/rebuild.js'),
  report: () => import('../../src/cli/commands/report.js'),
  served: () => import('../../src/cli/commands/served.js'),
};

describe.each(Object.keys(BLANK_LINE_COMMANDS))('stubforge %s', (name) => {
  async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
    const load = BLANK_LINE_COMMANDS[name];
    if (load === undefined) throw new Error(name);
    const { command } = await load();
    const { ctx, out, err } = context();
    const code = await command.run(args, ctx);
    return { code, out: out(), err: err() };
  }

  it('answers --help with its usage on stdout, exit 0', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(ExitCode.ok);
    expect(help.out).toMatch(new RegExp(`^usage: stubforge ${name} [^]*\n$`));
    expect(help.err).toBe('');
  });

  it('answers a bad option with the reason, the usage and a blank line on stderr, exit 2', async () => {
    const usage = (await run(['--help'])).out;
    const bad = await run(['--no-such-option']);
    expect(bad.code).toBe(ExitCode.usage);
    expect(bad.out).toBe('');
    const [reason, ...rest] = bad.err.split('\n');
    expect(reason).toMatch(new RegExp(`^stubforge ${name}: ERR_PARSE_ARGS_UNKNOWN_OPTION: Unknown option '--no-such-option'`));
    expect(rest.join('\n')).toBe(`${usage}\n`);
  });
});

describe('queryExitCode', () => {
  it.each([
    [{ matches: 2, problems: 0 }, 0],
    [{ matches: 0, problems: 0 }, 1],
    [{ matches: 2, problems: 1 }, 4],
    [{ matches: 0, problems: 3 }, 4],
  ])('%j exits %i', (answer, code) => {
    expect(queryExitCode(answer)).toBe(code);
  });
});
