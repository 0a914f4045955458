// What can go wrong reading the archive, as values (docs/conventions.md §4: expected failures are data).
// cli/ maps each reason to a message and an exit code; the switch there ends in assertNever.
import type { ControlError } from '../control/deb822.js';
import type { SourceLocation } from '../model/location.js';

/** Size and SHA-256 of a file; sha256 is absent when a download was stopped for being too long. */
export interface FileDigest {
  readonly size: number;
  readonly sha256?: string;
}

export interface UnreachableError {
  readonly reason: 'unreachable';
  readonly url: string;
  /** Network error, HTTP status other than 404/410, or timeout. */
  readonly detail: string;
}

export interface MissingFileError {
  readonly reason: 'missing-file';
  /** The file name (as the index or .dsc names it). */
  readonly file: string;
  readonly url: string;
}

export interface ChecksumMismatchError {
  readonly reason: 'checksum-mismatch';
  readonly file: string;
  readonly expected: FileDigest;
  readonly actual: FileDigest;
  readonly url: string;
  /** What disagreed with what, when it is not "download vs index". */
  readonly detail?: string;
}

export interface BadSignatureError {
  readonly reason: 'bad-signature';
  readonly url: string;
  readonly detail: string;
}

export interface ExpiredReleaseError {
  readonly reason: 'expired-release';
  readonly url: string;
  /** The Valid-Until of the InRelease and the clock it was compared with (ISO 8601). */
  readonly validUntil: string;
  readonly now: string;
}

export interface NotYetValidReleaseError {
  readonly reason: 'release-not-yet-valid';
  readonly url: string;
  /** The Date of the InRelease and the clock it was compared with (ISO 8601). */
  readonly date: string;
  readonly now: string;
}

export interface IndexMissingError {
  readonly reason: 'index-missing';
  readonly suite: string;
  /** The index path (`main/source/Sources`) or a cache path. */
  readonly file: string;
  readonly detail: string;
}

export interface BadConfigError {
  readonly reason: 'bad-config';
  readonly message: string;
  readonly location: SourceLocation;
}

export interface UnpackFailedError {
  readonly reason: 'unpack-failed';
  readonly source: string;
  readonly version: string;
  readonly detail: string;
}

export type ArchiveError =
  | UnreachableError
  | MissingFileError
  | ChecksumMismatchError
  | BadSignatureError
  | ExpiredReleaseError
  | NotYetValidReleaseError
  | IndexMissingError
  | BadConfigError
  | UnpackFailedError
  | ControlError;
