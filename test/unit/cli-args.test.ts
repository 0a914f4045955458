// The argument preamble the commands share (cli/command-args.ts) and the exit code of a `query`
// answer (cli/exit-codes.ts): what a user sees for a bad option, for --help, and which status a
// script reading `query`'s answer gets.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commandArgs } from '../../src/cli/command-args.js';
import type { CliContext } from '../../src/cli/command.js';
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
