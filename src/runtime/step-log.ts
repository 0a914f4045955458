// Logs of one build step. Two places: the run's pino logger (a child per package, fixed messages
// with fields, docs/conventions.md §10) and a file per step kept beside its result, holding the
// container's whole output between a start and an end record, so a failed build can be read
// after the fact. The file is JSON lines (one object per record, `msg` fixed), the same shape as
// the run log, and it is written synchronously: what the build printed before a crash is on disk.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../log/logger.js';
import type { OutputStream, StepOutcome } from './container-runtime.js';
import { LineTail } from './line-buffer.js';

export interface PackageLogFields {
  readonly package: string;
  readonly run: string;
  readonly key?: string;
}

/** The child logger all messages about one package go through. */
export function packageLogger(log: Logger, fields: PackageLogFields): Logger {
  return log.child(fields.key === undefined ? { package: fields.package, run: fields.run } : { ...fields });
}

export interface StepStartRecord {
  readonly package: string;
  readonly run: string;
  readonly key: string;
  readonly image: string;
  readonly cmd: readonly string[];
  readonly timeoutMs: number;
  readonly memoryBytes?: number;
}

export type StepEndRecord =
  | ({ readonly status: 'succeeded' | 'failed' | 'timed-out' | 'out-of-memory' | 'killed' } & StepOutcome)
  | { readonly status: 'interrupted' | 'error'; readonly detail: string };

/** One step's log file. Lines are appended as they come; `tail()` is what error reports show. */
export class StepLogFile {
  private fd: number | undefined;
  private readonly tailLines: LineTail;
  /** The first write that failed (a full disk): later records are dropped, the step is stopped. */
  private writeFailure: NodeJS.ErrnoException | undefined;
  private readonly failureListeners: ((error: NodeJS.ErrnoException) => void)[] = [];

  private constructor(readonly path: string, fd: number, tailSize: number, private readonly clock: () => Date) {
    this.fd = fd;
    this.tailLines = new LineTail(tailSize);
  }

  /** Creates (truncates) the file; its folder is made if missing. */
  static open(path: string, options: { readonly tailSize?: number; readonly clock?: () => Date } = {}): StepLogFile {
    mkdirSync(dirname(path), { recursive: true });
    return new StepLogFile(path, openSync(path, 'w', 0o644), options.tailSize ?? 30, options.clock ?? (() => new Date()));
  }

  start(record: StepStartRecord): void {
    this.write({ msg: 'step start', ...record });
  }

  line(stream: OutputStream, line: string): void {
    this.tailLines.add(line);
    this.write({ msg: 'output', stream, line });
  }

  end(record: StepEndRecord): void {
    this.write({ msg: 'step end', ...record });
  }

  tail(): readonly string[] {
    return this.tailLines.get();
  }

  /** Why the log could not be written, if it could not (ENOSPC, EIO ...). */
  get failure(): NodeJS.ErrnoException | undefined {
    return this.writeFailure;
  }

  /** Called once when a write fails: the step's output can no longer be kept, so it must stop. */
  onFailure(listener: (error: NodeJS.ErrnoException) => void): void {
    this.failureListeners.push(listener);
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // A close that fails (EIO, ENOSPC on a delayed write) loses nothing more than the write did.
    }
  }

  private write(record: Record<string, unknown>): void {
    if (this.fd === undefined || this.writeFailure !== undefined) return;
    try {
      writeSync(this.fd, `${JSON.stringify({ time: this.clock().toISOString(), ...record })}\n`);
    } catch (error: unknown) {
      // Thrown from inside the container's output stream, this would end the process with the
      // container still running; it becomes the step's failure instead.
      this.writeFailure = error as NodeJS.ErrnoException;
      for (const listener of this.failureListeners) listener(this.writeFailure);
    }
  }
}

/** Reads a step log back as plain text (what a person wants to see), one output line per line. */
export function renderStepLog(jsonLines: string): string {
  const out: string[] = [];
  for (const text of jsonLines.split('\n')) {
    if (text === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      out.push(text);
      continue;
    }
    if (typeof record !== 'object' || record === null) continue;
    const { msg, line, ...rest } = record as Record<string, unknown>;
    if (msg === 'output' && typeof line === 'string') out.push(line);
    else out.push(`--- ${String(msg)} ${JSON.stringify(rest)}`);
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}
