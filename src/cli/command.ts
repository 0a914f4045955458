// The shape every CLI command has. Commands get what they need from the context, never from
// globals, so tests can run them with their own streams and environment.
import type { Logger } from '../log/logger.js';

export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly isTTY: boolean;
  readonly log: Logger;
}

export interface CliCommand {
  readonly summary: string;
  run(args: readonly string[], ctx: CliContext): Promise<number>;
}
