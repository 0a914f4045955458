// Exit codes, documented in docs/cli.md. One place maps failure reasons to them.
export const ExitCode = {
  ok: 0,
  /** A build step or check failed (the report says which). */
  failed: 1,
  /** Bad command line or bad configuration file (arch, recipe, sources). */
  usage: 2,
  /** The solver could not make a plan: unsatisfiable relation or dependency cycle. */
  unsolvable: 3,
  /** The archive let us down: missing file, checksum or signature mismatch, unreachable mirror. */
  archive: 4,
  /** The container engine is missing or stopped. */
  runtime: 5,
  /** The host let us down: a disk full, a read-only or unreadable folder (the message names the path). */
  host: 6,
  /** Interrupted by SIGINT/SIGTERM. */
  interrupted: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
