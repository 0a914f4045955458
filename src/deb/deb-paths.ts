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

export const USTAR_NAME = 100;
export const USTAR_PREFIX = 155;
export const USTAR_LINKNAME = 100;
/** Printable ASCII including space: what a ustar header carries without pax. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function tarName(parts: readonly string[], directory: boolean): string {
  if (parts.length === 0) return './';
  return `./${parts.join('/')}${directory ? '/' : ''}`;
}

export function checkDataPath(raw: string, directory: boolean, location: SourceLocation): Result<DataPath, DebLayoutError> {
  const fail = (problem: 'empty' | 'control-character' | 'bad-component' | 'control-area'): Result<DataPath, DebLayoutError> =>
    err({ reason: 'invalid-path', problem, path: raw, location });
  const needsPax = (problem: 'not-ascii' | 'too-long'): Result<DataPath, DebLayoutError> =>
    err({ reason: 'path-needs-pax', problem, path: raw, location });
  let rest = raw;
  if (rest.startsWith('./')) rest = rest.slice(2);
  else if (rest.startsWith('/')) rest = rest.slice(1);
  if (directory && rest.endsWith('/')) rest = rest.slice(0, -1);
  if (rest.length === 0) return fail('empty');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(rest)) return fail('control-character');
  const parts = rest.split('/');
  for (const part of parts) {
    if (part === '' || part === '.' || part === '..') {
      return fail('bad-component');
    }
  }
  if (parts[0] === 'DEBIAN') return fail('control-area');
  if (!PRINTABLE_ASCII.test(rest)) return needsPax('not-ascii');
  if (!fitsUstar(tarName(parts, directory))) return needsPax('too-long');
  return ok({ key: parts.join('/'), parts });
}

export function checkLinkTarget(target: string, key: string, location: SourceLocation): Result<string, DebLayoutError> {
  const fail = (problem: 'empty-target' | 'control-character-in-target'): Result<string, DebLayoutError> =>
    err({ reason: 'invalid-path', problem, link: key, target, location });
  if (target.length === 0) return fail('empty-target');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(target)) return fail('control-character-in-target');
  if (!PRINTABLE_ASCII.test(target) || target.length > USTAR_LINKNAME) {
    return err({ reason: 'path-needs-pax', problem: 'target-too-long', link: key, target, location });
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
