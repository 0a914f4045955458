// Debian version strings (deb-version(7)): `[epoch:]upstream[-revision]`, parsed the way dpkg's C
// `parseversion()` (lib/dpkg/parsehelp.c) does, with the same messages. Two deliberate differences,
// both stricter: what dpkg only *warns* about (upstream not starting with a digit, characters
// outside the allowed sets) is an error here, because nothing can be compared reliably after it;
// and the epoch must be plain digits, where C `strtol` would also take `+1` or `-0` (Perl's
// Dpkg::Version, which dpkg-source uses, rejects those too).
import { err, ok, type Result } from '../model/result.js';
import type { SourceLocation } from '../model/location.js';

export interface DebVersion {
  /** 0 when the version has no epoch (`1.0` and `0:1.0` are the same version). */
  readonly epoch: number;
  /** Never empty; starts with a digit; may hold `:` (only with an epoch) and `-`. */
  readonly upstream: string;
  /** Empty when the version has no revision (which compares equal to `-0`). */
  readonly revision: string;
  /** The version as written, without surrounding blanks. */
  readonly text: string;
}

export interface VersionError {
  readonly reason: 'invalid-version';
  /** dpkg's own wording (`epoch in version is not number`, ...). */
  readonly message: string;
  /** The text that failed, as given. */
  readonly text: string;
  readonly location?: SourceLocation;
  /** 0-based offset of the offending character in `text`, when there is one. */
  readonly offset?: number;
}

/** dpkg stores the epoch in an `int`: anything bigger is "too big". */
const EPOCH_MAX = 2_147_483_647;

const isBlank = (c: string): boolean => c === ' ' || c === '\t';
const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isAlpha = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const UPSTREAM_PUNCT = '.-+~:';
const REVISION_PUNCT = '.+~';

/**
 * Parse a Debian version. Surrounding blanks are ignored, as dpkg does; blanks inside are an
 * error. `location` is copied into the error so a caller can say where the version came from.
 */
export function parseVersion(text: string, location?: SourceLocation): Result<DebVersion, VersionError> {
  const fail = (message: string, offset?: number): Result<DebVersion, VersionError> =>
    err({
      reason: 'invalid-version',
      message,
      text,
      ...(location === undefined ? {} : { location }),
      ...(offset === undefined ? {} : { offset }),
    });

  let start = 0;
  while (start < text.length && isBlank(text.charAt(start))) start++;
  if (start === text.length) return fail('version string is empty');
  let end = start;
  while (end < text.length && !isBlank(text.charAt(end))) end++;
  let after = end;
  while (after < text.length && isBlank(text.charAt(after))) after++;
  if (after < text.length) return fail('version string has embedded spaces', end);

  const body = text.slice(start, end);
  let epoch = 0;
  let rest = body;
  let restOffset = start;
  const colon = body.indexOf(':');
  if (colon >= 0) {
    const digits = body.slice(0, colon);
    // C strtol would take a sign; deb-version(7) says the epoch is an unsigned integer.
    const signed = /^[+-][0-9]/.test(digits);
    if (!signed && (digits.length === 0 || !isDigit(digits.charAt(0)))) {
      return fail('epoch in version is empty', start);
    }
    for (let i = 0; i < digits.length; i++) {
      if (!isDigit(digits.charAt(i))) return fail('epoch in version is not number', start + i);
    }
    // Leading zeros are fine (`00:1` is epoch 0); compare without building a huge number.
    const significant = digits.replace(/^0+(?=.)/, '');
    if (significant.length > 10 || Number(significant) > EPOCH_MAX) {
      return fail('epoch in version is too big', start);
    }
    epoch = Number(significant);
    rest = body.slice(colon + 1);
    restOffset = start + colon + 1;
    if (rest.length === 0) return fail('nothing after colon in version number', restOffset);
  }

  // The revision is what follows the *last* hyphen, so the upstream part may hold hyphens.
  const hyphen = rest.lastIndexOf('-');
  const upstream = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const revision = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (hyphen >= 0 && revision.length === 0) return fail('revision number is empty', restOffset + hyphen);
  if (upstream.length === 0) return fail('version number is empty', restOffset);
  if (!isDigit(upstream.charAt(0))) return fail('version number does not start with digit', restOffset);
  for (let i = 1; i < upstream.length; i++) {
    const c = upstream.charAt(i);
    if (!isDigit(c) && !isAlpha(c) && !UPSTREAM_PUNCT.includes(c)) {
      return fail('invalid character in version number', restOffset + i);
    }
  }
  for (let i = 0; i < revision.length; i++) {
    const c = revision.charAt(i);
    if (!isDigit(c) && !isAlpha(c) && !REVISION_PUNCT.includes(c)) {
      return fail('invalid character in revision number', restOffset + hyphen + 1 + i);
    }
  }
  return ok({ epoch, upstream, revision, text: body });
}

/** The canonical text of a version: dpkg prints the epoch only when it is not 0. */
export function formatVersion(v: DebVersion): string {
  const epoch = v.epoch === 0 ? '' : `${v.epoch}:`;
  const revision = v.revision === '' ? '' : `-${v.revision}`;
  return `${epoch}${v.upstream}${revision}`;
}
