// What the executor reports about each node, as values: how a build failed (a union keyed by
// `reason`, each with what it concerns), what was skipped and why, and the events a progress view
// and the logger follow. cli/ turns failures into messages and exit codes.
import type { ArchiveError } from '../../archive/errors.js';
import type { RepoError, PublishedEntry } from '../../cache/apt-repo.js';
import type { CrossPackageError } from '../../cache/cross-package.js';
import type { DebLayoutError } from '../../deb/deb-fields.js';
import type { TreeError } from '../../deb/deb-tree.js';
import type { DebWriteError } from '../../deb/deb-writer.js';
import type { DriverError } from '../../drivers/driver.js';
import type { StaticViolation } from '../../drivers/static-policy.js';
import type { ProvenanceViolation } from '../../drivers/toolchain-provenance.js';
import type { ProcessResult } from '../../io/process.js';
import type { CacheKey } from '../../model/brand.js';
import type { PlanNode } from '../../plan/plan.js';
import type { BuildStepError } from '../../runtime/build-step.js';
import type { ApplicationError } from '../builders/app-errors.js';
import type { ToolchainMappingError } from '../builders/toolchain-mapping.js';
import type { VerifyOutputError } from '../builders/verify-output.js';

export type NodeFailure =
  | {
      readonly reason: 'source-unavailable';
      readonly source: string;
      readonly version: string;
      readonly suite: string;
      readonly error: ArchiveError;
      /** Other versions of the source in the configured suites (for an explicit `--suite`/`--pin`). */
      readonly alternatives: readonly { readonly suite: string; readonly version: string }[];
      /** The missing file is the Debian part (diff / debian tarball) while the orig tarball is listed. */
      readonly debianPartMissing: boolean;
    }
  | { readonly reason: 'no-source-record'; readonly source: string; readonly version: string; readonly suite: string }
  /** The archive's indices, read only once a node must be built (a plan from the memo reads none), did not load. */
  | { readonly reason: 'archive'; readonly error: ArchiveError }
  | { readonly reason: 'toolchain'; readonly error: ToolchainMappingError }
  | { readonly reason: 'driver'; readonly error: DriverError }
  | { readonly reason: 'step'; readonly error: BuildStepError; readonly lastStep?: string }
  | { readonly reason: 'static-policy'; readonly violations: readonly StaticViolation[]; readonly outputDir: string; readonly logFile: string }
  /** An object not compiled by the arch's toolchain against its headers (verify-provenance.ts); outputDir when kept. */
  | { readonly reason: 'toolchain-provenance'; readonly violations: readonly ProvenanceViolation[]; readonly outputDir?: string; readonly logFile: string }
  | { readonly reason: 'output-unreadable'; readonly error: VerifyOutputError }
  | { readonly reason: 'packaging'; readonly error: PackagingError }
  | { readonly reason: 'repo'; readonly error: RepoError }
  /** `dpkg-deb -x` of a published dependency (`package`, its path in the repository) failed. */
  | { readonly reason: 'stage-deps'; readonly package: string; readonly exit: Pick<ProcessResult, 'code' | 'stderr' | 'failure'> }
  /** An application's link provenance, bake, launch configuration or package (build-application.ts). */
  | { readonly reason: 'application'; readonly error: ApplicationError };

/** Making a library's -cross packages: the source's copyright, the output tree, the packages, the .debs. */
export type PackagingError =
  /** `detail`: why the copyright file (`file`) of the unpacked source could not be read. */
  | { readonly part: 'copyright'; readonly file: string; readonly detail: string }
  | { readonly part: 'output-tree'; readonly error: TreeError }
  | { readonly part: 'cross-packages'; readonly error: CrossPackageError | DebLayoutError }
  | { readonly part: 'deb'; readonly error: DebWriteError };

/** Timings of one container build, for the summary and the benchmark. */
export interface BuildTiming {
  /** From creating the container to its removal, as seen from here. */
  readonly stepMs: number;
  /** The build script's own run time inside the container (its first to last line). */
  readonly scriptMs?: number;
}

export type NodeBuildResult =
  | { readonly status: 'built'; readonly entry: PublishedEntry; readonly logFile: string; readonly timing: BuildTiming; readonly note?: string }
  | { readonly status: 'failed'; readonly failure: NodeFailure; readonly logFile?: string }
  /** A node kind this executor does not build yet (applications: separate work). */
  | { readonly status: 'not-built'; readonly reason: string };

export type SkipReason =
  | { readonly kind: 'dependency'; readonly failed: string }
  | { readonly kind: 'stopped'; readonly after: string }
  | { readonly kind: 'interrupted' };

export type NodeStatus = 'cached' | 'built' | 'failed' | 'skipped' | 'not-built';

/** What every outcome has: the node, its build's wall time (0 when no build ran) and, when it ran, when. */
interface OutcomeTimes {
  readonly node: PlanNode;
  /** Wall time of the build (slot taken to published or failed); 0 for a cached node. */
  readonly durationMs: number;
  /** Milliseconds since the run started. */
  readonly startMs?: number;
  readonly endMs?: number;
}

/** One node's outcome, by status: each carries what that status has (a cached node its entry, a failed one its failure). */
export type NodeOutcome = OutcomeTimes & (
  | { readonly status: 'cached'; readonly key: CacheKey; readonly entry: PublishedEntry }
  | { readonly status: 'built'; readonly key: CacheKey; readonly entry: PublishedEntry; readonly logFile: string; readonly timing: BuildTiming }
  /** No key when the node's key could not be computed; no log when no build step ran. */
  | { readonly status: 'failed'; readonly key?: CacheKey; readonly failure: NodeFailure; readonly logFile?: string }
  | { readonly status: 'skipped'; readonly key?: CacheKey; readonly because: SkipReason }
  | { readonly status: 'not-built'; readonly key?: CacheKey; readonly notBuilt: string }
);

/** The log of the node's build step, when one ran (a built node, a failed one that got that far). */
export function logFileOf(o: NodeOutcome): string | undefined {
  return o.status === 'built' || o.status === 'failed' ? o.logFile : undefined;
}

export type ExecutorEvent =
  | { readonly kind: 'cached'; readonly node: PlanNode; readonly key: CacheKey }
  | { readonly kind: 'started'; readonly node: PlanNode; readonly key: CacheKey }
  | { readonly kind: 'built'; readonly node: PlanNode; readonly key: CacheKey; readonly durationMs: number; readonly logFile: string; readonly timing: BuildTiming }
  | { readonly kind: 'failed'; readonly node: PlanNode; readonly key?: CacheKey; readonly durationMs: number; readonly failure: NodeFailure; readonly logFile?: string }
  | { readonly kind: 'skipped'; readonly node: PlanNode; readonly because: SkipReason }
  | { readonly kind: 'not-built'; readonly node: PlanNode; readonly reason: string };

export interface RunReport {
  /** In plan order; nodes left out of the run (`--libraries-only`) are not here. */
  readonly outcomes: readonly NodeOutcome[];
  readonly excluded: readonly PlanNode[];
  readonly makespanMs: number;
  readonly interrupted: boolean;
  /** The failure that stopped new work (without --keep-going). */
  readonly stoppedAfter?: string;
}

/** A short name of a failure reason, for the progress line. */
export function failureHeadline(failure: NodeFailure): string {
  switch (failure.reason) {
    case 'source-unavailable':
      return failure.error.reason === 'missing-file' ? `missing on the mirror: ${failure.error.file}` : `source: ${failure.error.reason}`;
    case 'no-source-record':
      return 'no source record';
    case 'archive':
      return `archive: ${failure.error.reason}`;
    case 'toolchain':
      return 'arch toolchain';
    case 'driver':
      return `driver: ${failure.error.reason}`;
    case 'step':
      return failure.error.reason === 'step-failed' ? `step ${failure.lastStep ?? '?'} failed` : failure.error.reason;
    case 'static-policy':
      return `static-only check: ${failure.violations.length} violation(s)`;
    case 'toolchain-provenance':
      return `toolchain provenance: ${failure.violations.length} violation(s)`;
    case 'output-unreadable':
      return 'output unreadable';
    case 'packaging':
      return 'packaging';
    case 'repo':
      return `repository: ${failure.error.reason}`;
    case 'stage-deps':
      return 'staging dependencies';
    case 'application':
      return `application: ${failure.error.reason}`;
  }
}
