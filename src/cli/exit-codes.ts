// Exit codes, documented in docs/cli.md. One place maps failures to them: one function per
// failure family, each an exhaustive switch where the family is a union (a new reason does not
// compile until it has a code here). The messages are rendered beside, in cli/*-messages.ts and
// the commands' own renderers.
import type { FindSourceError } from '../archive/archive.js';
import type { ArchiveError } from '../archive/errors.js';
import type { RepoError } from '../cache/apt-repo.js';
import type { OutputRepoError } from '../cache/output-repo.js';
import type { NodeFailure, RunReport } from '../executor/scheduler/outcome.js';
import { assertNever } from '../model/result.js';
import type { AffectedError } from '../plan/affected.js';
import type { BuildStepError } from '../runtime/build-step.js';
import type { EnvironmentError } from '../runtime/environments.js';
import type { SiteWriteError } from './commands/report-inputs.js';
import type { MirrorError } from './env-mirror.js';

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

/** The archive's failures are the archive's, except a configuration file stubforge could not read. */
export function exitCodeOfArchiveError(error: ArchiveError): ExitCodeValue {
  switch (error.reason) {
    case 'bad-config':
      return ExitCode.usage;
    case 'unreachable':
    case 'missing-file':
    case 'checksum-mismatch':
    case 'bad-signature':
    case 'expired-release':
    case 'release-not-yet-valid':
    case 'index-missing':
    case 'unpack-failed':
    case 'malformed-control':
      return ExitCode.archive;
    default:
      return assertNever(error, 'archive error');
  }
}

/** A source the suites do not have is the user's word; an unreadable version field the archive's. */
export function exitCodeOfFindSourceError(error: FindSourceError): ExitCodeValue {
  switch (error.reason) {
    case 'source-not-found':
      return ExitCode.usage;
    case 'invalid-version':
      return ExitCode.archive;
    default:
      return assertNever(error, 'find-source error');
  }
}

/** Container engine, build environment, build step and mirror-configuration failures. */
export function exitCodeOfRuntimeFailure(error: EnvironmentError | BuildStepError | MirrorError): ExitCodeValue {
  switch (error.reason) {
    case 'engine-unavailable':
    case 'engine-error':
    case 'image-not-found':
    case 'image-in-use':
    case 'root-user-refused':
      return ExitCode.runtime;
    case 'image-build-failed':
    case 'env-in-use':
    case 'step-failed':
    case 'timeout':
    case 'out-of-memory':
    case 'killed':
    case 'scratch-exceeded':
    case 'output-exists':
      return ExitCode.failed;
    case 'interrupted':
      return ExitCode.interrupted;
    case 'base-failed':
      return ExitCode.archive;
    case 'invalid-name':
    case 'env-not-found':
    case 'not-an-environment':
    case 'no-mirror':
    case 'bad-config':
      return ExitCode.usage;
    case 'io-error':
      return ExitCode.host;
    default:
      return assertNever(error, 'runtime failure');
  }
}

/** The build cache's failures: one the disk refused (full, read-only) is the host's, the rest the build's. */
export function exitCodeOfRepoError(error: RepoError): ExitCodeValue {
  return error.reason === 'io-error' ? ExitCode.host : ExitCode.failed;
}

/** `publish`: a file that is not a .deb, or a version already published with other content, is the user's to fix. */
export function exitCodeOfOutputRepoError(error: OutputRepoError): ExitCodeValue {
  switch (error.reason) {
    case 'not-a-deb':
    case 'version-exists':
      return ExitCode.usage;
    case 'lock-timeout':
    case 'sign-failed':
    case 'io-error':
      return ExitCode.failed;
    default:
      return assertNever(error, 'output repository error');
  }
}

/** One node of a build. */
export function exitCodeOfNodeFailure(f: NodeFailure): ExitCodeValue {
  switch (f.reason) {
    case 'source-unavailable':
    case 'no-source-record':
    case 'archive':
      return ExitCode.archive;
    case 'toolchain':
    case 'driver':
      return ExitCode.usage;
    case 'step':
      return exitCodeOfRuntimeFailure(f.error);
    case 'repo':
      return exitCodeOfRepoError(f.error);
    case 'static-policy':
    case 'toolchain-provenance':
    case 'output-unreadable':
    case 'packaging':
    case 'stage-deps':
    case 'application':
      return ExitCode.failed;
    default:
      return assertNever(f, 'build failure');
  }
}

/** The run's exit code: an interrupt first, then the first failure in build order, then an unbuilt target. */
export function exitCodeOfRun(report: RunReport): ExitCodeValue {
  if (report.interrupted) return ExitCode.interrupted;
  const first = report.outcomes.find((o) => o.status === 'failed')?.failure;
  if (first !== undefined) return exitCodeOfNodeFailure(first);
  if (report.outcomes.some((o) => o.status === 'failed' || o.status === 'not-built')) return ExitCode.failed;
  return ExitCode.ok;
}

/** `rebuild`: a source no recorded build embeds leaves no plan; a bad update is the user's to fix. */
export function exitCodeOfAffectedError(error: AffectedError): ExitCodeValue {
  switch (error.reason) {
    case 'not-built':
      return ExitCode.unsolvable;
    case 'downgrade':
    case 'invalid-version':
    case 'duplicate-update':
      return ExitCode.usage;
    default:
      return assertNever(error, 'affected-set error');
  }
}

/** `rebuild`: a child build that did not succeed (its own exit code, or none when it could not start). */
export function exitCodeOfChildBuild(code: number | null): ExitCodeValue {
  return code === ExitCode.interrupted ? ExitCode.interrupted : ExitCode.failed;
}

/** `report`: a folder holding files no report wrote is the user's to change; the rest is a failed write. */
export function exitCodeOfSiteWriteError(error: SiteWriteError): ExitCodeValue {
  switch (error.reason) {
    case 'foreign-files':
      return ExitCode.usage;
    case 'not-a-folder':
    case 'io-error':
      return ExitCode.failed;
    default:
      return assertNever(error, 'site write error');
  }
}

/** A whole-archive check (`check-archive`): 1 when a source's Build-Depends cannot be satisfied. */
export function checkArchiveExitCode(counts: { readonly unsatisfiable: number }): ExitCodeValue {
  return counts.unsatisfiable > 0 ? ExitCode.failed : ExitCode.ok;
}

/**
 * `why`: 1 when no relation names the thing asked about (3 when there was no plan to look in),
 * 3 when the plan has problems that concern it.
 */
export function whyExitCode(answer: { readonly found: boolean; readonly solved: boolean; readonly problems: number }): ExitCodeValue {
  if (!answer.found) return answer.solved ? ExitCode.failed : ExitCode.unsolvable;
  return answer.problems > 0 ? ExitCode.unsolvable : ExitCode.ok;
}

/** `cache verify`: 1 while a finding remains. */
export function cacheVerifyExitCode(findings: number): ExitCodeValue {
  return findings === 0 ? ExitCode.ok : ExitCode.failed;
}

/** `show-source`: 4 when a relation field of the archive's source record could not be parsed. */
export function showSourceExitCode(errors: number): ExitCodeValue {
  return errors > 0 ? ExitCode.archive : ExitCode.ok;
}
