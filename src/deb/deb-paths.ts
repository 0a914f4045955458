// Paths inside data.tar: normalised to components, written `./`-prefixed as dpkg-deb does, and
// checked to fit a plain ustar header. dpkg's own unpacker (lib/dpkg/tarfn.c, dpkg 1.21) rejects
// pax extended headers ("unsupported PAX tar header type 'x'", seen with `dpkg -i` here), and
// tar-stream falls back to pax for a name that does not fit ustar's name (100 bytes) + prefix
// (155 bytes) split, for a link target over 100 bytes and for any non-ASCII name. Such a path is
// refused here with a clear error instead of producing a package dpkg cannot install.
import { err, ok, type Result } from '../model/result.js';
import type { SourceLocation } from '../model/location.js';
import type { DebLayoutError } from './deb-fields.js';

export interface DataPath {
  /** `usr/lib/libz.a`: components joined by `/`, no leading `./` or `/`; `''` is the root. */
  readonly key: string;
  readonly parts: readonly string[];
}

const USTAR_NAME = 100;
const USTAR_PREFIX = 155;
const USTAR_LINKNAME = 100;
/** Printable ASCII including space: what a ustar header carries without pax. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function tarName(parts: readonly string[], directory: boolean): string {
  if (parts.length === 0) return './';
  return `./${parts.join('/')}${directory ? '/' : ''}`;
}

export function checkDataPath(raw: string, directory: boolean, location: SourceLocation): Result<DataPath, DebLayoutError> {
  const fail = (reason: 'invalid-path' | 'path-needs-pax', why: string): Result<DataPath, DebLayoutError> =>
    err({ reason, location, subject: raw, message: `path ${JSON.stringify(raw)}: ${why}` });
  let rest = raw;
  if (rest.startsWith('./')) rest = rest.slice(2);
  else if (rest.startsWith('/')) rest = rest.slice(1);
  if (directory && rest.endsWith('/')) rest = rest.slice(0, -1);
  if (rest.length === 0) return fail('invalid-path', 'is empty or the package root (which is always present)');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(rest)) return fail('invalid-path', 'contains a control character');
  const parts = rest.split('/');
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') {
      return fail('invalid-path', 'has an empty, `.` or `..` component (or a trailing slash on a non-directory)');
    }
  }
  if (parts[0] === 'DEBIAN') return fail('invalid-path', 'DEBIAN/ is the control area, not package content');
  if (!PRINTABLE_ASCII.test(rest)) {
    return fail('path-needs-pax', 'is not ASCII; tar-stream would write a pax header, which dpkg 1.21 cannot unpack');
  }
  if (!fitsUstar(tarName(parts, directory))) {
    return fail('path-needs-pax', `does not fit a ustar header (name ${USTAR_NAME} + prefix ${USTAR_PREFIX} bytes); dpkg 1.21 cannot unpack the pax header tar-stream would write`);
  }
  return ok({ key: parts.join('/'), parts });
}

export function checkLinkTarget(target: string, key: string, location: SourceLocation): Result<string, DebLayoutError> {
  const fail = (reason: 'invalid-path' | 'path-needs-pax', why: string): Result<string, DebLayoutError> =>
    err({ reason, location, subject: key, message: `symlink /${key} -> ${JSON.stringify(target)}: ${why}` });
  if (target.length === 0) return fail('invalid-path', 'the target is empty');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(target)) return fail('invalid-path', 'the target contains a control character');
  if (!PRINTABLE_ASCII.test(target) || target.length > USTAR_LINKNAME) {
    return fail('path-needs-pax', `the target must be ASCII and at most ${USTAR_LINKNAME} bytes to fit a ustar header`);
  }
  return ok(target);
}

/** tar-stream's split (headers.js `encode`): move leading components to the prefix until the name fits. */
export function fitsUstar(name: string): boolean {
  let rest = name;
  let prefix = '';
  while (rest.length > USTAR_NAME) {
    const slash = rest.indexOf('/');
    if (slash === -1) return false;
    prefix += (prefix.length > 0 ? '/' : '') + rest.slice(0, slash);
    rest = rest.slice(slash + 1);
  }
  return prefix.length <= USTAR_PREFIX;
}
