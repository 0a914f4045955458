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

/**
 * Exit code of a `query` answer (docs/security-workflow.md), grep's convention: 0 found, 1
 * (`failed`) nothing embeds the source although every input was read, 4 (`archive`) an input or a
 * field of a package could not be read, so the answer may be incomplete (even with matches).
 */
export function queryExitCode(answer: { readonly matches: number; readonly problems: number }): ExitCodeValue {
  if (answer.problems > 0) return ExitCode.archive;
  return answer.matches > 0 ? ExitCode.ok : ExitCode.failed;
}
