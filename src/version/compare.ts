// Version ordering, exactly dpkg's `verrevcmp` + `dpkg_version_compare` (lib/dpkg/version.c).
// Digit runs are compared digit by digit after dropping leading zeros, so a 40-digit run never
// overflows; the integration test checks this against `dpkg --compare-versions` on real versions.
import { ok, type Result } from '../model/result.js';
import { parseVersion, type DebVersion, type VersionError } from './deb-version.js';

export type Ordering = -1 | 0 | 1;

const CODE_0 = 48;
const CODE_9 = 57;
const CODE_TILDE = 126;

function isDigitCode(c: number): boolean {
  return c >= CODE_0 && c <= CODE_9;
}

function isAlphaCode(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * dpkg's `order()`: `~` sorts before everything, even the end of the string; then the end and
 * digits (0); then letters (their code); then every other character (code + 256).
 * `c` is NaN past the end of a string.
 */
function order(c: number): number {
  if (Number.isNaN(c) || isDigitCode(c)) return 0;
  if (isAlphaCode(c)) return c;
  if (c === CODE_TILDE) return -1;
  return c + 256;
}

/** Compare one upstream or revision part. */
export function compareVersionPart(a: string, b: string): Ordering {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Non-digit prefixes, character by character.
    while ((i < a.length && !isDigitCode(a.charCodeAt(i))) || (j < b.length && !isDigitCode(b.charCodeAt(j)))) {
      const ac = order(a.charCodeAt(i));
      const bc = order(b.charCodeAt(j));
      if (ac !== bc) return ac < bc ? -1 : 1;
      i++;
      j++;
    }
    // Digit runs, numerically: skip leading zeros, then the longer run is bigger, else the first
    // differing digit decides.
    while (a.charCodeAt(i) === CODE_0) i++;
    while (b.charCodeAt(j) === CODE_0) j++;
    let firstDiff = 0;
    while (isDigitCode(a.charCodeAt(i)) && isDigitCode(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigitCode(a.charCodeAt(i))) return 1;
    if (isDigitCode(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff < 0 ? -1 : 1;
  }
  return 0;
}

/** Order two parsed versions: epoch, then upstream, then revision. */
export function compareVersions(a: DebVersion, b: DebVersion): Ordering {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  const upstream = compareVersionPart(a.upstream, b.upstream);
  if (upstream !== 0) return upstream;
  return compareVersionPart(a.revision, b.revision);
}

/** Order two version strings; an invalid one is an error, never an answer. */
export function compareVersionStrings(a: string, b: string): Result<Ordering, VersionError> {
  const pa = parseVersion(a);
  if (!pa.ok) return pa;
  const pb = parseVersion(b);
  if (!pb.ok) return pb;
  return ok(compareVersions(pa.value, pb.value));
}

