// The version of an application package stubforge builds (pure). It is a rebuild of one exact
// Debian source version, and says so: `<source version>+stubforge<N>`, N counting rebuilds of the
// same source version (1 for the first; a rebuild for an updated embedded library, binNMU-style,
// takes the next N). docs/application-deb.md has the ordering table, checked against dpkg.
//
// Why this shape: the suffix sits after everything Debian's own versions carry, so that
// - the rebuild sorts after the source version it was built from (`…deb12u18` < `…deb12u18+stubforge1`),
//   and after Debian's own binNMUs of it (`+b1` < `+stubforge1`: `b` sorts before `s`);
// - any later Debian version sorts after every rebuild of an earlier one (`…deb12u18+stubforge9`
//   < `…deb12u19`, and < `…deb12u18.1`, since `+` sorts before `.`);
// - N orders the rebuilds numerically (`+stubforge9` < `+stubforge10`).
import type { SourceLocation } from '../model/location.js';
import { err, type Result } from '../model/result.js';
import { validateVersion, type DebLayoutError } from './deb-fields.js';

export const REBUILD_MARKER = '+stubforge';

/** `<sourceVersion>+stubforge<rebuild>`, or an error for an invalid source version or count. */
export function applicationVersion(sourceVersion: string, rebuild = 1, location: SourceLocation = { file: 'application-version' }): Result<string, DebLayoutError> {
  const valid = validateVersion(sourceVersion, location);
  if (!valid.ok) return valid;
  if (!Number.isSafeInteger(rebuild) || rebuild < 1) {
    return err({ reason: 'invalid-version', location, subject: String(rebuild), message: `rebuild number ${String(rebuild)} must be a whole number from 1` });
  }
  return validateVersion(`${sourceVersion}${REBUILD_MARKER}${String(rebuild)}`, location);
}

export interface RebuildVersion {
  readonly sourceVersion: string;
  readonly rebuild: number;
}

const REBUILD_RE = /^(.+)\+stubforge([1-9][0-9]*)$/;

/** The source version and rebuild number of an application version; undefined when it has no marker. */
export function parseApplicationVersion(version: string): RebuildVersion | undefined {
  const m = REBUILD_RE.exec(version);
  if (m === null) return undefined;
  return { sourceVersion: m[1] ?? '', rebuild: Number(m[2]) };
}
