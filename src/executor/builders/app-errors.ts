// How an application build fails after its container step (values, each with what it concerns):
// the link evidence, the provenance of what was linked, the bake, the launch configuration and
// the package. The library stages' failures (source, driver, step, repository) keep the
// executor's own reasons (outcome.ts); these are carried as one `application` failure there.
import type { BakeError } from '../../bake/backends/backend.js';
import { describeBakeError } from '../../bake/backends/backend.js';
import type { CommandFailure, ReadBuildIdError } from '../../bake/bake-host.js';
import { describeAttributionError, type AttributionError } from '../../bake/link-attribution.js';
import type { ReadEvidenceError } from '../../bake/link-trace-io.js';
import { describeLinkTraceError } from '../../bake/link-trace.js';
import { describeLaunchError, type LaunchError } from '../../bake/launch-config.js';
import { describeManifestError, type ManifestError } from '../../bake/manifest.js';
import { describeFsImageError, type FsImageError } from '../../bake/rumprun-fs-image.js';
import { describeRumprunJsonError, type RumprunJsonError } from '../../bake/rumprun-json.js';
import type { DebWriteError } from '../../deb/deb-writer.js';
import type { AppDebError } from '../../deb/app-deb.js';
import { describeProvenanceViolation, type ProvenanceViolation } from '../../drivers/toolchain-provenance.js';
import { formatLocation, type SourceLocation } from '../../model/location.js';
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
  | { readonly reason: 'package'; readonly error: AppDebError | DebWriteError; readonly location: SourceLocation };

function isFsImageError(e: RumprunJsonError | FsImageError): e is FsImageError {
  return e.reason === 'unsafe-guest-path' || e.reason === 'outside-mountpoint' || e.reason === 'invalid-image-option';
}

export function describeApplicationError(e: ApplicationError): string {
  const at = formatLocation(e.location);
  switch (e.reason) {
    case 'not-an-application':
      return `${at}: ${e.source}: ${e.detail}`;
    case 'invalid-install':
      return `${at}: Install path "${e.path}": ${e.detail}`;
    case 'no-linked-program':
      return `${at}: none of the Install files (${e.installed.join(', ') || 'none'}) was linked by the build (no link map): nothing to trace and bake`;
    case 'no-link-evidence':
      return `${at}: ${e.program} is an ELF file but the build left no link map for it (${e.expected}): link it with the build's LDFLAGS`;
    case 'link-evidence':
      return `${at}: ${e.error.reason === 'unreadable' ? e.error.detail : describeLinkTraceError(e.error)}`;
    case 'dynamic-link':
      return `${at}: ${e.program} was linked against shared objects (${e.sharedObjects.join(', ')}); a partial arch is static only`;
    case 'attribution':
      return [`${at}: what ${e.program} linked does not match the recipe:`, ...e.errors.map((x) => `  ${describeAttributionError(x)}`)].join('\n');
    case 'unattributed-archive':
      return [`${at}: ${e.program} linked archives of no known origin (they cannot be named in Static-Built-Using):`, ...e.archives.map((a) => `  ${a.path}: ${a.detail}`)].join('\n');
    case 'closure-unreadable':
      return `${at}: cannot list ${e.package}: ${e.detail}`;
    case 'copyright-missing':
      return `${at}: no copyright file for ${e.source}: ${e.detail}`;
    case 'bake':
      return `${at}: ${describeBakeError(e.error)}`;
    case 'bake-command':
      return `${at}: bake step ${e.error.name} failed (exit ${String(e.error.exitCode ?? 'none')}): ${e.error.argv.join(' ')}\n${e.error.outputTail}`;
    case 'build-id':
      return `${at}: ${e.program}: ${e.error.reason}: ${e.error.detail}`;
    case 'rumprun-tree':
      return `${at}: rumprun tree: ${e.detail}`;
    case 'toolchain-provenance':
      return [`${at}: linked from objects not built by the arch's toolchain against its headers (nothing was published):`,
        ...e.violations.slice(0, 10).map((v) => `  ${describeProvenanceViolation(v)}`),
        ...(e.violations.length > 10 ? [`  ... and ${e.violations.length - 10} more`] : [])].join('\n');
    case 'launch':
      return `${at}: launch configuration: ${describeLaunchError(e.error)}`;
    case 'manifest':
      return ['launch manifest:', ...e.errors.map((x) => `  ${describeManifestError(x)}`)].join('\n');
    case 'rumprun-config':
      return `${at}: rumprun launch configuration: ${isFsImageError(e.error) ? describeFsImageError(e.error) : describeRumprunJsonError(e.error)}`;
    case 'package':
      return `${at}: the application package: ${e.error.message}`;
  }
}
