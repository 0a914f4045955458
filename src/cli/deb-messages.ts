// Failures of making a .deb → one message each: the package description (deb-fields, deb-layout,
// deb-paths, app-deb), a library's -cross packages (cache/cross-package), the tree walk and the
// writer, with the file each concerns. The switches are exhaustive: a new reason in deb/ does not compile until it has
// a message here.
import type { CrossPackageError } from '../cache/cross-package.js';
import type { AppDebError } from '../deb/app-deb.js';
import type { RebuildVersionError } from '../deb/app-version.js';
import type { DebReadError } from '../deb/deb-reader.js';
import { SYNOPSIS_MAX, type DebLayoutError } from '../deb/deb-fields.js';
import { MAX_MTIME } from '../deb/deb-layout.js';
import { USTAR_LINKNAME, USTAR_NAME, USTAR_PREFIX } from '../deb/deb-paths.js';
import type { TreeError } from '../deb/deb-tree.js';
import type { DebWriteError } from '../deb/deb-writer.js';
import { assertNever } from '../model/result.js';

export function describeTreeError(error: TreeError): string {
  switch (error.reason) {
    case 'unsupported-file-type':
      return `${error.path} is neither a file, a directory nor a symlink`;
    case 'io-error':
      return `cannot read ${error.path}: ${error.detail}`;
    default:
      return assertNever(error, 'tree error');
  }
}

/** The file a write failure concerns: the data file, the tar member, the archive being written. */
export function debWriteErrorFile(error: DebWriteError): string {
  return error.reason === 'not-ustar' ? error.entry : error.path;
}

export function describeDebWriteError(error: DebWriteError): string {
  switch (error.reason) {
    case 'source-changed': {
      // Destructured: the house check reads a property access ending in `.md5` as a cited file.
      const { size, md5: digest } = error;
      return `${error.path} changed after it was described (size ${size.described} → ${size.actual}, ` +
        `md5 ${digest.described} → ${digest.actual})`;
    }
    case 'not-ustar':
      return `${error.entry} does not fit a ustar header (dpkg cannot unpack pax)`;
    case 'compressor-failed':
      return error.detail;
    case 'io-error':
      return `cannot write ${error.path}: ${error.detail}`;
    default:
      return assertNever(error, 'deb write error');
  }
}

type Problem<R extends DebLayoutError['reason']> = Extract<DebLayoutError, { reason: R }>;

function versionMessage(e: Problem<'invalid-version'>): string {
  return e.problem === 'rebuild-number'
    ? `rebuild number ${String(e.rebuild)} must be a whole number from 1`
    : `invalid version ${JSON.stringify(e.version)}: ${e.parseError ?? 'surrounding blanks'} (Policy §5.6.12)`;
}

const FIELD_VALUE: Record<Problem<'invalid-field-value'>['problem'], string> = {
  'control-characters': 'control characters are not allowed',
  empty: 'the value is empty',
  'blank-continuation-line': 'a continuation line is blank (it would end the paragraph)',
};

function descriptionMessage(e: Problem<'invalid-description'>): string {
  switch (e.problem) {
    case 'empty-synopsis':
      return 'Description: the synopsis is empty';
    case 'multi-line-synopsis':
      return 'Description: the synopsis must be a single line';
    case 'long-synopsis':
      return `Description: the synopsis has ${e.length} characters; Policy §5.6.13 asks for at most about ${SYNOPSIS_MAX}`;
    case 'newline-in-line':
      return `Description: extended line ${e.line} contains a newline; give one array element per line`;
    case 'tab-in-line':
      return `Description: extended line ${e.line} contains a tab; Policy §5.6.13 asks for spaces`;
    case 'only-full-stops':
      return `Description: extended line ${e.line} is only full stops, which Policy §5.6.13 reserves`;
    default:
      return assertNever(e, 'description problem');
  }
}

function pathMessage(e: Problem<'invalid-path'>): string {
  switch (e.problem) {
    case 'empty':
      return `path ${JSON.stringify(e.path)}: is empty or the package root (which is always present)`;
    case 'control-character':
      return `path ${JSON.stringify(e.path)}: contains a control character`;
    case 'bad-component':
      return `path ${JSON.stringify(e.path)}: has an empty, \`.\` or \`..\` component (or a trailing slash on a non-directory)`;
    case 'control-area':
      return `path ${JSON.stringify(e.path)}: DEBIAN/ is the control area, not package content`;
    case 'file-without-sums':
      return `/${e.path}: the file description needs a byte size and a lower-case hex MD5`;
    case 'empty-target':
      return `symlink /${e.link} -> ${JSON.stringify(e.target)}: the target is empty`;
    case 'control-character-in-target':
      return `symlink /${e.link} -> ${JSON.stringify(e.target)}: the target contains a control character`;
    default:
      return assertNever(e, 'path problem');
  }
}

function paxMessage(e: Problem<'path-needs-pax'>): string {
  switch (e.problem) {
    case 'not-ascii':
      return `path ${JSON.stringify(e.path)}: is not ASCII; tar-stream would write a pax header, which dpkg 1.21 cannot unpack`;
    case 'too-long':
      return `path ${JSON.stringify(e.path)}: does not fit a ustar header (name ${USTAR_NAME} + prefix ${USTAR_PREFIX} bytes); ` +
        'dpkg 1.21 cannot unpack the pax header tar-stream would write';
    case 'target-too-long':
      return `symlink /${e.link} -> ${JSON.stringify(e.target)}: the target must be ASCII and at most ${USTAR_LINKNAME} bytes to fit a ustar header`;
    default:
      return assertNever(e, 'pax problem');
  }
}

/** What is wrong with a package description (its location is the caller's to add). */
export function describeDebLayoutError(e: DebLayoutError): string {
  switch (e.reason) {
    case 'invalid-package-name':
      return `invalid package name ${JSON.stringify(e.name)}: Policy §5.6.1 allows two or more of [a-z0-9+.-], starting with a letter or digit`;
    case 'invalid-architecture':
      return `invalid architecture ${JSON.stringify(e.architecture)}: expected a dpkg architecture name such as all or musl-linux-amd64`;
    case 'invalid-version':
      return versionMessage(e);
    case 'invalid-field-name':
      return `invalid field name ${JSON.stringify(e.field)}: Policy §5.1 allows printable US-ASCII except space and colon, not starting with # or -`;
    case 'invalid-field-value':
      return `field ${e.field}: ${FIELD_VALUE[e.problem]}`;
    case 'duplicate-field':
      return `field ${e.field} is given twice`;
    case 'computed-field':
      return `${e.field} is computed from the data files; do not give it`;
    case 'invalid-description':
      return descriptionMessage(e);
    case 'invalid-path':
      return pathMessage(e);
    case 'path-needs-pax':
      return paxMessage(e);
    case 'duplicate-path':
      return `/${e.path} is given twice`;
    case 'path-conflict':
      return `/${e.path} is a ${e.type} but /${e.child} needs it to be a directory`;
    case 'invalid-conffile':
      return e.problem === 'listed-twice'
        ? `conffile ${e.conffile} is listed twice`
        : `conffile ${e.conffile} must be the absolute path of a regular file of the package`;
    case 'invalid-source-date-epoch':
      return `SOURCE_DATE_EPOCH must be a whole number of seconds between 0 and ${MAX_MTIME}`;
    default:
      return assertNever(e, 'deb layout error');
  }
}

/** An application's package description: a layout problem, or one source embedded at two versions. */
export function describeAppDebError(e: AppDebError): string {
  if (e.reason === 'duplicate-embedded-source') {
    return `${e.source} is embedded at ${e.versions.join(' and ')}: one binary cannot name two versions of a source`;
  }
  return describeDebLayoutError(e);
}

/** A library's -cross packages: how the output is split among the binaries, or a layout problem. */
export function describeCrossPackageError(e: CrossPackageError | DebLayoutError): string {
  switch (e.reason) {
    case 'invalid-triplet':
      return `invalid GNU triplet ${JSON.stringify(e.triplet)}`;
    case 'no-binaries':
      return `recipe for ${e.source} publishes no binary package`;
    case 'duplicate-binary':
      return `binary ${e.binary} is listed twice`;
    case 'several-default-binaries':
      return 'only one binary may take the unclaimed paths (give the others claims)';
    case 'outside-triplet-dir':
      return `staged path /${e.path} is outside /${e.base}: a -cross package installs only there`;
    case 'unclaimed-path':
      return `/${e.path} is claimed by no binary package of ${e.source}`;
    case 'ambiguous-claim':
      return `/${e.path} is claimed by ${e.binaries.join(' and ')}`;
    case 'claim-matches-nothing':
      return `claim ${e.claim} of ${e.binary} matches no staged path under /${e.base}`;
    default:
      return describeDebLayoutError(e);
  }
}

/** The next version of an application could not be chosen; `where` the version at fault was found, when known. */
export function describeRebuildVersionError(e: RebuildVersionError): string {
  const where = e.where === undefined ? '' : ` (${e.where})`;
  switch (e.reason) {
    case 'invalid-version':
      return `${e.version}: ${e.detail}${where}`;
    case 'not-newer':
      return `${e.version} is already published and sorts after ${e.next}${where}`;
    default:
      return assertNever(e, 'next version error');
  }
}

/** A .deb whose control file could not be read: `<file>: <why>`. */
export function describeDebReadError(e: DebReadError): string {
  if (e.reason === 'io-error') return `cannot read ${e.path}: ${e.detail}`;
  switch (e.problem) {
    case 'no-ar-magic':
      return `${e.path}: no ar magic`;
    case 'bad-ar-header':
    case 'bad-control-member':
      return `${e.path}: ${e.detail}`;
    case 'first-member':
      return `${e.path}: first member is ${e.member ?? 'missing'}, not debian-binary`;
    case 'no-control-member':
      return `${e.path}: no control.tar member`;
    case 'no-control-file':
      return `${e.path}: control.tar holds no ./control`;
    default:
      return assertNever(e, 'deb read error');
  }
}
