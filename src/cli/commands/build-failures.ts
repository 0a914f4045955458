// Build failures → one message each (their exit codes: exitCodeOfNodeFailure in cli/exit-codes.ts).
// The switch is exhaustive: a new failure reason does not compile until it has a message here.
// Where the user can choose a way round (another suite, the orig tarball alone), the message says
// which option makes that choice; nothing is chosen for them.
import { describeDriverError } from '../../drivers/driver.js';
import { describeStaticViolation } from '../../drivers/static-policy.js';
import { describeProvenanceViolation } from '../../drivers/toolchain-provenance.js';
import type { NodeFailure, PackagingError } from '../../executor/scheduler/outcome.js';
import { describeToolchainMappingError } from '../../executor/builders/toolchain-mapping.js';
import { describeProcess } from '../../io/process.js';
import { formatLocation } from '../../model/location.js';
import { assertNever } from '../../model/result.js';
import { describeApplicationError } from '../application-messages.js';
import { describeArchiveError } from '../archive-messages.js';
import { debWriteErrorFile, describeCrossPackageError, describeDebWriteError, describeTreeError } from '../deb-messages.js';
import { describeRuntimeFailure } from '../runtime-messages.js';
import { describeRepoError } from '../cache-messages.js';

/** Violations listed in a message before "... and N more". */
const VIOLATIONS_SHOWN = 10;

function sourceHints(f: Extract<NodeFailure, { reason: 'source-unavailable' }>): string[] {
  const hints: string[] = [];
  const e = f.error;
  if (e.reason === 'missing-file' && e.file.endsWith('.dsc')) {
    const others = f.alternatives.filter((a) => a.suite !== f.suite);
    if (others.length > 0) {
      const suites = [...new Set(others.map((a) => a.suite))];
      hints.push(`${f.source} ${f.version} is the newest version, from ${f.suite}; the configured suites also have ` +
        `${others.map((a) => `${a.version} (${a.suite})`).join(', ')}.`);
      hints.push(`To build that one instead, choose it explicitly: --suite ${suites[0] ?? ''}` +
        ` (or --pin ${f.source}=${others[0]?.version ?? ''}); stubforge never falls back to another version by itself.`);
    }
  }
  if (f.debianPartMissing) {
    hints.push(`To build ${f.source} from its verified orig tarball alone, without Debian's changes, pass ` +
      `--allow-orig-only ${f.source}; the choice is recorded in the packages (X-Stubforge-Note) and in the cache key.`);
  }
  return hints;
}

/** `<file>: <what is wrong>`, the file the failure concerns first. */
function packagingMessage(e: PackagingError): string {
  switch (e.part) {
    case 'copyright':
      return `${e.file}: ${e.detail}`;
    case 'output-tree':
      return `${e.error.path}: ${describeTreeError(e.error)}`;
    case 'cross-packages':
      return `${formatLocation(e.error.location)}: ${describeCrossPackageError(e.error)}`;
    case 'deb':
      return `${debWriteErrorFile(e.error)}: ${describeDebWriteError(e.error)}`;
    default:
      return assertNever(e, 'packaging error');
  }
}

export function describeNodeFailure(f: NodeFailure): string {
  switch (f.reason) {
    case 'source-unavailable':
      return [`cannot get source ${f.source} ${f.version} (${f.suite}): ${describeArchiveError(f.error).message}`, ...sourceHints(f)].join('\n');
    case 'archive':
      return `cannot read the archive's indices: ${describeArchiveError(f.error).message}`;
    case 'no-source-record':
      return `no Sources record of ${f.source} ${f.version} in ${f.suite} (the plan and the archive disagree; run again)`;
    case 'toolchain':
      return `${formatLocation(f.error.location)}: ${describeToolchainMappingError(f.error)}`;
    case 'driver':
      return `${formatLocation(f.error.location)}: ${describeDriverError(f.error)}`;
    case 'step': {
      const message = describeRuntimeFailure(f.error).message;
      return f.lastStep === undefined ? message : `in step ${f.lastStep}: ${message}`;
    }
    case 'static-policy': {
      const shown = f.violations.slice(0, VIOLATIONS_SHOWN).map((v) => `  ${describeStaticViolation(v)}`);
      const more = f.violations.length > VIOLATIONS_SHOWN ? [`  ... and ${f.violations.length - VIOLATIONS_SHOWN} more`] : [];
      return [`the output breaks the static-only rule (nothing was published; output kept in ${f.outputDir}):`, ...shown, ...more].join('\n');
    }
    case 'toolchain-provenance': {
      const shown = f.violations.slice(0, VIOLATIONS_SHOWN).map((v) => `  ${describeProvenanceViolation(v)}`);
      const more = f.violations.length > VIOLATIONS_SHOWN ? [`  ... and ${f.violations.length - VIOLATIONS_SHOWN} more`] : [];
      const kept = f.outputDir === undefined ? '' : `; output kept in ${f.outputDir}`;
      return [`objects not built by the arch's toolchain against its headers (nothing was published${kept}):`, ...shown, ...more].join('\n');
    }
    case 'output-unreadable':
      return `cannot read the output at ${f.error.path}: ${f.error.detail}`;
    case 'packaging':
      return `making the -cross packages: ${packagingMessage(f.error)}`;
    case 'repo':
      return `repository: ${formatLocation(f.error.location)}: ${describeRepoError(f.error)}`;
    case 'stage-deps':
      return `staging the dependencies: ${f.package}: ${describeProcess(`dpkg-deb -x ${f.package}`, f.exit)}`;
    case 'application':
      return describeApplicationError(f.error);
    default:
      return assertNever(f, 'build failure');
  }
}
