// Runs a CLI command in-process as `stubforge` would, with its own streams and environment.
import { Writable } from 'node:stream';
import type { CliCommand } from '../../src/cli/command.js';
import { silentLogger } from '../../src/log/logger.js';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { chunks.push(chunk.toString()); done(); } });
  return { stream, text: () => chunks.join('') };
}

export async function runCommand(
  cmd: CliCommand, args: readonly string[], options: { env: Record<string, string | undefined>; cwd: string },
): Promise<CommandResult> {
  const out = sink();
  const err = sink();
  const code = await cmd.run(args, {
    env: options.env, cwd: options.cwd, stdout: out.stream, stderr: err.stream, isTTY: false, log: silentLogger(),
  });
  return { code, stdout: out.text(), stderr: err.text() };
}
