// Archive failures → one message each and the archive exit code. The switch is exhaustive: a new
// reason in archive/errors.ts does not compile until it has a message here.
import type { ArchiveError } from '../archive/errors.js';
import type { FindSourceError } from '../archive/archive.js';
import { formatLocation } from '../model/location.js';
import { assertNever } from '../model/result.js';
import { ExitCode, type ExitCodeValue } from './exit-codes.js';

export interface Failure {
  readonly message: string;
  readonly exitCode: ExitCodeValue;
}

function digest(d: { size: number; sha256?: string }): string {
  return `${d.size} bytes, sha256 ${d.sha256 ?? '(not computed)'}`;
}

export function describeArchiveError(error: ArchiveError): Failure {
  const archive = (message: string): Failure => ({ message, exitCode: ExitCode.archive });
  switch (error.reason) {
    case 'unreachable':
      return archive(`cannot reach ${error.url}: ${error.detail}`);
    case 'missing-file':
      return archive(`the mirror does not serve ${error.file} (tried ${error.url})`);
    case 'checksum-mismatch':
      return archive(`checksum mismatch for ${error.file} from ${error.url}: expected ${digest(error.expected)}, ` +
        `got ${digest(error.actual)}${error.detail === undefined ? '' : ` (${error.detail})`}; nothing from it was used`);
    case 'bad-signature':
      return archive(`signature check failed for ${error.url}: ${error.detail}`);
    case 'expired-release':
      return archive(`${error.url} expired at ${error.validUntil} (now ${error.now}); ` +
        'for a snapshot mirror, pass --allow-expired-release');
    case 'release-not-yet-valid':
      return archive(`${error.url} is dated ${error.date}, after this machine's clock (${error.now}): ` +
        'one of the two clocks is wrong (apt refuses it too: "not valid yet"); set the clock right, ' +
        'or pass --allow-expired-release to judge no InRelease by the clock');
    case 'index-missing':
      return archive(`index ${error.file} of ${error.suite} is not available: ${error.detail}`);
    case 'bad-config':
      return { message: `${formatLocation(error.location)}: ${error.message}`, exitCode: ExitCode.usage };
    case 'unpack-failed':
      return archive(`dpkg-source could not unpack ${error.source} ${error.version}: ${error.detail}`);
    case 'malformed-control':
      return archive(`${formatLocation(error.location)}: ${error.message}`);
    default:
      return assertNever(error, 'archive error');
  }
}

export function describeFindSourceError(error: FindSourceError): Failure {
  switch (error.reason) {
    case 'source-not-found':
      return {
        message: `no source package "${error.name}" in ${error.suite ?? 'the configured suites'}`,
        exitCode: ExitCode.usage,
      };
    case 'invalid-version':
      return {
        message: `${error.location === undefined ? '' : `${formatLocation(error.location)}: `}${error.message}`,
        exitCode: ExitCode.archive,
      };
    default:
      return assertNever(error, 'find-source error');
  }
}
