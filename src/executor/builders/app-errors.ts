// How an application build fails after its container step (values, each with what it concerns):
// the link evidence, the provenance of what was linked, the bake, the launch configuration and
// the package. The library stages' failures (source, driver, step, repository) keep the
// executor's own reasons (outcome.ts); these are carried as one `application` failure there.
// Their messages: cli/application-messages.ts.
import type { BakeError } from '../../bake/backends/backend.js';
import type { CommandFailure, ReadBuildIdError } from '../../bake/bake-host.js';
import type { AttributionError } from '../../bake/link-attribution.js';
import type { ReadEvidenceError } from '../../bake/link-trace-io.js';
import type { LaunchError } from '../../bake/launch-config.js';
import type { ManifestError } from '../../bake/manifest.js';
import type { FsImageError } from '../../bake/rumprun-fs-image.js';
import type { RumprunJsonError } from '../../bake/rumprun-json.js';
import type { TreeError } from '../../deb/deb-tree.js';
import type { DebWriteError } from '../../deb/deb-writer.js';
import type { AppDebError } from '../../deb/app-deb.js';
import type { ProvenanceViolation } from '../../drivers/toolchain-provenance.js';
import type { SourceLocation } from '../../model/location.js';
import type { AppStepError } from './app-step.js';

export type ApplicationError =
  | { readonly reason: 'not-an-application'; readonly source: string; readonly detail: string; readonly location: SourceLocation }
  | AppStepError
  | { readonly reason: 'no-linked-program'; readonly installed: readonly string[]; readonly location: SourceLocation }
  | { readonly reason: 'no-link-evidence'; readonly program: string; readonly expected: string; readonly location: SourceLocation }
  | { readonly reason: 'link-evidence'; readonly error: ReadEvidenceError; readonly location: SourceLocation }
  | { readonly reason: 'dynamic-link'; readonly program: string; readonly sharedObjects: readonly string[]; readonly location: SourceLocation }
  | { readonly reason: 'attribution'; readonly program: string; readonly errors: readonly AttributionError[]; readonly location: SourceLocation }
  | { readonly reason: 'unattributed-archive'; readonly program: string; readonly archives: readonly { readonly path: string; readonly detail: string }[]; readonly location: SourceLocation }
  | { readonly reason: 'closure-unreadable'; readonly package: string; readonly detail: string; readonly location: SourceLocation }
  | { readonly reason: 'copyright-missing'; readonly source: string; readonly detail: string; readonly location: SourceLocation }
  | { readonly reason: 'bake'; readonly error: BakeError; readonly location: SourceLocation }
  | { readonly reason: 'bake-command'; readonly error: CommandFailure; readonly location: SourceLocation }
  | { readonly reason: 'build-id'; readonly program: string; readonly error: ReadBuildIdError; readonly location: SourceLocation }
  | { readonly reason: 'rumprun-tree'; readonly detail: string; readonly location: SourceLocation }
  /** A compile unit of a linked program not compiled by the arch's toolchain against its headers. */
  | { readonly reason: 'toolchain-provenance'; readonly violations: readonly ProvenanceViolation[]; readonly location: SourceLocation }
  | { readonly reason: 'launch'; readonly error: LaunchError; readonly location: SourceLocation }
  | { readonly reason: 'manifest'; readonly errors: readonly ManifestError[]; readonly location: SourceLocation }
  | { readonly reason: 'rumprun-config'; readonly error: RumprunJsonError | FsImageError; readonly location: SourceLocation }
  /** The package: its fields and layout, the staged tree it is made of, or the writing of the .deb. */
  | { readonly reason: 'package'; readonly part: 'fields'; readonly error: AppDebError; readonly location: SourceLocation }
  | { readonly reason: 'package'; readonly part: 'tree'; readonly error: TreeError; readonly location: SourceLocation }
  | { readonly reason: 'package'; readonly part: 'write'; readonly error: DebWriteError; readonly location: SourceLocation };
