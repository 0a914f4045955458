// Archive failures → one message each, with the exit code exitCodeOfArchiveError (exit-codes.ts)
// chooses. The switch is exhaustive: a new reason in archive/errors.ts does not compile until it
// has a message here.
import type { ArchiveError } from '../archive/errors.js';
import type { FindSourceError } from '../archive/archive.js';
import { formatLocation } from '../model/location.js';
import { assertNever } from '../model/result.js';
import { exitCodeOfArchiveError, exitCodeOfFindSourceError, type ExitCodeValue } from './exit-codes.js';

export interface Failure {
  readonly message: string;
  readonly exitCode: ExitCodeValue;
}

function digest(d: { size: number; sha256?: string }): string {
  return `${d.size} bytes, sha256 ${d.sha256 ?? '(not computed)'}`;
}

export function describeArchiveError(error: ArchiveError): Failure {
  return { message: archiveMessage(error), exitCode: exitCodeOfArchiveError(error) };
}

function archiveMessage(error: ArchiveError): string {
  switch (error.reason) {
    case 'unreachable':
      return `cannot reach ${error.url}: ${error.detail}`;
    case 'missing-file':
      return `the mirror does not serve ${error.file} (tried ${error.url})`;
    case 'checksum-mismatch':
      return (`checksum mismatch for ${error.file} from ${error.url}: expected ${digest(error.expected)}, ` +
        `got ${digest(error.actual)}${error.detail === undefined ? '' : ` (${error.detail})`}; nothing from it was used`);
    case 'bad-signature':
      return `signature check failed for ${error.url}: ${error.detail}`;
    case 'expired-release':
      return (`${error.url} expired at ${error.validUntil} (now ${error.now}); ` +
        'for a snapshot mirror, pass --allow-expired-release');
    case 'release-not-yet-valid':
      return (`${error.url} is dated ${error.date}, after this machine's clock (${error.now}): ` +
        'one of the two clocks is wrong (apt refuses it too: "not valid yet"); set the clock right, ' +
        'or pass --allow-expired-release to judge no InRelease by the clock');
    case 'index-missing':
      return `index ${error.file} of ${error.suite} is not available: ${error.detail}`;
    case 'bad-config':
      return `${formatLocation(error.location)}: ${error.message}`;
    case 'unpack-failed':
      return `dpkg-source could not unpack ${error.source} ${error.version}: ${error.detail}`;
    case 'malformed-control':
      return `${formatLocation(error.location)}: ${error.message}`;
    default:
      return assertNever(error, 'archive error');
  }
}

export function describeFindSourceError(error: FindSourceError): Failure {
  return { message: findSourceMessage(error), exitCode: exitCodeOfFindSourceError(error) };
}

function findSourceMessage(error: FindSourceError): string {
  switch (error.reason) {
    case 'source-not-found':
      return `no source package "${error.name}" in ${error.suite ?? 'the configured suites'}`;
    case 'invalid-version':
      return `${error.location === undefined ? '' : `${formatLocation(error.location)}: `}${error.message}`;
    default:
      return assertNever(error, 'find-source error');
  }
}
