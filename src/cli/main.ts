// Command-line entry: argv and env are read here and in cli/ only (docs/architecture.md). Each command
// lives in cli/commands/<name>.ts and exports `command: CliCommand`.
import type { CliCommand, CliContext } from './command.js';
import { createLogger } from '../log/logger.js';
import { ExitCode } from './exit-codes.js';
import { describeHostError } from './host-messages.js';

// Loaded lazily: `stubforge plan` does not pay for dockerode, `env` does not parse indices.
const COMMANDS: Record<string, () => Promise<{ command: CliCommand }>> = {
  'show-source': () => import('./commands/show-source.js'),
  plan: () => import('./commands/plan.js'),
  why: () => import('./commands/why.js'),
  'check-archive': () => import('./commands/check-archive.js'),
  env: () => import('./commands/env.js'),
  build: () => import('./commands/build.js'),
  query: () => import('./commands/query.js'),
  rebuild: () => import('./commands/rebuild.js'),
  batch: () => import('./commands/batch.js'),
  publish: () => import('./commands/publish.js'),
  served: () => import('./commands/served.js'),
  cache: () => import('./commands/cache.js'),
  cluster: () => import('./commands/cluster.js'),
  report: () => import('./commands/report.js'),
};

function usage(): string {
  const names = Object.keys(COMMANDS).sort().join(', ');
  return `usage: stubforge <command> [options]\ncommands: ${names}\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    process.stderr.write(`stubforge: unknown command "${name}"\n${usage()}`);
    return ExitCode.usage;
  }
  const ctx: CliContext = {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: process.stdout.isTTY,
    log: createLogger({ level: process.env.STUBFORGE_LOG_LEVEL ?? 'warn' }),
  };
  const { command } = await load();
  try {
    return await command.run(rest, ctx);
  } catch (error: unknown) {
    // A host fault that no layer below turned into a value still ends as one message and code.
    const host = describeHostError(error);
    if (host === undefined) throw error;
    process.stderr.write(`stubforge ${name}: ${host.message}\n`);
    return host.exitCode;
  }
}
