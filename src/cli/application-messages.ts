// Application build failures (executor/builders/app-errors.ts) → one message each. The switch is
// exhaustive: a new reason does not compile until it has a message here.
import { describeBakeError } from '../bake/backends/backend.js';
import { describeAttributionError } from '../bake/link-attribution.js';
import { describeLinkTraceError } from '../bake/link-trace.js';
import { describeLaunchError } from '../bake/launch-config.js';
import { describeManifestError } from '../bake/manifest.js';
import { describeFsImageError, type FsImageError } from '../bake/rumprun-fs-image.js';
import { describeRumprunJsonError, type RumprunJsonError } from '../bake/rumprun-json.js';
import { describeProvenanceViolation } from '../drivers/toolchain-provenance.js';
import type { ApplicationError } from '../executor/builders/app-errors.js';
import { formatLocation } from '../model/location.js';
import { assertNever } from '../model/result.js';
import { describeAppDebError, describeDebWriteError, describeTreeError } from './deb-messages.js';

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
      return `${at}: the application package: ${packageMessage(e)}`;
    default:
      return assertNever(e, 'application error');
  }
}

function packageMessage(e: Extract<ApplicationError, { reason: 'package' }>): string {
  switch (e.part) {
    case 'fields':
      return describeAppDebError(e.error);
    case 'tree':
      return describeTreeError(e.error);
    case 'write':
      return describeDebWriteError(e.error);
    default:
      return assertNever(e, 'application package error');
  }
}
