// The one pino factory. Everything below cli/ receives a Logger and makes children per package;
// nothing else imports pino (docs/architecture.md).
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export interface LoggerOptions {
  readonly level?: string;
  /** Where JSON lines go; default stderr so stdout stays the command's output. */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    { level: options.level ?? 'info', base: { app: 'stubforge' } },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that writes JSON lines to a file, e.g. the log of one build step. */
export function createFileLogger(path: string, level = 'debug'): Logger {
  return pino({ level, base: null }, pino.destination({ dest: path, mkdir: true, sync: true }));
}

/** A logger that drops everything: for library callers and tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
