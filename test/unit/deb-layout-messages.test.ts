// Every message of a package description that cannot become a .deb (deb-fields, deb-paths,
// deb-layout, app-version, app-deb) and of a library's -cross packages (cache/cross-package), as
// rendered in cli/deb-messages.ts, against the text the code wrote before these failures became
// payloads. Where a validator is cheap to call, the payload comes from it.
import { describe, expect, it } from 'vitest';
import { describeAppDebError, describeCrossPackageError, describeDebLayoutError, describeRebuildVersionError } from '../../src/cli/deb-messages.js';
import type { CrossPackageError } from '../../src/cache/cross-package.js';
import { applicationVersion, nextRebuildVersion } from '../../src/deb/app-version.js';
import {
  formatDescription, validateArchitecture, validateFieldName, validateFieldValue, validatePackageName, validateVersion, type DebLayoutError,
} from '../../src/deb/deb-fields.js';
import { checkDataPath, checkLinkTarget } from '../../src/deb/deb-paths.js';
import type { Result } from '../../src/model/result.js';
import { parseVersion } from '../../src/version/index.js';

const location = { file: 'recipes/demo/recipe', line: 3 };

function failure(r: Result<unknown, DebLayoutError>): DebLayoutError {
  if (r.ok) throw new Error('expected a failure');
  return r.error;
}

describe('package description messages', () => {
  const parseMessage = (v: string): string => {
    const p = parseVersion(v, location);
    if (p.ok) throw new Error(`${v} parses`);
    return p.error.message;
  };
  it.each<[string, DebLayoutError, string]>([
    ['package name', failure(validatePackageName('Bad_Name', location)),
      'invalid package name "Bad_Name": Policy §5.6.1 allows two or more of [a-z0-9+.-], starting with a letter or digit'],
    ['architecture', failure(validateArchitecture('Amd64', location)),
      'invalid architecture "Amd64": expected a dpkg architecture name such as all or musl-linux-amd64'],
    ['version syntax', failure(validateVersion('1.0:x-', location)), `invalid version "1.0:x-": ${parseMessage('1.0:x-')} (Policy §5.6.12)`],
    ['version blanks', { reason: 'invalid-version', problem: 'syntax', version: '1.0 ', location }, 'invalid version "1.0 ": surrounding blanks (Policy §5.6.12)'],
    ['rebuild number', failure(applicationVersion('1.0-1', 0, location)), 'rebuild number 0 must be a whole number from 1'],
    ['field name', failure(validateFieldName('#X', location)),
      'invalid field name "#X": Policy §5.1 allows printable US-ASCII except space and colon, not starting with # or -'],
    ['field control', failure(validateFieldValue('X-A', 'a\u0001', location)), 'field X-A: control characters are not allowed'],
    ['field empty', failure(validateFieldValue('X-A', ' ', location)), 'field X-A: the value is empty'],
    ['field blank line', failure(validateFieldValue('X-A', 'a\n \nb', location)), 'field X-A: a continuation line is blank (it would end the paragraph)'],
    ['empty synopsis', failure(formatDescription({ synopsis: ' ' }, location)), 'Description: the synopsis is empty'],
    ['two-line synopsis', failure(formatDescription({ synopsis: 'a\nb' }, location)), 'Description: the synopsis must be a single line'],
    ['long synopsis', failure(formatDescription({ synopsis: 'x'.repeat(81) }, location)),
      'Description: the synopsis has 81 characters; Policy §5.6.13 asks for at most about 80'],
    ['newline', failure(formatDescription({ synopsis: 's', extended: ['ok', 'a\nb'] }, location)),
      'Description: extended line 2 contains a newline; give one array element per line'],
    ['tab', failure(formatDescription({ synopsis: 's', extended: ['a\tb'] }, location)), 'Description: extended line 1 contains a tab; Policy §5.6.13 asks for spaces'],
    ['full stops', failure(formatDescription({ synopsis: 's', extended: ['..'] }, location)),
      'Description: extended line 1 is only full stops, which Policy §5.6.13 reserves'],
    ['empty path', failure(checkDataPath('./', false, location)), 'path "./": is empty or the package root (which is always present)'],
    ['control path', failure(checkDataPath('usr/a\u0001', false, location)), 'path "usr/a\\u0001": contains a control character'],
    ['component', failure(checkDataPath('usr//a', false, location)), 'path "usr//a": has an empty, `.` or `..` component (or a trailing slash on a non-directory)'],
    ['control area', failure(checkDataPath('DEBIAN/control', false, location)), 'path "DEBIAN/control": DEBIAN/ is the control area, not package content'],
    ['not ascii', failure(checkDataPath('usr/é', false, location)), 'path "usr/é": is not ASCII; tar-stream would write a pax header, which dpkg 1.21 cannot unpack'],
    ['too long', failure(checkDataPath(`usr/${'x'.repeat(120)}`, false, location)),
      `path "usr/${'x'.repeat(120)}": does not fit a ustar header (name 100 + prefix 155 bytes); dpkg 1.21 cannot unpack the pax header tar-stream would write`],
    ['empty target', failure(checkLinkTarget('', 'usr/lib/a', location)), 'symlink /usr/lib/a -> "": the target is empty'],
    ['control target', failure(checkLinkTarget('a\u0001', 'usr/lib/a', location)), 'symlink /usr/lib/a -> "a\\u0001": the target contains a control character'],
    ['long target', failure(checkLinkTarget('x'.repeat(101), 'usr/lib/a', location)),
      `symlink /usr/lib/a -> "${'x'.repeat(101)}": the target must be ASCII and at most 100 bytes to fit a ustar header`],
    ['file sums', { reason: 'invalid-path', problem: 'file-without-sums', path: 'usr/a', location }, '/usr/a: the file description needs a byte size and a lower-case hex MD5'],
    ['duplicate path', { reason: 'duplicate-path', path: 'usr/a', location }, '/usr/a is given twice'],
    ['path conflict', { reason: 'path-conflict', path: 'usr/a', type: 'file', child: 'usr/a/b', location }, '/usr/a is a file but /usr/a/b needs it to be a directory'],
    ['conffile', { reason: 'invalid-conffile', problem: 'not-a-file', conffile: '/etc/x', location }, 'conffile /etc/x must be the absolute path of a regular file of the package'],
    ['conffile twice', { reason: 'invalid-conffile', problem: 'listed-twice', conffile: '/etc/x', location }, 'conffile /etc/x is listed twice'],
    ['epoch', { reason: 'invalid-source-date-epoch', value: -1, location }, 'SOURCE_DATE_EPOCH must be a whole number of seconds between 0 and 8589934591'],
    ['computed', { reason: 'computed-field', field: 'Installed-Size', location }, 'Installed-Size is computed from the data files; do not give it'],
    ['duplicate field', { reason: 'duplicate-field', field: 'X-A', location }, 'field X-A is given twice'],
  ])('%s', (_name, error, text) => {
    expect(error.location).toEqual(location);
    expect(describeDebLayoutError(error)).toBe(text);
    expect(describeAppDebError(error)).toBe(text);
    expect(describeCrossPackageError(error)).toBe(text);
  });

  it('one source embedded at two versions', () => {
    expect(describeAppDebError({ reason: 'duplicate-embedded-source', source: 'zlib', versions: ['1:1.2.13.dfsg-1', '1:1.3.dfsg-1'], location }))
      .toBe('zlib is embedded at 1:1.2.13.dfsg-1 and 1:1.3.dfsg-1: one binary cannot name two versions of a source');
  });
});

describe('-cross package messages', () => {
  it.each<[CrossPackageError, string]>([
    [{ reason: 'invalid-triplet', triplet: 'x86_64', location }, 'invalid GNU triplet "x86_64"'],
    [{ reason: 'no-binaries', source: 'zlib', location }, 'recipe for zlib publishes no binary package'],
    [{ reason: 'duplicate-binary', binary: 'zlib1g-dev', location }, 'binary zlib1g-dev is listed twice'],
    [{ reason: 'several-default-binaries', binaries: ['a', 'b'], location }, 'only one binary may take the unclaimed paths (give the others claims)'],
    [{ reason: 'outside-triplet-dir', path: 'usr/lib/x.a', base: 'usr/x86_64-linux-musl/', location },
      'staged path /usr/lib/x.a is outside /usr/x86_64-linux-musl/: a -cross package installs only there'],
    [{ reason: 'unclaimed-path', path: 'usr/x86_64-linux-musl/lib/x.a', source: 'zlib', location }, '/usr/x86_64-linux-musl/lib/x.a is claimed by no binary package of zlib'],
    [{ reason: 'ambiguous-claim', path: 'usr/x86_64-linux-musl/lib/x.a', binaries: ['a', 'b'], location }, '/usr/x86_64-linux-musl/lib/x.a is claimed by a and b'],
    [{ reason: 'claim-matches-nothing', claim: 'lib/y', binary: 'a', base: 'usr/x86_64-linux-musl/', location },
      'claim lib/y of a matches no staged path under /usr/x86_64-linux-musl/'],
  ])('%j', (error, text) => {
    expect(describeCrossPackageError(error)).toBe(text);
  });
});

describe('next application version messages', () => {
  it('a published version that sorts after the rebuild, and an unparsable one, with where each was found', () => {
    expect(describeRebuildVersionError({ reason: 'not-newer', version: '1:2.0-1~stubforge1', next: '1:1.0-1~stubforge1', where: 'the output repository' }))
      .toBe('1:2.0-1~stubforge1 is already published and sorts after 1:1.0-1~stubforge1 (the output repository)');
    const bad = nextRebuildVersion('1.0-1', [{ version: '1.0:x-', where: '--against-repo a.txt' }]);
    if (bad.ok) throw new Error('expected a failure');
    const p = parseVersion('1.0:x-');
    if (p.ok) throw new Error('parses');
    expect(describeRebuildVersionError(bad.error)).toBe(`1.0:x-: ${p.error.message} (--against-repo a.txt)`);
  });
});
